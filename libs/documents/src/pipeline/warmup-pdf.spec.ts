import { PdfDocument } from './pdf-document';
import { warmupPdf, WARMUP_PAGES } from './warmup-pdf';

describe('warmupPdf (the text threads read it at start)', () => {
  it('is a valid PDF whose pages run every path of the text layer: heading, prose, list, tables, two columns', async () => {
    const pdf = warmupPdf();
    expect(warmupPdf()).toBe(pdf);
    const doc = await PdfDocument.open(pdf);
    try {
      expect(doc.numPages).toBe(WARMUP_PAGES);
      for (let p = 1; p <= WARMUP_PAGES; p++) {
        const text = await doc.pageText(p, { graphics: true });
        expect(text.markdown).toMatch(new RegExp(`^# Section ${p}: Operations review\\n`));
        expect(text.markdown).toContain('### Highlights');
        expect(text.markdown).toMatch(/\n- [A-Z]/);
        expect(text.markdown).toContain('| Region | Revenue | Cost | Margin % |');
        expect(text.markdown).toContain(`| Item ${p}-1 | ${p} units | 12.5 |`);
        expect(text.markdown).toContain(`Page ${p}. Figures are unaudited; amounts in thousands.`);
        expect(text.graphics?.rules.length).toBeGreaterThanOrEqual(9);
      }
    } finally {
      await doc.destroy();
    }
  });
});
