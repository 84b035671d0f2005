/**
 * Where the users table is (SPEC §2, issue 19): a CSV, TSV or NDJSON file; a Parquet file or a
 * DuckDB database (told by their magic bytes); or a PostgreSQL table or query (postgres://).
 * Each feeds the same sink, row by row, so the index is built the same way from any of them.
 */
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { InputError } from '../errors.js';
import { readBytes, type InputStats } from './open.js';
import { streamTable, type TableSink } from './read-table.js';
import { changedError, changedSince, fileVersion } from './duckdb.js';
import { duckdbKind, readDuckdbUsers } from './users-duckdb.js';
import { isPostgresUrl, readPostgresUsers, redactUrl } from './users-postgres.js';

export interface UsersInput {
  /** --users as given: a path, or a postgres:// URL (its password included). */
  path: string;
  /** --users-table, --users-query */
  table?: string;
  query?: string;
}

/** The users table a plan names (--users, --users-table, --users-query). */
export function usersInput(plan: {
  users: string;
  usersTable?: string;
  usersQuery?: string;
}): UsersInput {
  return {
    path: plan.users,
    ...(plan.usersTable !== undefined ? { table: plan.usersTable } : {}),
    ...(plan.usersQuery !== undefined ? { query: plan.usersQuery } : {}),
  };
}

/** How messages and the manifest name the users table: a URL without its password. */
export function usersDisplay(u: UsersInput): string {
  return isPostgresUrl(u.path) ? redactUrl(u.path) : u.path;
}

/** What the manifest records of the users table beyond its size and hash. */
export interface UsersRead {
  rows: number;
  source: 'file' | 'parquet' | 'duckdb' | 'postgres';
  server?: string;
  database?: string;
  query?: string;
}

export async function readUsers(
  u: UsersInput,
  stats: InputStats,
  sink: TableSink,
): Promise<UsersRead> {
  if (isPostgresUrl(u.path)) {
    const r = await readPostgresUsers({ url: u.path, table: u.table, query: u.query }, sink);
    stats.sha256 = r.sha256;
    return {
      rows: r.rows,
      source: 'postgres',
      server: r.server,
      database: r.database,
      query: r.query,
    };
  }
  const kind = duckdbKind(u.path);
  if (kind === 'duckdb' && existsSync(`${u.path}.wal`))
    // DuckDB would read the log's rows too, which the hash of the file alone does not cover.
    throw new InputError(
      'INPUT_UNREADABLE',
      `a write-ahead log lies beside it (${basename(u.path)}.wal): rows written since the database's last checkpoint are there, outside the file the manifest hashes`,
      { file: u.path },
      `checkpoint it first (duckdb ${u.path} "CHECKPOINT"), or copy the table to Parquet or CSV, and run again`,
    );
  if (kind) {
    // The file as stored, hashed and counted as every input is (readBytes), then read by DuckDB:
    // the same file, or the run stops.
    const version = fileVersion(u.path);
    for await (const _ of readBytes({ path: u.path, display: u.path }, stats));
    delete stats.looksLike; // binary, as Parquet and DuckDB files are: not a text encoding
    const rows = await readDuckdbUsers(u.path, kind, u.table, sink);
    const changed = changedSince(u.path, version, stats.bytes);
    if (changed !== undefined) throw changedError(u.path, changed);
    return { rows, source: kind };
  }
  return {
    rows: await streamTable({ path: u.path, display: u.path }, stats, sink),
    source: 'file',
  };
}
