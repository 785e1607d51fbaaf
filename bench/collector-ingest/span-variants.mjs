// Where the span writer's statement (INSERT_SPANS, SpansRepository.insertJson) spends PostgreSQL CPU: variants for
// bench/log-ingest/statement-ab.mjs --spans true, each leaving one part out (of the SQL: `rewrite`; of the schema, in
// its own database: `setup`; of the records sent: `record`). Compare each with `current`, within one run only.
//
//   node bench/log-ingest/statement-ab.mjs --spans true --variants bench/collector-ingest/span-variants.mjs --rounds 12
//   … --only 'current,no traces fold'   (the variants whose names are listed, comma-separated)
import { parseArgs } from '../common.mjs';
import { dropCtes } from '../log-ingest/split-variants.mjs';

const isInsert = (sql) => sql.includes('INSERT INTO spans ');
/** A rewrite of the span insert only. */
const onInsert = (f) => (sql) => (isInsert(sql) ? f(sql) : sql);
/** The statement up to and with its CTE `name`, then `tail`. */
const cutAfter = (name, tail) => onInsert((sql) => {
  const at = sql.indexOf(`), ${name} AS (`);
  if (at < 0) throw new Error(`no CTE after ${name}`);
  return `${sql.slice(0, at + 1)}\n${tail}`;
});
/** The insert's final statement (the traces fold) replaced by `tail`, `ctes` dropped. */
const foldReplaced = (tail) => onInsert((sql) => {
  const rest = dropCtes(sql, ['agg']);
  return `${rest.slice(0, rest.indexOf('\nINSERT INTO traces'))}\n${tail}`;
});
/** The spans' insert without ON CONFLICT. */
const noConflict = onInsert((sql) => sql.replace('\n  ON CONFLICT (project_id, trace_id, span_id) DO NOTHING', ''));
/** The values the spans' insert selects, columns replaced by `f`. */
const selected = (f) => onInsert((sql) => {
  const at = sql.indexOf('SELECT $1, trace_id');
  return sql.slice(0, at) + f(sql.slice(at));
});
const EMPTY_RESOURCE = (r) => ({ ...r, resource: {}, scope: null });

const variants = [
  { name: 'current' },
  // Only the batch parsed into jsonb and cut into elements / into typed records (nothing stored).
  { name: 'parse only', rewrite: onInsert(() => 'SELECT count(*) FROM projects p, jsonb_array_elements($2::jsonb) WHERE p.id = $1') },
  { name: 'recordset only', rewrite: cutAfter('ins', 'SELECT count(*) FROM x') },
  // The spans inserted, no trace summaries (what the fold costs: its aggregate, sorts and upsert).
  { name: 'no traces fold', rewrite: foldReplaced('SELECT count(*) FROM ins') },
  // The fold without its three ordered array_agg (root name, root service, service): their sorts.
  {
    name: 'fold without array_agg',
    rewrite: onInsert((sql) => sql.replace(/\(array_agg\([^)]*\) FILTER \([^)]*\)\)\[1\]/g, 'NULL::text')),
  },
  // The same summaries, the root's and first service's names taken by two DISTINCT ON sorts of the batch instead of
  // an ordered array_agg per trace (PostgreSQL 15 starts a sort per group and aggregate).
  {
    name: 'fold via DISTINCT ON',
    rewrite: onInsert((sql) => sql
      .replace(/,\n\s*\(array_agg\(name ORDER BY start_ns\)[^]*?AS service\n  FROM ins GROUP BY trace_id\n\)/, `
  FROM ins GROUP BY trace_id
), roots AS (
  SELECT DISTINCT ON (trace_id) trace_id, name AS root_name, service_name AS root_service FROM ins WHERE parent_span_id IS NULL ORDER BY trace_id, start_ns
), services AS (
  SELECT DISTINCT ON (trace_id) trace_id, service_name AS service FROM ins WHERE service_name IS NOT NULL ORDER BY trace_id, start_ns
)`)
      .replace('FROM agg ORDER BY trace_id', 'FROM agg LEFT JOIN roots USING (trace_id) LEFT JOIN services USING (trace_id) ORDER BY trace_id')),
  },
  { name: 'no ON CONFLICT (spans)', rewrite: noConflict },
  { name: 'no spans_project_start', setup: 'DROP INDEX spans_project_start' },
  { name: 'no traces_project_start', setup: 'DROP INDEX traces_project_start' },
  // The spans' heap alone: no index at all, no conflict check, no fold.
  {
    name: 'spans heap only',
    setup: 'DROP INDEX spans_project_start; ALTER TABLE spans DROP CONSTRAINT spans_pkey',
    rewrite: (sql) => foldReplaced('SELECT count(*) FROM ins')(noConflict(sql)),
  },
  // Resource and scope: neither sent nor stored / sent (parsed) but not stored.
  { name: 'no resource or scope', record: EMPTY_RESOURCE },
  { name: 'resource and scope not stored', rewrite: selected((s) => s.replace('attributes, resource, scope,', "attributes, '{}'::jsonb, NULL::jsonb,")) },
  { name: 'no attributes or events', record: (r) => ({ ...r, attributes: {}, events: [] }) },
  { name: 'no jsonb values', record: (r) => ({ ...EMPTY_RESOURCE(r), attributes: {}, events: [], links: [] }) },
  // The ids compared byte by byte: the database's collation (C.UTF-8 here) is not PostgreSQL's C, so every text
  // comparison of the primary keys' descents and of the fold's sort goes through strcoll.
  {
    name: 'ids COLLATE "C"',
    setup: `ALTER TABLE spans ALTER COLUMN trace_id TYPE text COLLATE "C", ALTER COLUMN span_id TYPE text COLLATE "C";
      ALTER TABLE traces ALTER COLUMN trace_id TYPE text COLLATE "C"`,
  },
  { name: 'jit off', setup: "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET jit = off', current_database()); END $$; SET jit = off" },
  // The writer's own batch (COLLECTOR_WRITER_BATCH_SPANS): figures are per 1,000 spans all the same.
  { name: 'batch 5000', batch: 5000 },
];

const only = parseArgs().only?.split(',');
export default only ? variants.filter((v) => only.includes(v.name)) : variants;
