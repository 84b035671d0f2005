/**
 * The big side, shared by correlate and inspect: every export file → parsed, unwrapped,
 * mapped records through one reused VendorRecord, with every unreadable record reported and
 * every unreadable file recorded (the run goes on; the exit code says so at the end).
 */
import { statSync } from 'node:fs';
import { jsonText, VendorRecord, type MapContext, type VendorPreset } from '../core/record.js';
import { detectPreset, presetFor, unwrapAny } from '../vendors/index.js';
import { mixpanel } from '../vendors/mixpanel.js';
import { InputError, formatWhere } from '../errors.js';
import { readExport } from '../io/read-export.js';
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

/**
 * `vendor` is a preset name or 'auto': then each file's preset is the first whose detect()
 * holds for one of its records (said once per vendor on stderr); records read before that are
 * read as Mixpanel's, the default, and rejected if they are not.
 */
export async function scanExports(files: InputFile[], vendor: string | VendorPreset, ctx: MapContext, h: ScanHandlers, progress?: Progress): Promise<ScanResult> {
  const rec = new VendorRecord();
  const inputs: InputEntry[] = [];
  const errors: InputError[] = [];
  const vendors: string[] = [];
  const fixed = typeof vendor !== 'string' ? vendor : vendor === 'auto' ? undefined : presetFor(vendor);
  for (const file of files) {
    let preset = fixed;
    const lock = (found: VendorPreset) => {
      preset = found;
      if (!vendors.includes(found.name)) {
        vendors.push(found.name);
        h.info(`vendor: ${found.name} (auto-detected in ${file.display})`);
      }
    };
    const presetOf = (raw: Record<string, unknown>): VendorPreset => {
      if (preset) return preset;
      const found = detectPreset(raw);
      if (!found) return mixpanel;
      lock(found);
      return found;
    };
    const stats: InputStats = { bytes: 0, sha256: '', gzip: false };
    const entry: InputEntry = { path: file.member ? file.display : file.path, role: 'export', bytes: 0, sha256: '', records: 0, gzip: false, rejected: 0 };
    const before = progress?.bytesDone ?? 0;
    const reject = (line: number, reason: string, text: string) => {
      entry.rejected!++;
      h.reject(file, line, reason, text.length > 1024 ? text.slice(0, 1024) : text);
    };
    const one = (raw: unknown, line: number, text: () => string) => {
      entry.records++;
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return reject(line, 'not a JSON object', text());
      rec.reset();
      const p = presetOf(raw as Record<string, unknown>);
      rec.preset = p;
      const why = p.map(raw as Record<string, unknown>, rec, ctx) ?? h.record(rec, file, line);
      if (why !== undefined) reject(line, why, text());
    };
    try {
      await readExport(file, stats, (text, line, parsed, element) => {
        if (progress) {
          progress.records++;
          progress.bytesDone = before + stats.bytes;
        }
        let raw: unknown;
        if (parsed !== undefined) {
          if ('reject' in parsed) {
            entry.records++;
            return reject(line, parsed.reject, text);
          }
          raw = parsed.value;
        } else {
          try {
            raw = JSON.parse(text);
          } catch (e) {
            entry.records++;
            return reject(line, text === '' ? 'document ends before it is complete' : `invalid JSON: ${(e as Error).message}`, text);
          }
        }
        // A JSON array on a line of its own (`[e1]\n[e2]`, concatenated array files) is a
        // container like a document's array: each element is a record.
        if (!element && Array.isArray(raw) && raw.length > 0) {
          for (const el of raw) one(el, line, () => jsonText(el));
          return;
        }
        const wrapped = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? unwrapAny(raw as Record<string, unknown>, preset) : undefined;
        if (wrapped) {
          if (!preset) lock(wrapped.preset); // the container says whose records these are
          for (const el of wrapped.inner) one(el, line, () => jsonText(el));
        }
        else one(raw, line, () => text);
      });
    } catch (e) {
      if (!(e instanceof InputError) || e.code === 'INPUT_BAD_RECORD') throw e;
      errors.push(e);
      entry.error = e.message;
      h.warn(`${formatWhere(e.where)}: ${e.message}`);
    }
    if (progress) progress.bytesDone = before + stats.bytes;
    inputs.push({ ...entry, bytes: stats.bytes, sha256: stats.sha256, gzip: stats.gzip, ...(preset ? { vendor: preset.name } : {}) });
  }
  if (fixed) vendors.push(fixed.name);
  return { inputs, errors, vendors };
}
