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
import type { Evidence } from '../core/correlate.js';
import type { Digested, FieldTable } from '../core/digest.js';
import type { Kind } from '../core/record.js';
import type { VendorPreset } from '../core/record.js';
import type { FileRecords, RecordOut } from './records.js';
import { F_DEVICE, F_EVENT, F_IN_WINDOW, F_KEYS, F_RESIDENCE, PRESETS, T_LOCK, T_RECORD, T_REJECT, type ChunkResult, type ChunkTask, type WorkerInit } from './worker-protocol.js';

/**
 * Bytes of NDJSON per chunk: big enough that a message costs little, small enough to balance.
 * BREACH_IMPACT_CHUNK_BYTES sets it for tests, which cut small fixtures into many chunks.
 */
const CHUNK = Number(process.env.BREACH_IMPACT_CHUNK_BYTES) || 4 << 20;
/** Chunks in flight or waiting to be applied, per worker, before reading waits. */
const AHEAD = 3;

const presetList = Object.values(PRESETS);

/** One file's state while its chunks are out. */
export interface FileChunks {
  reader: FileRecords;
  out: RecordOut;
  /** Applies one decoded record at its line. */
  apply(rec: Evidence, d: Digested, line: number): void;
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
  private readonly digests: DecodedDigest[] = [];

  constructor(n: number, init: WorkerInit) {
    for (let w = 0; w < n; w++) {
      const worker = new Worker(new URL('./worker.js', import.meta.url), { workerData: init });
      worker.on('message', (r: ChunkResult) => this.received(w, r));
      worker.on('error', (e) => this.fail(e));
      worker.on('exit', (code) => {
        if (code !== 0 && this.failure === undefined) this.fail(new Error(`a parse worker stopped (exit code ${code})`));
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
  splitter(file: FileChunks): { push(b: Buffer): Promise<void> | undefined; end(): Promise<void> | undefined; abort(): Promise<void> | undefined } {
    let pieces: Buffer[] = [];
    let size = 0;
    let clean = 0; // pieces[0, clean) hold no line end: a long line is scanned once
    return {
      push: (b) => {
        pieces.push(b);
        size += b.length;
        if (size < CHUNK) return undefined;
        // Cut after the last line end held; a line longer than a chunk waits for its end.
        const cut = cutAfterLastLine(pieces, clean);
        clean = cut === undefined ? pieces.length : cut.rest.length;
        if (cut === undefined) return undefined;
        pieces = cut.rest;
        size = 0;
        for (const q of pieces) size += q.length;
        return this.send(file, cut.head);
      },
      end: () => {
        if (size === 0) return undefined;
        const all = pieces;
        pieces = [];
        size = clean = 0;
        return this.send(file, all);
      },
      // The file broke off: its whole lines are sent, the cut one is dropped.
      abort: () => {
        const cut = cutAfterLastLine(pieces, clean);
        pieces = [];
        size = clean = 0;
        return cut && this.send(file, cut.head);
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
      await r;
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
    if (file.reader.preset === undefined) {
      for (let i = 0; i < r.n; ) {
        const tag = r.nums[i]!;
        if (tag === T_LOCK) file.reader.preset = presetList[r.nums[i + 1]!];
        i = skip(r.nums, i);
      }
    }
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
    const s = r.strs;
    const rec = this.rec;
    let si = 0;
    for (let i = 0; i < r.n; ) {
      const tag = a[i]!;
      const line = file.base + a[i + 1]!;
      if (tag === T_REJECT) {
        file.out.reject(line, s[si]!, s[si + 1]!);
        si += 2;
        i += 2;
      } else if (tag === T_LOCK) {
        file.out.lock(presetList[a[i + 1]!] as VendorPreset);
        i += 2;
      } else {
        const flags = a[i + 2]!;
        rec.kind = flags & F_EVENT ? 'event' : 'profile';
        rec.time = a[i + 3]!;
        const nIds = a[i + 4]!;
        const nEmails = a[i + 5]!;
        si = fill(rec.ids, s, si, nIds);
        si = fill(rec.emails, s, si, nEmails);
        si = fill(rec.hashes, s, si, a[i + 6]!);
        rec.deviceKey = flags & F_DEVICE ? s[si++]! : '';
        i += 7;
        i = fillNums(d.idHints, a, i, nIds);
        i = fillNums(d.emailHints, a, i, nEmails);
        d.inWindow = (flags & F_IN_WINDOW) !== 0;
        d.residence = '';
        if (d.fields.length !== 0) d.fields.length = 0;
        if (d.hints.length !== 0) d.hints.length = 0;
        if (d.inWindow) {
          d.dedupHi = a[i++]!;
          d.dedupLo = a[i++]!;
          const nf = a[i++]!;
          for (let k = 0; k < nf; k++) d.fields.push(a[i++]!);
          const nh = a[i++]!;
          for (let k = 0; k < nh; k++) d.hints.push(a[i++]!);
          if (flags & F_RESIDENCE) d.residence = s[si++]!;
          if (flags & F_KEYS) {
            rec.keys.ip = s[si++]!;
            rec.keys.user_agent = s[si++]!;
            rec.keys.device_id = s[si++]!;
          }
        }
        file.apply(rec, d, line);
      }
    }
    file.reader.records += r.records;
    file.base += r.lines;
    file.progress(r.texts);
  }

  private fail(e: unknown): void {
    if (this.failure === undefined) this.failure = e ?? new Error('a parse worker failed');
    for (const w of this.workers) void w.terminate();
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

/**
 * The pieces up to and with the last line end, and the rest (which holds none); undefined when
 * no piece from `from` on holds one.
 */
function cutAfterLastLine(pieces: Buffer[], from: number): { head: Buffer[]; rest: Buffer[] } | undefined {
  for (let p = pieces.length - 1; p >= from; p--) {
    const nl = pieces[p]!.lastIndexOf(0x0a);
    if (nl < 0) continue;
    const head = pieces.slice(0, p);
    head.push(pieces[p]!.subarray(0, nl + 1));
    const tail = pieces[p]!.subarray(nl + 1);
    const rest = pieces.slice(p + 1);
    if (tail.length > 0) rest.unshift(tail);
    return { head, rest };
  }
  return undefined;
}

/** The index after the item at `i`. */
function skip(a: Float64Array, i: number): number {
  const tag = a[i]!;
  if (tag === T_REJECT || tag === T_LOCK) return i + 2;
  const flags = a[i + 2]!;
  i += 7 + a[i + 4]! + a[i + 5]!;
  if (flags & F_IN_WINDOW) {
    i += 2;
    i += a[i]! + 1;
    i += a[i]! + 1;
  }
  return i;
}

function fill(to: string[], s: string[], at: number, n: number): number {
  if (to.length !== 0) to.length = 0;
  for (let k = 0; k < n; k++) to.push(s[at + k]!);
  return at + n;
}

function fillNums(to: number[], a: Float64Array, at: number, n: number): number {
  if (to.length !== 0) to.length = 0;
  for (let k = 0; k < n; k++) to.push(a[at + k]!);
  return at + n;
}

class DecodedRecord implements Evidence {
  kind: Kind = 'event';
  time = NaN;
  readonly ids: string[] = [];
  readonly emails: string[] = [];
  readonly hashes: string[] = [];
  deviceKey = '';
  readonly keys = { ip: '', user_agent: '', device_id: '' };
}

class DecodedDigest implements Digested {
  inWindow = false;
  dedupHi = 0;
  dedupLo = 0;
  readonly fields: number[] = [];
  readonly hints: number[] = [];
  residence = '';
  readonly idHints: number[] = [];
  readonly emailHints: number[] = [];
  constructor(
    readonly source: number,
    readonly table: FieldTable,
  ) {}
}
