#!/usr/bin/env node
// Refreshes the prices of the model catalog (libs/routing/src/catalog/models.json) from a maintained public price
// list: pydantic's genai-prices (https://github.com/pydantic/genai-prices), kept in the repo as a data file
// (libs/metering/data/genai-prices.json) because the gateway and its tools run without internet.
//
//   node tools/refresh-prices.mjs                      # what would change, from the data file (writes nothing)
//   node tools/refresh-prices.mjs --write              # update models.json: prices and their `checked` date
//   node tools/refresh-prices.mjs --source <file|url>  # another copy of the list: our data file's shape, or
//                                                      # genai-prices' own data.json (an array of providers)
//   node tools/refresh-prices.mjs --snapshot           # rewrite the data file from the installed
//                                                      # @pydantic/genai-prices package (after upgrading it)
//
// A price is looked up for each catalog model through its providers in order (the first one the list prices
// wins), with genai-prices' own model matching. `checked` becomes the list's date (the data file's `taken`;
// today for a --source without one). Models the list does not price keep their price and date (reported).
import { calcPrice, findProvider, REMOTE_DATA_JSON_URL } from '@pydantic/genai-prices';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CATALOG = resolve(root, 'libs/routing/src/catalog/models.json');
const DATA_FILE = resolve(root, 'libs/metering/data/genai-prices.json');
/** Our provider ids as genai-prices names them (shared with libs/metering/src/genai-prices.ts). */
const PROVIDERS = JSON.parse(readFileSync(resolve(root, 'libs/metering/data/genai-providers.json'), 'utf8'));

const args = process.argv.slice(2);
const flag = (name) => args.includes(`--${name}`);
const option = (name) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const today = () => new Date().toISOString().slice(0, 10);

if (flag('snapshot')) {
  const providers = [...new Set(Object.values(PROVIDERS))].map((providerId) => findProvider({ providerId })).filter(Boolean);
  const pkg = resolve(dirname(createRequire(import.meta.url).resolve('@pydantic/genai-prices')), '../package.json');
  const version = JSON.parse(readFileSync(pkg, 'utf8')).version;
  const snapshot = { source: REMOTE_DATA_JSON_URL, package: `@pydantic/genai-prices@${version}`, taken: today(), providers };
  writeFileSync(DATA_FILE, `${JSON.stringify(snapshot, null, 1)}\n`);
  console.log(`wrote ${DATA_FILE}: ${providers.length} providers, ${providers.reduce((n, p) => n + p.models.length, 0)} models`);
  process.exit(0);
}

/** The price list: { taken, providers }, from the data file, a file or a URL of either shape. */
async function loadList(source) {
  const text = !source ? readFileSync(DATA_FILE, 'utf8') : /^https?:\/\//.test(source) ? await (await fetch(source)).text() : readFileSync(source, 'utf8');
  const doc = JSON.parse(text);
  return Array.isArray(doc) ? { taken: today(), providers: doc } : { taken: doc.taken ?? today(), providers: doc.providers };
}

/** Per-million-token prices of one model in the list: { input, output, cached } (null: not priced there). */
function priceOf(list, catalogModel) {
  for (const { provider, model } of catalogModel.providers) {
    const providerData = list.providers.find((p) => p.id === PROVIDERS[provider]);
    if (!providerData) continue;
    // The price of 1,000 tokens, times 1,000: the base tier (tiers of long prompts start far above).
    const mtok = (usage) => {
      const price = calcPrice(usage, model, { provider: providerData })?.total_price;
      return price === undefined ? undefined : price * 1000;
    };
    const input = mtok({ input_tokens: 1000, output_tokens: 0 });
    const output = mtok({ input_tokens: 0, output_tokens: 1000 });
    if (input === undefined || output === undefined) continue;
    const cached = mtok({ input_tokens: 1000, cache_read_tokens: 1000, output_tokens: 0 });
    return { input: round(input), output: round(output), cached: cached === undefined || cached === input ? null : round(cached), via: `${provider}/${model}` };
  }
  return null;
}

const round = (usd) => Math.round(usd * 1e6) / 1e6;

/**
 * Models whose entry in the list is known to be wrong: their prices stay as reviewed here (with the reason).
 * Reviewed on 2026-12-06 against the providers' price pages.
 */
const KEEP = {
  'titan-embed-text-v2': "the list matches amazon.titan-embed-text-v2 to its v1 entry ($0.10/M); AWS prices v2 at $0.02/M input",
};
/** Embedding models have no output tokens: an output price in the list is not applied. */
const embeddingsOnly = (m) => Array.isArray(m.endpoints) && m.endpoints.length === 1 && m.endpoints[0] === 'embeddings';

const list = await loadList(option('source'));
const catalog = JSON.parse(readFileSync(CATALOG, 'utf8'));
let changed = 0;
const unpriced = [];
const otherwise = [];
for (const m of catalog.models) {
  if (!m.pricing) {
    // Priced per image, per minute or per character: not per token, so not from this list.
    otherwise.push(m.slug);
    continue;
  }
  if (KEEP[m.slug]) {
    console.log(`${m.slug}: kept as reviewed (${KEEP[m.slug]})`);
    continue;
  }
  const price = priceOf(list, m);
  if (!price) {
    unpriced.push(m.slug);
    continue;
  }
  const p = m.pricing;
  const output = embeddingsOnly(m) ? p.output_per_mtok : price.output;
  const next = { ...p, input_per_mtok: price.input, output_per_mtok: output, cached_input_per_mtok: price.cached ?? p.cached_input_per_mtok, checked: list.taken };
  const moved = ['input_per_mtok', 'output_per_mtok', 'cached_input_per_mtok'].filter((k) => next[k] !== p[k]);
  if (moved.length) {
    changed += 1;
    console.log(`${m.slug} (${price.via}): ${moved.map((k) => `${k} ${p[k]} -> ${next[k]}`).join(', ')}`);
  }
  m.pricing = next;
}
console.log(`${catalog.models.length} models: ${changed} with new prices, ${catalog.models.length - unpriced.length - otherwise.length - Object.keys(KEEP).length} checked on ${list.taken}` +
  (unpriced.length ? `; not in the list (unchanged): ${unpriced.join(', ')}` : '') +
  (otherwise.length ? `; not priced per token (left alone): ${otherwise.join(', ')}` : ''));
if (flag('write')) {
  writeFileSync(CATALOG, `${JSON.stringify(catalog, null, 1)}\n`);
  console.log(`wrote ${CATALOG}`);
} else {
  console.log('(dry run: --write updates models.json)');
}
