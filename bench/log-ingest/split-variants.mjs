// Where the log writer's statement spends PostgreSQL CPU: variants for statement-ab.mjs, each leaving one part out
// (a data-modifying CTE runs even when nothing reads it, so a part is removed from the SQL), or changing the schema
// in its own database (`setup`). Compare each with `current`, within one run only.
//
//   node bench/log-ingest/statement-ab.mjs --variants bench/log-ingest/split-variants.mjs --rounds 20 --bodies text

/** Removes the CTEs `names` (`, name AS (…)`, parentheses balanced) from a statement. */
export function dropCtes(sql, names) {
  for (const name of names) {
    const at = sql.indexOf(`${name} AS (`);
    if (at < 0) throw new Error(`no CTE ${name}`);
    let i = at + name.length + 4;
    for (let depth = 0; i < sql.length; i++) {
      if (sql[i] === '(') depth++;
      else if (sql[i] === ')' && --depth === 0) break;
    }
    sql = sql.slice(0, sql.lastIndexOf(',', at)) + sql.slice(i + 1);
  }
  return sql;
}

const isInsert = (sql) => sql.includes('INSERT INTO request_logs ');
/** A rewrite of the insert statement only (the transaction's other statements pass unchanged). */
const onInsert = (f) => (sql) => (isInsert(sql) ? f(sql) : sql);
const without = (names) => onInsert((sql) => dropCtes(sql, names));

const ROLLUPS = ['meta_rolled_hourly', 'meta_rolled', 'meta_minutes', 'meta', 'dims_rolled_hourly', 'dims', 'rolled_hourly', 'rolled', 'minutes'];
const ROLLUP_TABLES = ['request_log_rollups', 'request_log_hourly_rollups', 'request_log_metadata_rollups', 'request_log_metadata_hourly_rollups', 'request_log_dimension_hourly_rollups'];

export default [
  { name: 'current' },
  { name: 'no rollups', rewrite: without(ROLLUPS) },
  { name: 'no minute rollup', rewrite: without(['rolled']) },
  { name: 'no key/customer hourly', rewrite: without(['dims_rolled_hourly', 'dims']) },
  { name: 'no model hourly', rewrite: without(['rolled_hourly']) },
  { name: 'no metadata rollups', rewrite: without(['meta_rolled_hourly', 'meta_rolled', 'meta_minutes', 'meta']) },
  // The histograms of an existing rollup row kept instead of merged (wrong figures: the merge's cost alone).
  { name: 'no histogram merge', rewrite: onInsert((sql) => sql.replace(/(duration_hist|ttfb_hist) = CASE WHEN .*? END/g, '$1 = r.$1')) },
  { name: 'no bodies', rewrite: without(['bodies']) },
  { name: 'no rollups, no bodies', rewrite: without([...ROLLUPS, 'bodies']) },
  { name: 'bodies without ON CONFLICT', rewrite: onInsert((sql) => sql.replace('\n  ON CONFLICT (log_id, created_at) DO NOTHING', '')) },
  // Only the batch's JSON parsed into jsonb and cut into records (what every record costs before anything is stored).
  { name: 'parse only', rewrite: onInsert(() => `SELECT count(*)::integer AS inserted, '[]'::json AS over FROM jsonb_array_elements($1::jsonb)`) },
  {
    name: 'no secondary indexes',
    setup: 'DROP INDEX request_logs_project_model, request_logs_project_customer, request_logs_project_failed, request_logs_project_event',
  },
  { name: 'jit off', setup: "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET jit = off', current_database()); END $$; SET jit = off" },
  {
    // Rollups as append-only rows (primary keys made plain indexes, upserts plain inserts): what upserting costs.
    // Reads would sum the extra rows, and something would have to compact them: a probe, not a design.
    name: 'append-only rollups',
    setup: `DO $$ DECLARE t text; cols text; BEGIN
      FOREACH t IN ARRAY ARRAY['${ROLLUP_TABLES.join("','")}'] LOOP
        SELECT substring(pg_get_constraintdef(oid) from '\\((.*)\\)') INTO cols FROM pg_constraint WHERE conname = t || '_pkey';
        EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', t, t || '_pkey');
        EXECUTE format('CREATE INDEX %I ON %I (%s)', t || '_key', t, cols);
      END LOOP; END $$`,
    rewrite: onInsert((sql) => sql.replace(/\n\s*ON CONFLICT \(project_id, bucket[^\n]*/g, '')),
  },
];
