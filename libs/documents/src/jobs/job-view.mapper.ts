import type { DocumentJobEntity, WebhookDeliveryEntity } from '@switchyard/persistence';
import type { StoredJobOptions } from './document-options';

/** A document job as the API answers it. */
export interface JobView {
  id: string;
  type: 'parse' | 'extract';
  status: string;
  progress: { pages_done: number; pages_total: number | null };
  options: Record<string, unknown>;
  file_name: string | null;
  result: Record<string, unknown> | null;
  usage: { input_tokens: number; output_tokens: number; cost: number };
  error: { code: string; message: string } | null;
  webhook_url: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

/** One webhook delivery attempt as the API answers it. */
export interface DeliveryView {
  id: string;
  attempt: number;
  url: string;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
  created_at: string;
}

export function toJobView(j: DocumentJobEntity): JobView {
  return {
    id: j.id,
    type: j.type,
    status: j.status,
    progress: { pages_done: j.pagesDone, pages_total: j.pagesTotal },
    options: publicOptions(j.options as unknown as StoredJobOptions),
    file_name: j.fileName,
    result: j.result,
    usage: j.usage,
    error: j.error,
    webhook_url: j.webhookUrl,
    created_at: j.createdAt.toISOString(),
    started_at: j.startedAt?.toISOString() ?? null,
    finished_at: j.finishedAt?.toISOString() ?? null,
  };
}

export function toDeliveryView(d: WebhookDeliveryEntity): DeliveryView {
  return {
    id: d.id,
    attempt: d.attempt,
    url: d.url,
    status_code: d.statusCode,
    error: d.error,
    duration_ms: d.durationMs,
    created_at: d.createdAt.toISOString(),
  };
}

/** The options a caller may see: the extraction schema stays on the row. */
function publicOptions(o: StoredJobOptions): Record<string, unknown> {
  return {
    model: o.model,
    pages: o.pages,
    mode: o.mode,
    dpi: o.dpi,
    allow_partial: o.allow_partial,
    ...(o.extract ? { extract: { model: o.extract.model, template_id: o.extract.template_id, max_retries: o.extract.retries } } : {}),
  };
}
