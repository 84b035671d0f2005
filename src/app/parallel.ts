/**
 * The parallel path (issue 8): parse workers over NDJSON chunks, the main thread applying.
 *
 * The main thread reads every file as before (decompressing, hashing, counting its bytes) and
 * cuts its NDJSON into chunks at line ends. Each chunk goes to a worker, which parses, maps and
 * digests its records (app/worker.ts); the results come back in any order and are applied in
 * the order the chunks were cut. So every decision that depends on earlier records (the first
 * copy of a duplicate, a field's category, the numbering of identities and sessions) is the one
 * a single thread makes, and the output is byte-identical whatever the number of workers
 * (test/cli/workers.test.ts runs every golden case both ways).
 *
 * Memory stays bounded: at most a few chunks per worker are in flight or waiting to be applied,
 * and reading waits when that many are.
 */
import { Worker } from 'node:worker_threads';
import type { Category } from '../core/categorize.js';
import type { Evidence } from '../core/record.js';
import { EMAIL_PROBE, MANY } from '../core/probe.js';
import type { UserIndex } from '../core/user-index.js';
import { DigestSlots, type Digested, type FieldTable } from '../core/digest.js';
import { clear, type Kind } from '../core/record.js';
import type { FileRecords, RecordOut } from './records.js';
import type { Splitter } from '../io/read-export.js';
import { WRAPPERS } from '../vendors/wrappers.js';
import { presetByWire } from '../vendors/index.js';
import {
  F_DEVICE,
  F_EVENT,
  F_IN_WINDOW,
  F_KEYS,
  F_COUNT_ONLY,
  F_RESIDENCE,
  T_LOCK,
  T_REJECT,
  type ChunkResult,
  type ChunkTask,
  type WorkerInit,
} from './worker-protocol.js';

/**
 * Bytes of NDJSON per chunk: big enough that a message costs little, small enough to balance.
 * BREACH_IMPACT_CHUNK_BYTES sets it for tests, which cut small fixtures into many chunks.
 */
const CHUNK = Number(process.env.BREACH_IMPACT_CHUNK_BYTES) || 4 << 20;
/** Chunks in flight or waiting to be applied, per worker, before reading waits. */
const AHEAD = 3;

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

interface Slot {
  file?: FileChunks;
  result?: ChunkResult;
  worker?: number;
  call?: () => void;
  received?: () => void;
}

export class WorkerPool {
  private readonly workers: Worker[] = [];
  private readonly busy: number[] = [];
  private readonly tables: Array<{ names: string[]; cats: Category[] }> = [];
  private readonly queue: ChunkTask[] = [];
  private readonly slots = new Map<number, Slot>();
  private next = 0; // sequence number of the next slot
  private applied = 0; // slots applied so far
  private chunks = 0; // chunk slots not yet applied
  private failure: unknown;
  private wake: Array<() => void> = [];
  private readonly rec = new DecodedRecord();
  private readonly text = new TextReader();
  private readonly digests: DecodedDigest[] = [];
  private readonly collectEvents: boolean;

  constructor(
    n: number,
    init: WorkerInit,
    private readonly users: Pick<UserIndex, 'ids' | 'emails'>,
  ) {
    this.collectEvents = init.collectEvents;
    for (let w = 0; w < n; w++) {
      const worker = new Worker(new URL('./worker.js', import.meta.url), { workerData: init });
      worker.on('message', (r: ChunkResult) => this.received(w, r));
      worker.on('error', (e) => this.fail(e));
      worker.on('exit', (code) => {
        if (code !== 0 && this.failure === undefined)
          this.fail(new Error(`a parse worker stopped (exit code ${code})`));
      });
      this.workers.push(worker);
      this.busy.push(0);
      const table = { names: [] as string[], cats: [] as Category[] };
      this.tables.push(table);
      this.digests.push(new DecodedDigest(w + 1, table));
    }
  }

  get size(): number {
    return this.workers.length;
  }

  /** A splitter that sends a file's NDJSON to the workers. */
  splitter(file: FileChunks): Splitter {
    let pieces: Buffer[] = [];
    let size = 0;
    let seek = 0; // where the search for a line end resumes: a long line is scanned once
    // Chunks of CHUNK bytes and the rest of their last line, as many as what is held makes; a
    // line longer than a chunk waits for its end.
    const cut = async (): Promise<void> => {
      while (size >= CHUNK) {
        const at = lineEnd(pieces, Math.max(CHUNK - 1, seek));
        if (at < 0) {
          seek = size;
          return;
        }
        const parts = split(pieces, at + 1);
        pieces = parts.rest;
        size -= at + 1;
        seek = 0;
        await this.send(file, parts.head);
      }
    };
    return {
      push: (b) => {
        pieces.push(b);
        size += b.length;
        return size >= CHUNK ? cut() : undefined;
      },
      end: () => {
        if (size === 0) return undefined;
        const all = pieces;
        pieces = [];
        size = seek = 0;
        return this.send(file, all);
      },
      // The file broke off: its whole lines are sent, the cut one is the tail (its line is
      // known once the chunks before it are applied: FileChunks.base).
      abort: async () => {
        let last = -1;
        for (let k = pieces.length - 1, off = size; k >= 0 && last < 0; k--) {
          off -= pieces[k]!.length;
          const nl = pieces[k]!.lastIndexOf(0x0a);
          if (nl >= 0) last = off + nl;
        }
        const parts = last < 0 ? { head: undefined, rest: pieces } : split(pieces, last + 1);
        pieces = [];
        size = seek = 0;
        if (parts.head) await this.send(file, parts.head);
        return { text: Buffer.concat(parts.rest).toString('utf8') };
      },
    };
  }

  /** Runs `fn` once every chunk sent so far is applied (at once when none is out). */
  after(fn: () => void): void {
    this.check();
    if (this.applied === this.next) fn();
    else this.slots.set(this.next++, { call: fn });
  }

  /** Waits until everything sent is applied; throws what stopped the run, if anything did. */
  async drain(): Promise<void> {
    while (this.applied < this.next) {
      this.check();
      await this.changed();
    }
    this.check();
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private async send(file: FileChunks, pieces: Buffer[]): Promise<void> {
    // Until --vendor auto has settled on the file's preset, its chunks go one at a time: the
    // preset a chunk is read with depends on the records before it.
    while (file.reader.preset === undefined && file.receipt) {
      const r = file.receipt;
      await r; // resolved by the reply, or by fail()
      this.check();
      if (file.receipt === r) file.receipt = undefined;
    }
    let length = 0;
    for (const p of pieces) length += p.length;
    // A buffer of its own, to transfer: Buffer.concat may hand out a slice of the shared pool.
    const bytes = new Uint8Array(length);
    let at = 0;
    for (const p of pieces) {
      bytes.set(p, at);
      at += p.length;
    }
    const seq = this.next++;
    const slot: Slot = { file };
    if (file.reader.preset === undefined) file.receipt = new Promise((r) => (slot.received = r));
    this.slots.set(seq, slot);
    this.chunks++;
    this.queue.push({ seq, bytes, preset: file.reader.preset?.name });
    this.dispatch();
    while (this.chunks >= AHEAD * this.workers.length) {
      this.check();
      await this.changed();
    }
    this.check();
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let w = 0;
      for (let k = 1; k < this.busy.length; k++) if (this.busy[k]! < this.busy[w]!) w = k;
      if (this.busy[w]! >= 2) return; // each worker holds one chunk and the next one
      const task = this.queue.shift()!;
      this.busy[w]!++;
      this.slots.get(task.seq)!.worker = w;
      this.workers[w]!.postMessage(task, [task.bytes.buffer as ArrayBuffer]);
    }
  }

  private received(w: number, r: ChunkResult): void {
    if (this.failure !== undefined) return; // the run is over: nothing more is applied
    this.busy[w]!--;
    const table = this.tables[w]!;
    for (let i = 0; i < r.fields.names.length; i++) {
      table.names[r.fields.first + i] = r.fields.names[i]!;
      table.cats[r.fields.first + i] = r.fields.cats[i]!;
    }
    const slot = this.slots.get(r.seq)!;
    slot.result = r;
    const file = slot.file!;
    // A lock settles the preset for the chunks still to be cut (applied below, in order).
    if (file.reader.preset === undefined && r.lock >= 0) file.reader.preset = presetByWire(r.lock);
    slot.received?.();
    this.dispatch();
    try {
      this.pump();
    } catch (e) {
      this.fail(e);
    }
    this.notify();
  }

  /** Applies every slot that is next in order and ready. */
  private pump(): void {
    for (;;) {
      const slot = this.slots.get(this.applied);
      if (slot === undefined || (slot.call === undefined && slot.result === undefined)) return;
      this.slots.delete(this.applied);
      this.applied++;
      if (slot.call) slot.call();
      else {
        this.chunks--;
        this.apply(slot.file!, slot.result!, this.digests[slot.worker!]!);
      }
    }
  }

  private apply(file: FileChunks, r: ChunkResult, d: DecodedDigest): void {
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

  private fail(e: unknown): void {
    if (this.failure === undefined) this.failure = e ?? new Error('a parse worker failed');
    for (const w of this.workers) void w.terminate();
    // No reply comes now: whatever waits for one must wake and see the failure.
    for (const slot of this.slots.values()) slot.received?.();
    this.notify();
  }

  private check(): void {
    if (this.failure !== undefined) throw this.failure;
  }

  private changed(): Promise<void> {
    return new Promise((r) => this.wake.push(r));
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = [];
    for (const r of wake) r();
  }
}

/** The offset of the first line end at or after `from` in the pieces taken as one, or -1. */
function lineEnd(pieces: Buffer[], from: number): number {
  let off = 0;
  for (const p of pieces) {
    if (from < off + p.length) {
      const nl = p.indexOf(0x0a, Math.max(0, from - off));
      if (nl >= 0) return off + nl;
    }
    off += p.length;
  }
  return -1;
}

/** The pieces' first `n` bytes and the rest, without copying. */
function split(pieces: Buffer[], n: number): { head: Buffer[]; rest: Buffer[] } {
  const head: Buffer[] = [];
  let k = 0;
  while (n > 0) {
    const p = pieces[k]!;
    if (p.length <= n) {
      head.push(p);
      n -= p.length;
      k++;
    } else {
      head.push(p.subarray(0, n));
      return { head, rest: [p.subarray(n), ...pieces.slice(k + 1)] };
    }
  }
  return { head, rest: pieces.slice(k) };
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
