/**
 * One export file's record texts → mapped records, the same in the main thread and in a worker:
 * parse, unwrap containers (an array on a line, an Engage page), pick the preset, map. Every
 * text delimited is one record: mapped, or a reject with its reason.
 */
import { jsonText, VendorRecord, type MapContext, type VendorPreset } from '../core/record.js';
import { detectPreset, unwrapAny } from '../vendors/index.js';
import { mixpanel } from '../vendors/mixpanel.js';
import type { Parsed } from '../io/json-records.js';

export interface RecordOut {
  /** A mapped record; returns a reject reason when the record cannot be placed. */
  record(rec: VendorRecord, line: number): string | undefined;
  /** An unreadable record (its text cut to 1 KiB). */
  reject(line: number, reason: string, text: string): void;
  /** --vendor auto settled on this preset for the rest of the file. */
  lock(preset: VendorPreset): void;
}

export class FileRecords {
  /** Records delimited so far, readable or not (the accounting line's left side). */
  records = 0;
  /** Texts given by the splitter (the progress line counts these). */
  texts = 0;
  private readonly rec = new VendorRecord();

  /**
   * `preset` is the preset that reads the file: fixed by --vendor, settled by an earlier part of
   * the file, or undefined (--vendor auto): then it is the first whose detect() holds, and
   * records before that are read as Mixpanel's, the default, and rejected if they are not.
   */
  constructor(
    public preset: VendorPreset | undefined,
    private readonly ctx: MapContext,
    private readonly out: RecordOut,
  ) {}

  /** A RecordSink (io/json-records.ts). */
  readonly take = (text: string, line: number, parsed?: Parsed, element?: boolean): void => {
    this.texts++;
    let raw: unknown;
    if (parsed !== undefined) {
      if ('reject' in parsed) {
        this.records++;
        return this.reject(line, parsed.reject, text);
      }
      raw = parsed.value;
    } else {
      try {
        raw = JSON.parse(text);
      } catch (e) {
        this.records++;
        return this.reject(line, text === '' ? 'document ends before it is complete' : `invalid JSON: ${(e as Error).message}`, text);
      }
    }
    // A JSON array on a line of its own (`[e1]\n[e2]`, concatenated array files) is a
    // container like a document's array: each element is a record.
    if (!element && Array.isArray(raw) && raw.length > 0) {
      for (const el of raw) this.one(el, line, undefined);
      return;
    }
    const wrapped = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? unwrapAny(raw as Record<string, unknown>, this.preset) : undefined;
    if (wrapped) {
      if (!this.preset) this.lock(wrapped.preset); // the container says whose records these are
      for (const el of wrapped.inner) this.one(el, line, undefined);
    } else this.one(raw, line, text);
  };

  /** `text` is the record's own line, or undefined for an element of a container (shown as JSON). */
  private one(raw: unknown, line: number, text: string | undefined): void {
    this.records++;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return this.reject(line, 'not a JSON object', text ?? jsonText(raw));
    const rec = this.rec;
    rec.reset();
    const p = this.presetOf(raw as Record<string, unknown>);
    rec.preset = p;
    const why = p.map(raw as Record<string, unknown>, rec, this.ctx) ?? this.out.record(rec, line);
    if (why !== undefined) this.reject(line, why, text ?? jsonText(raw));
  }

  /** The file broke off: its cut tail counts as one record that could not be read. */
  lost(line: number, reason: string, text: string): void {
    this.records++;
    this.reject(line, reason, text);
  }

  private presetOf(raw: Record<string, unknown>): VendorPreset {
    if (this.preset) return this.preset;
    const found = detectPreset(raw);
    if (!found) return mixpanel;
    this.lock(found);
    return found;
  }

  private lock(found: VendorPreset): void {
    this.preset = found;
    this.out.lock(found);
  }

  private reject(line: number, reason: string, text: string): void {
    this.out.reject(line, reason, text.length > 1024 ? text.slice(0, 1024) : text);
  }
}
