import type { ModelParams } from '../engines/chat-caller';

/** What a document job was asked to do, as stored on the job row (validated by the API). */
export interface StoredJobOptions {
  model: string;
  /** Set on each transcription request of `model` (rows written before it have none). */
  model_params?: ModelParams;
  pages: string | null;
  mode: 'auto' | 'ocr' | 'text';
  dpi: number;
  allow_partial: boolean;
  extract?: {
    model: string;
    model_params?: ModelParams;
    schema: Record<string, unknown>;
    retries: number;
    template_id: string | null;
  };
}
