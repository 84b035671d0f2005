/**
 * What passes between the main thread and the parse workers (app/parallel.ts, app/worker.ts).
 * A chunk of NDJSON goes out as bytes cut at a line end; its records come back as numbers in
 * one Float64Array and their strings' code units in one Uint16Array, in the order the chunk
 * holds them, so the main thread applies them exactly as a single thread would have read them.
 */
import type { Category } from '../core/categorize.js';
import type { Window } from '../core/digest.js';
import type { WrapperName } from '../vendors/wrappers.js';

export interface WorkerInit {
  /** IANA zone or 'UTC' (--timezone). */
  timezone: string;
  window?: Window;
  collectResidence: boolean;
  /** True with --sessions: in-window records carry their login keys (ip, user agent, device id). */
  loginKeys: boolean;
  /** The user index's probe tables (core/probe.ts): ids and --user-key values, normalized emails. */
  idTable: SharedArrayBuffer;
  emailTable: SharedArrayBuffer;
  /** In-window records carry their event name (the events column, issue 15). */
  collectEvents: boolean;
  /** --explain: no record is skipped as F_COUNT_ONLY (the explanation sees every record). */
  explaining: boolean;
}

export interface ChunkTask {
  seq: number;
  bytes: Uint8Array; // transferred
  /** The preset reading the file: fixed or settled before this chunk; undefined while auto has not settled. */
  preset?: string;
}

export interface ChunkResult {
  seq: number;
  /** Lines in the chunk (each counted at its line end): where the next chunk's numbering starts. */
  lines: number;
  /** Records delimited (the accounting line's left side) and texts split (the progress line). */
  records: number;
  texts: number;
  /** The wire number (VendorPreset.wire) of the first --vendor auto lock in the chunk, -1 when none. */
  lock: number;
  /** Records whose time --timezone shifted; protocol lines by kind; containers met, in order. */
  shifted: number;
  protocol: Array<[string, number]>;
  wrappers: WrapperName[];
  nums: Float64Array; // transferred; `n` of it used
  n: number;
  /** The records' strings as UTF-16 code units, in the order their lengths appear in `nums` (transferred). */
  text: Uint16Array;
  tn: number;
  /** Field names the worker numbered for the first time in this chunk. */
  fields: { first: number; names: string[]; cats: Category[] };
}

/** Item tags in `nums` (T_LOCK: preset index, then the container's WRAPPERS id or -1). */
export const T_RECORD = 1,
  T_REJECT = 2,
  T_LOCK = 3;
/** Record flags. */
export const F_EVENT = 1,
  F_DEVICE = 2,
  F_IN_WINDOW = 4,
  F_RESIDENCE = 8,
  F_KEYS = 16;
/**
 * Out of the window, no device key, and every id a user by the probe tables: if the main thread
 * confirms each id, the record's only effect is to count as out of the window (it links no
 * identity and opens no session), and the rest of it is skipped.
 */
export const F_COUNT_ONLY = 32;

/** The presets a task names, by name; a lock names one by its wire number (presetByWire). */
export { PRESETS } from '../vendors/index.js';
