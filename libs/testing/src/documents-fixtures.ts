import { deflateSync } from 'node:zlib';
import { createCanvas } from '@napi-rs/canvas';
import { PDFDocument, PDFHexString, PDFName, PDFNumber, StandardFonts } from 'pdf-lib';

/** A PDF with one page per entry; each page's lines are drawn top-down in Helvetica (a real text layer). */
export async function textPdf(pages: string[][], opts: { width?: number; height?: number; fontSize?: number } = {}): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const width = opts.width ?? 420;
  const height = opts.height ?? 300;
  const size = opts.fontSize ?? 18;
  for (const lines of pages) {
    const page = doc.addPage([width, height]);
    lines.forEach((line, i) => page.drawText(line, { x: 30, y: height - 50 - i * size * 1.6, size, font }));
  }
  return Buffer.from(await doc.save());
}

/** An invoice-like one-page PDF with known values (for extraction tests). */
export async function invoicePdf(): Promise<Buffer> {
  return textPdf(
    [
      [
        'ACME Hardware Store',
        'Invoice 2024-0042',
        'Date: 2024-03-15',
        'Hammer   qty 2   price 12.50',
        'Screwdriver   qty 1   price 7.25',
        'Total: 32.25',
      ],
    ],
    { width: 500, height: 360, fontSize: 16 },
  );
}

/** A PDF with a standard-security /Encrypt dictionary whose user password is not empty. */
export async function encryptedPdf(): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  doc.addPage([300, 200]).drawText('secret', { x: 20, y: 150, size: 18, font });
  const ctx = doc.context;
  const encrypt = ctx.obj({
    Filter: PDFName.of('Standard'),
    V: PDFNumber.of(1),
    R: PDFNumber.of(2),
    O: PDFHexString.of('a'.repeat(64)),
    U: PDFHexString.of('b'.repeat(64)),
    P: PDFNumber.of(-44),
  });
  ctx.trailerInfo.Encrypt = ctx.register(encrypt);
  ctx.trailerInfo.ID = ctx.obj([PDFHexString.of('0123456789abcdef0123456789abcdef'), PDFHexString.of('0123456789abcdef0123456789abcdef')]);
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}

/** The first third of a valid PDF: header present, body and trailer gone. */
export async function truncatedPdf(): Promise<Buffer> {
  const full = await textPdf([['This document was cut short'], ['Page two']]);
  return full.subarray(0, Math.floor(full.length / 3));
}

/** A PNG of black text on white, drawn with a system font (DejaVu Sans). */
export function textPng(lines: string[], opts: { width?: number; height?: number; fontSize?: number } = {}): Buffer {
  const width = opts.width ?? 800;
  const size = opts.fontSize ?? 40;
  const height = opts.height ?? Math.max(120, 60 + lines.length * size * 1.6);
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, height);
  ctx.fillStyle = '#000000';
  ctx.font = `${size}px "DejaVu Sans"`;
  lines.forEach((line, i) => ctx.fillText(line, 30, 30 + size + i * size * 1.6));
  return canvas.toBuffer('image/png');
}

/** A small file whose pixel count is huge: a 1-bit `side`x`side` PNG of zeros (a decompression bomb). */
export function bombPng(side = 20000): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf: Buffer) => {
    let c = 0xffffffff;
    for (const b of buf) c = (crcTable[(c ^ b) & 0xff] as number) ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(side, 0);
  ihdr.writeUInt32BE(side, 4);
  ihdr[8] = 1; // bit depth
  ihdr[9] = 0; // greyscale
  const row = Math.ceil(side / 8) + 1;
  const idat = deflateSync(Buffer.alloc(row * side), { level: 9 });
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))]);
}

/** A Windows executable header (what a renamed .exe starts with). */
export function fakeExe(): Buffer {
  const buf = Buffer.alloc(512, 0);
  buf.write('MZ', 0, 'latin1');
  buf.write('This program cannot be run in DOS mode.', 78, 'latin1');
  return buf;
}
