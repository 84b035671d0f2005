/**
 * A users table in Parquet, or in a DuckDB database file (issue 19), read through embedded
 * DuckDB: every column cast to text, streamed chunk by chunk into the index (the same sink a
 * CSV table feeds). Nothing is written: a database file is attached read-only.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';
import { InputError, UsageError } from '../errors.js';
import type { TableSink } from './read-table.js';

export type DuckdbKind = 'parquet' | 'duckdb';

/** What a file holds, by its magic bytes: Parquet starts with PAR1, a DuckDB file has DUCK at 8. */
export function duckdbKind(path: string): DuckdbKind | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const b = Buffer.alloc(12);
    const n = readSync(fd, b, 0, 12, 0);
    if (n >= 4 && b.toString('latin1', 0, 4) === 'PAR1') return 'parquet';
    if (n >= 12 && b.toString('latin1', 8, 12) === 'DUCK') return 'duckdb';
    return undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;
const ident = (s: string) =>
  s
    .split('.')
    .map((p) => '"' + p.replace(/"/g, '""') + '"')
    .join('.');

/** Reads the file's table into `sink`; returns the number of rows. */
export async function readDuckdbUsers(
  path: string,
  kind: DuckdbKind,
  table: string | undefined,
  sink: TableSink,
): Promise<number> {
  const db = await DuckDBInstance.create(':memory:', { threads: '2' });
  const c = await db.connect();
  try {
    let from: string;
    if (kind === 'parquet') from = `read_parquet(${lit(path)})`;
    else {
      if (table === undefined)
        throw new UsageError(
          `${path} is a DuckDB database: name the users table with --users-table NAME`,
        );
      await c.run(`ATTACH ${lit(path)} AS src (READ_ONLY)`);
      const tables = (
        await c.runAndReadAll(
          `SELECT table_schema || '.' || table_name FROM information_schema.tables WHERE table_catalog = 'src' ORDER BY 1`,
        )
      )
        .getRows()
        .map((r) => String(r[0]));
      const wanted = table.includes('.') ? table : `main.${table}`;
      if (!tables.includes(wanted))
        throw new UsageError(
          `${path}: --users-table "${table}" is not in the database; tables there: ${tables.join(', ') || '(none)'}`,
          'name an existing table',
        );
      from = `src.${ident(wanted)}`;
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
    return rows;
  } catch (e) {
    if (e instanceof UsageError || e instanceof InputError) throw e;
    throw new InputError(
      'INPUT_UNREADABLE',
      `cannot read the users table: ${(e as Error).message}`,
      { file: path },
      undefined,
      { cause: e },
    );
  } finally {
    c.closeSync();
    db.closeSync();
  }
}
