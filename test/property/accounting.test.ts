/**
 * Issue 6, "nothing lost, nothing crashes": generated Mixpanel exports (NDJSON, JSON arrays,
 * Engage pages; plain or gzipped) with corruption injected, run through the real CLI. For every
 * case: exit 0 (1 only for an unreadable file, or a bad record under --strict), no crash on
 * stderr, `read = rejected + out_of_window + attributed + unmatched + ambiguous`, `read` equal to
 * what the generator delimited, and a rejects file whose every row names its file, line and
 * reason — exactly the records the oracle says must be rejected, on the lines where they start.
 */
import fc from 'fast-check';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { accounting } from '../cli/run.js';
import {
  buildFile,
  checkProperty,
  crashSigns,
  fileArb,
  inCase,
  leftovers,
  parseCsv,
  tempRoot,
  timeout,
  run,
  userEmail,
  userId,
  userKey,
  WINDOW,
  type BuiltFile,
  type FileModel,
  type UsersSpec,
} from './gen.js';

const root = tempRoot('acct');
afterAll(() => root.cleanup());

/** A readable users table: CSV (quoted multi-line names, BOM, CRLF, blank lines), TSV or NDJSON. */
export interface UsersModel extends UsersSpec {
  format: 'csv' | 'tsv' | 'ndjson';
  bom: boolean;
  crlf: boolean;
  blankLines: boolean;
  finalNewline: boolean;
}

export const usersModelArb: fc.Arbitrary<UsersModel> = fc.record({
  n: fc.integer({ min: 1, max: 4 }),
  numeric: fc.boolean(),
  format: fc.constantFrom('csv' as const, 'csv' as const, 'tsv' as const, 'ndjson' as const),
  bom: fc.boolean(),
  crlf: fc.boolean(),
  blankLines: fc.boolean(),
  finalNewline: fc.boolean(),
});

export function buildUsers(m: UsersModel): Buffer {
  const eol = m.crlf ? '\r\n' : '\n';
  const lines: string[] = [];
  const rows = Array.from({ length: m.n }, (_, k) => {
    const i = k + 1;
    return {
      id: userId(m, i),
      email: userEmail(i),
      mp: userKey(i),
      name: `Name ${i}, "Jr"\nsecond line`,
    };
  });
  if (m.format === 'ndjson') {
    for (const r of rows) lines.push(JSON.stringify({ ...r, id: m.numeric ? Number(r.id) : r.id }));
  } else if (m.format === 'tsv') {
    lines.push(['id', 'email', 'mp', 'name'].join('\t'));
    for (const r of rows) lines.push([r.id, r.email, r.mp, `Name ${r.id}`].join('\t'));
  } else {
    lines.push('id,email,mp,name');
    for (const r of rows)
      lines.push([r.id, r.email, r.mp, '"' + r.name.replace(/"/g, '""') + '"'].join(','));
  }
  if (m.blankLines) lines.splice(Math.min(2, lines.length), 0, '');
  return Buffer.from((m.bom ? '\ufeff' : '') + lines.join(eol) + (m.finalNewline ? eol : ''));
}

const EXTS = ['.ndjson', '.json', '.jsonl', '.gz', '.csv', ''];

interface Case {
  users: UsersModel;
  files: FileModel[];
  exts: number[];
  windowed: boolean;
  strict: boolean;
  stdin: boolean; // the first export comes through `--export -`
}

const caseArb = (deep: boolean): fc.Arbitrary<Case> =>
  fc.record({
    users: usersModelArb,
    files: fc.array(fileArb({ splices: true, deep }), { minLength: 1, maxLength: 3 }),
    exts: fc.array(fc.nat(EXTS.length - 1), { minLength: 3, maxLength: 3 }),
    windowed: fc.boolean(),
    strict: fc.boolean(),
    stdin: fc.boolean(),
  });

interface Written {
  dir: string;
  names: string[]; // as messages and the rejects file name them
  paths: string[]; // as the manifest lists them
  input?: Buffer;
  built: BuiltFile[];
  args: string[];
}

function write(dir: string, c: Case): Written {
  const paths = c.files.map((_, i) => (c.stdin && i === 0 ? '-' : `e${i}${EXTS[c.exts[i]!]}`));
  const names = paths.map((p) => (p === '-' ? '<stdin>' : p));
  const built = c.files.map((f) => buildFile(f, c.users, c.windowed));
  built.forEach((b, i) => paths[i] !== '-' && writeFileSync(join(dir, paths[i]!), b.bytes));
  const usersName =
    c.users.format === 'tsv'
      ? 'users.tsv'
      : c.users.format === 'ndjson'
        ? 'users.ndjson'
        : 'users.csv';
  writeFileSync(join(dir, usersName), buildUsers(c.users));
  const args = [
    'correlate',
    ...paths.flatMap((n) => ['--export', n]),
    '--users',
    usersName,
    '--user-key',
    'mp',
    '--manifest',
    'm.json',
    '--rejects',
    'r.csv',
  ];
  // The oracle is Mixpanel's (SPEC §3, FORMATS.md §1): a record with both `properties` and a
  // top-level distinct_id also looks like PostHog's, which --vendor auto may rightly pick.
  args.push('--vendor', 'mixpanel');
  if (c.windowed) args.push('--window', WINDOW);
  if (c.strict) args.push('--strict');
  return { dir, names, paths, input: c.stdin ? built[0]!.bytes : undefined, built, args };
}

function checkCase(w: Written, c: Case): void {
  const r = run(w.args, { cwd: w.dir, input: w.input });
  const ctx = `\nargs: ${w.args.join(' ')}\nstderr:\n${r.stderr}`;
  expect(crashSigns(r.stderr), ctx).toEqual([]);
  expect(leftovers(w.dir), ctx).toEqual([]);
  const unreadable = w.names.filter((_, i) => w.built[i]!.expect.unreadable);
  if (c.strict) return checkStrict(w, r.status, r.stderr, unreadable.length > 0, ctx);
  for (const n of unreadable)
    expect(r.stderr, `stderr names the unreadable ${n}` + ctx).toContain(n);

  const m = JSON.parse(readFileSync(join(w.dir, 'm.json'), 'utf8'));
  // An export file of which no record could be read is an input that could not be read (SPEC §7).
  const noneRead = (i: { records: number; rejected: number }) =>
    i.records > 0 && i.rejected === i.records;
  const exportsIn = m.inputs.filter((i: { role: string }) => i.role === 'export');
  const silentZero = w.names.filter(
    (_, i) => !w.built[i]!.expect.unreadable && noneRead(exportsIn[i]),
  );
  for (const n of silentZero)
    expect(r.stderr, `stderr says no record of ${n} could be read` + ctx).toContain(
      `${n}: no record could be read`,
    );
  expect(r.status, ctx).toBe(unreadable.length || silentZero.length ? 1 : 0);
  const k = m.counts;
  expect(
    k.rejected + k.out_of_window + k.attributed + k.unmatched + k.ambiguous,
    'read = sum of buckets' + ctx,
  ).toBe(k.read);
  expect(accounting(r.stderr), ctx).toEqual({
    read: k.read,
    buckets: [k.rejected, k.out_of_window, k.attributed, k.unmatched, k.ambiguous],
  });
  const inputs = m.inputs.filter((i: { role: string }) => i.role === 'export');
  expect(
    inputs.map((i: { path: string }) => i.path),
    ctx,
  ).toEqual(w.paths);
  expect(
    inputs.reduce((a: number, i: { records: number }) => a + i.records, 0),
    ctx,
  ).toBe(k.read);

  const rows = parseCsv(readFileSync(join(w.dir, 'r.csv'), 'utf8'));
  expect(rows[0], ctx).toEqual(['file', 'line', 'reason', 'record']);
  const rejects = rows.slice(1);
  expect(rejects.length, 'one rejects row per rejected record' + ctx).toBe(k.rejected);
  for (const [file, line, reason] of rejects) {
    expect(w.names, `reject names a file: ${file}` + ctx).toContain(file);
    expect(line, ctx).toMatch(/^[1-9]\d*$/);
    expect(reason!.trim(), ctx).not.toBe('');
  }

  w.names.forEach((name, i) => {
    const e = w.built[i]!.expect;
    const input = inputs[i];
    const mine = rejects.filter((x) => x[0] === name).map((x) => Number(x[1]));
    expect(input.rejected, `${name}: manifest rejected = its rows in the rejects file` + ctx).toBe(
      mine.length,
    );
    if (e.unreadable) {
      // A truncated gzip stream: its unreadable tail is one rejects row, after the lines read.
      const tail = rejects.filter((x) => x[0] === name && x[2]!.startsWith('unreadable tail: '));
      expect(tail.length, `${name}: one row for the unreadable tail` + ctx).toBe(1);
      expect(Number(tail[0]![1]), ctx).toBe(Math.max(...mine));
      return;
    }
    if (e.truncatedDoc) {
      expect(
        input.records,
        `${name}: a truncated document holds the whole elements before the cut, and maybe one more` +
          ctx,
      ).toBeGreaterThanOrEqual(e.records);
      expect(input.records, `${name}` + ctx).toBeLessThanOrEqual(e.maxRecords);
      expect(mine.length, `${name}: a truncated document is reported` + ctx).toBeGreaterThan(0);
      return;
    }
    if (e.allBad) {
      expect(
        mine.length,
        `${name}: read as a CSV export, every row is rejected (none is a Mixpanel record)` + ctx,
      ).toBe(input.records);
      return;
    }
    expect(input.records, `${name}: records delimited` + ctx).toBe(e.records);
    expect(noneRead(input), `${name}: no record read exactly when every one is bad` + ctx).toBe(
      e.records > 0 && e.bad.length === e.records,
    );
    expect(
      mine.sort((a, b) => a - b),
      `${name}: rejected exactly the bad records, on their lines` + ctx,
    ).toEqual([...e.bad].sort((a, b) => a - b));
  });
}

/** --strict stopped on a record of this file: `NAME:LINE: error: …`. */
function stoppedAt(stderr: string, name: string): boolean {
  return new RegExp(`${name.replace(/[.*+?^${}()|[\]\\<>]/g, '\\$&')}:\\d+: error`).test(stderr);
}

function checkStrict(
  w: Written,
  status: number | null,
  stderr: string,
  unreadable: boolean,
  ctx: string,
): void {
  if (unreadable) return void expect(status, ctx).toBe(1);
  // The run stops at the first bad record, in file order.
  for (let i = 0; i < w.built.length; i++) {
    const e = w.built[i]!.expect;
    if (e.truncatedDoc)
      return void expect(status, 'a truncated document is a bad record' + ctx).toBe(1);
    if (e.allBad) {
      // Read as CSV: the run stops on its first row, unless it has none (a header alone).
      if (!stoppedAt(stderr, w.names[i]!)) continue;
      return void expect(status, ctx).toBe(1);
    }
    if (e.bad.length > 0) {
      expect(status, '--strict met a bad record' + ctx).toBe(1);
      return void expect(stderr, 'names the first bad record' + ctx).toContain(
        `${w.names[i]}:${Math.min(...e.bad)}`,
      );
    }
  }
  expect(status, ctx).toBe(0);
  const m = JSON.parse(readFileSync(join(w.dir, 'm.json'), 'utf8'));
  expect(m.counts.rejected, ctx).toBe(0);
}

describe('accounting over corrupted exports (property)', () => {
  it(
    'every record is delimited, placed in one bucket, and every reject names file, line and reason',
    () => {
      checkProperty(
        'accounting',
        fc.property(caseArb(false), (c) => {
          inCase(root, (dir) => checkCase(write(dir, c), c));
        }),
        24,
      );
    },
    timeout(24),
  );

  it(
    'deeply nested values (up to 5000 levels) in records and documents',
    () => {
      checkProperty(
        'accounting-deep',
        fc.property(caseArb(true), (c) => {
          inCase(root, (dir) => checkCase(write(dir, c), c));
        }),
        6,
      );
    },
    timeout(6),
  );
});
