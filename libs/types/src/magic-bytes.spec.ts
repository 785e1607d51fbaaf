import { sniffImageType, sniffKind } from './magic-bytes';

const bytes = (...parts: (string | number[])[]) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));

describe('sniffKind', () => {
  it.each([
    ['pdf', Buffer.from('%PDF-1.7\n')],
    ['png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0])],
    ['jpeg', Buffer.from([0xff, 0xd8, 0xff, 0xe0])],
    ['webp', Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WEBPVP8 ')])],
    ['tiff', Buffer.from([0x49, 0x49, 0x2a, 0x00])],
    ['tiff', Buffer.from([0x4d, 0x4d, 0x00, 0x2a])],
    ['gif', Buffer.from('GIF89a....')],
  ])('detects %s from magic bytes', (kind, head) => {
    expect(sniffKind(head)).toBe(kind);
  });

  it('finds a PDF header within the first 1024 bytes, not later', () => {
    expect(sniffKind(bytes(' '.repeat(1000), '%PDF-1.4'))).toBe('pdf');
    expect(sniffKind(bytes(' '.repeat(1020), '%PDF-1.4'))).toBeNull();
  });

  it.each([
    ['nothing', bytes()],
    ['a truncated PNG signature', bytes([0x89, 0x50, 0x4e, 0x47])],
    ['a RIFF that is not WebP', bytes('RIFF', [0, 0, 0, 0], 'WAVE')],
    ['GIF without its version', bytes('GIF8')],
    ['an executable', bytes('MZ', [0x90, 0])],
  ])('knows nothing of %s', (_what, head) => {
    expect(sniffKind(head)).toBeNull();
  });
});

describe('sniffImageType', () => {
  it.each([
    ['image/png', bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])],
    ['image/jpeg', bytes([0xff, 0xd8, 0xff, 0xdb])],
    ['image/gif', bytes('GIF87a')],
    ['image/webp', bytes('RIFF', [1, 2, 3, 4], 'WEBPVP8L')],
  ])('answers %s', (type, head) => {
    expect(sniffImageType(head)).toBe(type);
  });

  it.each([
    ['PDF', bytes('%PDF-1.7')],
    ['TIFF', bytes([0x49, 0x49, 0x2a, 0x00])],
    ['text', bytes('hello')],
  ])('answers null for %s', (_what, head) => {
    expect(sniffImageType(head)).toBeNull();
  });
});
