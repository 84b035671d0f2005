/**
 * Regressions (#6): what the property tests of issue 6 found, each shrunk to a small reproduction
 * that asserts the correct behaviour. All are fixed in src/; the properties exercise their
 * triggers again too (no carve-outs left in gen.ts, accounting, users or hostile tests), and
 * these tests pin each one down in a form that fails plainly if it comes back.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { controlAt, crashSigns, deepText, inCase, tempRoot, run } from './gen.js';

const root = tempRoot('regressions');
afterAll(() => root.cleanup());

const USERS = 'id,email\nu_1,user1@example.com\nu_2,user2@example.com\n';
const ev = (id: string, t = 1762600000) =>
  JSON.stringify({ event: 'a', properties: { time: t, distinct_id: id } });

/** Runs correlate on `files` (name → content) with the standard users table; returns run + manifest. */
function correlate(dir: string, files: Record<string, string | Buffer>, extra: string[] = []) {
  writeFileSync(join(dir, 'users.csv'), USERS);
  for (const [n, c] of Object.entries(files)) writeFileSync(join(dir, n), c);
  const args = [
    'correlate',
    ...Object.keys(files).flatMap((n) => ['--export', n]),
    '--users',
    'users.csv',
    '--manifest',
    'm.json',
    '--rejects',
    'r.csv',
    ...extra,
  ];
  const r = run(args, { cwd: dir });
  let m: { counts: Record<string, number> } | undefined;
  try {
    m = JSON.parse(readFileSync(join(dir, 'm.json'), 'utf8'));
  } catch {
    // no manifest: the run failed
  }
  return { r, m };
}

describe('regressions (#6): first forms, fixed while the tests were written', () => {
  // Regression (#6) A, first forms: a truncated first line followed by NDJSON records; a first line
  // longer than the first 1 MiB read chunk, ending there on ",". Both were read as ONE document.
  it('A: a truncated first line followed by NDJSON records: one record per line', () =>
    inCase(root, (dir) => {
      const { r, m } = correlate(dir, {
        'e.ndjson':
          ['{"event":"a","properties":{"time":1762600000,', ev('u_1'), ev('u_2')].join('\n') + '\n',
      });
      expect(r.status).toBe(0);
      expect(m!.counts).toMatchObject({ read: 3, rejected: 1, attributed: 2 });
    }));

  it(
    'A: a first line longer than 1 MiB whose first chunk ends on ",": one record per line',
    () =>
      inCase(root, (dir) => {
        const head = '{"event":"a","properties":{"time":1762600000,"distinct_id":"u_1","pad":[';
        const long = head + '1,'.repeat(((1 << 20) - head.length) / 2 + 10) + '1]}}';
        expect(long[(1 << 20) - 1]).toBe(','); // the first chunk ends on ","
        const { r, m } = correlate(dir, { 'e.ndjson': [long, ev('u_2')].join('\n') + '\n' });
        expect(r.status).toBe(0);
        expect(m!.counts).toMatchObject({ read: 2, rejected: 0, attributed: 2 });
      }),
    60_000,
  );

  // Regression (#6) B, first forms: whatever followed a top-level JSON array was ignored without a
  // word.
  it('B: NDJSON lines after a first line that is a JSON array are read', () =>
    inCase(root, (dir) => {
      const { m } = correlate(dir, { 'e.ndjson': ['[1]', ev('u_1'), ev('u_2')].join('\n') + '\n' });
      expect(m!.counts).toMatchObject({ read: 3, rejected: 1, attributed: 2 });
    }));

  it('B: text after the closing bracket of a JSON array is a reject, not ignored', () =>
    inCase(root, (dir) => {
      const { m } = correlate(dir, { 'e.json': `[${ev('u_1')}] trailing garbage\n` });
      expect(m!.counts).toMatchObject({ read: 2, rejected: 1, attributed: 1 });
    }));
});

describe('regressions (#6)', () => {
  // Regression (#6) A — src/io/read-export.ts containerOf()/looksLikeDocumentStart(): the first line
  // of an NDJSON file is cut (a truncated record) and ends with `,`, and the next line is not a `{`
  // record (here a junk line) — so the file is taken for a pretty-printed JSON document and the
  // whole file becomes ONE reject: the two good records after it are lost (read 1, attributed 0; the
  // reject's text is cut at 1 KiB). Expected: 4 records (2 rejected, 2 attributed), as for any other
  // bad line. (With a `{` record on line 2 this was fixed while the tests were written.)
  it('A: an NDJSON file whose first line is truncated after "," still has one record per line', () =>
    inCase(root, (dir) => {
      const { r, m } = correlate(dir, {
        'e.ndjson':
          ['{"event":"a","properties":{"time":1762600000,', 'not json', ev('u_1'), ev('u_2')].join(
            '\n',
          ) + '\n',
      });
      expect(r.status).toBe(0);
      expect(m!.counts).toMatchObject({ read: 4, rejected: 2, attributed: 2 });
    }));

  // Regression (#6) B — src/io/json-records.ts ArraySplitter: two JSON arrays concatenated (`cat
  // day1.json day2.json > all.json`). Found as a silent drop of the second array (read 1, rejected
  // 0); since then the text after the first array is read line by line, so the second array is one
  // reject ("not a JSON object") — reported, but its events are attributed to no one. Expected (SPEC
  // §3: every array element is one record): the second array's elements are records too.
  it('B: two JSON arrays concatenated: the elements of the second one are records', () =>
    inCase(root, (dir) => {
      const { r, m } = correlate(dir, { 'all.json': `[${ev('u_1')}]\n[${ev('u_2')}]\n` });
      expect(r.status).toBe(0);
      expect(m!.counts).toMatchObject({ read: 2, attributed: 2 });
    }));

  // Regression (#6) C — src/app/scan.ts, `one(el, line, () => JSON.stringify(el))`: a rejected
  // element of a one-line Engage page is re-serialised for the rejects file; at 5000 levels of
  // nesting that overflows the stack: "internal error: Maximum call stack size exceeded", exit 1, no
  // output. Expected: the element is a reject (its text cut at 1 KiB), the run completes.
  it('C: a deeply nested element of a one-line Engage page is a reject, not a crash', () =>
    inCase(root, (dir) => {
      const page = `{"results":[${deepText('A', 5000)},${JSON.stringify({ $distinct_id: 'u_1', $properties: {} })}]}\n`;
      const { r, m } = correlate(dir, { 'people.json': page });
      expect(crashSigns(r.stderr)).toEqual([]);
      expect(r.status).toBe(0);
      expect(m!.counts).toMatchObject({ read: 2, rejected: 1, attributed: 1 });
    }));

  // Regression (#6) D — src/core/time.ts epochToMs/formatIso: a numeric `time` beyond the Date range
  // (|t| ≥ ~8.64e18, read as µs → > 8.64e15 ms) is kept as a finite time; formatting first_seen then
  // throws RangeError: "internal error: Invalid time value", exit 1, nothing written. Expected: an
  // unrepresentable time is not a readable time (SPEC §8: no crash on malformed input).
  it('D: correlate survives an event time of 1e19', () =>
    inCase(root, (dir) => {
      const { r, m } = correlate(dir, { 'e.ndjson': ev('u_1', 1e19) + '\n' + ev('u_2') + '\n' });
      expect(crashSigns(r.stderr)).toEqual([]);
      expect(r.status).toBe(0);
      expect(m!.counts.read).toBe(2);
    }));

  it('D: inspect survives an event time of -1e19', () =>
    inCase(root, (dir) => {
      writeFileSync(join(dir, 'e.ndjson'), ev('u_1', -1e19) + '\n');
      const r = run(['inspect', '--export', 'e.ndjson'], { cwd: dir });
      expect(crashSigns(r.stderr)).toEqual([]);
      expect(r.status).toBe(0);
    }));

  // Regression (#6) E — src/app/inspect.ts, `JSON.stringify(v)` of every object-valued field: a
  // property nested 5000 levels deep overflows the stack: "internal error: Maximum call stack size
  // exceeded", exit 1. (correlate reads the same file fine.)
  it('E: inspect survives a property nested 5000 levels deep', () =>
    inCase(root, (dir) => {
      writeFileSync(
        join(dir, 'e.ndjson'),
        ev('u_1').replace('"time"', `"deep":${deepText('O', 5000)},"time"`) + '\n',
      );
      const r = run(['inspect', '--export', 'e.ndjson'], { cwd: dir });
      expect(crashSigns(r.stderr)).toEqual([]);
      expect(r.status).toBe(0);
    }));

  // Regression (#6) F — src/io/read-table.ts (csv-parse's CSV_QUOTE_NOT_CLOSED `lines`): a quoted
  // field opened on line 2 and never closed is reported at the END of the file (`users.csv:5:1`), so
  // in a million-row table the responder is sent to the last line. Expected: the line where the
  // unclosed quote opens.
  it('F: an unclosed quote is reported on the line where it opens', () =>
    inCase(root, (dir) => {
      writeFileSync(
        join(dir, 'users.csv'),
        'id,email\nu_1,"user1@example.com\nu_2,user2@example.com\nu_3,c@example.com\nu_4,d@example.com\n',
      );
      writeFileSync(join(dir, 'e.ndjson'), ev('u_1') + '\n');
      const r = run(['correlate', '--export', 'e.ndjson', '--users', 'users.csv'], { cwd: dir });
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/users\.csv:2\b/);
    }));

  // Regression (#6) G — src/io/read-table.ts locateCsvError (csv-parse `info.lines`/`lines`): in a
  // CRLF file, each quoted field holding a CRLF before a malformed row moves the reported line one
  // further down: the stray quote on line 4 is reported as `users.csv:5:1`. (LF files are right.)
  it('G: CRLF + a quoted multi-line field: a malformed row is reported on its own line', () =>
    inCase(root, (dir) => {
      writeFileSync(
        join(dir, 'users.csv'),
        'id,email,name\r\nu_1,user1@example.com,"Name 1\r\nsecond line"\r\nu_2,"user2"@example.com",Name 2\r\n',
      );
      writeFileSync(join(dir, 'e.ndjson'), ev('u_1') + '\n');
      const r = run(['correlate', '--export', 'e.ndjson', '--users', 'users.csv'], { cwd: dir });
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/users\.csv:4\b/);
    }));

  // Regression (#6) H — src/term.ts safe() keeps \t and \n (its class is
  // [\0-\x08\x0b-\x1f\x7f-\x9f]), and inspect's text report (src/cli/commands/inspect.ts) prints
  // event and field names through it: a vendor-controlled name with "\n" forges whole lines of the
  // report ("FORGED  1" reads as an event with 1 record), and TAB breaks the columns. Expected: no
  // control character from vendor data reaches the terminal (shown as `?`, as --format table does).
  it('H: inspect shows no TAB or LF from event and field names', () =>
    inCase(root, (dir) => {
      writeFileSync(
        join(dir, 'e.ndjson'),
        JSON.stringify({
          event: 'a\tb\nFORGED',
          properties: { time: 1, distinct_id: 'u_1', 'k\nFORGED2': 'v' },
        }) + '\n',
      );
      const r = run(['inspect', '--export', 'e.ndjson'], { cwd: dir });
      expect(r.status).toBe(0);
      expect(r.stdout).not.toMatch(/^FORGED/m);
      expect(controlAt(r.stdout)).toBeUndefined();
    }));

  // Regression (#6) H, on stderr: the same safe() writes the export's file name in the log lines
  // ("vendor: mixpanel (auto-detected in FILE)", warnings): a file named "x\nFORGED" in the vendor's
  // dump starts a line of its own in the summary (and a TAB in a name reaches the terminal as is).
  it('H: a file name with a line feed does not start a line of its own on stderr', () =>
    inCase(root, (dir) => {
      const { r } = correlate(dir, { 'x\nFORGED\t.ndjson': ev('u_1') + '\n' });
      expect(r.status).toBe(0);
      expect(r.stderr).not.toMatch(/^FORGED/m);
      expect(controlAt(r.stderr)).toBeUndefined();
    }));

  // Regression (#6) I — src/core/explain.ts render(), written raw by src/cli/commands/correlate.ts
  // (`process.stderr.write(report.result.explanation)`): --explain prints vendor ids, device keys
  // and file names without safe(): an attacker's `$device_id` "\e]0;pwned\a\e[31m" retitles the
  // responder's terminal window and turns it red. Expected: no control character on stderr.
  it('I: --explain shows no escape sequence from vendor ids', () =>
    inCase(root, (dir) => {
      const dev = '\u001b]0;pwned\u0007\u001b[31mRED';
      const lines = [
        JSON.stringify({
          event: 'a',
          properties: { time: 1762600000, distinct_id: 'u_1', $device_id: dev },
        }),
        JSON.stringify({
          event: 'a',
          properties: { time: 1762600001, distinct_id: 'anon', $device_id: dev },
        }),
      ];
      const { r } = correlate(dir, { 'e.ndjson': lines.join('\n') + '\n' }, ['--explain', 'u_1']);
      expect(r.status).toBe(0);
      expect(r.stderr).toContain('explain u_1');
      expect(controlAt(r.stderr)).toBeUndefined();
    }));

  // Regression (#6) J — src/io/read-table.ts readCsvTable: when the header row itself is malformed
  // (a quote never closed), `sink([])` runs before the malformed-row check, so the run stops with a
  // usage error about columns: "users.csv: no user id column …; columns present: (none)", exit 2, no
  // line. Expected: exit 1 and the line of the bad quote, like any other malformed row.
  it('J: a quote never closed in the header is an input error naming line 1', () =>
    inCase(root, (dir) => {
      writeFileSync(join(dir, 'users.csv'), 'id,"email,name\nu_1,user1@example.com,Name 1\n');
      writeFileSync(join(dir, 'e.ndjson'), ev('u_1') + '\n');
      const r = run(['correlate', '--export', 'e.ndjson', '--users', 'users.csv'], { cwd: dir });
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/users\.csv:1\b/);
    }));

  // Regression (#6) K — src/io/read-export.ts containerOf(), the CSV sniffing added for CSV exports:
  // an NDJSON file whose first line does not start with `{`/`[` but holds a comma is read as CSV.
  // The first line becomes a header (no record, no reject), and the JSON lines after it become CSV
  // rows. With a NUL byte before the first record, the header's quoted "field" swallows every line:
  // read 0, rejected 0 — three events vanish with only "the export holds no records". Expected: one
  // record per line (SPEC §3), the bad one rejected.
  it('K: an NDJSON file whose first record starts with a NUL byte: one record per line', () =>
    inCase(root, (dir) => {
      const { r, m } = correlate(
        dir,
        { 'e.ndjson': '\u0000' + [ev('u_1'), ev('u_2'), ev('u_1', 1762600001)].join('\n') + '\n' },
        ['--vendor', 'mixpanel'],
      );
      expect(r.status).toBe(0);
      expect(m!.counts).toMatchObject({ read: 3, rejected: 1, attributed: 2 });
    }));

  // Regression (#6) K, second form: a stray first line with a comma ("oops, a stray line") makes the
  // two good NDJSON records after it one "malformed CSV row" reject: read 1, attributed 0.
  it('K: an NDJSON file after a stray first line with a comma: one record per line', () =>
    inCase(root, (dir) => {
      const { r, m } = correlate(
        dir,
        { 'e.ndjson': ['oops, a stray line', ev('u_1'), ev('u_2')].join('\n') + '\n' },
        ['--vendor', 'mixpanel'],
      );
      expect(r.status).toBe(0);
      expect(m!.counts).toMatchObject({ read: 3, rejected: 1, attributed: 2 });
    }));
});

// Found once the first round's guards were lifted, and fixed in src/ (an element of a document is
// one record; --explain cleans each value; the container waits for the next line's first byte).
// The generators exercise L and M again; N needs a 1 MiB first line, so it is tested here only.
describe('found since, and fixed (#6)', () => {
  // Bug L — src/app/scan.ts, readExport's sink: `if (Array.isArray(raw) && raw.length > 0)` spreads
  // every JSON array it is handed into records. It is meant for NDJSON lines (`[e1]\n[e2]`), but
  // the sink cannot tell a line from an element: ArraySplitter hands it each element of a JSON
  // array document and of a pretty-printed Engage page's `results` too. So an element that is
  // itself an array is read as several records: `[[1,2],e]` is read 3, rejected 2 (both at line
  // 2, texts "1" and "2"), and `[[e1,e2]]` attributes e1 and e2. The same element in a one-line
  // Engage page is one record ("not a JSON object", text "[1,2]"), and so is it on an NDJSON line
  // — but not on the FIRST line, which ArraySplitter reads: `[[1,2]]\n[[1,2]]` is 3 records.
  // Expected (SPEC §3: each element of the array is one record): the element [1,2] is one reject.
  it('L: an array element of a JSON array document is one record', () =>
    inCase(root, (dir) => {
      const { r, m } = correlate(dir, { 'e.json': `[\n  [1,2],\n  ${ev('u_1')}\n]\n` }, [
        '--vendor',
        'mixpanel',
      ]);
      expect(r.status).toBe(0);
      expect(m!.counts).toMatchObject({ read: 2, rejected: 1, attributed: 1 });
    }));

  it('L: an array element of a pretty-printed Engage page is one record, as on a one-line page', () =>
    inCase(root, (dir) => {
      const p = JSON.stringify({ $distinct_id: 'u_1', $properties: {} });
      const { m } = correlate(
        dir,
        {
          'pretty.json': `{\n  "results": [\n    [1,2],\n    ${p}\n  ]\n}\n`,
          'line.json': `{"results":[[1,2],${p}]}\n`,
        },
        ['--vendor', 'mixpanel'],
      );
      expect(m!.counts).toMatchObject({ read: 4, rejected: 2, attributed: 2 });
    }));

  it('L: an array inside the array on the first NDJSON line is one record, as on any other line', () =>
    inCase(root, (dir) => {
      const { m } = correlate(dir, { 'e.ndjson': `[[1,2],${ev('u_1')}]\n[[1,2],${ev('u_2')}]\n` }, [
        '--vendor',
        'mixpanel',
      ]);
      expect(m!.counts).toMatchObject({ read: 4, rejected: 2, attributed: 2 });
    }));

  // Bug M — src/cli/commands/correlate.ts:80 `safeLines(report.result.explanation)` (src/term.ts):
  // the --explain report (src/core/explain.ts render()) is built with raw user ids, vendor ids,
  // device keys and file names, then split on "\n", each piece made safe, and joined with "\n"
  // again — so a LF inside any of those values survives and starts a line of its own, as bug H
  // did for file names: a `$device_id` "d1\nFORGED  1 record" prints `FORGED  1 record` at the
  // start of a stderr line (twice: in "ids:" and in "session: … on device"). Other controls
  // are gone (TAB shows as "?"). Expected: values are made safe before they are joined into lines.
  it('M: --explain shows no line started by a vendor id', () =>
    inCase(root, (dir) => {
      const dev = 'd1\nFORGED  1 record';
      const lines = [
        JSON.stringify({
          event: 'a',
          properties: { time: 1762600000, distinct_id: 'u_1', $device_id: dev },
        }),
        JSON.stringify({
          event: 'a',
          properties: { time: 1762600001, distinct_id: 'anon', $device_id: dev },
        }),
      ];
      const { r } = correlate(dir, { 'e.ndjson': lines.join('\n') + '\n' }, ['--explain', 'u_1']);
      expect(r.status).toBe(0);
      expect(r.stderr).toContain('explain u_1');
      expect(controlAt(r.stderr)).toBeUndefined();
      expect(r.stderr).not.toMatch(/^FORGED/m);
    }));

  // Bug N — src/io/read-export.ts decidable(): a first line that does not start with `{` is
  // decided as soon as its line end is in hand (`if (b[s] !== 0x7b || …) return true`), but
  // containerOf() then needs the START OF THE NEXT LINE to tell a CSV header from a damaged
  // NDJSON line (bug K's fix). When the first line and its LF fill the first read chunk exactly
  // (1 MiB from a file or from gunzip; 64 KiB from stdin, pipe or redirect), the next line is not
  // in hand yet, so a stray first line with a comma makes the file a CSV export again, as bug K
  // did: here read 1, rejected 1 ("malformed CSV row", line 2), attributed 0; one byte shorter,
  // read 3, attributed 2. (A first line longer than 1 MiB is decided without its next line too.)
  // Expected: one record per line, wherever the chunks end.
  it(
    'N: a stray first line with a comma that fills the first 1 MiB chunk: one record per line',
    () =>
      inCase(root, (dir) => {
        const MB = 1 << 20;
        const first = 'oops, a stray line'.padEnd(MB - 1, ' '); // + LF: exactly the first chunk
        const { r, m } = correlate(
          dir,
          { 'e.ndjson': [first, ev('u_1'), ev('u_2')].join('\n') + '\n' },
          ['--vendor', 'mixpanel'],
        );
        expect(r.status).toBe(0);
        expect(m!.counts).toMatchObject({ read: 3, rejected: 1, attributed: 2 });
      }),
    60_000,
  );
});
