// Where the COPY path's rollups spend PostgreSQL CPU: variants for statement-ab.mjs (compare each with `current`,
// within one run only).
//
//   node bench/log-ingest/statement-ab.mjs --variants bench/log-ingest/rollup-variants.mjs --rounds 16 --bodies chat

import { createRequire } from 'node:module';
import { root } from '../common.mjs';

/** The rollup tables of migration 1796570000000 (fillfactor 60 since), from this build. */
const { ROLLUP_TABLES } = createRequire(import.meta.url)(`${root}/dist/libs/persistence/src/migrations/1796570000000-request-log-rollups-fillfactor.js`);
const fillfactor = (n) => ROLLUP_TABLES.map((t) => `ALTER TABLE ${t} SET (fillfactor = ${n})`).join('; ');

/** A rewrite of the COPY path's rollup statement only (ROLLUP_COPIED: the one reading the stored rows back by key). */
const onRollup = (f) => (sql) => {
  if (!sql.includes('FROM unnest($1::uuid[], $2::timestamptz[])')) return sql;
  const out = f(sql);
  if (out === sql) throw new Error('the rewrite changed nothing: the statement no longer has what it replaces');
  return out;
};

export default [
  { name: 'current' },
  { name: 'rollups on full pages (fillfactor 100)', setup: fillfactor(100) },
  // The per-row filtered counts of the histograms replaced by a constant (the merges still run): their counting alone.
  {
    name: 'no histogram counts',
    rewrite: onRollup((sql) => sql.replace(/ARRAY\[count\(\*\) FILTER \(WHERE [a-z_]+ = 0\)(?:, count\(\*\) FILTER \(WHERE [a-z_]+ = \d+\))*\]::bigint\[\]/g, "'{1}'::bigint[]")),
  },
  // The histogram sums (minute groups -> hours and days) as float8, as the analytics reads sum them.
  { name: 'float8 histogram sums', rewrite: onRollup((sql) => sql.replace(/COALESCE\(sum\(([a-z_]+\[\d+\])\), 0\)/g, 'COALESCE(sum($1::float8), 0)')) },
  { name: 'no rollups', rewrite: onRollup(() => 'SELECT count(*)::integer AS n FROM unnest($1::uuid[], $2::timestamptz[]) WHERE $3::timestamptz <= $4::timestamptz') },
];
