/**
 * A users table in Parquet, or in a DuckDB database file (issue 19), read through embedded
 * DuckDB: every column cast to text, streamed chunk by chunk into the index (the same sink a
 * CSV table feeds). Nothing is written: a database file is attached read-only.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { resolve } from 'node:path';
import { InputError, messageLine, UsageError } from '../errors.js';
import { footerRows, isParquet, parquetSource } from './read-parquet.js';
import { sqlIdent, sqlString } from './sql.js';
import { whyStopped, withDuckdb, type DuckDBConnection } from './duckdb.js';
import type { TableSink } from './read-table.js';

export type DuckdbKind = 'parquet' | 'duckdb';

/** What a file holds, by its magic bytes: Parquet starts with PAR1, a DuckDB file has DUCK at 8. */
export function duckdbKind(path: string): DuckdbKind | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const b = Buffer.alloc(12);
    const n = readSync(fd, b, 0, 12, 0);
    if (isParquet(b.subarray(0, n))) return 'parquet';
    if (n >= 12 && b.toString('latin1', 8, 12) === 'DUCK') return 'duckdb';
    return undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Reads the file's table into `sink`; returns the number of rows. */
export async function readDuckdbUsers(
  path: string,
  kind: DuckdbKind,
  table: string | undefined,
  sink: TableSink,
): Promise<number> {
  if (kind === 'duckdb' && table === undefined)
    throw new UsageError(
      `${path} is a DuckDB database: name the users table with --users-table NAME`,
    );
  try {
    return await withDuckdb(path, async (c) => {
      let from: string;
      let total: number | undefined;
      if (kind === 'parquet') {
        from = parquetSource(path);
        total = await footerRows(c, path);
      } else {
        await c.run(`ATTACH ${sqlString(resolve(path))} AS src (READ_ONLY)`); // no `~` expansion
        from = `src.${await tableIn(c, path, table!)}`;
        total = Number((await c.runAndReadAll(`SELECT count(*) FROM ${from}`)).getRows()[0]![0]);
      }
      const result = await c.stream(`SELECT COLUMNS(*)::VARCHAR FROM ${from}`);
      const take = sink(result.columnNames());
      let rows = 0;
      for (;;) {
        const chunk = await result.fetchChunk();
        if (!chunk || chunk.rowCount === 0) break;
        for (const row of chunk.getRows()) {
          rows++;
          take(
            row.map((v) => (v === null ? '' : String(v))),
            rows,
          );
        }
      }
      // DuckDB's stream ends as if the table ended when a later part fails (@duckdb/node-api's
      // fetchChunk gives null for an error as for the end): a users table cut short would leave
      // its last users unmatched without a word.
      if (total !== undefined && rows !== total) {
        const why = await whyStopped(
          c,
          `SELECT max(length(concat_ws(chr(31), COLUMNS(*)::VARCHAR))) FROM ${from}`,
        );
        throw new InputError(
          'INPUT_UNREADABLE',
          `cannot read the users table: DuckDB stopped at row ${rows + 1} of ${total}: ${why}`,
          { file: path },
        );
      }
      return rows;
    });
  } catch (e) {
    if (e instanceof UsageError || e instanceof InputError) throw e;
    throw new InputError(
      'INPUT_UNREADABLE',
      `cannot read the users table: ${messageLine(e)}`,
      { file: path },
      undefined,
      { cause: e },
    );
  }
}

/**
 * The quoted name of the table `--users-table` names in the attached database: `table` or
 * `schema.table`, matched as written, else without regard to case (as SQL folds an unquoted
 * name) when that finds exactly one. A usage error lists the tables there.
 */
async function tableIn(c: DuckDBConnection, path: string, table: string): Promise<string> {
  const tables = (
    await c.runAndReadAll(
      `SELECT table_schema, table_name FROM information_schema.tables WHERE table_catalog = 'src' ORDER BY 1, 2`,
    )
  )
    .getRows()
    .map(([schema, name]) => ({ schema: String(schema), name: String(name) }));
  const full = (t: { schema: string; name: string }) => `${t.schema}.${t.name}`;
  const wanted = (t: { schema: string; name: string }) =>
    table.includes('.') ? [full(t)] : [full(t), t.name];
  const exact = tables.filter((t) => wanted(t).includes(table));
  const folded = tables.filter((t) =>
    wanted(t).some((w) => w.toLowerCase() === table.toLowerCase()),
  );
  const hit = exact.length === 1 ? exact[0] : folded.length === 1 ? folded[0] : undefined;
  if (!hit)
    throw new UsageError(
      `${path}: --users-table "${table}" is not in the database; tables there: ${tables.map(full).join(', ') || '(none)'}`,
      'name an existing table',
    );
  return `${sqlIdent(hit.schema)}.${sqlIdent(hit.name)}`;
}
