/**
 * A JSON document bound as a `$n::jsonb` statement parameter: a string goes as text, a Buffer as jsonb's binary
 * wire format (one version byte, 1, then the UTF-8 JSON text: what PostgreSQL's `jsonb_recv` reads, parsed exactly
 * like the text form). Writers pass Buffers so a batch of megabytes never becomes one large V8 string.
 */
export type JsonbParam = string | Buffer;

const JSONB_BINARY_VERSION = 1;
const COMMA = 0x2c;

const isSpace = (b: number | undefined): boolean => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;

/** The bounds of a JSON array text's elements, inside its brackets and surrounding whitespace ([start, end)). */
function innerBounds(a: Uint8Array): [number, number] {
  let start = 0;
  let end = a.length;
  while (start < end && isSpace(a[start])) start++;
  while (end > start && isSpace(a[end - 1])) end--;
  start++; // '['
  end--; // ']'
  while (start < end && isSpace(a[start])) start++;
  while (end > start && isSpace(a[end - 1])) end--;
  return [start, Math.max(start, end)];
}

/**
 * Concatenates JSON array texts (UTF-8 bytes, each `[…]`) into one array, without parsing them, as a jsonb
 * parameter in binary format: one allocation, each element copied once.
 */
export function jsonbArrayParam(arrays: readonly Uint8Array[]): Buffer {
  const bounds = arrays.map(innerBounds);
  let size = 3; // version byte, '[' and ']'
  for (const [start, end] of bounds) if (end > start) size += end - start + 1;
  const out = Buffer.allocUnsafe(size);
  out[0] = JSONB_BINARY_VERSION;
  out[1] = 0x5b; // '['
  let at = 2;
  arrays.forEach((a, i) => {
    const [start, end] = bounds[i]!;
    if (end <= start) return;
    if (at > 2) out[at++] = COMMA;
    out.set(a.subarray(start, end), at);
    at += end - start;
  });
  out[at++] = 0x5d; // ']'
  return out.subarray(0, at);
}
