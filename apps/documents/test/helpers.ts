import { setTimeout as sleep } from 'node:timers/promises';
import { httpJson, type JsonResponse, type ParsedJson } from '@switchyard/testing';

/** Multipart POST of a file (with `options` as a JSON string) using the platform's fetch/FormData. */
export async function postFile(
  url: string,
  token: string,
  file: Buffer,
  filename: string,
  fields: Record<string, string> = {},
  headers: Record<string, string> = {},
): Promise<JsonResponse> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('file', new Blob([new Uint8Array(file)]), filename);
  return httpJson(url, { token, body: form, headers });
}

/** Polls a job until it is final. */
export async function waitForJob(base: string, token: string, id: string, timeoutMs = 60_000): Promise<ParsedJson> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await httpJson(`${base}/v1/documents/jobs/${id}`, { token });
    if (['succeeded', 'failed', 'canceled'].includes(res.body?.status)) return res.body;
    if (Date.now() > deadline) throw new Error(`job ${id} not final: ${res.text}`);
    await sleep(200);
  }
}

export const normalize = (s: string) => s.replace(/\s+/g, ' ').trim().toLowerCase();
