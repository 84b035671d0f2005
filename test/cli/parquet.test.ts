/**
 * Parquet exports (issue 17, SPEC §3): the same records as JSON lines give the same rows, side
 * files and counts; PostHog's batch-export Parquet (JSON columns as text, UTC instants) reads as
 * its JSON lines do; a Parquet file that cannot be read is named, counted and exits 1.
 */
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  watch,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { gzipSync, gunzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accounting, ROOT, run } from './run.js';

const tmp = mkdtempSync(join(tmpdir(), 'bi-parquet-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Every file under `src` as the JSON objects it holds (lines, an array or a results page). */
function objects(file: string): Record<string, unknown>[] {
  let b = readFileSync(file);
  if (b[0] === 0x1f && b[1] === 0x8b) b = gunzipSync(b);
  const text = b.toString('utf8').replace(/^\uFEFF/, '');
  let all: unknown[];
  try {
    const d = JSON.parse(text) as unknown;
    all = Array.isArray(d) ? d : [d];
  } catch {
    all = text.split('\n').flatMap((l) => {
      try {
        return [JSON.parse(l) as unknown];
      } catch {
        return [];
      }
    });
  }
  return all.filter(
    (r): r is Record<string, unknown> => !!r && typeof r === 'object' && !Array.isArray(r),
  );
}

function filesUnder(src: string): string[] {
  if (!statSync(src).isDirectory()) return [src];
  return readdirSync(src, { recursive: true, encoding: 'utf8' })
    .map((f) => join(src, f))
    .filter((f) => statSync(f).isFile())
    .sort();
}

/**
 * The readable records of a fixture twice: as JSON lines and as Parquet (DuckDB infers the
 * types: objects become structs, whose absent keys are nulls), one file for each source file.
 */
async function twoCopies(
  name: string,
  src: string,
  oneFile = false,
): Promise<{ nd: string; pq: string }> {
  const nd = join(tmp, name, 'nd');
  const pq = join(tmp, name, 'pq');
  mkdirSync(nd, { recursive: true });
  mkdirSync(pq, { recursive: true });
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  let i = 0;
  const files = filesUnder(join(ROOT, src));
  const groups = oneFile ? [files.flatMap(objects)] : files.map(objects);
  for (const [k, recs] of groups.entries()) {
    if (recs.length === 0) continue;
    const stem = `${String(++i).padStart(2, '0')}-${basename(oneFile ? src : files[k]!).replace(/\W+/g, '_')}`;
    const lines = join(nd, `${stem}.ndjson`);
    writeFileSync(lines, recs.map((r) => JSON.stringify(r)).join('\n') + '\n');
    await c.run(
      `COPY (SELECT * FROM read_json('${lines}', format = 'newline_delimited', records = true, sample_size = -1)) TO '${join(pq, stem + '.parquet')}' (FORMAT parquet)`,
    );
  }
  c.closeSync();
  db.closeSync();
  return { nd, pq };
}

function correlate(exportDir: string, users: string, extra: string[], out: string) {
  mkdirSync(out, { recursive: true });
  const r = run([
    'correlate',
    '--export',
    exportDir,
    '--users',
    join(ROOT, users),
    ...extra,
    '--unmatched',
    join(out, 'unmatched.csv'),
    '--ambiguous',
    join(out, 'ambiguous.csv'),
    '--rejects',
    join(out, 'rejects.csv'),
    '--manifest',
    join(out, 'manifest.json'),
  ]);
  const file = (n: string) => readFileSync(join(out, n), 'utf8');
  return {
    ...r,
    unmatched: file('unmatched.csv'),
    ambiguous: file('ambiguous.csv'),
    // The rejects name their file: the Parquet copy's name is the JSON copy's but for the suffix.
    rejects: file('rejects.csv')
      .replaceAll(exportDir, '<export>')
      .replace(/\.parquet,/g, ','),
    counts: (JSON.parse(file('manifest.json')) as { counts: unknown }).counts,
  };
}

// Every column but `sources`, which names the files (and so their suffix).
const COLUMNS = [
  '--columns',
  'user_id,email,match,confidence,vendor_ids,records,first_seen,last_seen,exposed_fields,exposed_categories,exposed_summary,events',
];

const CASES: Array<[string, string, string, string[], boolean?]> = [
  [
    'Mixpanel (the demo: events and Engage profiles)',
    'fixtures/demo/export',
    'fixtures/demo/users.csv',
    ['--user-key', 'mixpanel_distinct_id', '--window', '2025-11-08T00:00:00Z/2025-11-09T17:00:00Z'],
  ],
  [
    // One table for events and profiles: a profile's row has every event column, null. Read as
    // present, `event: null` would make it an event; nulls are absent keys.
    'Mixpanel events and profiles in one file',
    'fixtures/demo/export',
    'fixtures/demo/users.csv',
    ['--user-key', 'mixpanel_distinct_id', '--window', '2025-11-08T00:00:00Z/2025-11-09T17:00:00Z'],
    true,
  ],
  [
    'Amplitude',
    'fixtures/vendors/amplitude/export',
    'fixtures/vendors/amplitude/users.csv',
    ['--window', '2025-11-08T00:00:00Z/2025-11-09T00:00:00Z'],
  ],
  [
    'Segment',
    'fixtures/vendors/segment/export',
    'fixtures/vendors/segment/users.csv',
    ['--window', '2025-11-08T00:00:00Z/2025-11-09T00:00:00Z'],
  ],
  [
    'GA4 (BigQuery rows)',
    'fixtures/vendors/ga4/events.ndjson',
    'fixtures/vendors/ga4/users.csv',
    [],
  ],
  [
    'GA4 privacy flags, microsecond window edge',
    'fixtures/categories/ga4-privacy.ndjson',
    'fixtures/categories/users.csv',
    [
      '--residence-column',
      'country,state',
      '--notification-basis',
      '--window',
      '2025-11-08T09:00:00Z/2025-11-08T09:00:18.347832Z',
    ],
  ],
  [
    'PostHog feature flags',
    'fixtures/categories/posthog-flags.ndjson',
    'fixtures/categories/users.csv',
    [],
  ],
];

describe('Parquet exports give the rows their JSON lines give', () => {
  it.each(CASES)('%s', async (name, src, users, extra, oneFile) => {
    const { nd, pq } = await twoCopies(name.replace(/\W+/g, '-'), src, oneFile);
    const a = correlate(nd, users, [...extra, ...COLUMNS], join(tmp, name, 'out-nd'));
    const b = correlate(pq, users, [...extra, ...COLUMNS], join(tmp, name, 'out-pq'));
    expect(a.status, a.stderr).toBe(0);
    expect(b.status, b.stderr).toBe(0);
    expect(a.stdout.split('\n').length).toBeGreaterThan(2); // somebody is affected
    expect(b.stdout).toBe(a.stdout);
    expect(b.unmatched).toBe(a.unmatched);
    expect(b.ambiguous).toBe(a.ambiguous);
    expect(b.rejects).toBe(a.rejects);
    expect(b.counts).toEqual(a.counts);
    expect(b.stderr).toMatch(/vendor: \w+ \(auto-detected in .*\.parquet/);
  });

  it("PostHog's batch export in Parquet (JSON columns as text, UTC instants) reads as its JSON lines", () => {
    const posthog = 'fixtures/vendors/posthog';
    const window = ['--window', '2025-11-08T00:00:00Z/2025-11-09T00:00:00Z', ...COLUMNS];
    const jsonl = run(
      ['correlate', '--export', `${posthog}/export/events`, `${posthog}/export/persons`].concat(
        ['--users', `${posthog}/users.csv`],
        window,
      ),
      { cwd: ROOT },
    );
    const parquet = run(
      [
        'correlate',
        '--export',
        `${posthog}-parquet/export`,
        '--users',
        `${posthog}/users.csv`,
      ].concat(window),
      { cwd: ROOT },
    );
    expect(jsonl.status, jsonl.stderr).toBe(0);
    expect(parquet.status, parquet.stderr).toBe(0);
    expect(parquet.stdout.split('\n').length).toBe(8); // header, 6 users, final newline
    expect(parquet.stdout).toBe(jsonl.stdout);
    expect(accounting(parquet.stderr)).toEqual(accounting(jsonl.stderr));
  });
});

describe('a Parquet file that cannot be read is named, counted, and fails the run', () => {
  const good = join(ROOT, 'fixtures/vendors/posthog-parquet/export/persons/persons.parquet');
  const users = join(ROOT, 'fixtures/vendors/posthog/users.csv');
  let dir: string;
  beforeAll(() => {
    dir = join(tmp, 'bad');
    mkdirSync(dir, { recursive: true });
  });

  it('cut short (a download that stopped): exit 1, the file named, one reject for it', () => {
    const cut = join(dir, 'cut.parquet');
    const bytes = readFileSync(good);
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const r = run([
      'correlate',
      '--export',
      cut,
      '--users',
      users,
      '--rejects',
      join(dir, 'cut-rejects.csv'),
    ]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('cut.parquet');
    expect(r.stderr).toMatch(/not a readable Parquet file/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    const rejects = readFileSync(join(dir, 'cut-rejects.csv'), 'utf8');
    expect(rejects).toContain('cut.parquet');
    const acc = accounting(r.stderr)!;
    expect(acc.read).toBe(acc.buckets.reduce((x, y) => x + y, 0));
    expect(acc.buckets[0]).toBeGreaterThan(0);
  });

  it('bad UTF-8 in a binary text column: every row of the file counted, in one reject, exit 1', async () => {
    // DuckDB refuses the whole file at the bad value; its footer still says it holds 3 rows.
    const file = join(dir, 'bad-utf8.parquet');
    await duck(
      `COPY (SELECT * FROM (VALUES ('Login', 'u_1', 1762560000, 'ok'::BLOB), ('Login', 'u_2', 1762560001, '\\xFF\\xFE'::BLOB), ('Login', 'u_3', 1762560002, 'fine'::BLOB)) t(event, distinct_id, "time", note)) TO '${file}' (FORMAT parquet)`,
    );
    const rejects = join(dir, 'bad-utf8-rejects.csv');
    const r = run(['correlate', '--export', file, '--users', users, '--rejects', rejects]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/bad-utf8\.parquet: not a readable Parquet file .*not valid UTF8/);
    expect(accounting(r.stderr)).toEqual({ read: 3, buckets: [3, 0, 0, 0, 0] });
    const rows = readFileSync(rejects, 'utf8').trim().split('\n').slice(1);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatch(
      /^.*bad-utf8\.parquet,1,".*row 1 of 3.*the 3 records from this line on/,
    );
  });

  // @duckdb/node-api's fetchChunk gives null for an error as for the end of the rows: a row
  // group that fails after the first ended the file there, with exit 0 and "read 100,352 ✓".
  it('a later row group that fails: the rows not given are counted lost, exit 1', async () => {
    const file = join(dir, 'groups.parquet');
    await duck(
      `COPY (SELECT 'Login' AS event, 'u_' || (i % 3) AS distinct_id, 1762560000 + (i % 100) AS "time", CASE WHEN i = 250000 THEN '\\xFF\\xFE'::BLOB ELSE 'ok'::BLOB END AS note FROM range(300000) t(i)) TO '${file}' (FORMAT parquet, ROW_GROUP_SIZE 100000)`,
    );
    const rejects = join(dir, 'groups-rejects.csv');
    const r = run(['correlate', '--export', file, '--users', users, '--rejects', rejects]);
    expect(r.status).toBe(1);
    // The stream says nothing; the error is found by reading the rows again.
    expect(r.stderr).toMatch(
      /groups\.parquet: not a readable Parquet file \(row \d+ of 300000\): .*not valid UTF8/,
    );
    const acc = accounting(r.stderr)!;
    expect(acc.read).toBe(300_000);
    expect(acc.buckets[0]).toBeGreaterThanOrEqual(50_000); // at least the rows from the bad one on
    expect(readFileSync(rejects, 'utf8').trim().split('\n')).toHaveLength(2);
  });

  it('a users table in Parquet whose later row group fails: the run stops, it does not go on short', async () => {
    const file = join(dir, 'users-groups.parquet');
    await duck(
      `COPY (SELECT 'u_' || i AS id, 'u' || i || '@example.com' AS email, CASE WHEN i = 250000 THEN '\\xFF\\xFE'::BLOB ELSE 'ok'::BLOB END AS note FROM range(300000) t(i)) TO '${file}' (FORMAT parquet, ROW_GROUP_SIZE 100000)`,
    );
    const r = run(['correlate', '--export', good, '--users', file]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(
      /users-groups\.parquet: error: cannot read the users table: DuckDB stopped at row \d+ of 300000: .*not valid UTF8/,
    );
    expect(r.stdout).toBe('');
  });

  it('a DuckDB users database with a write-ahead log beside it: refused, with what to do', async () => {
    // Rows inserted after the last checkpoint live in users.duckdb.wal, which DuckDB reads and
    // the manifest's hash of users.duckdb does not cover.
    const file = join(dir, 'wal-users.duckdb');
    const db = await DuckDBInstance.create(file);
    const c = await db.connect();
    await c.run("CREATE TABLE people AS SELECT 'u_1' AS id, 'one@example.com' AS email");
    await c.run('CHECKPOINT');
    await c.run('PRAGMA disable_checkpoint_on_shutdown');
    await c.run("INSERT INTO people VALUES ('u_2', 'two@example.com')");
    c.closeSync();
    db.closeSync();
    expect(existsSync(`${file}.wal`)).toBe(true);
    const r = run(['correlate', '--export', good, '--users', file, '--users-table', 'people']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/wal-users\.duckdb: error: a write-ahead log lies beside it/);
    expect(r.stderr).toMatch(/hint: checkpoint it first/);
    expect(r.stdout).toBe('');
  });

  // Each file's query starts while the file before is read (io/read-parquet.ts startAhead):
  // one named .parquet that is JSON lines, or cut short, or not reached, must change nothing.
  it('a folder mixing good, cut and misnamed .parquet files: each read as itself, no crash', () => {
    const mixed = join(dir, 'mixed');
    mkdirSync(mixed, { recursive: true });
    const events = join(ROOT, 'fixtures/vendors/posthog-parquet/export/events');
    const [first, second] = readdirSync(events).sort();
    writeFileSync(join(mixed, 'a.parquet'), readFileSync(join(events, first!)));
    writeFileSync(
      join(mixed, 'b.parquet'),
      readFileSync(
        join(
          ROOT,
          'fixtures/vendors/posthog/export/events',
          readdirSync(join(ROOT, 'fixtures/vendors/posthog/export/events')).sort()[0]!,
        ),
      ),
    );
    writeFileSync(join(mixed, 'c.parquet'), readFileSync(join(events, second!)));
    const bytes = readFileSync(good);
    writeFileSync(join(mixed, 'd.parquet'), bytes.subarray(0, Math.floor(bytes.length / 2)));
    writeFileSync(join(mixed, 'e.parquet'), readFileSync(good));
    const one = (files: string[], extra: string[] = []) =>
      run(['correlate', '--export', ...files, '--users', users, '--vendor', 'posthog', ...extra]);
    const all = one([mixed]);
    expect(all.status).toBe(1);
    expect(all.stderr).toMatch(/d\.parquet: not a readable Parquet file/);
    expect(all.stderr).not.toMatch(/\n\s+at |^Error: |Node\.js v/m);
    const acc = accounting(all.stderr)!;
    expect(acc.read).toBe(acc.buckets.reduce((x, y) => x + y, 0));
    // The same rows as reading the readable files one run each would give, together.
    const good4 = one(
      ['a.parquet', 'b.parquet', 'c.parquet', 'e.parquet'].map((f) => join(mixed, f)),
    );
    expect(good4.status, good4.stderr).toBe(0);
    expect(all.stdout).toBe(good4.stdout);
    // --strict stops at d.parquet with e.parquet's query started and never read.
    const strict = one([mixed], ['--strict']);
    expect(strict.status).toBe(1);
    expect(strict.stderr).toMatch(/d\.parquet:1: error: unreadable tail/);
    expect(strict.stderr).not.toMatch(/\n\s+at |^Error: |Node\.js v/m);
  });

  it('from standard input or gzip-compressed: a clear message, exit 1', () => {
    const viaStdin = run(['correlate', '--export', '-', '--users', users, '--workers', '0'], {
      input: readFileSync(good),
    });
    expect(viaStdin.status).toBe(1);
    expect(viaStdin.stderr).toMatch(/a Parquet file from standard input cannot be read/);
    const gz = join(dir, 'persons.parquet.gz');
    writeFileSync(gz, gzipSync(readFileSync(good)));
    const zipped = run(['correlate', '--export', gz, '--users', users]);
    expect(zipped.status).toBe(1);
    expect(zipped.stderr).toMatch(/a Parquet file gzip-compressed cannot be read/);
    expect(zipped.stderr).toContain('give the Parquet file itself');
  });

  it('NaN: in a column, text, and the row read; nested where JSON has no text for it, a reject', async () => {
    const file = join(dir, 'nan.parquet');
    await duck(
      `COPY (SELECT * FROM (VALUES ('Login', 'u_4001', TIMESTAMPTZ '2025-11-08 10:00:00+00', 'NaN'::DOUBLE, {'s': 1.5::DOUBLE}), ('Login', 'u_4002', TIMESTAMPTZ '2025-11-08 10:05:00+00', 1.5, {'s': 'NaN'::DOUBLE})) t(event, distinct_id, "timestamp", score, properties)) TO '${file}' (FORMAT parquet)`,
    );
    const r = run([
      'correlate',
      '--export',
      file,
      '--users',
      users,
      '--vendor',
      'posthog',
      '--rejects',
      join(dir, 'nan-rejects.csv'),
    ]);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const rejects = readFileSync(join(dir, 'nan-rejects.csv'), 'utf8').trim().split('\n');
    expect(rejects).toHaveLength(2); // the header and row 2
    expect(rejects[1]).toMatch(/nan\.parquet,2,a value JSON cannot hold \(NaN or Infinity\)/);
    expect(accounting(r.stderr)!.read).toBe(2);
  });
});

/** Runs one statement on a fresh in-memory DuckDB (to write the Parquet files a test needs). */
async function duck(sql: string): Promise<void> {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  try {
    await c.run(sql);
  } finally {
    c.closeSync();
    db.closeSync();
  }
}

describe('a Parquet file is read as itself, whatever its path and its writer', () => {
  const users = join(tmp, 'pq-users.csv');
  const event = (id: string, more = '') =>
    `SELECT 'Login' AS event, ${id} AS distinct_id, TIMESTAMPTZ '2025-11-08 10:00:00+00' AS "timestamp", '{"$lib": "web"}' AS properties${more}`;
  const affected = (exportPath: string, extra: string[] = []) => {
    const r = run(
      ['correlate', '--export', exportPath, '--users', users, '--vendor', 'posthog'].concat(
        ['--columns', 'user_id,email,exposed_fields'],
        extra,
      ),
    );
    expect(r.status, r.stderr).toBe(0);
    return r.stdout.trim().split('\n').slice(1);
  };
  beforeAll(() =>
    writeFileSync(
      users,
      'id,email\nu1,one@example.com\nu2,two@example.com\n9007199254740992,wrong@example.com\n9007199254740993,right@example.com\nu3,jörg@example.com\n',
    ),
  );

  it('glob characters in a name name that file, not others ([, *, ?, {)', async () => {
    const d = join(tmp, 'glob');
    mkdirSync(d, { recursive: true });
    await duck(`COPY (${event("'u1'")}) TO '${d}/a[1].parquet' (FORMAT parquet)`);
    await duck(`COPY (${event("'u2'")}) TO '${d}/a1.parquet' (FORMAT parquet)`);
    expect(affected(join(d, 'a[1].parquet'))[0]).toMatch(/^u1,/);
  });

  it('a relative path starting with ~ is that folder, not the home folder (export and --users)', async () => {
    const cwd = join(tmp, 'tilde');
    mkdirSync(join(cwd, '~'), { recursive: true });
    await duck(`COPY (${event("'u1'")}) TO '${cwd}/~/e.parquet' (FORMAT parquet)`);
    await duck(
      `COPY (SELECT * FROM read_csv('${users}', all_varchar = true)) TO '${cwd}/~/users.parquet' (FORMAT parquet)`,
    );
    await duck(
      `ATTACH '${cwd}/~/users.duckdb' AS d; CREATE TABLE d.users AS SELECT * FROM read_csv('${users}', all_varchar = true)`,
    );
    const home = join(tmp, 'empty-home');
    mkdirSync(home, { recursive: true });
    for (const source of [['~/users.parquet'], ['~/users.duckdb', '--users-table', 'users']]) {
      const r = run(
        ['correlate', '--export', '~/e.parquet', '--users', ...source, '--vendor', 'posthog'],
        { cwd, env: { HOME: home } },
      );
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout.split('\n')[1]).toMatch(/^u1,one@example.com,/);
    }
  });

  it('JSON text nested 100 000 deep reads as its JSON line does (no crash, no reject)', async () => {
    const d = join(tmp, 'deep');
    mkdirSync(d, { recursive: true });
    const deep = '{"a":'.repeat(100_000) + 'null' + '}'.repeat(100_000);
    await duck(
      `COPY (SELECT 'Login' AS event, 'u1' AS distinct_id, TIMESTAMPTZ '2025-11-08 10:00:00+00' AS "timestamp", repeat('{"a":', 100000) || 'null' || repeat('}', 100000) AS properties) TO '${d}/e.parquet' (FORMAT parquet)`,
    );
    writeFileSync(
      join(d, 'e.ndjson'),
      `{"event":"Login","distinct_id":"u1","timestamp":"2025-11-08 10:00:00+00","properties":${deep}}\n`,
    );
    const [parquet, ndjson] = ['e.parquet', 'e.ndjson'].map((f) => {
      const r = run(['correlate', '--export', join(d, f), '--users', users, '--vendor', 'posthog']);
      expect(r.status, r.stderr).toBe(0);
      expect(accounting(r.stderr)!.buckets[0]).toBe(0); // nothing rejected
      return r.stdout;
    });
    expect(parquet).toBe(ndjson);
    expect(parquet).toMatch(/^u1,one@example.com,/m);
  });

  it('key=value folders are folders, not columns', async () => {
    const d = join(tmp, 'hive', 'distinct_id=u2', 'day=2025-11-08');
    mkdirSync(d, { recursive: true });
    await duck(`COPY (${event("'u1'")}) TO '${d}/part-0.parquet' (FORMAT parquet)`);
    expect(affected(join(d, 'part-0.parquet'))).toEqual(['u1,one@example.com,distinct_id']);
  });

  it('an id beyond 2^53 stays that id', async () => {
    const d = join(tmp, 'bigint');
    mkdirSync(d, { recursive: true });
    await duck(`COPY (${event('9007199254740993::BIGINT')}) TO '${d}/e.parquet' (FORMAT parquet)`);
    expect(affected(join(d, 'e.parquet'))[0]).toMatch(/^9007199254740993,right@example.com,/);
  });

  it('text stored as plain binary (older Spark and Hive writers) is text', async () => {
    const d = join(tmp, 'blob');
    mkdirSync(d, { recursive: true });
    await duck(
      `COPY (SELECT 'Login' AS event, encode('anon-1') AS distinct_id, TIMESTAMPTZ '2025-11-08 10:00:00+00' AS "timestamp", encode('{"email": "jörg@example.com", "$lib": "web"}') AS properties) TO '${d}/e.parquet' (FORMAT parquet)`,
    );
    expect(affected(join(d, 'e.parquet'))[0]).toMatch(/^u3,jörg@example.com,/);
  });
});

describe('--temp-dir: where DuckDB may spill', () => {
  const posthog = 'fixtures/vendors/posthog';
  const args = [
    'correlate',
    '--export',
    `${posthog}-parquet/export`,
    '--users',
    `${posthog}/users.csv`,
  ];

  it("DuckDB's folders are made there, the same rows come out, the folder is left as it was", async () => {
    const spill = join(tmp, 'spill');
    mkdirSync(spill, { recursive: true });
    const plain = run(args);
    const made = new Set<string>();
    const watcher = watch(spill, (_, name) => made.add(String(name)));
    const spilled = run([...args, '--temp-dir', spill]);
    await new Promise((done) => setTimeout(done, 100)); // the events queued while it ran
    watcher.close();
    expect(spilled.status, spilled.stderr).toBe(0);
    expect(spilled.stdout).toBe(plain.stdout);
    expect([...made].some((f) => f.startsWith('breach-impact-duckdb-'))).toBe(true);
    expect(readdirSync(spill)).toEqual([]);
  });

  it('inside the export through a link: refused before anything is made there', () => {
    const exp = join(tmp, 'exp-linked');
    mkdirSync(join(exp, 'events'), { recursive: true });
    const events = join(ROOT, 'fixtures/vendors/posthog-parquet/export/events');
    for (const f of readdirSync(events))
      writeFileSync(join(exp, 'events', f), readFileSync(join(events, f)));
    symlinkSync(join(exp, 'events'), join(tmp, 'evl'));
    const before = statSync(join(exp, 'events')).mtimeMs;
    const r = run([
      'correlate',
      '--export',
      exp,
      '--users',
      `${posthog}/users.csv`,
      '--temp-dir',
      join(tmp, 'evl'),
    ]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/is inside the --export folder/);
    expect(statSync(join(exp, 'events')).mtimeMs).toBe(before);
  });

  it.each([
    ['missing', () => join(tmp, 'no-such-folder'), /--temp-dir \S+ does not exist/],
    ['a file', () => join(ROOT, 'fixtures/demo/users.csv'), /--temp-dir \S+ is not a folder/],
    [
      '/proc, writable to root yet nothing can be made there',
      () => '/proc',
      /--temp-dir \/proc cannot be written/,
    ],
    ['empty', () => '', /--temp-dir is empty/],
    [
      'inside the export',
      () => join(ROOT, 'fixtures/vendors/posthog-parquet/export/events'),
      /--temp-dir \S+ is inside the --export folder/,
    ],
  ])('%s: a usage error before anything is read', (_, dir, message) => {
    const r = run([...args, '--temp-dir', dir()]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });
});

describe('a Parquet table where only a text table is read says so', () => {
  it('--users gzipped Parquet, --sessions Parquet: named as Parquet, with what to do', async () => {
    const d = join(tmp, 'tables');
    mkdirSync(d, { recursive: true });
    const csv = join(ROOT, 'fixtures/vendors/posthog/users.csv');
    await duck(
      `COPY (FROM read_csv('${csv}', all_varchar = true)) TO '${d}/users.parquet' (FORMAT parquet)`,
    );
    writeFileSync(join(d, 'users.parquet.gz'), gzipSync(readFileSync(join(d, 'users.parquet'))));
    const demo = ['correlate', '--export', join(ROOT, 'fixtures/demo/export')];
    const gz = run([...demo, '--users', join(d, 'users.parquet.gz')]);
    expect(gz.status).toBe(1);
    expect(gz.stderr).toMatch(/the table is a gzip-compressed Parquet file[\s\S]*gunzip it/);
    const sessions = run([...demo, '--users', csv, '--sessions', join(d, 'users.parquet')]);
    expect(sessions.status).toBe(1);
    expect(sessions.stderr).toMatch(/the table is a Parquet file, which only --users reads/);
    // Read as --users, its manifest entry says nothing of a text encoding.
    const m = join(d, 'm.json');
    expect(
      run([...demo, '--users', join(d, 'users.parquet'), '--manifest', m, '--quiet']).status,
    ).toBe(0);
    const entry = (
      JSON.parse(readFileSync(m, 'utf8')) as { inputs: Array<Record<string, unknown>> }
    ).inputs.find((i) => i.role === 'users')!;
    expect(entry).toMatchObject({ source: 'parquet', records: 7 });
    expect(entry).not.toHaveProperty('looksLike');
  });
});

// The fixture's Parquet files are made by a committed script: it must still make the same bytes.
describe('fixtures/vendors/posthog-parquet', () => {
  it('make.mjs makes the committed files', () => {
    const committed = join(ROOT, 'fixtures/vendors/posthog-parquet/export');
    const fresh = join(tmp, 'made');
    execFileSync(process.execPath, ['fixtures/vendors/posthog-parquet/make.mjs', fresh], {
      cwd: ROOT,
    });
    const bytes = (d: string) =>
      filesUnder(d).map((f) => [f.slice(d.length), readFileSync(f).toString('base64')]);
    expect(bytes(fresh)).toEqual(bytes(committed));
  });
});
