/**
 * The main thread's side of the worker protocol (app/worker-protocol.ts): a chunk's records
 * decoded from the numbers and code units a worker sent (app/worker.ts encodes them), applied in
 * the order the worker read them. Its loop is the parallel path's hot loop, measured in
 * bench/RESULTS.md: one reused record and digest, strings made only where needed.
 */
import type { Digested, FieldTable } from '../core/digest.js';
import { DigestSlots } from '../core/digest.js';
import { EMAIL_PROBE, MANY } from '../core/probe.js';
import { clear, type Evidence, type Kind } from '../core/record.js';
import type { UserIndex } from '../core/user-index.js';
import { presetByWire } from '../vendors/index.js';
import { WRAPPERS } from '../vendors/wrappers.js';
import type { FileRecords, RecordOut } from './records.js';
import {
  F_COUNT_ONLY,
  F_DEVICE,
  F_EVENT,
  F_IN_WINDOW,
  F_KEYS,
  F_RESIDENCE,
  T_LOCK,
  T_REJECT,
  type ChunkResult,
} from './worker-protocol.js';

/** One file's state while its chunks are out. */
export interface FileChunks {
  reader: FileRecords;
  out: RecordOut;
  /** Applies one decoded record at its line. */
  apply(rec: Evidence, d: Digested, line: number): void;
  /** Counts a record whose only effect is to be out of the window (F_COUNT_ONLY). */
  countOnly(): void;
  /** Counts texts split, for the progress line. */
  progress(texts: number): void;
  /** Lines before the next chunk to apply. */
  base: number;
  /** Resolved when the last chunk sent has come back (while auto-detection is unsettled). */
  receipt?: Promise<void>;
}

export class ChunkDecoder {
  private readonly rec = new DecodedRecord();
  private readonly text = new TextReader();
  private readonly digests: DecodedDigest[] = [];

  constructor(
    workers: number,
    private readonly collectEvents: boolean,
    private readonly users: Pick<UserIndex, 'ids' | 'emails'>,
  ) {
    this.digests.length = workers;
  }

  /** Applies one chunk's records, in order, through the file's `apply`; then its counts. */
  apply(file: FileChunks, r: ChunkResult, worker: number, table: FieldTable): void {
    const d = (this.digests[worker] ??= new DecodedDigest(worker + 1, table));
    const a = r.nums;
    const t = this.text;
    t.reset(r.text, r.tn);
    const rec = this.rec;
    const users = this.users;
    for (let i = 0; i < r.n;) {
      const tag = a[i]!;
      if (tag === T_LOCK) {
        const w = a[i + 2]!;
        file.out.lock(presetByWire(a[i + 1]!)!, w < 0 ? undefined : WRAPPERS[w]!.name);
        i += 3;
        continue;
      }
      const line = file.base + a[i + 1]!;
      i += 2;
      if (tag === T_REJECT) {
        const reason = t.next(a[i++]!);
        file.out.reject(line, reason, t.next(a[i++]!));
        continue;
      }
      const flags = a[i++]!;
      rec.kind = flags & F_EVENT ? 'event' : 'profile';
      rec.time = a[i++]!;
      const nIds = a[i++]!;
      const nEmails = a[i++]!;
      const nHashes = a[i++]!;
      clear(rec.ids);
      clear(d.idProbes);
      clear(rec.emails);
      clear(d.emailProbes);
      clear(rec.hashes);
      let confirmed = 0;
      // A value the probe tables name is checked against that user's own id or email here, code
      // unit by code unit; when it is the same, the user's string stands in for it (no copy).
      for (let k = 0; k < nIds; k++) {
        const h = a[i++]!;
        const own =
          h >= 0 ? users.ids[h]! : h <= EMAIL_PROBE ? users.emails[EMAIL_PROBE - h]! : undefined;
        if (t.readProbed(own, h, a[i++]!, rec.ids, d.idProbes)) confirmed++;
      }
      if (flags & F_COUNT_ONLY && confirmed === nIds) {
        // Out of the window, every id its user's, no device: it only counts (F_COUNT_ONLY).
        for (let k = 0; k < nEmails; k++) t.skip(a[i + 2 * k + 1]!);
        i += 2 * nEmails;
        for (let k = 0; k < nHashes; k++) t.skip(a[i + k]!);
        i += nHashes;
        file.countOnly();
        continue;
      }
      for (let k = 0; k < nEmails; k++) {
        const h = a[i++]!;
        t.readProbed(h >= 0 ? users.emails[h]! : undefined, h, a[i++]!, rec.emails, d.emailProbes);
      }
      for (let k = 0; k < nHashes; k++) rec.hashes.push(t.next(a[i++]!));
      rec.deviceKey = flags & F_DEVICE ? t.next(a[i++]!) : '';
      d.inWindow = (flags & F_IN_WINDOW) !== 0;
      d.residence = '';
      if (d.fields.length !== 0) d.fields.length = 0;
      if (d.valueHints.length !== 0) d.valueHints.length = 0;
      if (d.inWindow) {
        if (this.collectEvents) rec.name = t.next(a[i++]!);
        d.dedupHi = a[i++]!;
        d.dedupLo = a[i++]!;
        const nf = a[i++]!;
        for (let k = 0; k < nf && i < r.n; k++) d.fields.push(a[i++]!);
        const nh = a[i++]!;
        for (let k = 0; k < nh && i < r.n; k++) d.valueHints.push(a[i++]!);
        if (flags & F_RESIDENCE) d.residence = t.next(a[i++]!);
        if (flags & F_KEYS) {
          rec.keys.ip = t.next(a[i++]!);
          rec.keys.user_agent = t.next(a[i++]!);
          rec.keys.device_id = t.next(a[i++]!);
        }
      }
      file.apply(rec, d, line);
    }
    // The two sides of the protocol disagree: stop, rather than apply misread records.
    if (!t.done()) throw new Error("internal error: a parse worker's message was misread");
    const reader = file.reader;
    reader.records += r.records;
    reader.shifted += r.shifted;
    for (const [kind, n] of r.protocol)
      reader.protocol.set(kind, (reader.protocol.get(kind) ?? 0) + n);
    for (const w of r.wrappers) if (!reader.wrappers.includes(w)) reader.wrappers.push(w);
    file.base += r.lines;
    file.progress(r.texts);
  }
}

/** A chunk's string code units, read in order. */
class TextReader {
  private t: Uint16Array<ArrayBufferLike> = new Uint16Array(0);
  private bytes: Buffer = Buffer.alloc(0);
  private at = 0;
  private end = 0;

  reset(t: Uint16Array<ArrayBufferLike>, end: number): void {
    this.t = t;
    this.bytes = Buffer.from(t.buffer, t.byteOffset, t.byteLength);
    this.at = 0;
    this.end = end;
  }

  /** The next `len` code units as a string: UTF-16LE copies code units as they are, lone surrogates too. */
  next(len: number): string {
    const from = this.at;
    this.at += len;
    return len === 0 ? '' : this.bytes.toString('utf16le', from * 2, (from + len) * 2);
  }

  skip(len: number): void {
    this.at += len;
  }

  /** True when every code unit was read (and the numbers that said how many were read right). */
  done(): boolean {
    return this.at === this.end;
  }

  /**
   * Reads a value the probe tables may have named (`own`, its user's id or email): when its code
   * units are `own`'s, `own` stands in for it (no copy) and it is confirmed (true); when they are
   * not, it is read and its probe answer becomes MANY, to be looked up in full.
   */
  readProbed(
    own: string | undefined,
    h: number,
    len: number,
    values: string[],
    probes: number[],
  ): boolean {
    if (own !== undefined && this.is(own, len)) {
      values.push(own);
      probes.push(h);
      return true;
    }
    values.push(this.next(len));
    probes.push(own === undefined ? h : MANY);
    return false;
  }

  /** True, and the `len` code units skipped, when they are `s`'s; else nothing is read. */
  is(s: string, len: number): boolean {
    if (s.length !== len) return false;
    const t = this.t;
    const from = this.at;
    for (let k = 0; k < len; k++) if (t[from + k] !== s.charCodeAt(k)) return false;
    this.at += len;
    return true;
  }
}

class DecodedRecord implements Evidence {
  kind: Kind = 'event';
  name = '';
  time = NaN;
  readonly ids: string[] = [];
  readonly emails: string[] = [];
  readonly hashes: string[] = [];
  deviceKey = '';
  readonly keys = { ip: '', user_agent: '', device_id: '' };
}

class DecodedDigest extends DigestSlots implements Digested {
  constructor(
    readonly source: number,
    readonly table: FieldTable,
  ) {
    super();
  }
}
