/**
 * Nothing lost (SPEC §6): every record of the demo incident lands in exactly one bucket, the
 * per-file counts are those EXPECTED.md derives by hand, and the manifest pins every input by
 * SHA-256. Also: same inputs → byte-identical outputs, and `demo` works as the README says.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { accounting, ROOT, run } from './run.js';

const DEMO = join(ROOT, 'fixtures/demo');
const WINDOW = '2025-11-08T00:00:00Z/2025-11-09T17:00:00Z';
const out = mkdtempSync(join(tmpdir(), 'bi-acct-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

function correlate(tag: string, extra: string[] = []) {
  const args = [
    'correlate',
    '--export',
    'export',
    '--users',
    'users.csv',
    '--user-key',
    'mixpanel_distinct_id',
    '--window',
    WINDOW,
    '--unmatched',
    join(out, `${tag}.unmatched.csv`),
    '--ambiguous',
    join(out, `${tag}.ambiguous.csv`),
    '--rejects',
    join(out, `${tag}.rejects.csv`),
    '--manifest',
    join(out, `${tag}.manifest.json`),
    ...extra,
  ];
  return run(args, { cwd: DEMO });
}

describe('demo incident accounting', () => {
  const r = correlate('a');
  const m = JSON.parse(readFileSync(join(out, 'a.manifest.json'), 'utf8'));

  it('adds up: read = rejected + out_of_window + attributed + unmatched + ambiguous', () => {
    expect(r.status).toBe(0);
    const c = m.counts;
    expect(c).toMatchObject({
      read: 71,
      rejected: 3,
      out_of_window: 18,
      attributed: 39,
      unmatched: 7,
      ambiguous: 4,
      duplicates: 1,
    });
    expect(c.rejected + c.out_of_window + c.attributed + c.unmatched + c.ambiguous).toBe(c.read);
    expect(accounting(r.stderr)).toEqual({ read: 71, buckets: [3, 18, 39, 7, 4] });
  });

  it('counts each file as EXPECTED.md does, and hashes every input', () => {
    const files = m.inputs.map((i: { path: string; role: string; records: number }) => [
      i.path,
      i.role,
      i.records,
    ]);
    expect(files).toEqual([
      ['users.csv', 'users', 14],
      ['export/2025-11-07.ndjson', 'export', 11],
      ['export/2025-11-08.ndjson.gz', 'export', 29],
      ['export/2025-11-09.json', 'export', 19],
      ['export/2025-11-10.ndjson.gz', 'export', 7],
      ['export/people.json', 'export', 5],
    ]);
    for (const i of m.inputs) {
      const bytes = readFileSync(join(DEMO, i.path));
      expect(i.sha256, i.path).toBe(createHash('sha256').update(bytes).digest('hex'));
      expect(i.bytes, i.path).toBe(bytes.length);
    }
    expect(
      m.inputs.filter((i: { gzip: boolean }) => i.gzip).map((i: { path: string }) => i.path),
    ).toEqual(['export/2025-11-08.ndjson.gz', 'export/2025-11-10.ndjson.gz']);
  });

  it('side files hold exactly the unmatched, ambiguous and rejected records', () => {
    const rows = (f: string) => readFileSync(join(out, f), 'utf8').trimEnd().split('\n').slice(1);
    const sumRecords = (f: string, col: number) =>
      rows(f).reduce((a, l) => a + Number(l.split(',')[col]), 0);
    expect(sumRecords('a.unmatched.csv', 1)).toBe(7);
    expect(rows('a.ambiguous.csv').map((l) => l.split(',').slice(-2).join(','))).toEqual([
      'session identifies two users,1',
      'merge links two users,1',
      'shared email,2',
    ]);
    expect(rows('a.rejects.csv')).toHaveLength(3);
    expect(m.affected).toMatchObject({ users: 12, by_confidence: { high: 10, medium: 2 } });
    expect(m.email_hash_recipes).toEqual({ 'sha256(lower(trim))': 2 });
  });

  it('gives every user the match, records and exposed fields EXPECTED.md derives by hand', () => {
    const expected = readFileSync(join(DEMO, 'EXPECTED.md'), 'utf8');
    const table = [
      ...expected.matchAll(/^\| (u_\d+) \| ([a-z_;]+) \| \**(high|medium)\** \| (\d+)/gm),
    ].map((m) => [m[1], m[2], m[3], Number(m[4])]);
    const fields = Object.fromEntries(
      [...expected.matchAll(/^- \*\*(u_\d+)\*\* \(\d+[^)]*\): ((?:`[^`]+` ?)+)/gm)].map((m) => [
        m[1],
        [...m[2]!.matchAll(/`([^`]+)`/g)].map((f) => f[1]),
      ]),
    );
    const rows = r.stdout
      .trimEnd()
      .split('\n')
      .slice(1)
      .map((l) => l.split(','));
    expect(table).toHaveLength(12);
    expect(rows.map((c) => [c[0], c[2], c[3], Number(c[5])])).toEqual(table);
    for (const c of rows) {
      const derived = c[0] === 'u_1002' ? ['$current_url#email', '$current_url#token'] : [];
      expect(c[8]!.split(';'), c[0]).toEqual(
        [...fields[c[0]!]!, ...derived].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
      );
    }
  });

  it('is byte-identical when run again', () => {
    const again = correlate('b');
    expect(again.stdout).toBe(r.stdout);
    for (const f of ['unmatched.csv', 'ambiguous.csv', 'rejects.csv']) {
      expect(readFileSync(join(out, `b.${f}`), 'utf8'), f).toBe(
        readFileSync(join(out, `a.${f}`), 'utf8'),
      );
    }
  });
});

describe('breach-impact demo', () => {
  it('prints the affected users as a table and a summary whose accounting adds up', () => {
    const r = run(['demo']);
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^user_id\s+email\s+match\s+confidence\s+vendor_ids/);
    expect(lines.slice(2).map((l) => l.split(/\s+/)[0])).toEqual([
      'u_1001',
      'u_1002',
      'u_1003',
      'u_1004',
      'u_1005',
      'u_1006',
      'u_1007',
      'u_1008',
      'u_1009',
      'u_1010',
      'u_1011',
      'u_1012',
    ]);
    expect(r.stdout).toMatch(/u_1004 .* alias +medium/);
    expect(r.stdout).toMatch(/u_1012 .* session +medium/);
    expect(accounting(r.stderr)).toEqual({ read: 71, buckets: [3, 18, 39, 7, 4] });
  });

  it('never prints a personal value in the summary', () => {
    const r = run(['demo']);
    expect(r.stderr).not.toMatch(/@|u_10\d\d|Lovelace|legacy-8812/);
  });
});

describe('--notification-report', () => {
  it('writes a brief for counsel: window, hashed inputs, verdicts per jurisdiction, citations, limits — and no personal value', () => {
    const path = join(out, 'brief.md');
    const r = run(
      [
        'correlate',
        '--export',
        'export',
        '--users',
        'users.csv',
        '--user-key',
        'mixpanel_distinct_id',
        '--window',
        WINDOW,
        '--notification-report',
        path,
        '--residence-column',
        'country,state',
        '--quiet',
      ],
      { cwd: DEMO },
    );
    expect(r.status).toBe(0);
    const md = readFileSync(path, 'utf8');
    expect(md).toContain(
      '2025-11-08T00:00:00Z (inclusive) to 2025-11-09T17:00:00Z (exclusive), UTC.',
    );
    expect(md).toContain(
      '| export | `export/2025-11-08.ndjson.gz` | 2608 | 29 | `ed668c6e59642dec18d22fd49b0e3fd3aa8c5b926d40115b7cf0896b3b315910` |',
    );
    expect(md).toContain('| US-VA | us-default | 1 | 0 | 1 |');
    expect(md).toContain('| AT | gdpr | 0 | 1 | 0 |');
    expect(md).toContain(
      '1 × us-default — notifiable: Category 2: email + credential — fields: $current_url#email, $current_url#token — condition: counsel to confirm',
    );
    expect(md).toMatch(/\*\*California Civ\. Code|\*\*US state default/);
    expect(md).toContain('## Limits of this analysis');
    expect(md).not.toMatch(/@|u_1\d{3}|Lovelace/);
  });
});
