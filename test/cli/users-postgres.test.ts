/**
 * Issue 19: the users table where it lives — PostgreSQL (a real server, test/pg/server.ts),
 * Parquet and a DuckDB database — gives byte for byte what the same table as a CSV gives, with
 * every error a responder meets named and the password in no output.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import pg from 'pg';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { COLUMNS, USERS, userRow } from '../pg/server.js';
import { BIN, run } from './run.js';

const server = inject('pg');
const ok = !('missing' in server);

describe.runIf(ok || !process.env.BI_NO_PG)('#19 users from PostgreSQL, Parquet and DuckDB', () => {
  if (!ok) {
    it('needs a PostgreSQL server', () => expect.fail((server as { missing: string }).missing));
    return;
  }
  const s = server as Exclude<typeof server, { missing: string }>;
  const dir = join(s.dir, 'case');
  const url = s.url;
  const wrongPw = url.replace(encodeURIComponent(s.password), 'nope');
  const noServer = url.replace(`:${s.port}/`, ':1/');
  const cli = (args: string[]) => run(args, { cwd: dir });
  const EXPORT = [
    '--export',
    'export.ndjson',
    '--window',
    '2025-11-08T00:00:00Z/2025-11-09T00:00:00Z',
  ];

  beforeAll(async () => {
    mkdirSync(dir, { recursive: true });
    // An export touching a few hundred of the 100,000 users: ids, emails (any case), a --user-key, anonymous sessions.
    const lines: string[] = [];
    for (let i = 1; i <= 300; i++) {
      const t = 1762560000 + i * 60;
      if (i % 3 === 0)
        lines.push(
          JSON.stringify({
            event: 'Page View',
            properties: { time: t, distinct_id: `d-${i}`, $browser: 'Firefox' },
          }),
        );
      else if (i % 3 === 1)
        lines.push(
          JSON.stringify({
            event: 'Login',
            properties: {
              time: t,
              distinct_id: `u${String(i).padStart(6, '0')}`,
              $device_id: `dev-${i}`,
              $city: 'Berlin',
            },
          }),
        );
      else
        lines.push(
          JSON.stringify({
            event: 'Email Clicked',
            properties: { time: t, distinct_id: `anon-${i}`, $email: `USER${i}@Example.com` },
          }),
        );
      lines.push(
        JSON.stringify({
          event: 'Page View',
          properties: {
            time: t + 5,
            distinct_id: `dev-${i}`,
            $device_id: `dev-${i}`,
            $current_url: 'https://app.example.com/x',
          },
        }),
      );
    }
    writeFileSync(join(dir, 'export.ndjson'), lines.join('\n') + '\n');
    const db = await DuckDBInstance.create(join(dir, 'users.duckdb'));
    const c = await db.connect();
    await c.run(
      `CREATE TABLE people AS SELECT * FROM read_csv('${s.csv}', all_varchar=true, header=true)`,
    );
    await c.run(`COPY people TO '${join(dir, 'users.parquet')}' (FORMAT parquet)`);
    c.closeSync();
    db.closeSync();
  });

  /** Every file a run wrote into a fresh folder, and its stdout. */
  function outputs(users: string[], tag: string) {
    const out = join(dir, tag);
    mkdirSync(out);
    const r = cli([
      ...['correlate', ...EXPORT],
      ...users,
      '--user-key',
      'mixpanel_distinct_id',
      '--unmatched',
      join(out, 'un.csv'),
      '--ambiguous',
      join(out, 'amb.csv'),
      '--manifest',
      join(out, 'm.json'),
      '--user-columns',
      'name,country',
    ]);
    const files = Object.fromEntries(
      readdirSync(out).map((f) => [f, readFileSync(join(out, f), 'utf8')]),
    );
    return { ...r, files };
  }

  it('--users-table gives byte for byte what the same table as a CSV gives; the manifest says what was read, never the password', () => {
    const csv = outputs(['--users', s.csv], 'csv');
    const pgr = outputs(['--users', url, '--users-table', 'users'], 'pg');
    expect(csv.status, csv.stderr).toBe(0);
    expect(pgr.status, pgr.stderr).toBe(0);
    expect(pgr.stdout.split('\n').length).toBeGreaterThan(150);
    expect(pgr.stdout).toBe(csv.stdout);
    expect(pgr.files['un.csv']).toBe(csv.files['un.csv']);
    expect(pgr.files['amb.csv']).toBe(csv.files['amb.csv']);
    const m = JSON.parse(pgr.files['m.json']!);
    const users = m.inputs.find((i: { role: string }) => i.role === 'users');
    expect(users).toMatchObject({
      source: 'postgres',
      server: new URL(url).host,
      database: new URL(url).pathname.slice(1),
      query: 'SELECT * FROM "public"."users"',
      records: 100_000,
      bytes: null,
    });
    // The stated canonical form (README), computed here from the rows the server was given.
    const canonical = createHash('sha256').update(JSON.stringify(COLUMNS) + '\n');
    for (let i = 1; i <= USERS; i++)
      canonical.update(JSON.stringify(userRow(i).map((v) => (v === '' ? null : v))) + '\n');
    expect(users.sha256).toBe(canonical.digest('hex'));
    expect(m.counts).toEqual(JSON.parse(csv.files['m.json']!).counts);
    for (const text of [pgr.stdout, pgr.stderr, ...Object.values(pgr.files)]) {
      expect(text).not.toContain(s.password);
      expect(text).not.toContain(encodeURIComponent(s.password));
    }
    // A rerun reads the same rows: the same hash.
    const again = outputs(['--users', url, '--users-table', 'users'], 'pg2');
    expect(
      JSON.parse(again.files['m.json']!).inputs.find((i: { role: string }) => i.role === 'users')
        .sha256,
    ).toBe(users.sha256);
  });

  it('--users-query runs a read-only query; PG* variables give the password', () => {
    const bare = url.replace(`:${encodeURIComponent(s.password)}`, '');
    const r = run(
      [
        'correlate',
        ...EXPORT,
        '--users',
        bare,
        '--users-query',
        "SELECT id, email FROM users WHERE country = 'DE'",
        '--quiet',
      ],
      { cwd: dir, env: { PGPASSWORD: s.password } },
    );
    expect(r.status, r.stderr).toBe(0);
    const ids = r.stdout
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(',')[0]);
    expect(ids.length).toBeGreaterThan(10);
    for (const id of ids) expect(Number(id!.slice(1)) % 4).toBe(0); // userRow(i) lives in DE when i % 4 === 0
  });

  it('a password in the query string or after --users=, and session settings: none reach the output or the hash', () => {
    const bare = url.replace(`:${encodeURIComponent(s.password)}`, '');
    const query = [
      '--users-query',
      "SELECT *, TIMESTAMPTZ '2025-11-08 10:00:00+00' AS created, 0.1::float8 AS f FROM users",
    ];
    const plain = outputs([`--users=${url}`, ...query], 'settings-a');
    const berlin = run(
      [
        'correlate',
        ...EXPORT,
        '--users',
        `${bare}?password=${encodeURIComponent(s.password)}`,
      ].concat(query, ['--manifest', join(dir, 'settings-b.json')]),
      {
        cwd: dir,
        env: {
          PGOPTIONS: '-c TimeZone=Europe/Berlin -c DateStyle=SQL,DMY -c extra_float_digits=0',
        },
      },
    );
    expect(plain.status, plain.stderr).toBe(0);
    expect(berlin.status, berlin.stderr).toBe(0);
    const usersOf = (m: string) =>
      (
        JSON.parse(m) as { inputs: Array<{ role: string; sha256: string; path: string }> }
      ).inputs.find((i) => i.role === 'users')!;
    const b = readFileSync(join(dir, 'settings-b.json'), 'utf8');
    expect(usersOf(b).sha256).toBe(usersOf(plain.files['m.json']!).sha256);
    for (const text of [plain.stderr, berlin.stderr, b, ...Object.values(plain.files)]) {
      expect(text).not.toContain(s.password);
      expect(text).not.toContain(encodeURIComponent(s.password));
    }
  });

  it('--users-table is matched as SQL folds an unquoted name', () => {
    const r = cli([
      'correlate',
      ...EXPORT,
      '--users',
      url,
      '--users-table',
      'PUBLIC.USERS',
      '--quiet',
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.split('\n').length).toBeGreaterThan(150);
  });

  it('Parquet and a DuckDB database give what the CSV gives', () => {
    const csv = outputs(['--users', s.csv], 'csv2');
    expect(outputs(['--users', 'users.parquet'], 'parquet').stdout).toBe(csv.stdout);
    expect(outputs(['--users', 'users.duckdb', '--users-table', 'people'], 'duckdb').stdout).toBe(
      csv.stdout,
    );
  });

  it.each<[string, string[], number, RegExp]>([
    [
      'server down',
      ['--users', noServer, '--users-table', 'users'],
      1,
      /cannot connect to the users database: the server refused the connection/,
    ],
    [
      'wrong password',
      ['--users', wrongPw, '--users-table', 'users'],
      1,
      /cannot connect to the users database: the server refused the login \(wrong user or password\)/,
    ],
    [
      'missing table',
      ['--users', url, '--users-table', 'people'],
      2,
      /--users-table "people" is not in the database; tables there: public\.orders, public\.users/,
    ],
    [
      'missing column',
      ['--users', url, '--users-table', 'users', '--user-key', 'nope'],
      2,
      /--user-key "nope" is not in the users table; columns present: id, email, name, country, mixpanel_distinct_id/,
    ],
    [
      'a query that writes',
      ['--users', url, '--users-query', 'INSERT INTO orders VALUES (1) RETURNING id'],
      2,
      /--users-query must only read: cannot execute INSERT in a read-only transaction/,
    ],
    [
      'a database without a table or query',
      ['--users', url],
      2,
      /is a database: name the table or the query/,
    ],
    [
      'a query that fails on a value: the value (an email) is not shown',
      ['--users', url, '--users-query', 'SELECT id, email::int AS email FROM users'],
      2,
      /the --users-query fails on a value in the table \(PostgreSQL error 22P02; the value is not shown\)/,
    ],
    ['an empty --users-table', ['--users', url, '--users-table', ''], 2, /--users-table is empty/],
    [
      'a libpq keyword string instead of a URL',
      ['--users', `host=127.0.0.1 port=${s.port} password=${s.password}`, '--users-table', 'users'],
      2,
      /--users takes a postgres:\/\/ URL, not a keyword string/,
    ],
    [
      'a password with @, : and % not percent-encoded',
      [
        '--users',
        `postgres://bi:p@ss:w%rd/x@127.0.0.1:${s.port}/bi_test`,
        '--users-table',
        'users',
      ],
      2,
      /not a PostgreSQL URL the client can read[\s\S]*percent-encoded/,
    ],
    [
      'a DuckDB table that is not there',
      ['--users', 'users.duckdb', '--users-table', 'nobody'],
      2,
      /--users-table "nobody" is not in the database; tables there: main\.people/,
    ],
  ])(
    '%s: a clear message and exit status, no password, nothing written',
    (_what, users, status, message) => {
      const out = join(dir, `err-${_what.replace(/\W+/g, '-')}`);
      const r = cli([
        'correlate',
        ...EXPORT,
        ...users,
        '--out',
        join(out + '.csv'),
        '--manifest',
        join(out + '.json'),
      ]);
      expect(r.status, r.stderr).toBe(status);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toContain(s.password);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(existsSync(out + '.csv') || existsSync(out + '.json')).toBe(false);
    },
  );

  it('a connection lost mid-read: exit 1, nothing partial written', async () => {
    const out = join(dir, 'lost');
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    const child = spawn(
      process.execPath,
      [
        process.env.BI_BIN || BIN,
        'correlate',
        ...EXPORT,
        '--users',
        url,
        '--users-query',
        'SELECT id, email, pg_sleep(0.0005) AS z FROM users',
        '--out',
        out + '.csv',
      ],
      { cwd: dir, env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' } },
    );
    let stderr = '';
    child.stderr.on('data', (b) => (stderr += b));
    // Once the query is under way, its backend is ended from another connection.
    for (let k = 0; k < 100; k++) {
      await new Promise((r) => setTimeout(r, 100));
      const t = await admin.query(
        "SELECT pg_terminate_backend(pid) AS t FROM pg_stat_activity WHERE application_name = 'breach-impact' AND query LIKE '%pg_sleep%'",
      );
      if (t.rows.length) break;
    }
    const status = await new Promise((r) => child.on('close', r));
    await admin.end();
    expect(status, stderr).toBe(1);
    expect(stderr).toMatch(/the users database broke off the read/);
    expect(existsSync(out + '.csv')).toBe(false);
  });
});
