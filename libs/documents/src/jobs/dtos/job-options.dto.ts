import { z } from 'zod';

const boolish = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);

/** Options of `POST /v1/documents/parse` (also the parse part of extract). */
export const parseOptionsSchema = z.object({
  model: z.string().min(1).max(200).optional(),
  pages: z.string().max(1000).optional(),
  mode: z.enum(['auto', 'ocr', 'text']).default('auto'),
  dpi: z.coerce.number().int().min(36).optional(),
  webhook_url: z.string().max(2000).optional(),
  allow_partial: boolish.default(false),
});

/** Options of `POST /v1/documents/extract`. `model` is the structured-output model; `ocr_model` transcribes. */
export const extractOptionsSchema = parseOptionsSchema.extend({
  ocr_model: z.string().min(1).max(200).optional(),
  document_id: z.string().uuid().optional(),
  schema: z.record(z.string(), z.unknown()).optional(),
  template: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
  template_id: z.string().uuid().optional(),
  max_retries: z.coerce.number().int().min(0).max(10).optional(),
});

export type ParseOptionsDto = z.infer<typeof parseOptionsSchema>;
export type ExtractOptionsDto = z.infer<typeof extractOptionsSchema>;

export const listJobsQuerySchema = z.object({
  status: z.enum(['queued', 'running', 'succeeded', 'failed', 'canceled']).optional(),
  type: z.enum(['parse', 'extract']).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional(),
});

export const waitQuerySchema = z.object({ wait: z.coerce.number().min(0).optional() });

/**
 * Dynamiq's `llm` object. `provider` + `model` pick the router model (joined when both are given); any other
 * field (`connection_id`, `temperature`, `max_tokens`, ...) is refused by name: the project's provider key
 * serves the model, and the OCR and extraction calls run at temperature 0 with the pipeline's own budgets.
 */
const llmSchema = z
  .object({ model: z.string().min(1).max(200).optional(), provider: z.string().min(1).max(100).optional() })
  .passthrough()
  .superRefine((llm, ctx) => {
    for (const key of Object.keys(llm)) {
      if (key !== 'model' && key !== 'provider') {
        ctx.addIssue({ code: 'custom', path: [key], message: `${key} is not supported (only provider and model are; the project's provider key serves the model)` });
      }
    }
  })
  .optional();

/** `page_markers` (ours, default false) puts `<!-- page N -->` before each page of the returned text. */
export const dynamiqParseOptionsSchema = z.object({ llm: llmSchema, stream: z.boolean().optional(), page_markers: z.boolean().optional() }).strict();
export const dynamiqExtractOptionsSchema = z
  .object({ ocr_llm: llmSchema, structured_output_llm: llmSchema, template: z.union([z.string(), z.record(z.string(), z.unknown())]), stream: z.boolean().optional() })
  .strict();

export function modelOfLlm(llm: { model?: string; provider?: string } | undefined): string | undefined {
  if (!llm?.model) return undefined;
  return llm.provider && !llm.model.includes('/') ? `${llm.provider}/${llm.model}` : llm.model;
}
