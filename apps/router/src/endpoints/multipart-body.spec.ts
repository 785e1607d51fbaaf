import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { MultipartFile } from '@switchyard/types';
import { readMultipartBody } from './multipart-body';

/** A request of these bytes and headers, as the Node server hands it over (in several reads). */
async function request(form: FormData, headers: Record<string, string> = {}): Promise<IncomingMessage> {
  const encoded = new Response(form);
  const bytes = Buffer.from(await encoded.arrayBuffer());
  const reads = [];
  for (let at = 0; at < bytes.length; at += 64 * 1024) reads.push(bytes.subarray(at, at + 64 * 1024));
  return Object.assign(Readable.from([bytes.subarray(0, 10), ...reads.map((r, i) => (i === 0 ? r.subarray(10) : r))]), {
    headers: { 'content-type': encoded.headers.get('content-type')!, ...headers },
  }) as unknown as IncomingMessage;
}

const form = (size: number) => {
  const f = new FormData();
  f.set('model', 'whisper-1');
  f.set('file', new Blob([new Uint8Array(size).fill(7)], { type: 'audio/wav' }), 'a.wav');
  return f;
};

const collect = async (file: MultipartFile) => {
  const chunks: Buffer[] = [];
  for await (const chunk of file.content()) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
};

describe('readMultipartBody', () => {
  let spool: string;
  beforeEach(async () => (spool = await mkdtemp(join(tmpdir(), 'multipart-spec-'))));
  afterEach(() => rm(spool, { recursive: true, force: true }));

  it('keeps the fields in order and spools each file to disk, readable again for every attempt, removed by dispose', async () => {
    const { parts, dispose } = await readMultipartBody(await request(form(300_000)), 1_000_000, spool);
    expect(parts.map((p) => p.name)).toEqual(['model', 'file']);
    expect(parts[0]).toEqual({ name: 'model', value: 'whisper-1' });
    const file = parts[1] as MultipartFile;
    expect(file).toMatchObject({ filename: 'a.wav', contentType: 'audio/wav', size: 300_000 });
    const [folder] = readdirSync(spool);
    expect((await readFile(join(spool, folder!, readdirSync(join(spool, folder!))[0]!))).length).toBe(300_000); // on disk, not in memory
    expect((await collect(file)).equals(Buffer.alloc(300_000, 7))).toBe(true);
    expect((await collect(file)).length).toBe(300_000); // a retry reads it again
    await dispose();
    expect(readdirSync(spool)).toEqual([]);
  });

  it('413 past the limit (as bytes arrive and by Content-Length), 415 for another type, 400 for a broken form; nothing left on disk', async () => {
    await expect(readMultipartBody(await request(form(2000)), 1000, spool)).rejects.toMatchObject({ status: 413, code: 'request_too_large' });
    await expect(readMultipartBody(await request(form(5), { 'content-length': '5000' }), 1000, spool)).rejects.toMatchObject({ status: 413 });
    await expect(readMultipartBody(await request(form(5), { 'content-type': 'application/json' }), 1000, spool)).rejects.toMatchObject({ status: 415 });
    await expect(readMultipartBody(await request(form(5), { 'content-type': 'multipart/form-data; boundary=nope' }), 10_000, spool)).rejects.toMatchObject({ status: 400, code: 'invalid_form' });
    await expect(readMultipartBody(await request(form(5), { 'content-type': 'multipart/form-data' }), 10_000, spool)).rejects.toMatchObject({ status: 415 });
    expect(readdirSync(spool)).toEqual([]);
    expect(existsSync(spool)).toBe(true);
  });
});
