import type { LogBodies } from './request-log';

/** A body cut at `maxBytes` of UTF-8 (never inside a character), with its size before the cut. */
export function capBody(text: string, maxBytes: number): { text: string; bytes: number; truncated: boolean } {
  // A string of n UTF-16 units is at most 3n UTF-8 bytes: most bodies skip the byte count.
  if (text.length * 3 <= maxBytes) return { text, bytes: Buffer.byteLength(text), truncated: false };
  const bytes = Buffer.byteLength(text);
  if (bytes <= maxBytes) return { text, bytes, truncated: false };
  const buf = Buffer.from(text);
  let end = maxBytes;
  // Back off to the start of a UTF-8 character (continuation bytes are 10xxxxxx).
  while (end > 0 && (buf[end]! & 0xc0) === 0x80) end -= 1;
  return { text: buf.subarray(0, end).toString('utf8'), bytes, truncated: true };
}

/** The bodies of one log, each cut at `maxBytes`. */
export function logBodies(request: string, response: string | null, maxBytes: number, responseContentType = 'application/json'): LogBodies {
  const req = capBody(request, maxBytes);
  const res = response === null ? null : capBody(response, maxBytes);
  return {
    request: req.text,
    response: res?.text ?? null,
    requestContentType: 'application/json',
    responseContentType,
    requestBytes: req.bytes,
    responseBytes: res?.bytes ?? 0,
    truncated: req.truncated || (res?.truncated ?? false),
  };
}
