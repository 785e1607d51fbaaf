import { invalidRequest, type GatewayError } from '@switchyard/types';

const OPEN_OBJECT = 0x7b; // {
const OPEN_ARRAY = 0x5b; // [
const CLOSE_OBJECT = 0x7d; // }
const CLOSE_ARRAY = 0x5d; // ]
const QUOTE = 0x22; // "
const BACKSLASH = 0x5c; // \

/** The JSON nesting bound when a service sets none (`HTTP_JSON_MAX_DEPTH`). */
export const DEFAULT_JSON_MAX_DEPTH = 256;

/**
 * True when the JSON text nests objects and arrays deeper than `maxDepth`. One pass over the text
 * without recursion or allocation, before anything walks the parsed value recursively (a body nested
 * 5,000 levels deep overflows the stack of `JSON.stringify`, zod and every serializer after it).
 * A text no longer than the limit cannot exceed it, so ordinary bodies are not scanned at all.
 */
export function jsonDepthExceeds(text: string, maxDepth: number): boolean {
  if (text.length <= maxDepth) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (++depth > maxDepth) return true;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      depth--;
    }
  }
  return false;
}

/** The 400 of a body nested past the limit (OpenAI shape; other route families map its code and message). */
export function jsonTooDeep(maxDepth: number): GatewayError {
  return invalidRequest(`The JSON body is nested more than ${maxDepth} levels deep (the limit is ${maxDepth}).`, null, 'json_too_deep');
}
