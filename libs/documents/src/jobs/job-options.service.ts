import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type ServiceConfig } from '@switchyard/config';
import { DocumentTemplatesRepository } from '@switchyard/persistence';
import { invalidRequest, notFound } from '@switchyard/types';
import type { ModelParams } from '../engines/chat-caller';
import { isLocalOcrModel } from '../engines/ocr-engine';
import { compileSchema } from '../extraction/schema-validator';
import { parseTemplate, templateToSchema } from '../extraction/template-schema';
import { validatePageSpec } from '../pipeline/page-range';
import type { StoredJobOptions } from './document-options';
import { fromDocumentError } from './document-errors';
import { modelParams, type ExtractOptionsDto, type ParseOptionsDto } from './dtos/job-options.dto';

/** Turns a submission's validated options into what the job row stores, within the service's limits. */
@Injectable()
export class JobOptionsService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
    private readonly templates: DocumentTemplatesRepository,
  ) {}

  /**
   * The page options; `model` transcribes (the configured OCR model when not given) with `ocr.params`, which
   * `ocr.field` names in a 400 when they are given for local OCR.
   */
  pageOptions(
    opts: Pick<ParseOptionsDto, 'pages' | 'mode' | 'dpi' | 'allow_partial'>,
    model: string | undefined,
    ocr: { params: ParseOptionsDto['model_params']; field: string },
  ): StoredJobOptions {
    const d = this.config.documents;
    const params = modelParams(ocr.params);
    refuseParamsForLocalOcr(model ?? d.ocrModel, params, ocr.field);
    const dpi = opts.dpi ?? 150;
    if (dpi > d.maxDpi) throw invalidRequest(`dpi must be at most ${d.maxDpi}.`, 'dpi');
    if (opts.pages) {
      try {
        validatePageSpec(opts.pages);
      } catch (err) {
        throw fromDocumentError(err);
      }
    }
    return { model: model ?? d.ocrModel, ...(params ? { model_params: params } : {}), pages: opts.pages ?? null, mode: opts.mode, dpi, allow_partial: opts.allow_partial };
  }

  /** The extraction options: exactly one of schema, template or template_id (read from the project's templates). */
  async extraction(projectId: string, opts: ExtractOptionsDto): Promise<NonNullable<StoredJobOptions['extract']>> {
    const given = [opts.schema, opts.template, opts.template_id].filter((v) => v !== undefined).length;
    if (given !== 1) throw invalidRequest('Give exactly one of schema, template or template_id.', 'schema');
    let schema: Record<string, unknown>;
    if (opts.template_id) {
      const t = await this.templates.findById(projectId, opts.template_id);
      if (!t) throw notFound(`Template '${opts.template_id}' not found.`, 'template_not_found', 'template_id');
      schema = t.schema;
    } else if (opts.template !== undefined) {
      schema = schemaFromTemplate(opts.template);
    } else {
      schema = opts.schema as Record<string, unknown>;
    }
    checkSchema(schema);
    const model = opts.model ?? this.config.documents.extractModel;
    if (!model) throw invalidRequest('model (the structured-output model) is required for extraction.', 'model');
    const params = modelParams(opts.model_params);
    return { model, ...(params ? { model_params: params } : {}), schema, retries: opts.max_retries ?? this.config.documents.extractRetries, template_id: opts.template_id ?? null };
  }
}

/** A 400 naming `field.<parameter>` when model parameters are given for local OCR (tesseract has no sampling or token budget). */
export function refuseParamsForLocalOcr(model: string, params: ModelParams | undefined, field: string): void {
  const first = Object.keys(params ?? {})[0];
  if (first && isLocalOcrModel(model)) throw invalidRequest(`${first} does not apply to ${model} (local OCR); give a vision model to set it.`, `${field}.${first}`);
}

/** The JSON Schema of an example-shaped template (Dynamiq style), as a 400 when the template is not valid. */
export function schemaFromTemplate(template: unknown): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = parseTemplate(template);
  } catch {
    throw invalidRequest('template must be valid JSON.', 'template', 'invalid_template');
  }
  try {
    return templateToSchema(parsed);
  } catch (err) {
    throw fromDocumentError(err);
  }
}

/** A 400 unless `schema` compiles as a JSON Schema. */
export function checkSchema(schema: Record<string, unknown>): void {
  try {
    compileSchema(schema);
  } catch (err) {
    throw invalidRequest(`schema is not a valid JSON Schema: ${(err as Error).message}`, 'schema', 'invalid_schema');
  }
}
