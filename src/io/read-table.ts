/**
 * An internal table (users, login sessions): CSV or TSV with a header (RFC 4180: quoted fields,
 * embedded separators, quotes and newlines; BOM; CRLF), or NDJSON objects. Read fully: it is
 * the small side of the join.
 *
 * Two CSV parsers, two jobs, chosen by measurement (1 M users, 108 MB, this machine):
 * papaparse reads the table (1.0 s; csv-parse took 5.4 s sync and 17 s streaming with line
 * info); csv-parse runs only when papaparse reports a malformed row, because its errors carry
 * the line and column a responder needs to fix the file (SPEC §7) and papaparse's carry a row
 * index only.
 */
import { parse, CsvError } from 'csv-parse';
import { csvRows, delimiterOf, newlineOf, rowCuts, type CsvRow } from './csv.js';
import { InputError } from '../errors.js';
import { isUtf8 } from 'node:buffer';
import { isParquet } from './read-parquet.js';
import { readBytes, sniffEncoding, type InputFile, type InputStats } from './open.js';

export interface Table {
  header: string[];
  rows: Array<{ cells: string[]; line: number }>;
}

/** Called once with the header; returns what takes each row (it may throw to stop the read). */
export type TableSink = (header: string[]) => (cells: string[], line: number) => void;

/** Reads a whole table into memory: for small tables (login sessions). */
export async function readTable(file: InputFile, stats: InputStats): Promise<Table> {
  const table: Table = { header: [], rows: [] };
  await streamTable(file, stats, (header) => {
    table.header = header;
    return (cells, line) => table.rows.push({ cells, line });
  });
  return table;
}

/** Reads a table row by row into `sink`, without holding the rows; returns how many there were. */
export async function streamTable(
  file: InputFile,
  stats: InputStats,
  sink: TableSink,
): Promise<number> {
  const chunks: Buffer[] = [];
  for await (const c of readBytes(file, stats)) chunks.push(c);
  let buf = Buffer.concat(chunks);
  chunks.length = 0; // the pieces are copied: at a million users they were 108 MB more at the run's peak
  if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) buf = buf.subarray(3);
  if (isParquet(buf))
    throw new InputError(
      'INPUT_BAD_TABLE',
      stats.gzip
        ? 'the table is a gzip-compressed Parquet file'
        : 'the table is a Parquet file, which only --users reads',
      { file: file.display },
      stats.gzip
        ? 'gunzip it and give the .parquet file (Parquet compresses inside the file)'
        : "write it as CSV first, e.g. with DuckDB: COPY (FROM 'in.parquet') TO 'out.csv'",
    );
  if (!isUtf8(buf)) throw notUtf8(buf, file);
  let s = 0;
  while (
    s < buf.length &&
    (buf[s] === 0x20 || buf[s] === 0x0a || buf[s] === 0x0d || buf[s] === 0x09)
  )
    s++;
  if (s >= buf.length) {
    throw new InputError(
      'INPUT_BAD_TABLE',
      'the table is empty (no header row)',
      { file: file.display },
      'the users table needs a header row naming its columns',
    );
  }
  if (buf[s] === 0x7b) {
    const t = readNdjsonTable(buf, file);
    const take = sink(t.header);
    for (const r of t.rows) take(r.cells, r.line);
    return t.rows.length;
  }
  return readCsvTable(buf, file, sink);
}

/**
 * A table that is not UTF-8 is refused (issue 13): decoded with U+FFFD in place of its accents,
 * `José@example.com` would silently match nobody. UTF-16 with a byte-order mark was decoded
 * already (io/open.ts); this names what the bytes look like and where the first bad one is.
 */
function notUtf8(buf: Buffer, file: InputFile): InputError {
  const at = firstInvalidUtf8(buf);
  let line = 1,
    lineStart = 0;
  for (let i = buf.indexOf(0x0a); i >= 0 && i < at; i = buf.indexOf(0x0a, i + 1)) {
    line++;
    lineStart = i + 1;
  }
  const column =
    Buffer.from(buf.buffer, buf.byteOffset + lineStart, at - lineStart).toString('utf8').length + 1;
  const looks = sniffEncoding(buf) ?? 'another encoding than UTF-8';
  const byte = `0x${buf[at]!.toString(16).toUpperCase().padStart(2, '0')}`;
  return new InputError(
    'INPUT_BAD_TABLE',
    `the table is not UTF-8: it looks like ${looks} (byte ${byte} is not UTF-8)`,
    { file: file.display, line, column },
    looks.startsWith('UTF-16')
      ? 'save it again as UTF-8 ("CSV UTF-8" in Excel), or with a byte-order mark'
      : 'save it again as UTF-8 ("CSV UTF-8" in Excel), or convert it: iconv -f WINDOWS-1252 -t UTF-8 in.csv > out.csv',
  );
}

/** The offset of the first byte that does not belong to a well-formed UTF-8 sequence. */
function firstInvalidUtf8(b: Buffer): number {
  for (let i = 0; i < b.length;) {
    const c = b[i]!;
    const len =
      c < 0x80
        ? 1
        : c >= 0xc2 && c < 0xe0
          ? 2
          : c >= 0xe0 && c < 0xf0
            ? 3
            : c >= 0xf0 && c < 0xf5
              ? 4
              : 0;
    if (len === 0) return i;
    if (len > 1 && !isUtf8(b.subarray(i, i + len))) return i;
    i += len;
  }
  return b.length;
}

function readNdjsonTable(buf: Buffer, file: InputFile): Table {
  const header: string[] = [];
  const index = new Map<string, number>();
  const objects: Array<{ obj: Record<string, unknown>; line: number }> = [];
  const text = buf.toString('utf8');
  let line = 0;
  for (const raw of text.split('\n')) {
    line++;
    const t = raw.trim();
    if (t === '') continue;
    let obj: unknown;
    try {
      obj = JSON.parse(t);
    } catch (e) {
      throw new InputError(
        'INPUT_BAD_TABLE',
        `invalid JSON: ${(e as Error).message}`,
        { file: file.display, line },
        'each line of an NDJSON table must be one JSON object',
        { cause: e },
      );
    }
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
      throw new InputError('INPUT_BAD_TABLE', 'line is not a JSON object', {
        file: file.display,
        line,
      });
    }
    for (const k of Object.keys(obj)) if (!index.has(k)) index.set(k, header.push(k) - 1);
    objects.push({ obj: obj as Record<string, unknown>, line });
  }
  const rows = objects.map(({ obj, line }) => ({
    cells: header.map((k) => cell(obj[k])),
    line,
  }));
  return { header, rows };
}

function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  return typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** Bytes of a table parsed at a time (see readCsvTable). */
const TABLE_PIECE = 8 << 20;

async function readCsvTable(buf: Buffer, file: InputFile, sink: TableSink): Promise<number> {
  const nl = buf.indexOf(0x0a);
  const delimiter = delimiterOf(buf.toString('utf8', 0, nl < 0 ? Math.min(buf.length, 65536) : nl));
  let header: string[] | undefined;
  let take: ((cells: string[], line: number) => void) | undefined;
  let rows = 0;
  let failure: unknown; // thrown by the sink: papaparse must not swallow it
  let malformed: { line: number; cells: number } | undefined;
  const onRow = (row: CsvRow) => {
    if (row.malformed || (header !== undefined && row.cells.length !== header.length)) {
      malformed = { line: row.line, cells: row.cells.length };
      return false;
    }
    try {
      if (header === undefined) {
        header = row.cells.map((h) => h.trim());
        take = sink(header);
      } else {
        rows++;
        take!(row.cells, row.line);
      }
    } catch (e) {
      failure = e;
      return false;
    }
  };
  // Parsed in pieces cut between rows where that reads the same as the whole: the text of the
  // whole table was 216 MB at a million users (two bytes a character once a name is not ASCII),
  // the largest thing the run held. A table papaparse must read leniently is read whole.
  const newline = newlineOf(buf.toString('utf8', 0, Math.min(buf.length, 4 << 20)), delimiter);
  const cuts =
    newline === '\r'
      ? undefined
      : rowCuts(buf, delimiter.charCodeAt(0), newline === '\r\n', TABLE_PIECE);
  if (cuts === undefined) csvRows(buf.toString('utf8'), delimiter, onRow, 1, newline);
  else {
    let from = 0;
    let line = 1;
    for (const to of cuts) {
      if (!csvRows(buf.toString('utf8', from, to), delimiter, onRow, line, newline)) break;
      for (let i = buf.indexOf(0x0a, from); i >= 0 && i < to; i = buf.indexOf(0x0a, i + 1)) line++;
      from = to;
    }
  }
  if (failure !== undefined) throw failure;
  if (!malformed && header === undefined) sink([]);
  if (malformed) {
    await locateCsvError(buf, file, delimiter, malformed.line); // throws with csv-parse's diagnosis
    throw new InputError(
      'INPUT_BAD_TABLE',
      `row has ${malformed.cells} fields, the header has ${header?.length ?? '?'}`,
      { file: file.display, line: malformed.line },
      'a value with a separator or a newline in it must be in double quotes',
    );
  }
  return rows;
}

/**
 * The error path: csv-parse re-reads the table to say what is wrong with the malformed row.
 * The line is papaparse's (where the row starts, counted here): csv-parse counts the end of an
 * unclosed quote, and a quoted CRLF twice. Its column is kept when it points at the same line.
 */
async function locateCsvError(
  buf: Buffer,
  file: InputFile,
  delimiter: string,
  rowLine: number,
): Promise<void> {
  const parser = parse(buf, { delimiter, skip_empty_lines: true, relax_quotes: false });
  let header: string[] | undefined;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      if (header === undefined) {
        header = record.map((h) => h.trim());
        continue;
      }
      if (record.length === 1 && record[0]!.trim() === '') continue;
      if (record.length !== header.length) {
        throw new InputError(
          'INPUT_BAD_TABLE',
          `row has ${record.length} fields, the header has ${header.length}`,
          { file: file.display, line: rowLine },
          'a value with a separator or a newline in it must be in double quotes',
        );
      }
    }
  } catch (e) {
    if (e instanceof CsvError) {
      const where = e as CsvError & { lines?: number; column?: number | string; record?: string[] };
      const [message, hint] = csvMessage(e, header?.length);
      const same = where.lines === rowLine;
      const detail =
        !same && where.lines !== undefined
          ? ` in the row that starts here (the parser stopped at line ${where.lines}${where.column !== undefined ? `, column ${where.column}` : ''})`
          : '';
      throw new InputError(
        'INPUT_BAD_TABLE',
        message + detail,
        { file: file.display, line: rowLine, ...(same ? { column: where.column } : {}) },
        hint,
        { cause: e },
      );
    }
    throw e;
  }
}

/** csv-parse's errors, said the way a responder fixing the file needs to hear them. */
function csvMessage(e: CsvError, headerLength: number | undefined): [string, string] {
  switch (e.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return [
        'a quoted field is never closed',
        'a field that starts with " must end with "; a " inside it is written ""',
      ];
    case 'CSV_INVALID_CLOSING_QUOTE':
      return [
        'a quote in the middle of a quoted field',
        'write a " inside a quoted field as "" (RFC 4180)',
      ];
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH': {
      // csv-parse may fail before it hands over the header, so its own counts are used.
      const m = /expect (\d+), got (\d+)/.exec(e.message);
      const want = m ? Number(m[1]) : headerLength;
      const got = m ? Number(m[2]) : (e as CsvError & { record?: unknown[] }).record?.length;
      return [
        `row has ${got} fields, the header has ${want}`,
        'a value with a separator or a newline in it must be in double quotes',
      ];
    }
    default:
      return [e.message.replace(/^Invalid [^:]*: /, ''), 'check the quoting on that line'];
  }
}
