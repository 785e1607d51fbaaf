import type { PassThroughRequest } from '@switchyard/types';
import { UnsupportedParameterError, type UpstreamCall } from '../types';

/** The aspect ratios Imagen generates, as width / height. */
const ASPECT_RATIOS: [string, number][] = [
  ['1:1', 1],
  ['3:4', 3 / 4],
  ['4:3', 4 / 3],
  ['9:16', 9 / 16],
  ['16:9', 16 / 9],
];
const MIME: Record<string, string> = { png: 'image/png', jpeg: 'image/jpeg' };
/** The OpenAI fields the translation reads; `user` is accepted and not sent (Imagen has no end-user field). */
const FIELDS = new Set(['model', 'prompt', 'n', 'size', 'response_format', 'output_format', 'output_compression', 'user']);

/** Whether a Google model generates images through `:predict` (Imagen). */
export const isImagenModel = (model: string): boolean => /^(models\/)?imagen-/.test(model);

/**
 * `POST /v1/images/generations` on Imagen (Gemini API and Vertex AI, `models/{imagen-…}:predict`): the prompt as
 * the one instance, `n` as `sampleCount` (1-4), `size` as the nearest `aspectRatio`, `output_format` as
 * `outputOptions.mimeType`; the images come back as base64, answered as OpenAI's `b64_json`. Imagen returns no
 * URL and the gateway stores no images, so `response_format: "url"` is a 400; other OpenAI fields (quality, style,
 * background…) are a 400 naming them.
 */
export function imagenImages(request: PassThroughRequest, model: string, modelUrl: string, headers: Record<string, string>): UpstreamCall {
  if (!isImagenModel(model)) throw new UnsupportedParameterError('model', `'${model}' does not generate images; use an Imagen model (imagen-4.0-generate-001, …).`);
  for (const key of Object.keys(request)) {
    if (!FIELDS.has(key) && request[key] !== undefined && request[key] !== null) throw new UnsupportedParameterError(key, `'${key}' is not supported by Imagen.`);
  }
  if (typeof request['prompt'] !== 'string' || !request['prompt']) throw new UnsupportedParameterError('prompt', 'prompt is required.');
  if (request['response_format'] === 'url') {
    throw new UnsupportedParameterError('response_format', "Imagen returns image bytes and the gateway serves no image URLs: use response_format 'b64_json'.");
  }
  const n = request['n'] ?? 1;
  if (!Number.isInteger(n) || (n as number) < 1 || (n as number) > 4) throw new UnsupportedParameterError('n', 'Imagen generates 1 to 4 images per request.');
  const parameters: Record<string, unknown> = { sampleCount: n };
  const ratio = aspectRatio(request['size']);
  if (ratio) parameters['aspectRatio'] = ratio;
  const format = request['output_format'];
  if (format !== undefined) {
    const mimeType = MIME[String(format)];
    if (!mimeType) throw new UnsupportedParameterError('output_format', "Imagen's output_format is 'png' or 'jpeg'.");
    parameters['outputOptions'] = { mimeType, ...(request['output_compression'] !== undefined && format === 'jpeg' ? { compressionQuality: request['output_compression'] } : {}) };
  }
  return {
    read: 'json',
    requests: [
      {
        url: `${modelUrl}:predict`,
        headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
        body: JSON.stringify({ instances: [{ prompt: request['prompt'] }], parameters }),
      },
    ],
    combine: ([answer]) => {
      const predictions = (answer!.body as { predictions?: { bytesBase64Encoded?: string }[] }).predictions ?? [];
      // Images Imagen's safety filter removed are absent from `predictions`.
      const data = predictions.flatMap((p) => (p.bytesBase64Encoded ? [{ b64_json: p.bytesBase64Encoded }] : []));
      return { body: { created: Math.floor(Date.now() / 1000), data, ...(format !== undefined ? { output_format: format } : {}) }, usage: null };
    },
  };
}

/** OpenAI's `size` (`WxH`, or `auto`) as Imagen's nearest aspect ratio; undefined: Imagen's default (1:1). */
function aspectRatio(size: unknown): string | undefined {
  if (size === undefined || size === null || size === 'auto') return undefined;
  const m = /^(\d+)x(\d+)$/.exec(String(size));
  if (!m) throw new UnsupportedParameterError('size', "size must be 'WIDTHxHEIGHT' or 'auto'.");
  const r = Number(m[1]) / Number(m[2]);
  return ASPECT_RATIOS.reduce((best, cur) => (Math.abs(Math.log(cur[1] / r)) < Math.abs(Math.log(best[1] / r)) ? cur : best))[0];
}
