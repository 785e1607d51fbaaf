#!/usr/bin/env node
// Sizes of the built console (dist/console): the initial JS (index.html's entry script and the modules it
// preloads) and every lazily loaded chunk, raw and gzipped. `node tools/console-size.mjs` after `npm run build`.
import { readFileSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

const dir = resolve(import.meta.dirname, '../dist/console');
const html = readFileSync(resolve(dir, 'index.html'), 'utf8');
const initial = [...html.matchAll(/(?:src|href)="\/console\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]);
const size = (file) => {
  const buf = readFileSync(resolve(dir, file));
  return { raw: buf.length, gzip: gzipSync(buf, { level: 9 }).length };
};
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
let total = 0;
console.log('Initial JS:');
for (const f of initial) {
  const s = size(f);
  total += s.gzip;
  console.log(`  ${f}  ${kb(s.raw)} raw, ${kb(s.gzip)} gzip`);
}
console.log(`  total ${kb(total)} gzip (target: under 300 KB)`);
console.log('Lazy chunks:');
for (const f of readdirSync(resolve(dir, 'assets')).filter((f) => /\.m?js$/.test(f) && !initial.includes(`assets/${f}`))) {
  const s = size(`assets/${f}`);
  console.log(`  assets/${f}  ${kb(s.raw)} raw, ${kb(s.gzip)} gzip`);
}
if (total > 300 * 1024) process.exitCode = 1;
