/**
 * The big side, shared by correlate and inspect: every export file → parsed, unwrapped,
 * mapped records through one reused VendorRecord, with every unreadable record reported and
 * every unreadable file recorded (the run goes on; the exit code says so at the end).
 */
import { statSync } from 'node:fs';
import type { Evidence } from '../core/correlate.js';
import type { Digested } from '../core/digest.js';
import type { MapContext, VendorPreset, VendorRecord } from '../core/record.js';
import { presetFor } from '../vendors/index.js';
import type { RecordSink } from '../io/json-records.js';
import { readExport, type NdjsonRoute } from '../io/read-export.js';
import { FileRecords, type RecordOut } from './records.js';
import type { FileChunks, WorkerPool } from './parallel.js';
import { InputError, formatWhere } from '../errors.js';
import type { InputFile, InputStats } from '../io/open.js';

export interface InputEntry {
  path: string;
  role: 'export' | 'users' | 'sessions';
  bytes: number;
  sha256: string;
  records: number;
  gzip: boolean;
  rejected?: number;
  error?: string;
  vendor?: string;
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
  reject(file: InputFile, line: number, reason: string, text: string): void;
  warn(msg: string): void;
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
  quiet(): void;
}

/**
 * `vendor` is a preset name or 'auto': then each file's preset is the first whose detect()
 * holds for one of its records (said once per vendor on stderr); records read before that are
 * read as Mixpanel's, the default, and rejected if they are not.
 *
 * With `parallel`, NDJSON goes to the workers and other containers are read here once all that
 * went before is applied; either way records are applied in file order.
 */
export async function scanExports(files: InputFile[], vendor: string | VendorPreset, ctx: MapContext, h: ScanHandlers, progress?: Progress, parallel?: ScanParallel): Promise<ScanResult> {
  const inputs: InputEntry[] = [];
  const errors: InputError[] = [];
  const vendors: string[] = [];
  const fixed = typeof vendor !== 'string' ? vendor : vendor === 'auto' ? undefined : presetFor(vendor);
  const pool = parallel?.pool;
  for (const file of files) {
    const stats: InputStats = { bytes: 0, sha256: '', gzip: false };
    const entry: InputEntry = { path: file.member ? file.display : file.path, role: 'export', bytes: 0, sha256: '', records: 0, gzip: false, rejected: 0 };
    const before = progress?.bytesDone ?? 0;
    const out: RecordOut = {
      record: (rec, line) => h.record(rec, file, line),
      reject(line, reason, text) {
        entry.rejected!++;
        h.reject(file, line, reason, text);
      },
      lock(found) {
        if (!vendors.includes(found.name)) {
          vendors.push(found.name);
          h.info(`vendor: ${found.name} (auto-detected in ${file.display})`);
        }
      },
    };
    const reader = new FileRecords(fixed, ctx, out);
    const sink: RecordSink = (text, line, parsed, element) => {
      if (progress) {
        progress.records++;
        progress.bytesDone = before + stats.bytes;
      }
      reader.take(text, line, parsed, element);
    };
    const route: NdjsonRoute | undefined = parallel && {
      ndjson: () => {
        const chunks: FileChunks = { reader, out, base: 0, apply: (rec, d, line) => parallel.apply(rec, d, file, line), quiet: parallel.quiet, progress: (texts) => {
          if (progress) progress.records += texts;
        } };
        const split = (cut = parallel.pool.splitter(chunks));
        return {
          push: (b) => {
            if (progress) progress.bytesDone = before + stats.bytes;
            return split.push(b);
          },
          end: () => split.end(),
        };
      },
      otherwise: () => parallel.pool.drain(),
    };
    let cut: ReturnType<WorkerPool['splitter']> | undefined;
    let error: InputError | undefined;
    try {
      await readExport(file, stats, sink, route);
    } catch (e) {
      if (!(e instanceof InputError) || e.code === 'INPUT_BAD_RECORD') throw e;
      error = e;
      // The lines read whole before the damage are records, as in a single thread; the line
      // it cut is not.
      if (cut) await cut.abort();
    }
    const done = () => {
      if (error) {
        errors.push(error);
        entry.error = error.message;
        h.warn(`${formatWhere(error.where)}: ${error.message}`);
      }
      if (progress) progress.bytesDone = before + stats.bytes;
      inputs.push({ ...entry, records: reader.records, bytes: stats.bytes, sha256: stats.sha256, gzip: stats.gzip, ...(reader.preset ? { vendor: reader.preset.name } : {}) });
    };
    if (pool) pool.after(done);
    else done();
  }
  await pool?.drain();
  if (fixed) vendors.push(fixed.name);
  return { inputs, errors, vendors };
}
