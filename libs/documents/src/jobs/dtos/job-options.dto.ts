import type { ModelParams } from '../../engines/chat-caller';
import { z } from 'zod';

const boolish = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);

/** What a job may set on its model's requests, in the router's own ranges (null: not set). */
const modelParamFields = {
  temperature: z.number().min(0).max(2).nullish(),
  max_tokens: z.number().int().min(1).max(1_000_000).nullish(),
  reasoning_effort: z.enum(['minimal', 'low', 'medium', 'high']).nullish(),
};
const modelParamsSchema = z.object(modelParamFields).strict().optional();

/** Options of `POST /v1/documents/parse` (also the parse part of extract). */
export const parseOptionsSchema = z.object({
  model: z.string().min(1).max(200).optional(),
  pages: z.string().max(1000).optional(),
  mode: z.enum(['auto', 'ocr', 'text']).default('auto'),
  dpi: z.coerce.number().int().min(36).optional(),
  /** Set on each request to `model` (the OCR model here, the structured-output model of an extraction). */
  model_params: modelParamsSchema,
  webhook_url: z.string().max(2000).optional(),
  allow_partial: boolish.default(false),
});

/** Options of `POST /v1/documents/extract`. `model` is the structured-output model; `ocr_model` transcribes. */
export const extractOptionsSchema = parseOptionsSchema.extend({
  ocr_model: z.string().min(1).max(200).optional(),
  ocr_model_params: modelParamsSchema,
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
 * Dynamiq's `llm` object. `provider` + `model` pick the router model (joined when both are given);
 * `temperature`, `max_tokens` and `reasoning_effort` are set on each of its requests. Any other field
 * (`connection_id`, ...) is refused by name: the project's provider key serves the model.
 */
const llmSchema = z
  .object({ model: z.string().min(1).max(200).optional(), provider: z.string().min(1).max(100).optional(), ...modelParamFields })
  .passthrough()
  .superRefine((llm, ctx) => {
    for (const key of Object.keys(llm)) {
      if (!LLM_FIELDS.has(key)) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `${key} is not supported (provider, model, temperature, max_tokens and reasoning_effort are; the project's provider key serves the model)`,
        });
      }
    }
  })
  .optional();
const LLM_FIELDS = new Set(['model', 'provider', ...Object.keys(modelParamFields)]);

/** `page_markers` (ours, default false) puts `<!-- page N -->` before each page of the returned text. */
export const dynamiqParseOptionsSchema = z.object({ llm: llmSchema, stream: z.boolean().optional(), page_markers: z.boolean().optional() }).strict();
export const dynamiqExtractOptionsSchema = z
  .object({ ocr_llm: llmSchema, structured_output_llm: llmSchema, template: z.union([z.string(), z.record(z.string(), z.unknown())]), stream: z.boolean().optional() })
  .strict();

type Llm = z.infer<typeof llmSchema>;

/** The model parameters set (nulls left out) in `model_params` or an `llm` object, or undefined when none is. */
export function modelParams(from: { [K in keyof ModelParams]?: ModelParams[K] | null } | undefined): ModelParams | undefined {
  const set = Object.entries(from ?? {}).filter(([k, v]) => k in modelParamFields && v !== null && v !== undefined);
  return set.length ? (Object.fromEntries(set) as ModelParams) : undefined;
}

export function modelOfLlm(llm: Llm): string | undefined {
  if (!llm?.model) return undefined;
  return llm.provider && !llm.model.includes('/') ? `${llm.provider}/${llm.model}` : llm.model;
}
