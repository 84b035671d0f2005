import { jsonSafe, noControls, visible } from '../core/text.js';

/**
 * One writer per output format (SPEC §5). A row is a list of cells; a list cell is joined
 * with `;` in CSV/TSV/table and stays an array in JSON/NDJSON.
 */
/** Objects only reach JSON/NDJSON output (structured notification bases). */
export type Cell = string | number | null | string[] | Array<Record<string, unknown>>;
export type Format = 'csv' | 'tsv' | 'json' | 'ndjson' | 'table';
export const FORMATS: readonly Format[] = ['csv', 'tsv', 'json', 'ndjson', 'table'];

const PLAIN_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const RISKY_START = /^[=+\-@\t\r]/;

/**
 * A cell a spreadsheet would run as a formula gets a leading `'` (SPEC §5): vendor data is
 * attacker-controlled, since anyone with the public project token can send events.
 */
export function neutralize(s: string): string {
  return RISKY_START.test(s) && !PLAIN_NUMBER.test(s) ? "'" + s : s;
}

function text(c: Cell): string {
  if (c === null) return '';
  if (Array.isArray(c))
    return c.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join(';');
  return typeof c === 'number' ? String(c) : c;
}

// Controls are shown as `\u001b` (core/text.ts): no file of ours carries one raw, so a cell
// never holds a line end and `cat` never runs an escape sequence planted in vendor data.
function csvCell(c: Cell): string {
  let s = text(c);
  if (!CSV_SPECIAL.test(s)) return neutralize(s);
  s = neutralize(visible(s));
  return /[",]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
}

const CSV_SPECIAL =
  /[",\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

// TSV cannot quote: tabs, newlines and backslashes are escaped the way `linear TSV` does.
function tsvCell(c: Cell): string {
  const s = neutralize(text(c)).replace(/[\\\t\n\r]/g, (ch) =>
    ch === '\\' ? '\\\\' : ch === '\t' ? '\\t' : ch === '\n' ? '\\n' : '\\r',
  );
  return visible(s);
}

/** One data row as a line, for writers that stream (no header, no JSON brackets). */
export function renderRow(
  format: Format,
  columns: readonly string[],
  row: readonly Cell[],
): string {
  switch (format) {
    case 'tsv':
      return row.map(tsvCell).join('\t') + '\n';
    case 'ndjson':
    case 'json':
      return jsonSafe(JSON.stringify(toObject(columns, row))) + '\n';
    default:
      return row.map(csvCell).join(',') + '\n';
  }
}

/** For --format table: which columns give way first when the terminal is narrow, down to what width. */
export type ShrinkOrder = ReadonlyArray<[column: string, min: number]>;

export function render(
  format: Format,
  columns: readonly string[],
  rows: readonly Cell[][],
  width = 100,
  shrink: ShrinkOrder = [],
): string {
  switch (format) {
    case 'csv':
      return (
        [columns.map(csvCell).join(','), ...rows.map((r) => r.map(csvCell).join(','))].join('\n') +
        '\n'
      );
    case 'tsv':
      return (
        [columns.map(tsvCell).join('\t'), ...rows.map((r) => r.map(tsvCell).join('\t'))].join(
          '\n',
        ) + '\n'
      );
    case 'json':
      return rows.length === 0
        ? '[]\n'
        : '[\n' +
            rows.map((r) => '  ' + jsonSafe(JSON.stringify(toObject(columns, r)))).join(',\n') +
            '\n]\n';
    case 'ndjson':
      return rows.map((r) => jsonSafe(JSON.stringify(toObject(columns, r))) + '\n').join('');
    case 'table':
      return renderTable(columns, rows, width, shrink);
  }
}

function toObject(columns: readonly string[], row: readonly Cell[]): Record<string, Cell> {
  const o: Record<string, Cell> = {};
  columns.forEach((c, i) => (o[c] = row[i] ?? null));
  return o;
}

/**
 * Aligned columns for a human, fitted to the terminal width: long text and list columns shrink
 * first (lists keep a count of what was cut, `$browser;$city;… (+7)`), short columns never do.
 * Control characters are shown as `?` so that no value can drive the terminal.
 */
function renderTable(
  columns: readonly string[],
  rows: readonly Cell[][],
  width: number,
  shrink: ShrinkOrder,
): string {
  const widths = columns.map((c, i) =>
    Math.max(c.length, ...rows.map((r) => plain(r[i] ?? null).length)),
  );
  const total = () => widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1);
  // Named columns give way in order; then any column wider than 16, widest first.
  const order: ShrinkOrder = [...shrink, ...columns.map((c): [string, number] => [c, 16])];
  for (const [name, min] of order) {
    const i = columns.indexOf(name);
    if (i < 0) continue;
    const excess = total() - width;
    if (excess <= 0) break;
    // Never below the header's own width: a cut header leaves the reader guessing.
    widths[i] = Math.max(Math.min(Math.max(min, name.length), widths[i]!), widths[i]! - excess);
  }
  const line = (cells: string[]) =>
    cells
      .map((s, i) => s.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return (
    [
      line(columns.map((c, i) => fitText(c, widths[i]!))),
      line(widths.map((w) => '-'.repeat(w))),
      ...rows.map((r) =>
        line(
          r.map((c, i) =>
            Array.isArray(c)
              ? fitList(
                  c.map((x) => noControls(typeof x === 'string' ? x : JSON.stringify(x))),
                  widths[i]!,
                )
              : fitText(plain(c), widths[i]!),
          ),
        ),
      ),
    ].join('\n') + '\n'
  );
}

function plain(c: Cell): string {
  return noControls(text(c));
}

function fitText(s: string, w: number): string {
  return s.length > w ? s.slice(0, w - 1) + '…' : s;
}

function fitList(items: string[], w: number): string {
  const all = items.join(';');
  if (all.length <= w) return all;
  for (let k = items.length - 1; k >= 0; k--) {
    const s = (k > 0 ? items.slice(0, k).join(';') + ';' : '') + `… (+${items.length - k})`;
    if (s.length <= w) return s;
  }
  return fitText(`(${items.length})`, w);
}
