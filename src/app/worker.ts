/**
 * A parse worker (app/parallel.ts): NDJSON chunks → mapped, digested records, encoded for the
 * main thread. Everything here depends on the chunk alone, never on records before it, but the
 * field-name numbering, which the main thread maps once per name.
 */
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { Digest } from '../core/digest.js';
import { isEmailShaped, isHashShaped, normalizeEmail } from '../core/normalize.js';
import { emailHint, idHint, ProbeTable } from '../core/probe.js';
import type { VendorRecord, VendorPreset } from '../core/record.js';
import { ianaZone, utcZone } from '../core/time.js';
import { LineSplitter } from '../io/json-records.js';
import { FileRecords } from './records.js';
import { F_DEVICE, F_EVENT, F_IN_WINDOW, F_KEYS, F_RESIDENCE, PRESETS, T_LOCK, T_RECORD, T_REJECT, type ChunkResult, type ChunkTask, type WorkerInit } from './worker-protocol.js';

const init = workerData as WorkerInit;
// The main thread applies records in order and nothing can run ahead of it: when it waits for
// a core, every thread waits. On Linux a thread's nice value is its own, so the workers yield.
try {
  setPriority(0, 10);
} catch {
  // not allowed here: the workers compete on equal terms
}
const ctx = { zone: init.timezone === 'UTC' ? utcZone : ianaZone(init.timezone), localEpochs: init.timezone !== 'UTC' };
const digest = new Digest({ window: init.window, collectResidence: init.collectResidence });
const presetNames = Object.keys(PRESETS);
const idTable = new ProbeTable(init.idTable);
const emailTable = new ProbeTable(init.emailTable);

/** Numbers and strings of one chunk's records. */
class Encoder {
  nums = new Float64Array(1 << 16);
  n = 0;
  strs: string[] = [];

  private room(k: number): void {
    if (this.n + k <= this.nums.length) return;
    let size = this.nums.length * 2;
    while (size < this.n + k) size *= 2;
    const next = new Float64Array(size);
    next.set(this.nums.subarray(0, this.n));
    this.nums = next;
  }

  record(rec: VendorRecord, line: number): void {
    const d = digest;
    const nf = d.inWindow ? d.fields.length : 0;
    const nh = d.inWindow ? d.hints.length : 0;
    this.room(12 + rec.ids.length + rec.emails.length + nf + nh);
    const a = this.nums;
    let i = this.n;
    const keys = d.inWindow && init.loginKeys;
    a[i++] = T_RECORD;
    a[i++] = line;
    a[i++] = (rec.kind === 'event' ? F_EVENT : 0) | (rec.deviceKey !== '' ? F_DEVICE : 0) | (d.inWindow ? F_IN_WINDOW : 0) | (d.residence !== '' ? F_RESIDENCE : 0) | (keys ? F_KEYS : 0);
    a[i++] = rec.time;
    a[i++] = rec.ids.length;
    a[i++] = rec.emails.length;
    a[i++] = rec.hashes.length;
    for (const v of rec.ids) a[i++] = idHint(v, idTable, emailTable, normalizeEmail, isEmailShaped, isHashShaped);
    for (const v of rec.emails) a[i++] = emailHint(v, emailTable, normalizeEmail);
    const s = this.strs;
    for (const v of rec.ids) s.push(v);
    for (const v of rec.emails) s.push(v);
    for (const v of rec.hashes) s.push(v);
    if (rec.deviceKey !== '') s.push(rec.deviceKey);
    if (d.inWindow) {
      a[i++] = d.dedupHi;
      a[i++] = d.dedupLo;
      a[i++] = nf;
      for (let k = 0; k < nf; k++) a[i++] = d.fields[k]!;
      a[i++] = nh;
      for (let k = 0; k < nh; k++) a[i++] = d.hints[k]!;
      if (d.residence !== '') s.push(d.residence);
      if (keys) s.push(rec.keys.ip, rec.keys.user_agent, rec.keys.device_id);
    }
    this.n = i;
  }

  reject(line: number, reason: string, text: string): void {
    this.room(2);
    this.nums[this.n++] = T_REJECT;
    this.nums[this.n++] = line;
    this.strs.push(reason, text);
  }

  lock(p: VendorPreset): void {
    this.room(2);
    this.nums[this.n++] = T_LOCK;
    this.nums[this.n++] = presetNames.indexOf(p.name);
  }
}

parentPort!.on('message', (task: ChunkTask) => {
  const enc = new Encoder();
  const reader = new FileRecords(task.preset === undefined ? undefined : PRESETS[task.preset], ctx, {
    record(rec, line) {
      const why = digest.take(rec);
      if (why === undefined) enc.record(rec, line);
      return why;
    },
    reject: (line, reason, text) => enc.reject(line, reason, text),
    lock: (p) => enc.lock(p),
  });
  const lines = new LineSplitter(reader.take);
  lines.push(Buffer.from(task.bytes.buffer, task.bytes.byteOffset, task.bytes.byteLength));
  lines.end();
  const result: ChunkResult = { seq: task.seq, lines: lines.lastLine, records: reader.records, texts: reader.texts, nums: enc.nums, n: enc.n, strs: enc.strs, fields: digest.takeNew() };
  parentPort!.postMessage(result, [enc.nums.buffer]);
});
