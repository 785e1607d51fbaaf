/** A JSON value (what a PostgreSQL `jsonb` column or a JSON body holds). */
export type JsonValue = string | number | boolean | null | JsonArray | JsonObject;

export type JsonArray = readonly JsonValue[];

export interface JsonObject {
  [key: string]: JsonValue;
}

/**
 * What JSON.stringify writes as an escape that PostgreSQL's jsonb refuses (a lone surrogate `\ud800`-`\udfff`, which
 * it writes only for a surrogate without its pair, and `\u0000`), or an escaped backslash (matched so that the text after it
 * is not read as an escape).
 */
const JSONB_REFUSED_ESCAPE = /\\(?:u(?:d[89a-f][0-9a-f]{2}|0000)|\\)/g;

/**
 * JSON.stringify's text made storable as jsonb: a lone surrogate or a NUL character anywhere in it (a key or a value: a
 * body, a metadata entry) becomes U+FFFD, as `String#toWellFormed` would; anything else is unchanged. Without this one
 * such character makes PostgreSQL refuse the whole record. Costs one `indexOf` when there is no `\u` escape at all.
 */
export function jsonbSafe(json: string): string {
  if (!json.includes('\\u')) return json;
  return json.replace(JSONB_REFUSED_ESCAPE, (escape) => (escape === '\\\\' ? escape : '\\ufffd'));
}
