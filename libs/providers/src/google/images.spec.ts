import { UnsupportedParameterError } from '../types';
import { imagenImages } from './images';

const URL = 'https://generativelanguage.googleapis.com/v1beta/models/imagen-4.0-generate-001';
const build = (body: Record<string, unknown>, model = 'imagen-4.0-generate-001') => imagenImages({ model, ...body }, model, URL, { 'x-goog-api-key': 'k' });
const sent = (body: Record<string, unknown>) => {
  const call = build(body);
  if (call.read !== 'json') throw new Error('expected JSON');
  return JSON.parse(call.requests[0]!.body as string) as { parameters: Record<string, unknown> };
};
const refusal = (body: Record<string, unknown>, model?: string) => {
  try {
    build(body, model);
  } catch (err) {
    if (err instanceof UnsupportedParameterError) return err.param;
    throw err;
  }
  throw new Error('expected a refusal');
};

describe('Imagen images (models/…:predict)', () => {
  it('maps size to the nearest aspect ratio, n to sampleCount, output_format to the mime type', () => {
    expect(sent({ prompt: 'p' }).parameters).toEqual({ sampleCount: 1 });
    expect(sent({ prompt: 'p', size: '1024x1024' }).parameters['aspectRatio']).toBe('1:1');
    expect(sent({ prompt: 'p', size: '1536x1024' }).parameters['aspectRatio']).toBe('4:3');
    expect(sent({ prompt: 'p', size: '1792x1024' }).parameters['aspectRatio']).toBe('16:9');
    expect(sent({ prompt: 'p', size: '1024x1792' }).parameters['aspectRatio']).toBe('9:16');
    expect(sent({ prompt: 'p', size: 'auto', n: 4, output_format: 'jpeg', output_compression: 80 }).parameters).toEqual({ sampleCount: 4, outputOptions: { mimeType: 'image/jpeg', compressionQuality: 80 } });
  });

  it('answers the predictions as b64_json (filtered images absent), usage null', () => {
    const call = build({ prompt: 'p', response_format: 'b64_json' });
    if (call.read !== 'json') throw new Error('expected JSON');
    const out = call.combine([{ body: { predictions: [{ mimeType: 'image/png', bytesBase64Encoded: 'AAA=' }, { raiFilteredReason: 'filtered' }] }, headers: {} }]);
    expect(out.usage).toBeNull();
    expect((out.body as { data: unknown[] }).data).toEqual([{ b64_json: 'AAA=' }]);
  });

  it('refuses what it cannot serve, naming the field', () => {
    expect(refusal({ prompt: 'p', response_format: 'url' })).toBe('response_format');
    expect(refusal({ prompt: 'p', quality: 'hd' })).toBe('quality');
    expect(refusal({ prompt: 'p', n: 5 })).toBe('n');
    expect(refusal({ prompt: 'p', size: 'big' })).toBe('size');
    expect(refusal({ prompt: 'p', output_format: 'webp' })).toBe('output_format');
    expect(refusal({})).toBe('prompt');
    expect(refusal({ prompt: 'p' }, 'gemini-2.5-flash')).toBe('model');
  });
});
