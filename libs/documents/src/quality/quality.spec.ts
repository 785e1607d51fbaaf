import { groundTruthVisionCaller, qualityCorpus, SMALL_CORPUS_KINDS } from '@switchyard/testing';
import type { ChatCaller } from '../engines/chat-caller';
import { evaluateQuality, type PageScore } from './evaluate';

/**
 * The quality corpus at its small size (5 pages: prose, two columns, lists, a ruled table with a merged
 * header, a scan), read in every mode and scored against its ground truth, with thresholds. The full corpus
 * (35 pages) runs in bench/documents-quality.
 */
describe('documents quality (5-page corpus)', () => {
  let pages: PageScore[];

  beforeAll(async () => {
    const corpus = await qualityCorpus({ kinds: SMALL_CORPUS_KINDS });
    const out = await evaluateQuality(corpus.pdf, corpus.pages, {
      modes: ['text', 'tesseract', 'llm-mock'],
      llmCaller: groundTruthVisionCaller(corpus.pages) as unknown as ChatCaller,
    });
    pages = out.pages;
  }, 240_000);

  const score = (mode: string, kind: string) => pages.find((p) => p.mode === mode && p.kind === kind) as PageScore;

  it('the vision-model path loses nothing: a model answering the ground truth scores 0 errors and every table cell', () => {
    for (const p of pages.filter((s) => s.mode === 'llm-mock')) expect({ page: p.page, cer: p.cer, wer: p.wer }).toEqual({ page: p.page, cer: 0, wer: 0 });
    expect(score('llm-mock', 'table-ruled').table).toBe(1);
  });

  it('tesseract reads clean 300-DPI pages with a CER under 3% (two columns in order, the ruled table row by row), and the noisy, turned scan under 25%', () => {
    for (const kind of ['prose', 'two-column', 'lists', 'table-ruled']) expect({ kind, cer: score('tesseract', kind).cer < 0.03 }).toEqual({ kind, cer: true });
    expect(score('tesseract', 'table-ruled').table).toBe(1);
    expect(score('tesseract', 'scan').cer).toBeLessThan(0.25);
  });

  it('the text layer reads every born-digital page with a CER under 1%, two columns in reading order; a scan has no text layer', () => {
    for (const kind of ['prose', 'two-column', 'lists', 'table-ruled']) expect({ kind, cer: score('text', kind).cer < 0.01 }).toEqual({ kind, cer: true });
    expect(score('text', 'scan').markdown).toBe('');
  });

  it('the text layer gives headings, lists and the merged-header table as Markdown, every cell in place', () => {
    expect(score('text', 'prose').markdown).toMatch(/^# .+\n\n[^#].+\n\n## /);
    expect(score('text', 'lists').markdown).toMatch(/\n- .+\n- .+\n- /);
    expect(score('text', 'lists').markdown).toMatch(/\n1\. .+\n2\. .+\n3\. /);
    expect(score('text', 'table-ruled').table).toBe(1);
  });
});
