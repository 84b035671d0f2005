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
import type { UserIndex } from '../core/user-index.js';
import type { Splitter } from '../io/read-export.js';
import { presetByWire } from '../vendors/index.js';
import { ChunkDecoder, type FileChunks } from './worker-decode.js';

export type { FileChunks } from './worker-decode.js';
import type { ChunkResult, ChunkTask, WorkerInit } from './worker-protocol.js';

/**
 * Bytes of NDJSON per chunk: big enough that a message costs little, small enough to balance.
 * BREACH_IMPACT_CHUNK_BYTES sets it for tests, which cut small fixtures into many chunks.
 */
const CHUNK = Number(process.env.BREACH_IMPACT_CHUNK_BYTES) || 4 << 20;
/** Chunks in flight or waiting to be applied, per worker, before reading waits. */
const AHEAD = 3;

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
  private readonly decoder: ChunkDecoder;

  constructor(n: number, init: WorkerInit, users: Pick<UserIndex, 'ids' | 'emails'>) {
    this.decoder = new ChunkDecoder(n, init.collectEvents, users);
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
        this.decoder.apply(slot.file!, slot.result!, slot.worker!, this.tables[slot.worker!]!);
      }
    }
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
