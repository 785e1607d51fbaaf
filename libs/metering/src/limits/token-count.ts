/**
 * Text is tokenized in chunks of this many characters: byte-pair merging of one long piece without spaces is
 * superlinear (200 KB of one repeated letter takes seconds in one call, milliseconds in 1 KB chunks); a chunk
 * boundary inside a word counts at most one extra token, so the estimate errs high, as a reservation should.
 */
const CHUNK_CHARS = 1024;
/** Characters tokenized exactly per request; the rest is counted at the tokens per character seen so far. */
export const MAX_EXACT_CHARS = 64 * 1024;

/**
 * The tokens of these texts in OpenAI's o200k_base encoding (gpt-tokenizer): exact for the first MAX_EXACT_CHARS
 * characters (about 15 ms for 64 KB of random text, 0.2 ms for a 4 KB prompt), then extrapolated, so a
 * multi-megabyte prompt costs no more than 64 KB. An estimate of other providers' tokenizers too (their counts
 * differ by a few percent); limits and budgets settle to the provider's reported usage after the call.
 */
export function countTextTokens(texts: readonly string[]): number {
  const countTokens = tokenizer();
  let tokens = 0;
  let exactChars = 0;
  let restChars = 0;
  for (const text of texts) {
    for (let at = 0; at < text.length; at += CHUNK_CHARS) {
      const chunk = text.slice(at, at + CHUNK_CHARS);
      if (exactChars >= MAX_EXACT_CHARS) restChars += chunk.length;
      else {
        tokens += countTokens(chunk);
        exactChars += chunk.length;
      }
    }
  }
  return restChars ? tokens + Math.ceil((restChars * tokens) / exactChars) : tokens;
}

let loaded: ((text: string) => number) | undefined;

/**
 * Words the tokenizer remembers the merges of (an LRU; gpt-tokenizer's default is 100,000). Its default grows by
 * every word a prompt has that is not one token (numbers, ids, names): each entry outlives the request and is
 * promoted into the router's old generation, then evicted as garbage there once the cache is full. A cache of
 * 1,000 keeps the common words and counts a prompt with unique words in 20-40 % less CPU, garbage collection
 * included (bench/README.md, "Governed call CPU and round trips").
 */
const MERGE_CACHE_ENTRIES = 1000;

/**
 * gpt-tokenizer's o200k_base counter, loaded on first use: its ranks take ~15 MB of heap and up to a second to load
 * on a busy machine, which the collector and documents (which import this lib but count nothing) never pay. The
 * router loads it at start (warmTokenizer) so the first request under a token limit does not either.
 */
function tokenizer(): (text: string) => number {
  if (loaded) return loaded;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const gpt = require('gpt-tokenizer') as typeof import('gpt-tokenizer');
  gpt.setMergeCacheSize(MERGE_CACHE_ENTRIES);
  loaded = gpt.countTokens;
  return loaded;
}

/** Loads the tokenizer and counts once (its first count builds caches): called by the router at start. */
export function warmTokenizer(): void {
  countTextTokens(['Warm the tokenizer up.']);
}
