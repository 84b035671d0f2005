/**
 * Splits a decompressed byte stream into JSON record texts with their line numbers, for the
 * three container forms of SPEC §3: NDJSON, a JSON array, and a `{"results": [...]}` document.
 *
 * Why bytes: on Node 20, decoding a whole 1 MiB chunk that holds any non-ASCII byte runs at
 * ~100–150 MB/s, decoding line by line at ~1.2 GB/s (docs/PERFORMANCE.md). So lines are found with
 * Buffer.indexOf and each is decoded on its own; nothing is decoded twice.
 */

/** A record already parsed by its reader (CSV rows), or the reason it cannot be. */
export type Parsed = { value: unknown } | { reject: string };

/**
 * One record: its text, the line it starts on, for CSV rows the parsed row, and whether it is
 * an element of a JSON document's array (then it is one record even when it is an array).
 */
export type RecordSink = (text: string, line: number, parsed?: Parsed, element?: boolean) => void;

/** Where a file broke off: the line the cut record starts on, and its text so far. */
export interface Tail {
  line: number;
  text: string;
  /**
   * How many records were lost with it, where the container knows (the rows of a Parquet file
   * DuckDB could not read); one otherwise, the cut record, as what followed it is unknown.
   */
  records?: number;
}

const NL = 0x0a,
  CR = 0x0d,
  SP = 0x20,
  TAB = 0x09;

function isBlank(b: Buffer, s: number, e: number): boolean {
  for (let i = s; i < e; i++) {
    const c = b[i];
    if (c !== SP && c !== TAB && c !== CR) return false;
  }
  return true;
}

/** NDJSON: one record per non-blank line; CRLF and a leading BOM accepted. */
export class LineSplitter {
  // The unfinished line, as the pieces it came in: joined once its end arrives, so that a line
  // longer than a chunk costs linear time, not a copy of everything so far per chunk.
  private carry: Buffer[] = [];
  private line: number;
  /** `firstLine`: the number of the first line this splitter is given (1 for a whole file). */
  constructor(
    private readonly sink: RecordSink,
    firstLine = 1,
  ) {
    this.line = firstLine - 1;
  }

  /** The number of the last line begun (its line end counted): a chunk's line count in a worker. */
  get lastLine(): number {
    return this.line;
  }

  push(chunk: Buffer): void {
    let buf = chunk;
    let s = 0;
    if (this.carry.length > 0) {
      const nl = chunk.indexOf(NL);
      if (nl < 0) {
        this.carry.push(chunk);
        return;
      }
      // The carried line ends in this chunk: join it with its tail only.
      this.carry.push(chunk.subarray(0, nl + 1));
      buf = Buffer.concat(this.carry);
      this.carry = [];
      this.emit(buf, 0, buf.length - 1);
      buf = chunk;
      s = nl + 1;
    }
    for (;;) {
      const nl = buf.indexOf(NL, s);
      if (nl < 0) break;
      this.emit(buf, s, nl);
      s = nl + 1;
    }
    if (s < buf.length) this.carry.push(buf.subarray(s));
  }

  end(): void {
    if (this.carry.length > 0) {
      const c = Buffer.concat(this.carry);
      this.carry = [];
      this.emit(c, 0, c.length);
    }
  }

  /** The input broke off: the unfinished line is not a record but the tail. */
  abort(): Tail {
    const text = Buffer.concat(this.carry).toString('utf8');
    this.carry = [];
    return { line: this.line + 1, text };
  }

  private emit(buf: Buffer, s: number, e: number): void {
    this.line++;
    if (e > s && buf[e - 1] === CR) e--;
    if (e === s || isBlank(buf, s, e)) return; // a blank line is not a record
    this.sink(buf.toString('utf8', s, e), this.line);
  }
}

/**
 * A JSON document whose records are the elements of its top-level array, or of the `results`
 * array of its top-level object (Mixpanel Engage pages). Streams: only the element being read
 * is held. A top-level object without `results` is itself one record.
 */
export class ArraySplitter {
  private depth = 0;
  private inStr = false;
  private esc = false;
  private line = 1;
  private elemDepth = -1; // depth at which elements sit (1 for arrays, 2 under "results")
  private rootIsObject = false;
  private started = false;
  private parts: Buffer[] = []; // bytes of the element being read, from earlier chunks
  private elemStart = -1; // in the current chunk; -1 when the element began in an earlier one
  private inElem = false;
  private elemLine = 0;
  private keyStart = -1; // in the current chunk; -2 when the key began in an earlier one
  private keyCarry: Buffer | undefined; // bytes of a key cut by a chunk boundary
  private lastKey = '';
  private whole: Buffer[] | undefined; // root object without "results": kept to emit whole
  private tail: LineSplitter | undefined; // what follows the document, read as lines

  constructor(private readonly sink: RecordSink) {}

  push(b: Buffer): void {
    if (this.tail) return this.tail.push(b);
    this.elemStart = this.inElem ? 0 : -1;
    for (let i = 0; i < b.length; i++) {
      const c = b[i]!;
      if (c === NL) this.line++;
      if (this.inStr) {
        if (this.esc) this.esc = false;
        else if (c === 0x5c) this.esc = true;
        else if (c === 0x22) {
          this.inStr = false;
          if (this.keyStart !== -1) {
            const tail = b.subarray(this.keyStart >= 0 ? this.keyStart : 0, i);
            this.lastKey = (this.keyCarry ? Buffer.concat([this.keyCarry, tail]) : tail).toString(
              'utf8',
            );
            this.keyStart = -1;
            this.keyCarry = undefined;
          }
        }
        continue;
      }
      if (c === SP || c === NL || c === CR || c === TAB) continue;
      if (!this.started) {
        this.started = true;
        if (c === 0xef) continue; // BOM bytes are skipped by the caller; defensive
        this.rootIsObject = c === 0x7b;
        if (c === 0x5b) this.elemDepth = 1;
        if (this.rootIsObject) this.whole = [];
      }
      const atElemLevel = this.depth === this.elemDepth && !this.inElem;
      if (c === 0x2c /* , */) {
        if (this.inElem && this.depth === this.elemDepth) this.finish(b, i);
        continue;
      }
      if (c === 0x7b || c === 0x5b) {
        if (atElemLevel) this.begin(i);
        if (
          this.rootIsObject &&
          this.depth === 1 &&
          c === 0x5b &&
          this.lastKey === 'results' &&
          this.elemDepth < 0
        ) {
          this.elemDepth = 2;
          this.whole = undefined;
        }
        this.depth++;
        continue;
      }
      if (c === 0x7d || c === 0x5d) {
        this.depth--;
        if (this.inElem && this.depth === this.elemDepth) this.finish(b, i + 1);
        else if (this.inElem && this.depth < this.elemDepth) this.finish(b, i); // scalar before ']'
        if (this.depth < this.elemDepth) this.elemDepth = -1;
        if (this.depth === 0) {
          // The document is complete. Whatever follows it (concatenated files, NDJSON lines)
          // is read line by line, so that nothing after it is silently ignored.
          if (this.whole) {
            this.whole.push(b.subarray(0, i + 1));
            this.sink(Buffer.concat(this.whole).toString('utf8'), 1);
            this.whole = undefined;
          }
          this.tail = new LineSplitter(this.sink, this.line);
          this.tail.push(b.subarray(i + 1));
          return;
        }
        continue;
      }
      if (c === 0x22) {
        this.inStr = true;
        if (atElemLevel) this.begin(i);
        else if (this.rootIsObject && this.depth === 1 && this.elemDepth < 0) this.keyStart = i + 1;
        continue;
      }
      if (atElemLevel) this.begin(i); // a scalar element: a number, true, false, null
    }
    if (this.inElem) this.parts.push(b.subarray(this.elemStart < 0 ? 0 : this.elemStart));
    if (this.keyStart !== -1) {
      const part = b.subarray(this.keyStart >= 0 ? this.keyStart : 0);
      this.keyCarry = this.keyCarry ? Buffer.concat([this.keyCarry, part]) : part;
      this.keyStart = -2;
    }
    if (this.whole) this.whole.push(b);
  }

  end(): void {
    if (this.tail) return this.tail.end();
    if (this.inElem) {
      // Truncated: the document ended inside an element.
      this.sink(Buffer.concat(this.parts).toString('utf8'), this.elemLine, undefined, true);
      this.parts = [];
      this.inElem = false;
    } else if (this.whole && this.whole.length > 0) {
      this.sink(Buffer.concat(this.whole).toString('utf8'), 1);
    } else if (this.depth !== 0) {
      this.sink('', this.line); // unbalanced document: reported as a reject at its end
    }
  }

  /** The input broke off inside the document: the element being read is the tail. */
  abort(): Tail {
    if (this.tail) return this.tail.abort();
    const parts = this.inElem ? this.parts : (this.whole ?? []);
    const tail = {
      line: this.inElem ? this.elemLine : this.whole ? 1 : this.line,
      text: Buffer.concat(parts).toString('utf8'),
    };
    this.parts = [];
    this.whole = undefined;
    this.inElem = false;
    return tail;
  }

  private begin(i: number): void {
    this.inElem = true;
    this.elemStart = i;
    this.elemLine = this.line;
    this.parts = [];
  }

  private finish(b: Buffer, end: number): void {
    const start = this.elemStart < 0 ? 0 : this.elemStart;
    let text: string;
    if (this.parts.length === 0) text = b.toString('utf8', start, end);
    else {
      this.parts.push(b.subarray(start, end));
      text = Buffer.concat(this.parts).toString('utf8');
    }
    this.parts = [];
    this.inElem = false;
    this.elemStart = -1;
    this.sink(text, this.elemLine, undefined, true);
  }
}
