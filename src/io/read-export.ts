/**
 * One export file → record texts with line numbers. The container form is told by content,
 * not by extension (SPEC §3): '[' is a JSON array; '{' is NDJSON when the first line is a whole
 * JSON value, else a pretty-printed document (e.g. an Engage page); anything else is read as
 * NDJSON so that every line is accounted for (as a reject if it is not JSON).
 */
import { ArraySplitter, LineSplitter, type RecordSink } from './json-records.js';
import { readBytes, type InputFile, type InputStats } from './open.js';

export type Container = 'ndjson' | 'json';

interface Splitter {
  push(b: Buffer): void;
  end(): void;
}

export async function readExport(file: InputFile, stats: InputStats, sink: RecordSink): Promise<Container | undefined> {
  let head: Buffer | undefined;
  let splitter: Splitter | undefined;
  let container: Container | undefined;
  const choose = (b: Buffer): void => {
    container = containerOf(b);
    splitter = container === 'json' ? new ArraySplitter(sink) : new LineSplitter(sink);
    // The BOM goes; leading blank lines stay so that line numbers stay true.
    splitter.push(b.subarray(b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0));
  };
  for await (const chunk of readBytes(file, stats)) {
    if (splitter) {
      splitter.push(chunk);
      continue;
    }
    // Decide once the first line and the start of the next are in hand (or 1 MiB without a
    // line end: a pretty-printed document's first line is short, so that is one long record).
    head = head ? Buffer.concat([head, chunk]) : chunk;
    if (decidable(head)) {
      choose(head);
      head = undefined;
    }
  }
  if (!splitter && head && head.length > 0) choose(head);
  splitter?.end();
  return container;
}

const WS = (c: number | undefined) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

function skipWs(b: Buffer, s: number): number {
  while (s < b.length && WS(b[s])) s++;
  return s;
}

function firstContent(b: Buffer): number {
  return skipWs(b, b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0);
}

/** True once the head holds the first line and the first character after it (or 1 MiB). */
function decidable(b: Buffer): boolean {
  if (b.length >= 1 << 20) return true;
  const nl = b.indexOf(0x0a, firstContent(b));
  return nl >= 0 && skipWs(b, nl) < b.length;
}

function containerOf(b: Buffer): Container {
  const s = firstContent(b);
  if (b[s] === 0x5b) return 'json';
  if (b[s] !== 0x7b) return 'ndjson';
  const nl = b.indexOf(0x0a, s);
  const first = b.toString('utf8', s, nl < 0 ? b.length : nl).trim();
  if (!looksLikeDocumentStart(first)) return 'ndjson';
  // A truncated first NDJSON record can end in `,` or `{` too: in NDJSON the next record starts
  // with `{`, in a pretty-printed document the next line holds a key or a closing brace.
  const next = nl < 0 ? -1 : skipWs(b, nl);
  return next >= 0 && next < b.length && b[next] === 0x7b ? 'ndjson' : 'json';
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
