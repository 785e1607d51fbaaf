import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type ServiceConfig } from '@switchyard/config';
import { DOCUMENT_STORAGE, DocumentStorageError, FileTooLargeError, type DocumentStorage, type StoredFile } from '@switchyard/persistence';
import { invalidRequest, serviceUnavailable } from '@switchyard/types';
import { checkPixels, CONTENT_TYPES, pngDimensions, requireSupported } from '../pipeline/sniff';
import { documentError, fromDocumentError } from './document-errors';
import type { UploadPart, UploadSource } from './upload-source';

/** An upload once received: the form fields, and the file (in storage) if one was sent. */
export interface ReceivedUpload {
  fields: Record<string, unknown>;
  file: (StoredFile & { name: string | null; contentType: string }) | null;
}

/** Receives an upload (multipart, or JSON with the file as base64) for a job: one file at most, into storage. */
@Injectable()
export class UploadReceiver {
  private readonly logger = new Logger('UploadReceiver');

  constructor(
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
    @Inject(DOCUMENT_STORAGE) private readonly storage: DocumentStorage,
  ) {}

  /** Streams the file part into storage (sniffed and size-checked on the way) and collects the fields. */
  async receive(projectId: string, jobId: string, source: UploadSource): Promise<ReceivedUpload> {
    const fields: Record<string, unknown> = {};
    let file: ReceivedUpload['file'] = null;
    const store = async (stream: AsyncIterable<Uint8Array>, name: string | null) => {
      if (file) throw invalidRequest('Send one file per request.', 'file');
      file = { ...(await this.store(projectId, jobId, stream)), name };
    };
    if (source.kind === 'multipart') {
      try {
        for await (const part of source.parts as AsyncIterable<UploadPart>) {
          if (part.type === 'file') await store(part.stream, part.filename);
          // `options` is a JSON string: its keys become fields; the raw value stays for the Dynamiq routes.
          else if (part.name === 'options') Object.assign(fields, safeObject(part.value), { options: part.value });
          else fields[part.name] = part.value;
        }
      } catch (err) {
        if ((err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw this.tooLarge();
        throw err;
      }
    } else {
      const body = source.body ?? {};
      const { file: b64, file_base64, filename, options, ...rest } = body as Record<string, unknown>;
      Object.assign(fields, rest, typeof options === 'object' && options ? options : {});
      if (options !== undefined) fields['options'] = options;
      const data = typeof b64 === 'string' ? b64 : typeof file_base64 === 'string' ? file_base64 : undefined;
      if (data !== undefined) {
        if (!/^[A-Za-z0-9+/=\s_-]*$/.test(data.slice(0, 1000))) throw invalidRequest('file must be base64.', 'file');
        await store(chunked(Buffer.from(data, 'base64')), typeof filename === 'string' ? filename : null);
      }
    }
    return { fields, file };
  }

  private async store(projectId: string, jobId: string, stream: AsyncIterable<Uint8Array>): Promise<StoredFile & { contentType: string }> {
    const d = this.config.documents;
    let kind: keyof typeof CONTENT_TYPES | null = null;
    try {
      const stored = await this.storage.write(projectId, stream, {
        jobId,
        kind: 'upload',
        contentType: 'application/octet-stream',
        maxBytes: d.maxFileBytes,
        inspectHead: (head) => {
          kind = requireSupported(head);
          if (kind === 'png') checkPixels(pngDimensions(head), d.maxPixels);
        },
      });
      return { ...stored, contentType: CONTENT_TYPES[kind ?? requireSupported(stored.head)] };
    } catch (err) {
      if (err instanceof FileTooLargeError || (err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw this.tooLarge();
      if (err instanceof DocumentStorageError) {
        // The operator's detail (bucket, S3 code) goes to the log; the client learns only that storage failed.
        this.logger.error(`upload for job ${jobId} not stored: ${err.message}`);
        throw serviceUnavailable('Document storage is unavailable; try again later.', 'storage_unavailable');
      }
      throw fromDocumentError(err);
    }
  }

  private tooLarge() {
    return documentError('file_too_large', `The file exceeds the limit of ${this.config.documents.maxFileBytes} bytes (DOCUMENTS_MAX_FILE_BYTES).`, 413);
  }
}

function safeObject(text: string): Record<string, unknown> {
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    throw invalidRequest('options must be a JSON object string.', 'options');
  }
}

async function* chunked(data: Buffer, size = 256 * 1024): AsyncIterable<Buffer> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}
