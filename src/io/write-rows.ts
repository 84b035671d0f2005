/**
 * One writer per output format (SPEC §5). A row is a list of cells; a list cell is joined
 * with `;` in CSV/TSV/table and stays an array in JSON/NDJSON.
 */
export type Cell = string | number | null | string[];
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
  if (Array.isArray(c)) return c.join(';');
  return typeof c === 'number' ? String(c) : c;
}

function csvCell(c: Cell): string {
  const s = neutralize(text(c));
  return /[",\n\r]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
}

// TSV cannot quote: tabs, newlines and backslashes are escaped the way `linear TSV` does.
function tsvCell(c: Cell): string {
  return neutralize(text(c)).replace(/[\\\t\n\r]/g, (ch) => (ch === '\\' ? '\\\\' : ch === '\t' ? '\\t' : ch === '\n' ? '\\n' : '\\r'));
}

/** One data row as a line, for writers that stream (no header, no JSON brackets). */
export function renderRow(format: Format, columns: readonly string[], row: readonly Cell[]): string {
  switch (format) {
    case 'tsv':
      return row.map(tsvCell).join('\t') + '\n';
    case 'ndjson':
    case 'json':
      return JSON.stringify(toObject(columns, row)) + '\n';
    default:
      return row.map(csvCell).join(',') + '\n';
  }
}

export function render(format: Format, columns: readonly string[], rows: readonly Cell[][], width = 100): string {
  switch (format) {
    case 'csv':
      return [columns.map(csvCell).join(','), ...rows.map((r) => r.map(csvCell).join(','))].join('\n') + '\n';
    case 'tsv':
      return [columns.map(tsvCell).join('\t'), ...rows.map((r) => r.map(tsvCell).join('\t'))].join('\n') + '\n';
    case 'json':
      return rows.length === 0 ? '[]\n' : '[\n' + rows.map((r) => '  ' + JSON.stringify(toObject(columns, r))).join(',\n') + '\n]\n';
    case 'ndjson':
      return rows.map((r) => JSON.stringify(toObject(columns, r)) + '\n').join('');
    case 'table':
      return renderTable(columns, rows, width);
  }
}

function toObject(columns: readonly string[], row: readonly Cell[]): Record<string, Cell> {
  const o: Record<string, Cell> = {};
  columns.forEach((c, i) => (o[c] = row[i] ?? null));
  return o;
}

/** Aligned columns for a human; long lists are shortened with a count, control characters shown as `?`. */
function renderTable(columns: readonly string[], rows: readonly Cell[][], width: number): string {
  const shown = rows.map((r) => r.map((c) => shorten(c)));
  const widths = columns.map((c, i) => Math.max(c.length, ...shown.map((r) => r[i]!.length)));
  // Fit the terminal: shrink the widest columns first, never below 8 characters.
  const total = () => widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1);
  while (total() > width) {
    const i = widths.indexOf(Math.max(...widths));
    if (widths[i]! <= 8) break;
    widths[i]!--;
  }
  const fit = (s: string, w: number) => (s.length > w ? s.slice(0, w - 1) + '…' : s.padEnd(w));
  const line = (cells: string[]) => cells.map((s, i) => fit(s, widths[i]!)).join('  ').trimEnd();
  return [line([...columns]), line(widths.map((w) => '-'.repeat(w))), ...shown.map(line)].join('\n') + '\n';
}

function shorten(c: Cell): string {
  let s: string;
  if (Array.isArray(c)) {
    const max = 3;
    s = c.length > max ? c.slice(0, max).join(';') + `;… (+${c.length - max})` : c.join(';');
  } else s = text(c);
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}
