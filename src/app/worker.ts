/**
 * A parse worker (app/parallel.ts): NDJSON chunks → mapped, digested records, encoded for the
 * main thread. Everything here depends on the chunk alone, never on records before it, but the
 * field-name numbering, which the main thread maps once per name.
 */
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { Digest } from '../core/digest.js';
import { emailProbe, idProbe, MANY, NO_USER, ProbeTable } from '../core/probe.js';
import type { VendorRecord, VendorPreset } from '../core/record.js';
import { ianaZone, utcZone } from '../core/time.js';
import { LineSplitter } from '../io/json-records.js';
import { FileRecords } from './records.js';
import { WRAPPERS, type WrapperName } from '../vendors/wrappers.js';
import {
  F_DEVICE,
  F_EVENT,
  F_IN_WINDOW,
  F_KEYS,
  F_COUNT_ONLY,
  F_RESIDENCE,
  PRESETS,
  T_LOCK,
  T_RECORD,
  T_REJECT,
  type ChunkResult,
  type ChunkTask,
  type WorkerInit,
} from './worker-protocol.js';

const init = workerData as WorkerInit;
// The main thread applies records in order and nothing can run ahead of it: when it waits for
// a core, every thread waits. On Linux a thread's nice value is its own, so the workers yield.
try {
  setPriority(0, 10);
} catch {
  // not allowed here: the workers compete on equal terms
}
const ctx = {
  zone: init.timezone === 'UTC' ? utcZone : ianaZone(init.timezone),
  localEpochs: init.timezone !== 'UTC',
};
const digest = new Digest({ window: init.window, collectResidence: init.collectResidence });
const idTable = new ProbeTable(init.idTable);
const emailTable = new ProbeTable(init.emailTable);

/**
 * One chunk's records as numbers (Float64Array) and the UTF-16 code units of their strings
 * (Uint16Array), both transferred, not cloned: the main thread makes a string only where it
 * needs one, when it applies the record, so a chunk waiting its turn holds no JavaScript objects.
 */
class Encoder {
  n = 0;
  tn = 0;
  /** The wire number of the preset the first lock in the chunk settled on, -1 when none. */
  lock = -1;
  private readonly probes: number[] = [];
  nums: Float64Array<ArrayBuffer>;
  text: Uint16Array<ArrayBuffer>;

  /** Sized for a chunk of `bytes` (a record's numbers and strings take less than its text). */
  constructor(bytes: number) {
    this.nums = new Float64Array(Math.max(64, bytes >> 5));
    this.text = new Uint16Array(Math.max(64, bytes >> 2));
  }

  private room(k: number): void {
    if (this.n + k > this.nums.length)
      this.nums = grown(this.nums, this.n + k) as Float64Array<ArrayBuffer>;
  }

  /** A string: its length among the numbers, its code units in the text. */
  private str(s: string): void {
    this.room(1);
    this.nums[this.n++] = s.length;
    if (this.tn + s.length > this.text.length)
      this.text = grown(this.text, this.tn + s.length) as Uint16Array<ArrayBuffer>;
    const t = this.text;
    let j = this.tn;
    for (let i = 0; i < s.length; i++) t[j++] = s.charCodeAt(i);
    this.tn = j;
  }

  private num(v: number): void {
    this.room(1);
    this.nums[this.n++] = v;
  }

  record(rec: VendorRecord, line: number): void {
    const d = digest;
    const keys = d.inWindow && init.loginKeys;
    const probes = this.probes;
    probes.length = 0;
    for (const v of rec.ids) probes.push(idProbe(v, idTable, emailTable));
    this.num(T_RECORD);
    this.num(line);
    let countOnly = !d.inWindow && rec.deviceKey === '' && !init.explaining;
    for (const h of probes) if (h === NO_USER || h === MANY) countOnly = false;
    this.num(
      (rec.kind === 'event' ? F_EVENT : 0) |
        (rec.deviceKey !== '' ? F_DEVICE : 0) |
        (d.inWindow ? F_IN_WINDOW : 0) |
        (d.residence !== '' ? F_RESIDENCE : 0) |
        (keys ? F_KEYS : 0) |
        (countOnly ? F_COUNT_ONLY : 0),
    );
    this.num(rec.time);
    this.num(rec.ids.length);
    this.num(rec.emails.length);
    this.num(rec.hashes.length);
    for (let k = 0; k < rec.ids.length; k++) {
      this.num(probes[k]!);
      this.str(rec.ids[k]!);
    }
    // A countOnly record's emails are read only if one of its ids is not confirmed: then in full.
    for (const v of rec.emails) {
      this.num(countOnly ? MANY : emailProbe(v, emailTable));
      this.str(v);
    }
    for (const v of rec.hashes) this.str(v);
    if (rec.deviceKey !== '') this.str(rec.deviceKey);
    if (!d.inWindow) return;
    if (init.collectEvents) this.str(rec.name);
    this.num(d.dedupHi);
    this.num(d.dedupLo);
    this.num(d.fields.length);
    for (const f of d.fields) this.num(f);
    this.num(d.valueHints.length);
    for (const h of d.valueHints) this.num(h);
    if (d.residence !== '') this.str(d.residence);
    if (keys) {
      this.str(rec.keys.ip);
      this.str(rec.keys.user_agent);
      this.str(rec.keys.device_id);
    }
  }

  reject(line: number, reason: string, text: string): void {
    this.num(T_REJECT);
    this.num(line);
    this.str(reason);
    this.str(text);
  }

  locked(p: VendorPreset, wrapper: WrapperName | undefined): void {
    const i = p.wire;
    if (this.lock < 0) this.lock = i;
    this.num(T_LOCK);
    this.num(i);
    this.num(wrapper === undefined ? -1 : WRAPPERS.find((w) => w.name === wrapper)!.id);
  }
}

function grown(
  a: Float64Array<ArrayBuffer> | Uint16Array<ArrayBuffer>,
  need: number,
): Float64Array<ArrayBuffer> | Uint16Array<ArrayBuffer> {
  let size = a.length * 2;
  while (size < need) size *= 2;
  const next = a instanceof Float64Array ? new Float64Array(size) : new Uint16Array(size);
  next.set(a);
  return next;
}

parentPort!.on('message', (task: ChunkTask) => {
  const enc = new Encoder(task.bytes.byteLength);
  const reader = new FileRecords(
    task.preset === undefined ? undefined : PRESETS[task.preset],
    ctx,
    {
      record(rec, line) {
        const why = digest.make(rec);
        if (why === undefined) enc.record(rec, line);
        return why;
      },
      reject: (line, reason, text) => enc.reject(line, reason, text),
      lock: (p, w) => enc.locked(p, w),
    },
  );
  const lines = new LineSplitter(reader.accept);
  lines.push(Buffer.from(task.bytes.buffer, task.bytes.byteOffset, task.bytes.byteLength));
  lines.end();
  const result: ChunkResult = {
    seq: task.seq,
    lines: lines.lastLine,
    records: reader.records,
    texts: reader.texts,
    lock: enc.lock,
    shifted: reader.shifted,
    protocol: [...reader.protocol],
    wrappers: reader.wrappers,
    nums: enc.nums,
    n: enc.n,
    text: enc.text,
    tn: enc.tn,
    fields: digest.newFields(),
  };
  parentPort!.postMessage(result, [enc.nums.buffer, enc.text.buffer]);
});
