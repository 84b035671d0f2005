/**
 * One export file → record texts with line numbers. The container form is told by content,
 * not by extension (SPEC §3): '[' is a JSON array; '{' is NDJSON when the first line is a whole
 * JSON value, else a pretty-printed document (e.g. an Engage page); `PAR1` is Parquet
 * (io/read-parquet.ts); anything else is read as NDJSON so that every line is accounted for (as
 * a reject if it is not JSON).
 */
import { csvRows, delimiterOf } from './csv.js';
import { InputError } from '../errors.js';
import { ArraySplitter, LineSplitter, type RecordSink, type Tail } from './json-records.js';
import { readBytes, type InputFile, type InputStats } from './open.js';
import { isParquet, ParquetExport } from './read-parquet.js';

export type Container = 'ndjson' | 'json' | 'csv' | 'parquet';
export type { Tail } from './json-records.js';

export interface Splitter {
  /** May return a promise: reading waits for it (the parallel path's back-pressure). */
  push(b: Buffer): Promise<void> | void;
  end(): Promise<void> | void;
  /**
   * The input broke off: the complete records are given, the cut one is not, and its text is
   * returned (with its line, where the splitter knows it; the parallel path learns it later).
   */
  abort(): Promise<Partial<Tail> & { text: string }> | (Partial<Tail> & { text: string });
}

/**
 * How a caller reads NDJSON in its own way (app/parallel.ts sends it to workers): `ndjson`
 * replaces the line splitter, and `otherwise` is awaited before any other container is read.
 */
export interface NdjsonRoute {
  ndjson(): Splitter;
  otherwise(): Promise<void>;
}

export interface ReadOutcome {
  container?: Container;
  /** The file broke off (a truncated gzip, an I/O error): what stopped it, and the cut record. */
  broken?: { error: InputError; tail: Partial<Tail> & { text: string } };
}

export async function readExport(
  file: InputFile,
  stats: InputStats,
  sink: RecordSink,
  route?: NdjsonRoute,
): Promise<ReadOutcome> {
  let head: Buffer | undefined;
  let splitter: Splitter | undefined;
  let container: Container | undefined;
  const choose = async (b: Buffer): Promise<void> => {
    container = containerOf(b);
    if (route && container !== 'ndjson') await route.otherwise();
    splitter =
      container === 'parquet'
        ? new ParquetExport(file, stats, sink)
        : container === 'json'
          ? new ArraySplitter(sink)
          : container === 'csv'
            ? new CsvExport(sink, stats)
            : route
              ? route.ndjson()
              : new LineSplitter(sink);
    // The BOM goes; leading blank lines stay so that line numbers stay true.
    if (container === 'parquet') return;
    await splitter.push(b.subarray(b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0));
  };
  try {
    for await (const chunk of readBytes(file, stats)) {
      if (splitter) {
        const wait = splitter.push(chunk);
        if (wait) await wait;
        continue;
      }
      // Decide once the first line and the start of the next are in hand (or 1 MiB without a
      // line end: a pretty-printed document's first line is short, so that is one long record).
      head = head ? Buffer.concat([head, chunk]) : chunk;
      if (decidable(head)) {
        await choose(head);
        head = undefined;
      }
    }
    if (!splitter && head && head.length > 0) await choose(head);
    await splitter?.end();
  } catch (e) {
    if (!(e instanceof InputError) || e.code === 'INPUT_BAD_RECORD') throw e;
    // The records read whole before the damage are records; the one it cut is the tail.
    if (!splitter && container === undefined && head && head.length > 0) await choose(head);
    const tail = splitter ? await splitter.abort() : { line: 1, text: '' };
    return { container, broken: { error: e, tail } };
  }
  return { container };
}

const WS = (c: number | undefined) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

function skipWs(b: Buffer, s: number): number {
  while (s < b.length && WS(b[s])) s++;
  return s;
}

function firstContent(b: Buffer): number {
  return skipWs(b, b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0);
}

/**
 * True once the container can be told: the first line is complete and either settles it, or
 * (a line that may open a pretty-printed document) the next line has begun; or 1 MiB without a
 * line end. A live stream (stdin) is never held back waiting for a second record.
 */
function decidable(b: Buffer): boolean {
  if (b.length >= HEAD_MAX || isParquet(b)) return true;
  const s = firstContent(b);
  const nl = b.indexOf(0x0a, s);
  if (nl < 0) return false;
  // A first line that is a whole object settles it at once; anything else needs the next line's
  // first character (a damaged first record, a CSV header, a pretty-printed document).
  if (b[s] === 0x7b && !looksLikeDocumentStart(b.toString('utf8', s, nl).trim())) return true;
  return skipWs(b, nl) < b.length;
}

/** How much is read before the container is decided anyway (a first line this long is one record). */
const HEAD_MAX = 64 << 20;

function containerOf(b: Buffer): Container {
  if (isParquet(b)) return 'parquet';
  const s = firstContent(b);
  if (b[s] === 0x5b) return 'json';
  if (b[s] !== 0x7b) {
    // A header line with separators and no JSON: a CSV/TSV export (warehouse copies, PostHog's
    // CSV). A header never holds braces, and an NDJSON file whose first line is damaged has
    // records starting with `{` on the lines after it.
    const nl = b.indexOf(0x0a, s);
    const first = b.toString('utf8', s, nl < 0 ? Math.min(b.length, 1 << 16) : nl);
    const next = nl < 0 ? -1 : skipWs(b, nl);
    const nextIsJson = next >= 0 && next < b.length && (b[next] === 0x7b || b[next] === 0x5b);
    return /[,\t]/.test(first) && !/[{}]/.test(first) && !nextIsJson ? 'csv' : 'ndjson';
  }
  const nl = b.indexOf(0x0a, s);
  if (nl < 0 && b.length >= HEAD_MAX) return 'ndjson'; // no line end in 64 MiB: one long record
  const first = b.toString('utf8', s, nl < 0 ? b.length : nl).trim();
  if (!looksLikeDocumentStart(first)) return 'ndjson';
  // A truncated first NDJSON record can end in `,` or `{` too: in a pretty-printed document the
  // next line holds a key (`"page": 0,`) or a closing brace; anything else is NDJSON.
  const next = nl < 0 ? -1 : skipWs(b, nl);
  return next >= 0 && next < b.length && (b[next] === 0x22 || b[next] === 0x7d) ? 'json' : 'ndjson';
}

/** The opening line of a pretty-printed object: `{`, `{"page": 0,`, `{"results": [` … */
function looksLikeDocumentStart(first: string): boolean {
  if (first === '{') return true;
  try {
    JSON.parse(first);
    return false; // a whole value on the first line: NDJSON
  } catch {
    return /[,:[{]$/.test(first);
  }
}

/**
 * A CSV/TSV export: the header names the fields, each row is one record (an object keyed by
 * column, dotted column names kept as the vendor wrote them). Read whole: warehouse extracts
 * are bounded, and papaparse needs the text to find quoted newlines.
 */
class CsvExport implements Splitter {
  private chunks: Buffer[] = [];
  constructor(
    private readonly sink: RecordSink,
    private readonly stats: InputStats,
  ) {}

  push(b: Buffer): void {
    this.chunks.push(b);
  }

  end(): void {
    this.parse(this.take(), 1);
  }

  /** The rows whose line ended before the break are read; the rest is the tail. */
  abort(): Tail {
    const buf = this.take();
    const cut = buf.lastIndexOf(0x0a) + 1;
    const lines = this.parse(buf.subarray(0, cut), 1);
    return { line: lines + 1, text: buf.toString('utf8', cut) };
  }

  private take(): Buffer {
    let buf = Buffer.concat(this.chunks);
    this.chunks = [];
    if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) buf = buf.subarray(3);
    return buf;
  }

  /** Parses the rows; returns the number of lines read. */
  private parse(buf: Buffer, firstLine: number): number {
    const text = buf.toString('utf8');
    const nl = text.indexOf('\n');
    let header: string[] | undefined;
    csvRows(
      text,
      delimiterOf(nl < 0 ? text : text.slice(0, nl)),
      (row) => {
        if (header === undefined) {
          header = this.stats.columns = uniqueNames(row.cells);
          return;
        }
        if (row.malformed)
          return this.sink(row.text(), row.line, {
            reject: 'malformed CSV row (a quote is not closed or not doubled)',
          });
        if (row.cells.length !== header.length)
          return this.sink(row.text(), row.line, {
            reject: `row has ${row.cells.length} fields, the header has ${header.length}`,
          });
        const value: Record<string, string> = {};
        for (let i = 0; i < header.length; i++) value[header[i]!] = row.cells[i]!;
        this.sink(row.text(), row.line, { value });
      },
      firstLine,
    );
    let lines = 0;
    for (let i = buf.indexOf(0x0a); i >= 0; i = buf.indexOf(0x0a, i + 1)) lines++;
    return lines;
  }
}

/** Blank header names become `column_N`; a repeated name gets ` (2)`, ` (3)`: no column is lost. */
function uniqueNames(cells: string[]): string[] {
  const seen = new Map<string, number>();
  return cells.map((c, i) => {
    let name = c.trim() === '' ? `column_${i + 1}` : c.trim();
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    if (n > 1) name = `${name} (${n})`;
    return name;
  });
}
