import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { readMultipartBody } from './multipart-body';

/** A request of these bytes and headers, as the Node server hands it over. */
async function request(form: FormData, headers: Record<string, string> = {}): Promise<IncomingMessage> {
  const encoded = new Response(form);
  const bytes = Buffer.from(await encoded.arrayBuffer());
  return Object.assign(Readable.from([bytes.subarray(0, 10), bytes.subarray(10)]), {
    headers: { 'content-type': encoded.headers.get('content-type')!, ...headers },
  }) as unknown as IncomingMessage;
}

const form = (size: number) => {
  const f = new FormData();
  f.set('model', 'whisper-1');
  f.set('file', new Blob([new Uint8Array(size).fill(7)], { type: 'audio/wav' }), 'a.wav');
  return f;
};

describe('readMultipartBody', () => {
  it('reads the parts in order, files with their name, type and bytes', async () => {
    const parts = await readMultipartBody(await request(form(5)), 10_000);
    expect(parts).toEqual([
      { name: 'model', value: 'whisper-1' },
      { name: 'file', filename: 'a.wav', contentType: 'audio/wav', data: new Uint8Array(5).fill(7) },
    ]);
  });

  it('413 past the limit (as bytes arrive and by Content-Length), 415 for another type, 400 for a broken form', async () => {
    await expect(readMultipartBody(await request(form(2000)), 1000)).rejects.toMatchObject({ status: 413, code: 'request_too_large' });
    await expect(readMultipartBody(await request(form(5), { 'content-length': '5000' }), 1000)).rejects.toMatchObject({ status: 413 });
    await expect(readMultipartBody(await request(form(5), { 'content-type': 'application/json' }), 1000)).rejects.toMatchObject({ status: 415 });
    await expect(readMultipartBody(await request(form(5), { 'content-type': 'multipart/form-data; boundary=nope' }), 10_000)).rejects.toMatchObject({ status: 400, code: 'invalid_form' });
  });
});
