import { Readable } from 'node:stream';
import type { MultipartPart } from '@switchyard/types';
import { encodeMultipart } from './multipart';

const read = async (body: Readable) => {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
};

describe('encodeMultipart', () => {
  it('streams the file from its content each time it is encoded, with the exact length, and parses back as the form', async () => {
    let opened = 0;
    const audio = Buffer.alloc(200_000, 9);
    const parts: MultipartPart[] = [
      { name: 'model', value: 'whisper-1' },
      { name: 'file', filename: 'a "b".wav', contentType: 'audio/wav', size: audio.length, content: () => (opened++, Readable.from([audio.subarray(0, 70_000), audio.subarray(70_000)])) },
      { name: 'language', value: 'en' },
    ];
    for (const attempt of [1, 2]) {
      const { contentType, length, body } = encodeMultipart(parts);
      const bytes = await read(body);
      expect(bytes.length).toBe(length);
      expect(opened).toBe(attempt);
      const form = await new Response(bytes, { headers: { 'content-type': contentType } }).formData();
      expect(form.get('model')).toBe('whisper-1');
      expect(form.get('language')).toBe('en');
      const file = form.get('file') as File;
      expect(file.name).toBe('a "b".wav'); // quotes escaped as the WHATWG form encoder does, so the name round-trips
      expect(Buffer.from(await file.arrayBuffer()).equals(audio)).toBe(true);
    }
  });
});
