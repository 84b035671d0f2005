/**
 * The big side, shared by correlate and inspect: every export file → parsed, unwrapped,
 * mapped records through one reused VendorRecord, with every unreadable record reported and
 * every unreadable file recorded (the run goes on; the exit code says so at the end).
 */
import { cmp, sortStrings } from '../core/join/order.js';
import { statSync } from 'node:fs';
import type { Evidence } from '../core/record.js';
import type { Digested } from '../core/digest.js';
import type { MapContext, VendorPreset, VendorRecord } from '../core/record.js';
import type { RecordSink } from '../io/json-records.js';
import { readExport, type NdjsonRoute, type ReadOutcome } from '../io/read-export.js';
import { dropStarted, startAhead } from '../io/read-parquet.js';
import { closestShape, presetFor } from '../vendors/index.js';
import { wrapperLabel } from '../vendors/wrappers.js';
import { FileRecords, type RecordOut } from './records.js';
import type { FileChunks, WorkerPool } from './parallel.js';
import { InputError, formatWhere } from '../errors.js';
import type { InputFile, InputStats } from '../io/open.js';

export interface InputEntry {
  path: string;
  role: 'export' | 'users' | 'sessions';
  /** null for a database table: it has no size on disk (its hash is over the rows as read). */
  bytes: number | null;
  sha256: string;
  records: number;
  gzip: boolean;
  rejected?: number;
  error?: string;
  vendor?: string;
  encoding?: string;
  /** A users table read from a database or through DuckDB: what, where, and the query run. */
  source?: 'parquet' | 'duckdb' | 'postgres';
  server?: string;
  database?: string;
  query?: string;
  /** The pipeline containers its records came in (vendors/wrappers.ts). */
  wrappers?: string[];
  /** Protocol lines by kind: not records (a Singer STATE, an Airbyte LOG). */
  protocol_lines?: Record<string, number>;
  /** Records whose time --timezone shifted (written without a zone). */
  timezone_shifted?: number;
}

/** Live counters for the progress line: read by a timer between chunks. */
export interface Progress {
  bytesTotal: number; // NaN when unknown (stdin)
  bytesDone: number;
  records: number;
}

export interface ScanHandlers {
  /** A readable record; returns a reject reason when the record cannot be placed. */
  record(rec: VendorRecord, file: InputFile, line: number): string | undefined;
  /** An unreadable record; may throw to stop the run (--strict). */
  reject(file: InputFile, line: number, reason: string, text: string, records?: number): void;
  warn(msg: string, hint?: string): void;
  info(msg: string): void;
}

export interface ScanResult {
  inputs: InputEntry[];
  errors: InputError[];
  /** The presets that read the export, in the order first used. */
  vendors: string[];
}

export function newProgress(files: InputFile[]): Progress {
  let total = 0;
  for (const f of files) {
    if (f.path === '-') total = NaN;
    else if (f.member) total += f.member.compressedSize;
    else {
      try {
        total += statSync(f.path).size;
      } catch {
        // unreadable: reported when the scan reaches it
      }
    }
  }
  return { bytesTotal: total, bytesDone: 0, records: 0 };
}

/** The parallel path (app/parallel.ts): the pool, and how a worker's record is applied. */
export interface ScanParallel {
  pool: WorkerPool;
  apply(rec: Evidence, d: Digested, file: InputFile, line: number): void;
  countOnly(): void;
}

/**
 * `vendor` is a preset name or 'auto': then each file's preset is the first whose detect()
 * holds for one of its records (said once per vendor on stderr); records read before that are
 * read as Mixpanel's, the default, and rejected if they are not.
 *
 * With `parallel`, NDJSON goes to the workers and other containers are read here once all that
 * went before is applied; either way records are applied in file order.
 */
export async function scanExports(
  files: InputFile[],
  vendor: string | VendorPreset,
  ctx: MapContext,
  h: ScanHandlers,
  progress?: Progress,
  parallel?: ScanParallel,
): Promise<ScanResult> {
  const inputs: InputEntry[] = [];
  const errors: InputError[] = [];
  const vendors: string[] = [];
  const fixed =
    typeof vendor !== 'string' ? vendor : vendor === 'auto' ? undefined : presetFor(vendor);
  const pool = parallel?.pool;
  try {
    for (const [i, file] of files.entries()) {
      // The next file's Parquet query runs on DuckDB's threads while this file is read.
      const next = files[i + 1];
      if (next) startAhead(next);
      await scanFile(file);
      dropStarted(file); // started for a name that said Parquet, read as something else
    }
  } finally {
    dropStarted();
  }
  await pool?.drain();
  if (fixed) vendors.push(fixed.name);
  return { inputs, errors, vendors };

  async function scanFile(file: InputFile): Promise<void> {
    const scan = new FileScan(file, fixed, ctx, h, vendors, progress);
    const { broken } = await readExport(
      file,
      scan.stats,
      scan.sink,
      parallel && scan.route(parallel),
    );
    // In the parallel path the file is done once the chunks sent before are applied.
    const done = () => {
      const { input, error } = scan.finish(broken);
      if (error) {
        errors.push(error);
        h.warn(`${formatWhere(error.where)}: ${error.message}`, error.hint);
      }
      inputs.push(input);
    };
    if (pool) pool.after(done);
    else done();
  }
}

/** One export file being read: its counters, its records' reader, and its manifest entry. */
class FileScan {
  readonly stats: InputStats = { bytes: 0, sha256: '', gzip: false };
  private rejected = 0;
  private readonly why = new RejectTally();
  private readonly before: number;
  private readonly out: RecordOut;
  private readonly reader: FileRecords;
  private chunks: FileChunks | undefined;

  constructor(
    private readonly file: InputFile,
    fixed: VendorPreset | undefined,
    ctx: MapContext,
    h: ScanHandlers,
    vendors: string[],
    private readonly progress: Progress | undefined,
  ) {
    this.before = progress?.bytesDone ?? 0;
    this.out = {
      record: (rec, line) => h.record(rec, file, line),
      reject: (line, reason, text, records = 1) => {
        this.rejected += records;
        this.why.add(reason, text, records);
        h.reject(file, line, reason, text, records);
      },
      lock(found, wrapper) {
        if (vendors.includes(found.name)) return;
        vendors.push(found.name);
        const inside = wrapper ? `, inside ${wrapperLabel(wrapper)}` : '';
        h.info(`vendor: ${found.name} (auto-detected in ${file.display}${inside})`);
      },
    };
    this.reader = new FileRecords(fixed, ctx, this.out);
  }

  /** A RecordSink that also moves the progress line. */
  readonly sink: RecordSink = (text, line, parsed, element) => {
    if (this.progress) {
      this.progress.records++;
      this.progress.bytesDone = this.before + this.stats.bytes;
    }
    this.reader.accept(text, line, parsed, element);
  };

  /** NDJSON to the parse workers (app/parallel.ts); other containers wait for them to drain. */
  route(parallel: ScanParallel): NdjsonRoute {
    const progress = this.progress;
    return {
      ndjson: () => {
        const chunks: FileChunks = (this.chunks = {
          reader: this.reader,
          out: this.out,
          base: 0,
          apply: (rec, d, line) => parallel.apply(rec, d, this.file, line),
          countOnly: parallel.countOnly,
          progress: (texts) => {
            if (progress) progress.records += texts;
          },
        });
        const split = parallel.pool.splitter(chunks);
        return {
          push: (b) => {
            if (progress) progress.bytesDone = this.before + this.stats.bytes;
            return split.push(b);
          },
          end: () => split.end(),
          abort: () => split.abort(),
        };
      },
      otherwise: () => parallel.pool.drain(),
    };
  }

  /** The file's manifest entry, and why it could not be read, if it could not. */
  finish(broken: ReadOutcome['broken']): { input: InputEntry; error?: InputError } {
    const reader = this.reader;
    let error = broken?.error;
    if (broken) {
      // The rejects file alone tells the whole story (issue 13): the unreadable tail is one
      // rejected record, at the line after the last one read whole; or, where a Parquet footer
      // says how many rows were not read, that many, said in its one row.
      const line = broken.tail.line ?? (this.chunks?.base ?? 0) + 1;
      const lost = broken.tail.records ?? 1;
      const count = lost === 1 ? '' : ` ${lost.toLocaleString('en-US')}`;
      const reason = `unreadable tail: ${broken.error.message}; the${count} records from this line on could not be read`;
      if (lost > 0) reader.lost(line, reason, broken.tail.text, lost);
    } else if (reader.records > 0 && this.rejected === reader.records) {
      error = noRecordRead(this.file, reader.records, this.why, this.stats);
    }
    if (this.progress) this.progress.bytesDone = this.before + this.stats.bytes;
    const s = this.stats;
    const input: InputEntry = {
      path: this.file.member ? this.file.display : this.file.path,
      role: 'export',
      bytes: s.bytes,
      sha256: s.sha256,
      records: reader.records,
      gzip: s.gzip,
      rejected: this.rejected,
      ...(error ? { error: error.message } : {}),
      ...(s.encoding ? { encoding: s.encoding } : {}),
      ...(reader.preset ? { vendor: reader.preset.name } : {}),
      // Sorted, not in the order met: the manifest of the same records in another order is the same.
      ...(reader.wrappers.length ? { wrappers: sortStrings([...reader.wrappers]) } : {}),
      ...(reader.protocol.size
        ? { protocol_lines: Object.fromEntries([...reader.protocol].sort(([a], [b]) => cmp(a, b))) }
        : {}),
      ...(reader.shifted ? { timezone_shifted: reader.shifted } : {}),
    };
    return { input, ...(error ? { error } : {}) };
  }
}

/** A reject reason without the part that differs from record to record (`invalid JSON: …`). */
export function reasonKind(reason: string): string {
  const r = reason.replace(/ at position \d+.*$/, '');
  const stream = /^((?:Airbyte|Singer) stream "(?:[^"\\]|\\.)*": )/.exec(r);
  return stream
    ? stream[1] + r.slice(stream[1]!.length).replace(/: .*$/, '')
    : r.replace(/: .*$/, '');
}

/** Per file: how often each kind of reject came, and the top-level keys of the first rejected records. */
class RejectTally {
  readonly reasons = new Map<string, number>();
  readonly keys = new Map<string, number>();
  private sampled = 0;

  add(reason: string, text: string, records = 1): void {
    const k = reasonKind(reason);
    this.reasons.set(k, (this.reasons.get(k) ?? 0) + records);
    if (this.sampled >= 20) return;
    this.sampled++;
    // The text is cut at 1 KiB: keys are read off it rather than parsed.
    for (const m of text.matchAll(/"((?:[^"\\]|\\.){1,64})"\s*:/g))
      this.keys.set(m[1]!, (this.keys.get(m[1]!) ?? 0) + 1);
  }

  top(): [string, number] {
    let best: [string, number] = ['', 0];
    for (const [k, n] of this.reasons) if (n > best[1]) best = [k, n];
    return best;
  }
}

/**
 * An export file of which no record could be read is an input that could not be read (SPEC §7,
 * issue 13): named with its most common reject reason and the shape its records came closest to.
 */
function noRecordRead(
  file: InputFile,
  records: number,
  why: RejectTally,
  stats: InputStats,
): InputError {
  const [reason, count] = why.top();
  const n = records.toLocaleString('en-US');
  const keys = stats.columns ? new Map(stats.columns.map((c) => [c, 1])) : why.keys;
  const near = closestShape(keys);
  const seen = [...keys.keys()].slice(0, 8).join(', ');
  const looks = stats.looksLike ? `; the bytes look like ${stats.looksLike}` : '';
  return new InputError(
    'INPUT_NO_RECORDS',
    `no record could be read: all ${n} were rejected, most often "${reason}" (${count.toLocaleString('en-US')})${looks}`,
    { file: file.display },
    (near ? `the records come closest to ${near}` : 'the records match no known export shape') +
      (seen
        ? ` (${stats.columns ? 'columns' : 'keys'}: ${seen}${keys.size > 8 ? ', …' : ''})`
        : '') +
      '; list them with --rejects, or inspect --export names what is in the file',
  );
}
