import { DocumentError } from './document.exception';
import { parsePageRange } from './page-range';
import { checkPixels, pngDimensions, requireSupported } from './sniff';
import { reflowText, type TextItem } from './text-layer';

const item = (str: string, x: number, y: number, size = 12, width = str.length * size * 0.5): TextItem => ({
  str,
  transform: [size, 0, 0, size, x, y],
  width,
  height: size,
});

describe('requireSupported', () => {
  it('refuses empty and unknown content with their codes, whatever the name', () => {
    expect(() => requireSupported(Buffer.alloc(0))).toThrow(expect.objectContaining({ code: 'empty_file' }));
    expect(() => requireSupported(Buffer.from('MZ\x90\x00'))).toThrow(expect.objectContaining({ code: 'unsupported_file_type' }));
    expect(() => requireSupported(Buffer.from('RIFF\0\0\0\0WAVE'))).toThrow(DocumentError);
  });

  it('reads PNG dimensions from the header and enforces the pixel limit', () => {
    const head = Buffer.alloc(24);
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(head);
    head.write('IHDR', 12, 'latin1');
    head.writeUInt32BE(20000, 16);
    head.writeUInt32BE(10000, 20);
    expect(pngDimensions(head)).toEqual({ width: 20000, height: 10000 });
    expect(() => checkPixels(pngDimensions(head), 100_000_000)).toThrow(expect.objectContaining({ code: 'image_too_large' }));
    expect(() => checkPixels({ width: 100, height: 100 }, 100_000_000)).not.toThrow();
  });
});

describe('parsePageRange', () => {
  it('selects pages in order without duplicates', () => {
    expect(parsePageRange('1-3,7', 10)).toEqual([1, 2, 3, 7]);
    expect(parsePageRange('7, 2-3, 3', 10)).toEqual([2, 3, 7]);
    expect(parsePageRange('8-', 10)).toEqual([8, 9, 10]);
    expect(parsePageRange('', 3)).toEqual([1, 2, 3]);
    expect(parsePageRange('2-99', 4)).toEqual([2, 3, 4]);
  });

  it.each(['0', '3-1', 'a', '1-2-3', '11'])('refuses %p', (spec) => {
    expect(() => parsePageRange(spec, 10)).toThrow(expect.objectContaining({ code: 'invalid_pages' }));
  });
});

describe('reflowText', () => {
  it('orders lines top to bottom, joins runs, and separates paragraphs by vertical gaps', () => {
    const items = [
      item('world', 60, 700, 12, 30),
      item('Hello', 20, 700, 12, 30),
      item('second line', 20, 685),
      item('New paragraph', 20, 640),
    ];
    expect(reflowText(items)).toBe('Hello world second line\n\nNew paragraph');
  });

  it('returns an empty string for a page without text', () => {
    expect(reflowText([item('  ', 0, 0)])).toBe('');
  });

  it('turns rows whose cells align into columns into a Markdown table, text around it kept', () => {
    const row = (y: number, cells: string[]) => cells.map((c, j) => item(c, 20 + j * 150, y, 10, c.length * 5));
    const items = [
      item('Quarterly figures', 20, 760, 12),
      ...row(720, ['Region', 'Units', 'Revenue']),
      ...row(705, ['North', '1,200', '$4,800']),
      // a right-aligned number that starts a little later still lands in its column
      ...row(690, ['South | East', '950', '$3,800']).map((i, j) => (j === 1 ? { ...i, transform: [10, 0, 0, 10, 180, 690] } : i)),
      item('Figures are unaudited.', 20, 650, 10),
    ];
    expect(reflowText(items)).toBe(
      [
        '### Quarterly figures',
        '',
        '| Region | Units | Revenue |',
        '| --- | --- | --- |',
        '| North | 1,200 | $4,800 |',
        '| South \\| East | 950 | $3,800 |',
        '',
        'Figures are unaudited.',
      ].join('\n'),
    );
  });

  it('takes two short aligned columns for a table, but not two columns of prose', () => {
    const pair = (y: number, a: string, b: string) => [item(a, 20, y, 10), item(b, 220, y, 10)];
    expect(reflowText([...pair(700, 'Name', 'Value'), ...pair(688, 'alpha', '1'), ...pair(676, 'beta', '2')])).toBe(
      '| Name | Value |\n| --- | --- |\n| alpha | 1 |\n| beta | 2 |',
    );
    const prose = [
      ...pair(700, 'The left column of this page has a long', 'The right column of this page carries'),
      ...pair(688, 'sentence that runs over several lines', 'another sentence that also runs long'),
    ];
    expect(reflowText(prose)).not.toContain('|');
  });

  it('keeps words of one line together however their runs are split', () => {
    expect(reflowText([item('Hel', 20, 700, 10, 15), item('lo', 35, 700, 10, 10), item('there', 48, 700, 10, 25)])).toBe('Hello there');
  });
});
