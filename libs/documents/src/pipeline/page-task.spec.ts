import sharp from 'sharp';
import { textPdf } from '@switchyard/testing';
import { DocumentError } from './document.exception';
import { fromFailure, isFailure, runPageTask, toFailure } from './page-task';
import { PdfDocument } from './pdf-document';

describe('runPageTask (the PDF work of a page job, on an opened document)', () => {
  let doc: PdfDocument;

  beforeAll(async () => {
    doc = await PdfDocument.open(await textPdf([['First page'], ['Second page', 'with two lines'], ['Third']], { width: 432, height: 288 }));
  });
  afterAll(() => doc.destroy());

  it('counts pages and gives the selected pages their size in pixels at the DPI', async () => {
    expect(await runPageTask(doc, { op: 'count' })).toBe(3);
    // 432x288 pt: 6x4 inches.
    expect(await runPageTask(doc, { op: 'sizes', dpi: 100, pages: [3, 1] })).toEqual([
      { width: 600, height: 400 },
      { width: 600, height: 400 },
    ]);
  });

  it("reads a page's text layer with its character count", async () => {
    const text = await runPageTask(doc, { op: 'text', page: 2 });
    expect(text.markdown).toContain('Second page');
    expect(text.markdown).toContain('with two lines');
    expect(text.chars).toBe('Secondpagewithtwolines'.length);
  });

  it('reads several text layers in one task, in the given order; a missing page is its own failure entry', async () => {
    const texts = await runPageTask(doc, { op: 'texts', pages: [3, 9, 1] });
    expect(texts).toHaveLength(3);
    const [third, missing, first] = texts;
    expect(third).toEqual(await runPageTask(doc, { op: 'text', page: 3 }));
    expect(first).toEqual(await runPageTask(doc, { op: 'text', page: 1 }));
    expect(isFailure(missing)).toBe(true);
    expect(fromFailure(missing as never)).toMatchObject({ code: 'corrupt_file', permanent: true });
  });

  it('renders and encodes a page once: JPEG or PNG at the DPI, the longest side capped', async () => {
    const jpeg = await runPageTask(doc, { op: 'image', page: 1, dpi: 100, maxSide: 2000, maxPixels: 1e8, format: 'jpeg' });
    expect(jpeg).toMatchObject({ mime: 'image/jpeg', width: 600, height: 400 });
    expect((await sharp(jpeg.data).metadata()).format).toBe('jpeg');
    const png = await runPageTask(doc, { op: 'image', page: 1, dpi: 300, maxSide: 864, maxPixels: 1e8, format: 'png' });
    expect(png).toMatchObject({ mime: 'image/png', width: 864, height: 576 });
    const stats = await sharp(png.data).greyscale().stats();
    expect(stats.channels[0]!.min).toBeLessThan(80); // the text is drawn
  });

  it('a missing page is a DocumentError, which crosses a thread boundary as a failure value and back', async () => {
    const err = await runPageTask(doc, { op: 'text', page: 9 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DocumentError);
    const failure = toFailure(err);
    expect(isFailure(structuredClone(failure))).toBe(true);
    const back = fromFailure(structuredClone(failure!));
    expect(back).toBeInstanceOf(DocumentError);
    expect(back).toMatchObject({ code: (err as DocumentError).code, message: (err as DocumentError).message, permanent: true });
    expect(toFailure(new Error('not a document error'))).toBeNull();
    expect(isFailure({ markdown: '' })).toBe(false);
  });
});
