/**
 * Issue 6: users tables as they arrive — header-only, ragged rows, unbalanced quotes, duplicate
 * or blank header names, duplicate or empty ids, empty files — with quoted multi-line fields,
 * BOM, CRLF and blank lines moving the physical lines around. A readable table gives a normal
 * run; an unreadable one a clear error (exit 1, or 2 for a missing column) that names the file
 * and the line, never a crash.
 */
import fc from 'fast-check';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { accounting } from '../cli/run.js';
import { checkProperty, crashSigns, inCase, leftovers, tempRoot, timeout, run } from './gen.js';

const root = tempRoot('users');
afterAll(() => root.cleanup());

export type Corruption =
  | { t: 'none' }
  | { t: 'headerOnly' }
  | { t: 'ragged'; row: number; extra: boolean }
  | { t: 'unclosedQuote'; row: number } // row 0 is the header
  | { t: 'strayQuote'; row: number }
  | { t: 'dupHeader'; col: number }
  | { t: 'blankHeader'; spaces: string }
  | { t: 'dupId'; a: number; b: number }
  | { t: 'emptyId'; row: number }
  | { t: 'empty'; content: string }
  | { t: 'noIdColumn' };

export interface TableModel {
  n: number;
  multiline: boolean[]; // per user: a quoted name with a newline in it
  blankAfter: number[]; // blank lines after these rows (0 = header)
  bom: boolean;
  crlf: boolean;
  finalNewline: boolean;
  corruption: Corruption;
}

const row = fc.integer({ min: 1, max: 5 });
const corruptionArb: fc.Arbitrary<Corruption> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ t: 'none' as const }) },
  fc.constant({ t: 'headerOnly' as const }),
  fc.record({ t: fc.constant('ragged' as const), row, extra: fc.boolean() }),
  // row 0 is the header: a quote never closed there is a malformed row like any other
  fc.record({ t: fc.constant('unclosedQuote' as const), row: fc.integer({ min: 0, max: 5 }) }),
  fc.record({ t: fc.constant('strayQuote' as const), row }),
  fc.record({ t: fc.constant('dupHeader' as const), col: fc.integer({ min: 0, max: 2 }) }),
  fc.record({ t: fc.constant('blankHeader' as const), spaces: fc.constantFrom('', ' ', '  ') }),
  fc.record({ t: fc.constant('dupId' as const), a: row, b: row }).filter((d) => d.a !== d.b),
  fc.record({ t: fc.constant('emptyId' as const), row }),
  fc.record({
    t: fc.constant('empty' as const),
    content: fc.constantFrom('', '\n', '\ufeff', ' \r\n\r\n'),
  }),
  fc.constant({ t: 'noIdColumn' as const }),
);

export const tableArb: fc.Arbitrary<TableModel> = fc.record({
  n: fc.integer({ min: 1, max: 5 }),
  multiline: fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
  blankAfter: fc.uniqueArray(fc.integer({ min: 0, max: 5 }), { maxLength: 2 }),
  bom: fc.boolean(),
  crlf: fc.boolean(),
  finalNewline: fc.boolean(),
  corruption: corruptionArb,
});

/** The bytes, and the physical line each logical row (0 = header) starts on. */
export function buildTable(m: TableModel): {
  bytes: Buffer;
  lineOf: number[];
  lastLineOf: number[];
  n: number;
} {
  const c = m.corruption;
  const eol = m.crlf ? '\r\n' : '\n';
  if (c.t === 'empty') return { bytes: Buffer.from(c.content), lineOf: [], lastLineOf: [], n: 0 };
  let header = ['id', 'email', 'name'];
  if (c.t === 'dupHeader') header = [...header, header[c.col]!];
  if (c.t === 'blankHeader') header = ['id', c.spaces, 'email', 'name'];
  if (c.t === 'noIdColumn') header = ['ident', 'email', 'name'];
  const n =
    c.t === 'headerOnly'
      ? 0
      : Math.max(m.n, 'row' in c ? c.row : 0, c.t === 'dupId' ? Math.max(c.a, c.b) : 0);
  if (c.t === 'unclosedQuote' && c.row === 0) header = ['id', '"email', 'name'];
  const rows: string[][] = [header];
  for (let i = 1; i <= n; i++) {
    const id =
      c.t === 'dupId' && i === c.b ? `u_${c.a}` : c.t === 'emptyId' && i === c.row ? ' ' : `u_${i}`;
    const name = m.multiline[(i - 1) % 5]
      ? `"Name ${i}${eol}(second line), ""quoted"""`
      : `Name ${i}`;
    const cells = [id, `user${i}@example.com`, name];
    if (c.t === 'dupHeader')
      cells.push(c.col === 0 ? id : c.col === 1 ? `other${i}@example.com` : 'x');
    if (c.t === 'blankHeader') cells.splice(1, 0, 'blank');
    if (c.t === 'ragged' && c.row === i) {
      if (c.extra) cells.push('extra');
      else cells.pop();
    }
    if (c.t === 'unclosedQuote' && c.row === i) cells[1] = `"user${i}@example.com`;
    if (c.t === 'strayQuote' && c.row === i) cells[1] = `"user${i}"@example.com"`;
    rows.push(cells);
  }
  const lineOf: number[] = [];
  const lastLineOf: number[] = [];
  let line = 1;
  const parts: string[] = [];
  rows.forEach((cells, i) => {
    lineOf.push(line);
    const text = cells.join(',');
    parts.push(text);
    line += text.split('\n').length; // the row's own line end included
    lastLineOf.push(line - 1);
    if (m.blankAfter.includes(i)) {
      parts.push('');
      line++;
    }
  });
  return {
    bytes: Buffer.from((m.bom ? '\ufeff' : '') + parts.join(eol) + (m.finalNewline ? eol : '')),
    lineOf,
    lastLineOf,
    n,
  };
}

/** A small readable export: 4 records, one of them bad; u_1..u_3 and a stranger. */
const EXPORT = [
  '{"event":"a","properties":{"time":1762600000,"distinct_id":"u_1"}}',
  '{"event":"a","properties":{"time":1762600001,"distinct_id":"user2@example.com"}}',
  'not json',
  '{"event":"a","properties":{"time":1762600002,"distinct_id":"stranger"}}',
].join('\n');

function checkTable(dir: string, m: TableModel): void {
  const t = buildTable(m);
  writeFileSync(join(dir, 'users.csv'), t.bytes);
  writeFileSync(join(dir, 'e.ndjson'), EXPORT);
  const args = [
    'correlate',
    '--export',
    'e.ndjson',
    '--users',
    'users.csv',
    '--manifest',
    'm.json',
    '--rejects',
    'r.csv',
  ];
  const r = run(args, { cwd: dir });
  const c = m.corruption;
  const ctx = `\ntable:\n${t.bytes.toString()}\nstderr:\n${r.stderr}`;
  expect(crashSigns(r.stderr), ctx).toEqual([]);
  expect(leftovers(dir), ctx).toEqual([]);
  expect([0, 1, 2], ctx).toContain(r.status);
  if (r.status !== 0) {
    expect(r.stderr, 'an error names the users file' + ctx).toContain('users.csv');
    if (c.t !== 'noIdColumn' && c.t !== 'empty')
      expect(r.stderr, 'and a line' + ctx).toMatch(/users\.csv:[1-9]\d*/);
  }
  /** The error names the line where that row starts (a quoted field may make a row span several lines). */
  const named = (row: number) => {
    const at = Number(/users\.csv:(\d+)/.exec(r.stderr)?.[1]);
    expect(
      at,
      `names line ${t.lineOf[row]}, where row ${row} starts (it ends on ${t.lastLineOf[row]})` +
        ctx,
    ).toBe(t.lineOf[row]);
  };
  switch (c.t) {
    case 'none':
    case 'headerOnly':
    case 'blankHeader':
      expect(r.status, ctx).toBe(0);
      break;
    case 'dupHeader':
      break; // SPEC is silent: 0 (first column wins), 1 or 2 are all fine, with a message
    case 'ragged':
    case 'strayQuote':
    case 'emptyId':
      expect(r.status, ctx).toBe(1);
      named(c.row);
      break;
    case 'unclosedQuote':
      expect(r.status, ctx).toBe(1);
      named(c.row);
      break;
    case 'dupId':
      expect(r.status, ctx).toBe(1);
      named(Math.max(c.a, c.b));
      expect(r.stderr, ctx).toContain(String(t.lineOf[Math.min(c.a, c.b)]));
      break;
    case 'empty':
      expect(r.status, ctx).toBe(1);
      break;
    case 'noIdColumn':
      expect(r.status, ctx).toBe(2);
      expect(r.stderr, 'lists the columns present' + ctx).toContain('ident, email, name');
      break;
  }
  if (r.status !== 0) return;
  const man = JSON.parse(readFileSync(join(dir, 'm.json'), 'utf8'));
  const k = man.counts;
  expect(k, ctx).toMatchObject({ read: 4, rejected: 1 });
  expect(k.rejected + k.out_of_window + k.attributed + k.unmatched + k.ambiguous, ctx).toBe(k.read);
  expect(accounting(r.stderr)?.read, ctx).toBe(4);
  const users = man.inputs.find((i: { role: string }) => i.role === 'users');
  expect(users.records, 'users read' + ctx).toBe(t.n);
  if (c.t === 'dupHeader') return;
  const affected = r.stdout
    .trimEnd()
    .split('\n')
    .slice(1)
    .map((l) => l.split(',')[0]);
  expect(affected, ctx).toEqual(['u_1', 'u_2'].filter((u) => Number(u.slice(2)) <= t.n));
}

describe('users tables (property)', () => {
  it(
    'a readable table runs; an unreadable one is a clear error naming file and line',
    () => {
      checkProperty(
        'users',
        fc.property(tableArb, (m) => void inCase(root, (dir) => checkTable(dir, m))),
        30,
      );
    },
    timeout(30),
  );
});
