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

/** Three pages of known text (a heading-like line and a sentence each) for text-layer PDFs. */
export const THREE_PAGES = [
  ['Alpha report first page', 'The quick brown fox jumps over the lazy dog'],
  ['Beta section second page', 'Pack my box with five dozen liquor jugs'],
  ['Gamma closing third page', 'How vexingly quick daft zebras jump'],
];
