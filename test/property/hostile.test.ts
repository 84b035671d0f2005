/**
 * Issue 6, hostile values: anyone holding a project's public token can send events with any
 * property names and values. Formulas, ANSI/OSC escapes, C1 controls, newlines, CR, tabs, `;`,
 * `,` and `"` in user ids, emails, user columns, vendor ids, property names, event names, junk
 * lines and even the export's file name must never break the CSV/TSV structure (§5), never become
 * a spreadsheet formula, and never reach a terminal as control characters (summary, --explain,
 * --format table, inspect).
 */
import fc from 'fast-check';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Run } from '../cli/run.js';
import {
  checkProperty,
  controlAt,
  crashSigns,
  formulaCell,
  inCase,
  leftovers,
  asWritten,
  parseCsv,
  tempRoot,
  timeout,
  run,
} from './gen.js';

const root = tempRoot('hostile');
afterAll(() => root.cleanup());

export const PIECES = [
  '=',
  '+',
  '-',
  '@',
  '=1+1',
  '=HYPERLINK("http://evil.example/?x=1","click")',
  "+cmd|' /C calc'!A0",
  '-2+3',
  '@SUM(A1:A2)',
  '\t',
  '\r',
  '\n',
  '\r\n',
  ';',
  ',',
  '"',
  "'",
  '\u001b[31m',
  '\u001b]0;title\u0007',
  '\u001b[2J',
  '\u009b31m',
  '\u0085',
  '\u0007',
  '\u0000',
  '\u007f',
  '\u2028',
  '\u202e',
  ' ',
  'a',
  'é',
  '1',
  '-1',
  '+1.5e3',
  '\ud800',
  '\\',
  '|',
  '$',
  'email',
  '#',
  // A line break then a sentinel: no output line may start with it. (The `z` keeps trimming from
  // turning the value itself into a legitimate line start, e.g. a user id "FORGED" in a table.)
  'z\nFORGED',
  'z\r\nFORGED',
];

/** A hostile string: 1–5 pieces. */
export const hostile = (pieces = PIECES) =>
  fc
    .array(
      fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom(...pieces) },
        { weight: 1, arbitrary: fc.string({ maxLength: 3 }) },
      ),
      { minLength: 1, maxLength: 5 },
    )
    .map((a) => a.join(''));

/** As the tool sees a string after a UTF-8 round trip (lone surrogates become U+FFFD). */
const utf8 = (s: string) => Buffer.from(s, 'utf8').toString('utf8');

const NO_NUL = PIECES.filter((p) => !p.includes('\u0000'));
// File names: anything but NUL and `/` (LF, TAB, CR, ESC … included: they reach stderr, the
// rejects file and --explain's file:line, and must come out harmless everywhere).
const FILE_SAFE = PIECES.filter((p) => !/[\u0000/]/.test(p));

interface HostileCase {
  users: Array<{ id: string; email: string; name: string; note: string }>;
  events: Array<{
    who: number;
    other?: number;
    stranger?: string;
    name: string;
    props: Array<[string, string]>;
    email?: string;
  }>;
  profiles: Array<{ id: string; props: Array<[string, string]> }>;
  junk: string[];
  file: string;
  explain: number; // --explain the id of this user (modulo the users)
}

const userArb = fc.record({
  id: hostile(NO_NUL),
  email: fc.oneof(
    hostile(NO_NUL),
    hostile(NO_NUL).map((s) => `${s}@example.com`),
  ),
  name: hostile(),
  note: hostile(),
});
const propsArb = fc.array(fc.tuple(hostile(), hostile()), { maxLength: 3 });

const caseArb: fc.Arbitrary<HostileCase> = fc.record({
  users: fc
    .uniqueArray(userArb, { minLength: 1, maxLength: 3, selector: (u) => utf8(u.id).trim() })
    .filter((us) => us.every((u) => utf8(u.id).trim() !== '')),
  events: fc.array(
    fc.record(
      {
        who: fc.nat(2),
        other: fc.nat(2),
        stranger: hostile(),
        name: hostile(),
        props: propsArb,
        email: hostile().map((s) => `x${s}@${s}.example`),
      },
      { requiredKeys: ['who', 'name', 'props'] },
    ),
    { minLength: 1, maxLength: 6 },
  ),
  profiles: fc.array(fc.record({ id: hostile(), props: propsArb }), { maxLength: 2 }),
  junk: fc.array(hostile(), { maxLength: 3 }),
  file: hostile(FILE_SAFE).map((s) => s.replace(/[/\u0000]/g, '_').slice(0, 60) + '.ndjson'),
  explain: fc.nat(2),
});

function csvQuoted(s: string): string {
  return '"' + s.replace(/"/g, '""') + '"';
}

function write(dir: string, c: HostileCase): { exportName: string } {
  const users =
    [
      'id,email,name,note',
      ...c.users.map((u) => [u.id, u.email, u.name, u.note].map(csvQuoted).join(',')),
    ].join('\n') + '\n';
  writeFileSync(join(dir, 'users.csv'), users);
  const lines: string[] = [];
  let t = 1762600000;
  for (const e of c.events) {
    const u = c.users[e.who % c.users.length]!;
    const props: Record<string, unknown> = {};
    for (const [k, v] of e.props)
      Object.defineProperty(props, k, {
        value: v,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    props.time = t++;
    // Attributed to a user, unmatched (a stranger's id), or ambiguous (two users' ids).
    props.distinct_id = e.stranger !== undefined ? e.stranger : u.id;
    if (e.other !== undefined && e.stranger === undefined)
      props.$user_id = c.users[e.other % c.users.length]!.id;
    if (e.email !== undefined) props.$email = e.email;
    lines.push(JSON.stringify({ event: e.name, properties: props }));
  }
  for (const p of c.profiles)
    lines.push(JSON.stringify({ $distinct_id: p.id, $properties: Object.fromEntries(p.props) }));
  lines.push(...c.junk);
  writeFileSync(join(dir, c.file), lines.join('\n') + '\n');
  return { exportName: c.file };
}

/**
 * No control character but \n, and (unless `forgedLinesOk`) no line that vendor data started
 * (`\nFORGED`).
 */
function terminalSafe(what: string, s: string, ctx: string, forgedLinesOk = false): void {
  expect(controlAt(s), `${what} holds a control character` + ctx).toBeUndefined();
  if (!forgedLinesOk)
    expect(/^FORGED/m.test(s), `${what}: vendor data starts a line of its own` + ctx).toBe(false);
}

function ran(r: Run, what: string, ctx: string, forgedLinesOk = false): void {
  const c = `\n${what}${ctx}\nstatus ${r.status}\nstderr:\n${JSON.stringify(r.stderr)}`;
  expect(crashSigns(r.stderr), c).toEqual([]);
  expect(r.status, c).toBe(0);
  terminalSafe(`${what}: stderr`, r.stderr, c, forgedLinesOk);
}

/** Every row as wide as the header, and no cell a formula. */
function checkTable(name: string, rows: string[][], ctx: string): void {
  expect(rows.length, `${name} has a header` + ctx).toBeGreaterThan(0);
  const width = rows[0]!.length;
  rows.forEach((r, i) => {
    expect(
      r.length,
      `${name} row ${i} has the header's ${width} columns: ${JSON.stringify(r)}` + ctx,
    ).toBe(width);
    for (const cell of r)
      expect(
        formulaCell(cell),
        `${name} row ${i}: a formula cell ${JSON.stringify(cell)}` + ctx,
      ).toBe(false);
  });
}

/** TSV as the tool writes it: no quoting; \t \n \r \\ escaped inside cells. */
function parseTsv(text: string): string[][] {
  expect(text.endsWith('\n')).toBe(true);
  return text
    .slice(0, -1)
    .split('\n')
    .map((l) => l.split('\t'));
}

function checkCase(dir: string, c: HostileCase): void {
  const { exportName } = write(dir, c);
  const ctx = `\ncase dir: ${dir}`;
  const base = [
    'correlate',
    '--export',
    exportName,
    '--users',
    'users.csv',
    '--user-columns',
    'name,note',
  ];

  // 1. CSV, with every side file and the manifest, and --explain for one user: its report on
  // stderr shows user ids, vendor ids, device keys and file names, all hostile: no control
  // character but \n may reach the terminal, and no value may start a line of its own.
  const explainId = utf8(c.users[c.explain % c.users.length]!.id).trim();
  const csv = run(
    [
      ...base,
      '--unmatched',
      'un.csv',
      '--ambiguous',
      'amb.csv',
      '--rejects',
      'rej.csv',
      '--manifest',
      'm.json',
      '--explain',
      explainId,
    ],
    { cwd: dir },
  );
  ran(csv, 'correlate (csv, --explain)', ctx);
  expect(csv.stderr, '--explain reports on the user' + ctx).toMatch(/^explain /m);
  const out = parseCsv(csv.stdout);
  checkTable('stdout', out, ctx);
  for (const f of ['un.csv', 'amb.csv', 'rej.csv'])
    checkTable(f, parseCsv(readFileSync(join(dir, f), 'utf8')), ctx);
  const m = JSON.parse(readFileSync(join(dir, 'm.json'), 'utf8'));
  expect(m.counts.rejected, ctx).toBeGreaterThanOrEqual(
    c.junk.filter((j) => j.trim() !== '').length > 0 ? 1 : 0,
  );
  // The user's own values come back intact, only neutralised, controls shown as \u001b (SPEC §5).
  const byId = new Map(c.users.map((u) => [asWritten(utf8(u.id).trim()), u]));
  for (const row of out.slice(1)) {
    const u = byId.get(row[0]!);
    expect(
      u,
      `user_id cell ${JSON.stringify(row[0])} is a user's id, neutralised` + ctx,
    ).toBeDefined();
    expect(row.slice(1, 4), ctx).toEqual([
      asWritten(utf8(u!.email).trim()),
      asWritten(utf8(u!.name)),
      asWritten(utf8(u!.note)),
    ]);
  }

  // 2. TSV, side files too.
  const tsv = run(
    [
      ...base,
      '--format',
      'tsv',
      '--unmatched',
      'un.tsv',
      '--ambiguous',
      'amb.tsv',
      '--rejects',
      'rej.tsv',
    ],
    { cwd: dir },
  );
  ran(tsv, 'correlate (tsv)', ctx);
  checkTable('stdout (tsv)', parseTsv(tsv.stdout), ctx);
  for (const f of ['un.tsv', 'amb.tsv', 'rej.tsv'])
    checkTable(f, parseTsv(readFileSync(join(dir, f), 'utf8')), ctx);
  expect(parseTsv(tsv.stdout).length, 'as many rows as CSV' + ctx).toBe(out.length);

  // 3. The table, for a terminal.
  const table = run([...base, '--format', 'table'], { cwd: dir, env: { COLUMNS: '300' } });
  ran(table, 'correlate (table)', ctx);
  terminalSafe('--format table', table.stdout, ctx);

  // 4. inspect, with masked examples.
  const inspect = run(['inspect', '--export', exportName, '--show-values'], { cwd: dir });
  ran(inspect, 'inspect', ctx);
  terminalSafe('inspect', inspect.stdout, ctx);

  expect(leftovers(dir), ctx).toEqual([]);
}

describe('hostile values (property)', () => {
  it(
    'never break CSV/TSV structure, never become formulas, never reach a terminal as escapes',
    () => {
      checkProperty(
        'hostile',
        fc.property(caseArb, (c) => void inCase(root, (dir) => checkCase(dir, c))),
        8,
      );
    },
    timeout(8, 3000),
  );
});
