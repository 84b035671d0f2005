/**
 * `inspect` (issue #5): one pass over an export, before any user table is at hand — what
 * kinds of records, which events, what time span, which identifiers and fields, which of them
 * hold emails, IPs, URLs with query strings or hashes, and what could not be read. Values are
 * kept only as masked examples, and only when --show-values asks for them.
 */
import { cmp } from '../core/join/order.js';
import {
  hintCategory,
  urlFindings,
  valueHint,
  verdictFor,
  CATEGORIES,
  type Category,
  type NameVerdict,
} from '../core/categorize.js';
import { Fingerprints } from '../core/dedup.js';
import { groupFields } from '../core/families.js';
import { isEmailShaped, isHashShaped, isIpShaped } from '../core/normalize.js';
import { forEachField, jsonText, type VendorPreset, type VendorRecord } from '../core/record.js';
import type { Window } from '../core/digest.js';
import type { Log } from './run-correlate.js';
import type { ZoneResolver } from '../core/time.js';
import { expandPaths, type InputFile, type Skipped } from '../io/open.js';
import { UsageError } from '../errors.js';
import { genericPreset, type GenericPreset, type MapTarget } from '../vendors/generic.js';
import { presetFor } from '../vendors/index.js';
import {
  newProgress,
  reasonKind,
  scanExports,
  type InputEntry,
  type Progress,
  type ScanResult,
} from './scan.js';
import { mask } from './mask.js';

export interface InspectPlan {
  exports: string[];
  vendor: string;
  /** --map, with --vendor generic. */
  mapping?: Partial<Record<MapTarget, string>>;
  window?: Window;
  timezone: string;
  zone: ZoneResolver;
  showValues: boolean;
}

const DISTINCT_CAP = 10_000; // exact distinct counts per field up to here, then "more than"
const EXAMPLES = 3;

class FieldStats {
  filled = 0;
  distinct = new Set<string>();
  capped = false;
  holds = { email: 0, ip: 0, url_query: 0, hash: 0 };
  /** What the name says (with the preset's own meaning for it), and the best value hint seen. */
  constructor(readonly verdict: NameVerdict) {}
  best = Infinity;
  examples: string[] = [];
}

class IdStats {
  carried = 0;
  distinct = new Fingerprints();
  count = 0;
}

export interface InspectReport {
  vendor: string;
  inputs: InputEntry[];
  records: { read: number; rejected: number; by_kind: Record<string, number>; duplicates: number };
  /** Pipeline containers the records came in, and their protocol lines (not records). */
  wrappers: string[];
  protocol_lines: Record<string, number>;
  events: Array<[name: string, count: number]>;
  time: { first: number; last: number; in_window?: number; untimed_events: number };
  identifiers: Array<{ field: string; distinct: number; records_without: number }>;
  fields: Array<{
    field: string;
    category: Category;
    fill_rate: number;
    distinct: number;
    distinct_capped: boolean;
    holds: string[];
    examples?: string[];
  }>;
  /** Families of fields of one kind with two or more members (core/families.ts). */
  families: Array<{ family: string; label: string; fields: string[] }>;
  rejects: Array<{ reason: string; count: number; first: string }>;
  errors: string[];
}

/** What one pass counts: filled record by record, then read once into the report. */
interface Tally {
  readable: number;
  byKind: Record<string, number>;
  events: Map<string, number>;
  fields: Map<string, FieldStats>;
  ids: Map<string, IdStats>;
  rejects: Map<string, { count: number; first: string }>;
  seen: Fingerprints;
  duplicates: number;
  time: { first: number; last: number; inWindow: number; untimed: number };
}

function newTally(): Tally {
  return {
    readable: 0,
    byKind: {},
    events: new Map(),
    fields: new Map(),
    ids: new Map(),
    rejects: new Map(),
    seen: new Fingerprints(),
    duplicates: 0,
    time: { first: Infinity, last: -Infinity, inWindow: 0, untimed: 0 },
  };
}

export async function runInspect(
  plan: InspectPlan,
  log: Log,
  onStart?: (p: Progress) => void,
): Promise<InspectReport> {
  const skipped: Skipped[] = [];
  const files = expandPaths(plan.exports, skipped);
  for (const f of skipped)
    log.warn(`${f.path}: skipped, ${f.reason} (not an export); name it with --export to read it`);
  const generic = plan.mapping ? genericPreset(plan.mapping) : undefined;
  if (!generic && plan.vendor !== 'auto') presetFor(plan.vendor); // an unsupported vendor is a usage error before any work
  const progress = newProgress(files);
  onStart?.(progress);
  const tally = newTally();
  const scan = await scanExports(
    files,
    generic ?? plan.vendor,
    { zone: plan.zone, localEpochs: plan.timezone !== 'UTC' },
    {
      record(rec) {
        countRecord(tally, rec, plan.window, plan.showValues);
        return undefined;
      },
      reject(file, line, reason, _text, records = 1) {
        countReject(tally.rejects, file, line, reason, records);
      },
      warn: log.warn,
      info: log.info,
    },
    progress,
  );
  checkMapping(generic, tally.readable);
  return inspectReport(tally, scan, plan);
}

/** One readable record: its kind, event name, duplicate, time, and each of its fields. */
function countRecord(
  t: Tally,
  rec: VendorRecord,
  w: Window | undefined,
  showValues: boolean,
): void {
  t.readable++;
  const preset = rec.preset!;
  // What an identifier is, the preset's map said (issue 14): inspect and correlate agree.
  for (const f of rec.idFields) if (!t.ids.has(f)) t.ids.set(f, new IdStats());
  t.byKind[rec.kind] = (t.byKind[rec.kind] ?? 0) + 1;
  if (rec.kind === 'event')
    t.events.set(rec.name || '(no name)', (t.events.get(rec.name || '(no name)') ?? 0) + 1);
  if (rec.dedupKey !== '' && t.seen.seen(rec.dedupKey)) t.duplicates++;
  countTime(t.time, rec, w);
  forEachField(rec, preset.bookkeeping, (name, v) => countField(t, preset, name, v, showValues));
}

/** The events' time span, the events without a time, and the records inside --window. */
function countTime(time: Tally['time'], rec: VendorRecord, w: Window | undefined): void {
  const t = rec.time;
  if (rec.kind === 'event') {
    if (Number.isNaN(t)) time.untimed++;
    else {
      if (t < time.first) time.first = t;
      if (t > time.last) time.last = t;
    }
  }
  if (w && (rec.kind === 'profile' || (t >= w.start && t < w.end))) time.inWindow++;
}

/** One field's value: its category hint, fill, distinct values, identifier count, examples. */
function countField(
  t: Tally,
  preset: VendorPreset,
  name: string,
  v: unknown,
  showValues: boolean,
): void {
  let f = t.fields.get(name);
  if (!f) t.fields.set(name, (f = new FieldStats(verdictFor(name, preset.categories?.[name]))));
  if (f.verdict.base === 'other' && f.best > 0) {
    const h = valueHint(f.verdict, v, f.best);
    if (h) f.best = h[0];
  }
  f.filled++;
  const text = typeof v === 'string' ? v : typeof v === 'object' ? jsonText(v) : String(v);
  addDistinct(f, text);
  const id = t.ids.get(name);
  if (id) {
    id.carried++;
    if (!id.distinct.seen(text)) id.count++;
  }
  if (typeof v === 'string') countHolds(f.holds, v.trim());
  if (showValues && f.examples.length < EXAMPLES) {
    const m = mask(text);
    if (!f.examples.includes(m)) f.examples.push(m);
  }
}

/** Exact distinct values until DISTINCT_CAP; past it, only that there are more. */
function addDistinct(f: FieldStats, text: string): void {
  if (f.capped) return;
  f.distinct.add(text);
  if (f.distinct.size > DISTINCT_CAP) {
    f.capped = true;
    f.distinct.clear();
  }
}

/** What a (trimmed) string value looks like: an email, an IP, a hash, a URL with a query. */
function countHolds(holds: FieldStats['holds'], tv: string): void {
  if (tv.indexOf('@') > 0 && isEmailShaped(tv)) holds.email++;
  else if (isIpShaped(tv)) holds.ip++;
  else if (isHashShaped(tv)) holds.hash++;
  if (tv.length > 10 && urlFindings(tv) !== 0) holds.url_query++;
  else if (tv.includes('://') && tv.includes('?')) holds.url_query++;
}

/** An unreadable record, counted by kind of reason with where the first one was. */
function countReject(
  rejects: Tally['rejects'],
  file: InputFile,
  line: number,
  reason: string,
  records: number,
): void {
  const key = reasonKind(reason);
  const r = rejects.get(key);
  if (r) r.count += records;
  else rejects.set(key, { count: records, first: `${file.display}:${line}` });
}

/** --map named a field no record has: a usage error, but only once records were read. */
function checkMapping(generic: GenericPreset | undefined, readable: number): void {
  const unseen = generic && readable > 0 ? generic.unseen() : [];
  if (unseen.length)
    throw new UsageError(
      `--map: no record has ${unseen.map((t) => `the ${t} field "${generic!.mapping[t]}"`).join(', ')}`,
      'name fields as the export writes them; inspect --export without --vendor generic lists them',
    );
}

function inspectReport(t: Tally, scan: ScanResult, plan: InspectPlan): InspectReport {
  const read = scan.inputs.reduce((n, i) => n + i.records, 0);
  const rejected = [...t.rejects.values()].reduce((n, r) => n + r.count, 0);
  const fields = fieldRows(t.fields, t.readable, plan.showValues);
  const { first, last, inWindow, untimed } = t.time;
  return {
    vendor: scan.vendors.join(', ') || 'none',
    inputs: scan.inputs,
    records: { read, rejected, by_kind: t.byKind, duplicates: t.duplicates },
    wrappers: [...new Set(scan.inputs.flatMap((i) => i.wrappers ?? []))],
    protocol_lines: scan.inputs.reduce<Record<string, number>>((acc, i) => {
      for (const [k, c] of Object.entries(i.protocol_lines ?? {})) acc[k] = (acc[k] ?? 0) + c;
      return acc;
    }, {}),
    events: [...t.events.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)),
    time: { first, last, ...(plan.window ? { in_window: inWindow } : {}), untimed_events: untimed },
    // The most carried first, then by name: never in the order met (test/cli/order.test.ts).
    identifiers: [...t.ids.entries()]
      .filter(([, s]) => s.carried > 0)
      .sort(([a, x], [b, y]) => y.carried - x.carried || cmp(a, b))
      .map(([field, s]) => ({ field, distinct: s.count, records_without: t.readable - s.carried })),
    fields,
    families: groupFields(fields.map((f) => f.field))
      .filter((g) => g.family)
      .map((g) => ({ family: g.family!.id, label: g.family!.label, fields: g.fields })),
    rejects: [...t.rejects.entries()]
      .map(([reason, r]) => ({ reason, ...r }))
      .sort((a, b) => b.count - a.count || (a.reason < b.reason ? -1 : 1)),
    errors: scan.errors.map((e) => `${e.where.file}: ${e.message}`),
  };
}

/** One row per field, by category (in CATEGORIES order), then by name. */
function fieldRows(
  fields: Map<string, FieldStats>,
  readable: number,
  showValues: boolean,
): InspectReport['fields'] {
  const catOf = (f: FieldStats): Category =>
    f.best === Infinity ? f.verdict.base : hintCategory(f.verdict, f.best);
  const order = (c: Category) => CATEGORIES.indexOf(c);
  return [...fields.entries()]
    .map(([name, f]) => ({
      field: name,
      category: catOf(f),
      fill_rate: readable ? f.filled / readable : 0,
      distinct: f.capped ? DISTINCT_CAP : f.distinct.size,
      distinct_capped: f.capped,
      holds: (Object.keys(f.holds) as Array<keyof FieldStats['holds']>).filter(
        (k) => f.holds[k] > 0,
      ),
      ...(showValues ? { examples: f.examples } : {}),
    }))
    .sort(
      (a, b) =>
        order(a.category) - order(b.category) ||
        (a.field < b.field ? -1 : a.field > b.field ? 1 : 0),
    );
}
