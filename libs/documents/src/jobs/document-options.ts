/** What a document job was asked to do, as stored on the job row (validated by the API). */
export interface StoredJobOptions {
  model: string;
  pages: string | null;
  mode: 'auto' | 'ocr' | 'text';
  dpi: number;
  allow_partial: boolean;
  extract?: {
    model: string;
    schema: Record<string, unknown>;
    retries: number;
    template_id: string | null;
  };
}
