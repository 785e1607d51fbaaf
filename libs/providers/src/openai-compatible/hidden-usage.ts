import type { ByteTransform } from '../types';

/**
 * A provider-native OpenAI-format chat stream the client did not ask usage of (no `stream_options.include_usage:
 * true`): the gateway asks for it upstream, so that the call is priced, and gives the client the bytes it would have
 * had without it. These are the two halves: the request body with the one member added, and the answer's bytes
 * without what that member made the provider add.
 */

const USAGE_OPTION = '"stream_options":{"include_usage":true},';

/**
 * The client's body bytes asking for usage: `"stream_options":{"include_usage":true}` inserted as the object's first
 * member (every other byte as sent); a body with its own `stream_options` (without `include_usage: true`) is sent
 * re-serialized with `include_usage: true` set in it.
 */
export function withIncludeUsage(body: Buffer, json: Readonly<Record<string, unknown>>): Buffer {
  const options = json['stream_options'];
  if (options === undefined) {
    const open = body.indexOf('{');
    return Buffer.concat([body.subarray(0, open + 1), Buffer.from(USAGE_OPTION), body.subarray(open + 1)]);
  }
  const own = options && typeof options === 'object' && !Array.isArray(options) ? options : {};
  return Buffer.from(JSON.stringify({ ...json, stream_options: { ...own, include_usage: true } }));
}

/** Whether a native chat call asked for its stream's usage itself. */
export const asksStreamUsage = (json: Readonly<Record<string, unknown>>): boolean =>
  (json['stream_options'] as { include_usage?: unknown } | null | undefined)?.include_usage === true;

const NULL_USAGE = ',"usage":null';
const EMPTY_CHOICES = '"choices":[]';

/**
 * The answer as the provider sends it without `include_usage`: the usage-only chunk (`"choices":[]` with a `usage`
 * object) is dropped with the blank line ending its event, and the `,"usage":null` member the provider adds to every
 * other chunk is removed from each `data:` line's top-level object. Byte-level: every other byte passes as it came
 * (lines are read as latin1, one character per byte, so no UTF-8 sequence is touched). The dropped chunk's usage is
 * read upstream of this transform (`usageUpstream`).
 */
export function hiddenUsageTransform(): ByteTransform {
  let pending = '';
  let dropBlank = false;
  const line = (l: string): string | null => {
    if (dropBlank) {
      dropBlank = false;
      if (l === '' || l === '\r') return null;
    }
    if (!l.startsWith('data:')) return l;
    if (l.includes(EMPTY_CHOICES) && isUsageChunk(l)) {
      dropBlank = true;
      return null;
    }
    return withoutTopLevel(l, NULL_USAGE);
  };
  const lines = (text: string): string => {
    let out = '';
    for (const l of text.split('\n')) {
      const kept = line(l);
      if (kept !== null) out += kept + '\n';
    }
    return out;
  };
  return {
    push(bytes) {
      const text = pending + Buffer.from(bytes).toString('latin1');
      const end = text.lastIndexOf('\n');
      if (end < 0) {
        pending = text;
        return new Uint8Array(0);
      }
      pending = text.slice(end + 1);
      return Buffer.from(lines(text.slice(0, end)), 'latin1');
    },
    end() {
      const rest = pending;
      pending = '';
      if (!rest) return new Uint8Array(0);
      const kept = line(rest);
      return kept === null ? new Uint8Array(0) : Buffer.from(kept, 'latin1');
    },
  };
}

/** A `data:` line holding the usage-only chunk (top-level `choices: []` and a `usage` object). */
function isUsageChunk(line: string): boolean {
  try {
    const chunk = JSON.parse(Buffer.from(line.slice(5), 'latin1').toString('utf8')) as { choices?: unknown; usage?: unknown };
    return Array.isArray(chunk.choices) && chunk.choices.length === 0 && !!chunk.usage && typeof chunk.usage === 'object';
  } catch {
    return false;
  }
}

/**
 * The line without the first occurrence of `member` (`,"name":value`) that sits at the top level of its JSON object
 * (depth 1, outside any string); the line itself when there is none. Inside a string the member's quotes are escaped,
 * so an occurrence there cannot match; one in a nested object is skipped by the depth count.
 */
export function withoutTopLevel(line: string, member: string): string {
  let at = line.indexOf(member);
  let depth = 0;
  let inString = false;
  let i = 0;
  while (at >= 0) {
    for (; i < at; i++) {
      const c = line.charCodeAt(i);
      if (inString) {
        if (c === 0x5c) i++;
        else if (c === 0x22) inString = false;
      } else if (c === 0x22) inString = true;
      else if (c === 0x7b || c === 0x5b) depth++;
      else if (c === 0x7d || c === 0x5d) depth--;
    }
    if (depth === 1 && !inString) return line.slice(0, at) + line.slice(at + member.length);
    at = line.indexOf(member, at + 1);
  }
  return line;
}
