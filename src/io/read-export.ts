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
    let s = 0;
    if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) s = 3; // UTF-8 BOM
    while (s < b.length && (b[s] === 0x20 || b[s] === 0x0a || b[s] === 0x0d || b[s] === 0x09)) s++;
    const body = b.subarray(s);
    if (body[0] === 0x5b) container = 'json';
    else if (body[0] === 0x7b) {
      const nl = body.indexOf(0x0a);
      const first = body.toString('utf8', 0, nl < 0 ? body.length : nl).trim();
      container = looksLikeDocumentStart(first) ? 'json' : 'ndjson';
    } else container = 'ndjson';
    // The BOM goes; leading blank lines stay so that line numbers stay true.
    splitter = container === 'json' ? new ArraySplitter(sink) : new LineSplitter(sink);
    splitter.push(b.subarray(b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0));
  };
  for await (const chunk of readBytes(file, stats)) {
    if (splitter) {
      splitter.push(chunk);
      continue;
    }
    // Decide once the first line (or 64 KiB) is in hand.
    head = head ? Buffer.concat([head, chunk]) : chunk;
    if (head.indexOf(0x0a, firstContent(head)) >= 0 || head.length >= 1 << 16) {
      choose(head);
      head = undefined;
    }
  }
  if (!splitter && head && head.length > 0) choose(head);
  splitter?.end();
  return container;
}

function firstContent(b: Buffer): number {
  let s = 0;
  while (s < b.length && (b[s] === 0x20 || b[s] === 0x0a || b[s] === 0x0d || b[s] === 0x09 || b[s] === 0xef || b[s] === 0xbb || b[s] === 0xbf)) s++;
  return s;
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
