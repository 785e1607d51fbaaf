import sharp, { type Sharp } from 'sharp';
import { DocumentError } from './document.exception';
import type { RenderedPage } from './pdf-document';

export interface NormalizedImage {
  data: Buffer;
  mime: 'image/png' | 'image/jpeg';
  width: number;
  height: number;
}

export interface NormalizeOptions {
  /** Longest side in pixels after resizing (never enlarged). */
  maxSide: number;
  /** sharp `limitInputPixels`: decompression bombs are refused before decoding. */
  maxPixels: number;
  format: 'png' | 'jpeg';
}

/**
 * Normalizes a page for a model: EXIF orientation applied, alpha flattened on white, sRGB, longest
 * side capped, compressed (JPEG for vision models, lossless PNG for local OCR).
 *
 * A rendered PDF page is already all of that except compressed (drawn upright on an opaque white sRGB
 * canvas, at a scale that fits `maxSide`: see PdfDocument.render), so its raw RGBA pixels only lose the
 * alpha channel and are encoded once. Encoders skip their second, size-only pass (JPEG Huffman
 * optimisation, PNG adaptive filtering): the same pixels, about 10% more bytes, half the encoding time.
 * JPEG keeps full-resolution luma (the text) and halves the chroma (4:2:0): 13% fewer bytes than 4:4:4 on the
 * quality corpus, and tesseract reads those images with the same error rates (docs/documents.md#speed).
 */
export async function normalizeImage(input: Buffer | RenderedPage, opts: NormalizeOptions): Promise<NormalizedImage> {
  try {
    let pipeline: Sharp;
    if (Buffer.isBuffer(input)) {
      pipeline = sharp(input, { limitInputPixels: opts.maxPixels, failOn: 'error', pages: 1 })
        .rotate()
        .flatten({ background: '#ffffff' })
        .toColourspace('srgb')
        .resize({ width: opts.maxSide, height: opts.maxSide, fit: 'inside', withoutEnlargement: true });
    } else {
      pipeline = sharp(input.data, { raw: { width: input.width, height: input.height, channels: 4 }, limitInputPixels: opts.maxPixels }).removeAlpha();
      if (Math.max(input.width, input.height) > opts.maxSide) pipeline = pipeline.resize({ width: opts.maxSide, height: opts.maxSide, fit: 'inside' });
    }
    const out =
      opts.format === 'jpeg'
        ? await pipeline.jpeg({ quality: 85, chromaSubsampling: '4:2:0', optimiseCoding: false }).toBuffer({ resolveWithObject: true })
        : await pipeline.png({ compressionLevel: 6, adaptiveFiltering: false }).toBuffer({ resolveWithObject: true });
    return { data: out.data, mime: opts.format === 'jpeg' ? 'image/jpeg' : 'image/png', width: out.info.width, height: out.info.height };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (/pixel limit/i.test(message)) {
      throw new DocumentError('image_too_large', `The image exceeds the limit of ${opts.maxPixels} pixels per page (DOCUMENTS_MAX_PIXELS).`);
    }
    throw new DocumentError('corrupt_file', `The image is damaged or cannot be decoded (${message}).`);
  }
}

/** Width and height of an encoded image without decoding it (sharp reads the header). */
export async function imageDimensions(data: Buffer): Promise<{ width: number; height: number }> {
  try {
    const meta = await sharp(data, { limitInputPixels: false }).metadata();
    if (!meta.width || !meta.height) throw new Error('no dimensions');
    const rotated = (meta.orientation ?? 1) >= 5;
    return rotated ? { width: meta.height, height: meta.width } : { width: meta.width, height: meta.height };
  } catch (err) {
    throw new DocumentError('corrupt_file', `The image is damaged or cannot be decoded (${(err as Error).message}).`);
  }
}
