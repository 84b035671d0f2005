/**
 * One export file's record texts → mapped records, the same in the main thread and in a worker:
 * parse, unwrap containers (an array on a line, a pipeline's wrapper: vendors/wrappers.ts), pick
 * the preset, map. Every text delimited is one record — mapped, or a reject with its reason —
 * but a wrapper's protocol line, which is counted on its own.
 */
import { jsonText, VendorRecord, type MapContext, type VendorPreset } from '../core/record.js';
import { detectPreset, PRESETS } from '../vendors/index.js';
import { mixpanel } from '../vendors/mixpanel.js';
import { isObject } from '../vendors/fields.js';
import { unwrap, type WrapperName } from '../vendors/wrappers.js';
import type { Parsed } from '../io/json-records.js';

export interface RecordOut {
  /** A mapped record; returns a reject reason when the record cannot be placed. */
  record(rec: VendorRecord, line: number): string | undefined;
  /** An unreadable record (its text cut to 1 KiB). */
  reject(line: number, reason: string, text: string, records?: number): void;
  /** --vendor auto settled on this preset for the rest of the file (found inside `wrapper`, if any). */
  lock(preset: VendorPreset, wrapper: WrapperName | undefined): void;
}

/** Where a record came from inside a container: said in its reject reason. */
interface Inside {
  wrapper: WrapperName;
  stream?: string;
}

/** How deep containers may nest (an Airbyte record of a Singer message …): hostile input stops here. */
const MAX_NESTING = 4;

export class FileRecords {
  /** Records delimited so far, readable or not (the accounting line's left side). */
  records = 0;
  /** Texts given by the splitter (the progress line counts these). */
  texts = 0;
  /** Records whose time --timezone shifted (written without a zone). */
  shifted = 0;
  /** Protocol lines by kind (`Singer STATE`): not records. */
  readonly protocol = new Map<string, number>();
  /** The containers met, in the order first met. */
  readonly wrappers: WrapperName[] = [];
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
  readonly accept = (text: string, line: number, parsed?: Parsed, element?: boolean): void => {
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
        return this.reject(
          line,
          text === ''
            ? 'document ends before it is complete'
            : `invalid JSON: ${(e as Error).message}`,
          text,
        );
      }
    }
    // A JSON array on a line of its own (`[e1]\n[e2]`, concatenated array files) is a
    // container like a document's array: each element is a record.
    if (!element && Array.isArray(raw) && raw.length > 0) {
      for (const el of raw) this.one(el, line, undefined, undefined, 1);
      return;
    }
    this.one(raw, line, text, undefined, 0);
  };

  /**
   * The file broke off: its cut tail counts as one record that could not be read, or as
   * `count` of them where the container knows how many were lost (one row in --rejects says so).
   */
  lost(line: number, reason: string, text: string, count = 1): void {
    this.records += count;
    this.out.reject(line, reason, text.length > 1024 ? text.slice(0, 1024) : text, count);
  }

  /** `text` is the record's own line, or undefined for an element of a container (shown as JSON). */
  private one(
    raw: unknown,
    line: number,
    text: string | undefined,
    inside: Inside | undefined,
    depth: number,
  ): void {
    if (isObject(raw) && depth < MAX_NESTING) {
      const c = unwrap(raw);
      if (c !== undefined) {
        if ('protocol' in c) {
          this.protocol.set(c.protocol, (this.protocol.get(c.protocol) ?? 0) + 1);
          return;
        }
        if (!this.wrappers.includes(c.wrapper)) this.wrappers.push(c.wrapper);
        if (c.broken !== undefined) {
          this.records++;
          return this.reject(line, within(inside, c.broken), text ?? jsonText(raw));
        }
        // The container says whose records these are (an Engage page, an Amplitude batch).
        if (!this.preset && c.vendor) this.lock(PRESETS[c.vendor]!, c.wrapper);
        const at: Inside = { wrapper: c.wrapper, stream: c.stream ?? inside?.stream };
        for (const el of c.inner) this.one(el, line, undefined, at, depth + 1);
        return;
      }
    }
    this.records++;
    if (!isObject(raw))
      return this.reject(line, within(inside, 'not a JSON object'), text ?? jsonText(raw));
    const rec = this.rec;
    rec.reset();
    const p = this.presetOf(raw, inside);
    rec.preset = p;
    const unsure = this.preset === undefined; // read as Mixpanel's only because nothing else fits
    const mapped = p.map(raw, rec, this.ctx);
    const why = mapped === undefined ? this.out.record(rec, line) : unsure ? NO_VENDOR : mapped;
    if (why !== undefined) return this.reject(line, within(inside, why), text ?? jsonText(raw));
    if (rec.shifted) this.shifted++;
  }

  private presetOf(raw: Record<string, unknown>, inside: Inside | undefined): VendorPreset {
    if (this.preset) return this.preset;
    const found = detectPreset(raw);
    if (!found) return mixpanel;
    this.lock(found, inside?.wrapper);
    return found;
  }

  private lock(found: VendorPreset, wrapper: WrapperName | undefined): void {
    this.preset = found;
    this.out.lock(found, wrapper);
  }

  private reject(line: number, reason: string, text: string): void {
    this.out.reject(line, reason, text.length > 1024 ? text.slice(0, 1024) : text);
  }
}

/** The reason for a record no preset recognises, while none is settled for the file. */
const NO_VENDOR = `not an event or profile of ${Object.values(PRESETS)
  .map((p) => p.label)
  .join(', ')
  .replace(/, ([^,]*)$/, ' or $1')}`;

/** A reason, said with the stream it came from (`Singer stream "funnels": not a Mixpanel event …`). */
function within(inside: Inside | undefined, reason: string): string {
  if (inside?.stream === undefined) return reason;
  return `${inside.wrapper.startsWith('airbyte') ? 'Airbyte' : 'Singer'} stream "${inside.stream}": ${reason}`;
}
