/**
 * The users table where it lives (issue 19): a PostgreSQL table or query, read in a read-only
 * transaction through a server-side cursor, so memory holds the index being built, not the
 * result. Connection settings come from the URL and the usual PG* variables and ~/.pgpass
 * (node-postgres reads them). The password never reaches a message: every place that names the
 * database uses redactUrl().
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import Cursor from 'pg-cursor';
import { InputError, UsageError } from '../errors.js';
import type { TableSink } from './read-table.js';

/** Rows fetched per round trip: large enough that latency does not dominate, small for memory. */
const BATCH = 10_000;

export interface PostgresUsers {
  url: string;
  table?: string;
  query?: string;
}

/** What the manifest records of a read: where, what, how many rows, and a hash of them. */
export interface PostgresRead {
  server: string;
  database: string;
  query: string;
  rows: number;
  /**
   * SHA-256 of the rows as read, in this canonical form (README, "The users table in
   * PostgreSQL"): the column names as a JSON array and a newline, then per row, in the order the
   * server sent them, the values as a JSON array (each as PostgreSQL's text output, NULL as null)
   * and a newline.
   */
  sha256: string;
}

/** A postgres:// URL without its password (user, host, port and database kept). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password === '') return url;
    u.password = '';
    return u.toString();
  } catch {
    return url.replace(/(\/\/[^:/@]*):[^@/]*@/, '$1@');
  }
}

export function isPostgresUrl(s: string): boolean {
  return /^postgres(ql)?:\/\//i.test(s);
}

/** Every value as PostgreSQL writes it as text; NULL as null (the same for every column type). */
const TEXT_TYPES = { getTypeParser: () => (v: string) => v };

/**
 * Reads the table (or query) into `sink`, row by row: the header once, then each row's cells
 * (NULL as ''). Returns what the manifest records. A query must only read: it runs in a
 * READ ONLY transaction, and one that would write is a usage error.
 */
export async function readPostgresUsers(
  src: PostgresUsers,
  sink: TableSink,
): Promise<PostgresRead> {
  const shown = redactUrl(src.url);
  const client = new pg.Client({
    connectionString: src.url,
    types: TEXT_TYPES,
    application_name: 'breach-impact',
  });
  client.on('error', () => {}); // a connection lost mid-read is reported by the read that meets it
  try {
    await client.connect();
  } catch (e) {
    throw connectError(e, shown);
  }
  try {
    await client.query('BEGIN TRANSACTION READ ONLY');
    // A table scan starts at page 0 even while another scan of the same table runs (by default a
    // large table's scans join each other mid-table), so a rerun reads the rows in the same order
    // and gets the same hash unless the table was changed or rewritten.
    await client.query('SET LOCAL synchronize_seqscans = off');
    const query = src.query ?? (await tableQuery(client, src.table!, shown));
    const hash = createHash('sha256');
    let rows = 0;
    const cursor = client.query(new Cursor(query, [], { rowMode: 'array' }));
    let take: ((cells: string[], line: number) => void) | undefined;
    for (;;) {
      const batch = await read(cursor, shown, src);
      if (take === undefined) {
        const header = cursorFields(cursor);
        hash.update(JSON.stringify(header) + '\n');
        take = sink(header);
      }
      if (batch.length === 0) break;
      for (const r of batch as Array<Array<string | null>>) {
        hash.update(JSON.stringify(r) + '\n');
        rows++;
        take(
          r.map((v) => v ?? ''),
          rows,
        );
      }
    }
    await cursor.close();
    await client.query('COMMIT');
    const u = new URL(src.url);
    return {
      server: `${u.hostname || process.env.PGHOST || 'localhost'}:${u.port || process.env.PGPORT || '5432'}`,
      database: decodeURIComponent(u.pathname.slice(1)) || process.env.PGDATABASE || '',
      query,
      rows,
      sha256: hash.digest('hex'),
    };
  } finally {
    await client.end().catch(() => {});
  }
}

/** The column names of a cursor's result (known once its first batch arrived). */
function cursorFields(cursor: Cursor): string[] {
  const fields =
    (cursor as unknown as { _result?: { fields?: Array<{ name: string }> } })._result?.fields ?? [];
  return fields.map((f) => f.name);
}

async function read(cursor: Cursor, shown: string, src: PostgresUsers): Promise<unknown[]> {
  try {
    return await cursor.read(BATCH);
  } catch (e) {
    throw queryError(e, shown, src);
  }
}

/** `SELECT * FROM "schema"."table"`, after checking the table exists (else its name and those there). */
async function tableQuery(client: pg.Client, table: string, shown: string): Promise<string> {
  const parts = table.split('.');
  const ident = parts.map((p) => '"' + p.replace(/"/g, '""') + '"').join('.');
  const exists = await client.query('SELECT to_regclass($1) AS t', [ident]);
  if (exists.rows[0]?.t === null) {
    const there = await client.query(
      "SELECT table_schema || '.' || table_name AS t FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1 LIMIT 50",
    );
    const list = there.rows.map((r: { t: string }) => r.t).join(', ') || '(none)';
    throw new UsageError(
      `${shown}: --users-table "${table}" is not in the database; tables there: ${list}`,
      'name an existing table (schema.table), or give --users-query SELECT …',
    );
  }
  return `SELECT * FROM ${ident}`;
}

/** What the server said, as a responder can act on it; never the password. */
function connectError(e: unknown, shown: string): InputError {
  const err = e as { code?: string; message?: string };
  const why =
    err.code === 'ECONNREFUSED'
      ? 'the server refused the connection (is it running, on this host and port?)'
      : err.code === 'ENOTFOUND'
        ? 'no such host'
        : err.code === '28P01' || err.code === '28000'
          ? 'the server refused the login (wrong user or password)'
          : err.code === '3D000'
            ? 'no such database'
            : (err.message ?? String(e));
  return new InputError(
    'INPUT_UNREADABLE',
    `cannot connect to the users database: ${why}`,
    { file: shown },
    'check the URL (postgres://user@host:port/database), PGPASSWORD or ~/.pgpass',
    { cause: e },
  );
}

function queryError(e: unknown, shown: string, src: PostgresUsers): Error {
  const err = e as { code?: string; message?: string };
  if (err.code === '25006')
    return new UsageError(
      `${shown}: --users-query must only read: ${err.message}`,
      'give a SELECT; the query runs in a read-only transaction',
    );
  if (err.code === '42P01' || err.code === '42703' || err.code === '42601')
    return new UsageError(
      `${shown}: the ${src.query ? '--users-query' : '--users-table'} fails: ${err.message}`,
      'check the query in psql first',
    );
  return new InputError(
    'INPUT_UNREADABLE',
    `the users database broke off the read: ${err.message ?? String(e)}`,
    { file: shown },
    'nothing was written; run again once the server is back',
  );
}
