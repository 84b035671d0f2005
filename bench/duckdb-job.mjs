#!/usr/bin/env node
/**
 * The DuckDB peer of `npm run bench`: the *simpler* job of docs/PERFORMANCE.md / issue 8, not the full one.
 *
 *   window filter (start inclusive, end exclusive)
 *   + join on the user id (`$user_id`, else `distinct_id`) or on the normalised email
 *     (lower(trim(...)) of the same value: the legacy distinct_id-is-an-email events)
 *   + per user: records, first/last seen, the sorted set of property keys with a non-empty value
 *     (minus Mixpanel's bookkeeping keys).
 * No identity merge, no session windows, no anonymous-device attribution, no categories.
 *
 * Shape (docs/PERFORMANCE.md, pitfalls): `properties` is read as MAP(VARCHAR, VARCHAR) through read_json
 * with an explicit `columns` spec, so each line is parsed once and the non-empty keys come from
 * map_entries; no read_json_auto/STRUCT + UNPIVOT, no per-field `->>`.
 *
 *   node bench/duckdb-job.mjs --export DIR --users users.csv --window START/END --out out.csv [--threads 2]
 * Prints one JSON line on stdout: {rows, seconds, max_rss_kib}.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values: a } = parseArgs({
  options: {
    export: { type: 'string' },
    users: { type: 'string' },
    window: { type: 'string' },
    out: { type: 'string' },
    threads: { type: 'string', default: '2' },
  },
});
if (!a.export || !a.users || !a.window || !a.out) {
  console.error(
    'usage: node bench/duckdb-job.mjs --export DIR --users users.csv --window START/END --out out.csv [--threads N]',
  );
  process.exit(2);
}
const t0 = performance.now();
const [ws, we] = a.window.split('/').map((s) => Math.floor(Date.parse(s) / 1000));
if (!Number.isFinite(ws) || !Number.isFinite(we)) throw new Error(`bad window ${a.window}`);

const exportDir = resolve(a.export);
const files = statSync(exportDir).isDirectory()
  ? readdirSync(exportDir)
      .filter((f) => /\.(ndjson|jsonl|json)(\.gz)?$/.test(f))
      .sort()
      .map((f) => join(exportDir, f))
  : [exportDir];
const lit = (s) => `'${String(s).replace(/'/g, "''")}'`;
const BOOKKEEPING = [
  'time',
  '$insert_id',
  'mp_lib',
  '$lib_version',
  '$mp_api_endpoint',
  '$mp_api_timestamp_ms',
  'mp_processing_time_ms',
  '$import',
  'mp_sent_by_lib_version',
];

const instance = await DuckDBInstance.create(':memory:', { threads: String(Number(a.threads)) });
const db = await instance.connect();
await db.run(`SET preserve_insertion_order = false`);

await db.run(`
  CREATE TEMP TABLE users AS
  SELECT id, email, lower(trim(email)) AS email_norm
  FROM read_csv(${lit(resolve(a.users))}, header = true, all_varchar = true)`);

await db.run(`
  CREATE TEMP TABLE ev AS
  SELECT coalesce(p['$user_id'], p['distinct_id']) AS k,
         CAST(p['time'] AS BIGINT) AS t,
         list_transform(
           list_filter(map_entries(p), e -> e.value IS NOT NULL AND e.value <> ''
                                            AND NOT list_contains([${BOOKKEEPING.map(lit).join(', ')}], e.key)),
           e -> e.key) AS keys
  FROM read_json([${files.map(lit).join(', ')}],
                 format = 'newline_delimited',
                 columns = {event: 'VARCHAR', properties: 'MAP(VARCHAR, VARCHAR)'}) AS x(event, p)
  WHERE CAST(p['time'] AS BIGINT) >= ${ws} AND CAST(p['time'] AS BIGINT) < ${we}`);

await db.run(`
  COPY (
    WITH matched AS (
      SELECT coalesce(ui.id, ue.id) AS user_id, coalesce(ui.email, ue.email) AS email, ev.t, ev.keys
      FROM ev
      LEFT JOIN users ui ON ui.id = ev.k
      LEFT JOIN users ue ON ue.email_norm = lower(trim(ev.k))
      WHERE ui.id IS NOT NULL OR ue.id IS NOT NULL
    )
    SELECT user_id, any_value(email) AS email, count(*) AS records,
           strftime(make_timestamp(min(t) * 1000000), '%Y-%m-%dT%H:%M:%SZ') AS first_seen,
           strftime(make_timestamp(max(t) * 1000000), '%Y-%m-%dT%H:%M:%SZ') AS last_seen,
           array_to_string(list_sort(list_distinct(flatten(list(keys)))), ';') AS exposed_fields
    FROM matched
    GROUP BY user_id
    ORDER BY user_id
  ) TO ${lit(resolve(a.out))} (HEADER, DELIMITER ',')`);

const rows = (
  await db.runAndReadAll(
    `SELECT count(*) AS n FROM read_csv(${lit(resolve(a.out))}, header = true, all_varchar = true)`,
  )
).getRowObjects()[0].n;
const stats = {
  rows: Number(rows),
  seconds: +((performance.now() - t0) / 1000).toFixed(3),
  max_rss_kib: process.resourceUsage().maxRSS,
  files: files.length,
};
db.closeSync?.();
console.log(JSON.stringify(stats));
