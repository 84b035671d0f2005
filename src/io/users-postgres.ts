/**
 * The users table where it lives (issue 19): a PostgreSQL table or query, read in a read-only
 * transaction through a server-side cursor, so memory holds the index being built, not the
 * result. Connection settings come from the URL and the usual PG* variables and ~/.pgpass
 * (node-postgres reads them). The password never reaches a message: every place that names the
 * database uses redactUrl().
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import pg from 'pg';
import Cursor from 'pg-cursor';
import { InputError, messageLine, UsageError } from '../errors.js';
import { sqlIdent } from './sql.js';
import type { TableSink } from './read-table.js';

/** Rows fetched per round trip: large enough that latency does not dominate, small for memory. */
const BATCH = 10_000;

/** How long to wait for a server that does not answer before saying so. */
const CONNECT_TIMEOUT_MS = 20_000;

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

/** Parameters whose value is a secret: the password, and the passphrase of the SSL key file. */
const SECRET_KEYS = new Set(['password', 'sslpassword']);

/** libpq's connection keywords (manual, "Parameter Key Words"): what marks a keyword string. */
const LIBPQ_KEYS = new Set([
  ...SECRET_KEYS,
  ...`host hostaddr port dbname user passfile require_auth channel_binding connect_timeout
    client_encoding options application_name fallback_application_name keepalives
    keepalives_idle keepalives_interval keepalives_count tcp_user_timeout replication gssencmode
    sslmode sslnegotiation sslcompression sslcert sslkey sslcertmode sslrootcert sslcrl sslcrldir
    sslsni requirepeer ssl_min_protocol_version ssl_max_protocol_version krbsrvname gsslib
    gssdelegation service target_session_attrs load_balance_hosts`.split(/\s+/),
]);

/**
 * A postgres:// URL without its password, plain text, no URL parser: a malformed URL must not
 * leave its password in place, so where a reading is ambiguous the text goes (over-redacting
 * costs readability, leaking costs a password). Removed:
 * - the userinfo's password: from the first `:` after the scheme to the LAST `@` anywhere, so an
 *   unencoded `/ ? # @ :` in it goes too (an `@` in the query can make this take the port and
 *   path along: `postgres://db:5432/crm?application_name=a@b` shows as `postgres://db@b`);
 * - every query parameter whose name, percent-decoded, is `password` or `sslpassword` in any
 *   case (node-postgres decodes names), wherever a `?` or `&` starts one; its value runs to the
 *   next `&` that starts a `key=value` (an unencoded `#` or `&` in it goes too).
 * User, host, port, database and the other parameters stay.
 */
export function redactUrl(url: string): string {
  const scheme = /^postgres(?:ql)?:\/\//i.exec(url)?.[0];
  if (scheme === undefined) return url;
  const s = url.slice(scheme.length);
  const drop = new Array<boolean>(s.length).fill(false);
  const at = s.lastIndexOf('@');
  const colon = s.indexOf(':');
  if (colon >= 0 && colon < at) drop.fill(true, colon, at);
  for (const m of s.matchAll(/[?&](?=([^=&]*)=)/g)) {
    if (!SECRET_KEYS.has(decodeKey(m[1]!))) continue;
    let end = s.indexOf('&', m.index + 1);
    while (end >= 0 && !/^[^&]*=/.test(s.slice(end + 1))) end = s.indexOf('&', end + 1);
    // `key=value` and the `&` after it; the last one takes the `?` or `&` before it instead.
    if (end >= 0) drop.fill(true, m.index + 1, end + 1);
    else drop.fill(true, m.index);
  }
  return scheme + s.replace(/[\s\S]/g, (c, i: number) => (drop[i] ? '' : c)).replace(/[?&]$/, '');
}

/** A query parameter's name as the client reads it: percent-decoded, `+` a space; lower case. */
function decodeKey(key: string): string {
  return key
    .replace(/\+/g, ' ')
    .replace(/%([0-9a-f]{2})/gi, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)))
    .toLowerCase();
}

/**
 * Any argument with the secrets removed, for the manifest's argv and messages. One argv element
 * is one value, so:
 * - a postgres URL in it runs from its scheme to the element's end (an unencoded space in the
 *   password included) and goes through redactUrl();
 * - the values of `password=` and `sslpassword=` are replaced by `***` only where the element
 *   (after a leading `--flag=`) reads as a libpq keyword string: it holds, among its
 *   whitespace-separated tokens, a `key=value` whose key is another libpq keyword (host=,
 *   dbname=, user=, port=, sslmode=…). So `password=notes.csv` as a file name, or a query
 *   saying `note = 'password=x'`, stays as written.
 */
export function redactSecrets(arg: string): string {
  const url = /postgres(?:ql)?:\/\//i.exec(arg);
  if (url) return redactSecrets(arg.slice(0, url.index)) + redactUrl(arg.slice(url.index));
  const flag = /^--?[\w-]+=/.exec(arg)?.[0] ?? '';
  const { pairs } = keywordPairs(arg.slice(flag.length));
  if (!pairs.some((p) => LIBPQ_KEYS.has(p.key) && !SECRET_KEYS.has(p.key))) return arg;
  let out = arg;
  for (const p of pairs.reverse())
    if (SECRET_KEYS.has(p.key))
      out = out.slice(0, flag.length + p.from) + '***' + out.slice(flag.length + p.to);
  return out;
}

/**
 * A libpq keyword string (`host=… dbname=… password=…`): the tool takes URLs only. A path
 * that exists is a file, whatever its name (a Hive-style `host=eu/` folder). Otherwise it is
 * one when it is made of `key=value` tokens only, with a libpq keyword among the keys, or when
 * redactSecrets() would hide something in it (malformed, it still must not be echoed as a path).
 */
export function isKeywordString(s: string): boolean {
  if (isPostgresUrl(s) || existsSync(s)) return false;
  const { pairs, loose } = keywordPairs(s);
  return (!loose && pairs.some((p) => LIBPQ_KEYS.has(p.key))) || redactSecrets(s) !== s;
}

/**
 * The `key=value` tokens of a keyword string as libpq reads them (conninfo_parse): spaces around
 * `=` allowed; a value single-quoted or not, a backslash escaping the next character in both. An
 * unclosed quote runs to the end. `from`/`to` span the value as written; keys in lower case.
 * `loose`: some token was not `key=value` (skipped).
 */
function keywordPairs(s: string): {
  pairs: Array<{ key: string; from: number; to: number }>;
  loose: boolean;
} {
  const pairs: Array<{ key: string; from: number; to: number }> = [];
  let loose = false;
  const skipSpace = (i: number) => {
    while (i < s.length && /\s/.test(s[i]!)) i++;
    return i;
  };
  for (let i = skipSpace(0); i < s.length; i = skipSpace(i)) {
    const k = i;
    while (i < s.length && s[i] !== '=' && !/\s/.test(s[i]!)) i++;
    const key = s.slice(k, i).toLowerCase();
    i = skipSpace(i);
    if (s[i] !== '=' || key === '') {
      loose = true;
      if (key === '') i++; // a stray `=`
      continue;
    }
    const from = skipSpace(i + 1);
    const quoted = s[from] === "'";
    for (i = quoted ? from + 1 : from; i < s.length; i++) {
      if (s[i] === '\\') i++;
      else if (quoted ? s[i] === "'" : /\s/.test(s[i]!)) break;
    }
    if (quoted && i < s.length) i++; // the closing quote
    i = Math.min(i, s.length);
    pairs.push({ key, from, to: i });
  }
  return { pairs, loose };
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
  let client: pg.Client;
  try {
    client = new pg.Client({
      connectionString: src.url,
      types: TEXT_TYPES,
      application_name: 'breach-impact',
      // A firewalled host would otherwise hang the run without a word.
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    });
  } catch (e) {
    throw new UsageError(
      `--users ${shown}: not a PostgreSQL URL the client can read: ${messageLine(e)}`,
      'write it as postgres://user@host:port/database, with @ : / % in the password percent-encoded (%40 %3A %2F %25), or put the password in PGPASSWORD',
    );
  }
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
    // Text output that depends on the session (a PGOPTIONS, the role's settings) is fixed, so the
    // same rows give the same cells and the same hash on every machine.
    await client.query(
      "SET LOCAL TimeZone = 'UTC'; SET LOCAL DateStyle = 'ISO, YMD'; SET LOCAL IntervalStyle = 'iso_8601'; SET LOCAL extra_float_digits = 1; SET LOCAL bytea_output = 'hex'",
    );
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
    // Where the client connected, as it resolved URL, PG* variables and defaults.
    const { host, port, database } = client as unknown as {
      host: string;
      port: number;
      database?: string;
    };
    return {
      server: `${host}:${port}`,
      database: database ?? '',
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
  // The tables and views a SELECT could read, by schema and name: `--users-table` is matched
  // against them as written (`name` or `schema.name`, a dot in a name allowed), else without
  // regard to case, as SQL folds an unquoted name, when that finds exactly one.
  const there = (
    await client.query(
      "SELECT table_schema AS s, table_name AS n FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2",
    )
  ).rows as Array<{ s: string; n: string }>;
  const names = (t: { s: string; n: string }) =>
    table.includes('.') ? [`${t.s}.${t.n}`] : [t.n, `${t.s}.${t.n}`];
  const exact = there.filter((t) => names(t).includes(table));
  const folded = there.filter((t) => names(t).some((x) => x.toLowerCase() === table.toLowerCase()));
  // An unqualified name in more than one schema: the one the search path finds first.
  const visible = exact.length > 1 ? exact.filter((t) => t.s === 'public') : exact;
  const hit = visible.length === 1 ? visible[0] : folded.length === 1 ? folded[0] : undefined;
  if (!hit) {
    const list =
      there
        .slice(0, 50)
        .map((t) => `${t.s}.${t.n}`)
        .join(', ') || '(none)';
    throw new UsageError(
      `${shown}: --users-table "${table}" is not in the database; tables there: ${list}`,
      'name an existing table (schema.table), or give --users-query SELECT …',
    );
  }
  return `SELECT * FROM ${sqlIdent(hit.s)}.${sqlIdent(hit.n)}`;
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
  const what = src.query ? '--users-query' : '--users-table';
  const code = err.code ?? '';
  if (code === '25006')
    return new UsageError(
      `${shown}: --users-query must only read: ${err.message}`,
      'give a SELECT; the query runs in a read-only transaction',
    );
  // Class 22 (data exception) messages quote the offending value: a user's email, say. Never shown.
  if (code.startsWith('22'))
    return new UsageError(
      `${shown}: the ${what} fails on a value in the table (PostgreSQL error ${code}; the value is not shown)`,
      'check the casts in the query in psql first',
    );
  if (code === '42501')
    return new UsageError(
      `${shown}: the role may not read this: ${err.message}`,
      'connect as a role with SELECT on the users table, or ask the database owner for it',
    );
  // Syntax or access rule errors (class 42), and a statement that is not a query (a $1, ;…).
  if (code.startsWith('42') || code === '08P01' || code === '0A000')
    return new UsageError(
      `${shown}: the ${what} fails: ${err.message}`,
      'check the query in psql first',
    );
  return new InputError(
    'INPUT_UNREADABLE',
    `the users database broke off the read: ${err.message ?? String(e)}`,
    { file: shown },
    'nothing was written; run again once the server is back',
  );
}
