/**
 * A users table is parsed in pieces cut between rows (io/read-table.ts): the rows, their cells
 * and their line numbers must be exactly the whole table's, for any quoting, line ending and
 * piece size; where a cut cannot be proven safe (lenient quotes), rowCuts says so.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvRows, newlineOf, rowCuts, type CsvRow } from '../../src/io/csv.js';

type Row = { cells: string[]; line: number; malformed: boolean };

function rowsOf(
  text: string,
  delimiter: string,
  newline: '\n' | '\r\n' | '\r',
  firstLine = 1,
  out: Row[] = [],
): Row[] {
  csvRows(
    text,
    delimiter,
    (r: CsvRow) => void out.push({ cells: r.cells, line: r.line, malformed: r.malformed }),
    firstLine,
    newline,
  );
  return out;
}

function piecewise(buf: Buffer, delimiter: string, size: number): Row[] | undefined {
  const newline = newlineOf(buf.toString('utf8'), delimiter);
  if (newline === '\r') return undefined;
  const cuts = rowCuts(buf, delimiter.charCodeAt(0), newline === '\r\n', size);
  if (cuts === undefined) return undefined;
  const out: Row[] = [];
  let from = 0;
  let line = 1;
  for (const to of cuts) {
    rowsOf(buf.toString('utf8', from, to), delimiter, newline, line, out);
    for (let i = buf.indexOf(0x0a, from); i >= 0 && i < to; i = buf.indexOf(0x0a, i + 1)) line++;
    from = to;
  }
  return out;
}

const value = fc.oneof(
  fc.constantFrom('', 'a', 'Zoë', 'x y', '12', 'ü@example.com', '名前'),
  fc.string({
    unit: fc.constantFrom('a', ',', '"', '\n', '\r', ' ', 'é', ';', '\t'),
    maxLength: 8,
  }),
);

/** A cell as a writer would put it: quoted when it must be, sometimes quoted anyway. */
const cell = fc
  .tuple(value, fc.boolean())
  .map(([v, q]) => (q || /[",\n\r;\t]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v));

describe('users table in pieces', () => {
  it("well-formed tables: pieces give the whole table's rows, cells and lines, at any piece size", () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(cell, { minLength: 3, maxLength: 3 }), { minLength: 1, maxLength: 30 }),
        fc.constantFrom('\n', '\r\n'),
        fc.integer({ min: 1, max: 64 }),
        fc.boolean(),
        (rows, eol, size, blankLines) => {
          const lines = ['id,email,name', ...rows.map((r) => r.join(','))];
          const text = lines.join(blankLines ? eol + eol : eol) + eol;
          const buf = Buffer.from(text);
          const newline = newlineOf(text, ',');
          const whole = rowsOf(text, ',', newline);
          const pieces = piecewise(buf, ',', size);
          expect(pieces).toBeDefined(); // a well-formed table always cuts
          expect(pieces).toEqual(whole);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('any text: when rowCuts cuts, the pieces read as the whole does', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('a', ',', '"', '\n', '\r', ' ', 'é'), maxLength: 200 }),
        fc.integer({ min: 1, max: 40 }),
        (text, size) => {
          const buf = Buffer.from(text);
          const pieces = piecewise(buf, ',', size);
          if (pieces === undefined) return;
          expect(pieces).toEqual(rowsOf(text, ',', newlineOf(text, ',')));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('lenient quotes are not cut: a stray quote, text after a closing quote, a quote never closed', () => {
    for (const t of [
      'id,name\n1,5\'11"\n2,b\n',
      'id,name\n1,"a"b\n2,c\n',
      'id,name\n1,"a\n2,c\n',
      'id,name\n1,"a" \n',
    ]) {
      expect(rowCuts(Buffer.from(t), 0x2c, false, 1), JSON.stringify(t)).toBeUndefined();
    }
  });

  it('cuts only outside quotes and at the line ends papaparse uses', () => {
    const t = 'id,name\n1,"two\nlines"\n2,x\n';
    expect(rowCuts(Buffer.from(t), 0x2c, false, 1)).toEqual([8, 22, 26]);
    // With CRLF rows a lone LF is part of a value: no cut after it.
    const c = 'id,name\r\n1,a\nb\r\n2,x\r\n';
    expect(rowCuts(Buffer.from(c), 0x2c, true, 1)).toEqual([9, 16, 21]);
  });
});
