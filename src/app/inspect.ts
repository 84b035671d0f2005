/**
 * `inspect` (issue #5): one pass over an export, before any user table is at hand — what
 * kinds of records, which events, what time span, which identifiers and fields, which of them
 * hold emails, IPs, URLs with query strings or hashes, and what could not be read. Values are
 * kept only as masked examples, and only when --show-values asks for them.
 */
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
import { forEachField, jsonText } from '../core/record.js';
import type { Window } from '../core/digest.js';
import type { Log } from './run-correlate.js';
import type { ZoneResolver } from '../core/time.js';
import { expandPaths, type Skipped } from '../io/open.js';
import { UsageError } from '../errors.js';
import { genericPreset, type MapTarget } from '../vendors/generic.js';
import { presetFor } from '../vendors/index.js';
import { newProgress, reasonKind, scanExports, type InputEntry, type Progress } from './scan.js';
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
  const byKind: Record<string, number> = {};
  const events = new Map<string, number>();
  const fields = new Map<string, FieldStats>();
  const ids = new Map<string, IdStats>();
  const rejects = new Map<string, { count: number; first: string }>();
  const seen = new Fingerprints();
  let readable = 0,
    first = Infinity,
    last = -Infinity,
    inWindow = 0,
    untimed = 0,
    duplicates = 0;
  const w = plan.window;

  const scan = await scanExports(
    files,
    generic ?? plan.vendor,
    { zone: plan.zone, localEpochs: plan.timezone !== 'UTC' },
    {
      record(rec, _file, _line) {
        readable++;
        const preset = rec.preset!;
        // What an identifier is, the preset's map said (issue 14): inspect and correlate agree.
        for (const f of rec.idFields) if (!ids.has(f)) ids.set(f, new IdStats());
        byKind[rec.kind] = (byKind[rec.kind] ?? 0) + 1;
        if (rec.kind === 'event')
          events.set(rec.name || '(no name)', (events.get(rec.name || '(no name)') ?? 0) + 1);
        if (rec.dedupKey !== '' && seen.seen(rec.dedupKey)) duplicates++;
        const t = rec.time;
        if (rec.kind === 'event') {
          if (Number.isNaN(t)) untimed++;
          else {
            if (t < first) first = t;
            if (t > last) last = t;
          }
        }
        if (w && (rec.kind === 'profile' || (t >= w.start && t < w.end))) inWindow++;
        forEachField(rec, preset.bookkeeping, (name, v) => {
          let f = fields.get(name);
          if (!f)
            fields.set(name, (f = new FieldStats(verdictFor(name, preset.categories?.[name]))));
          if (f.verdict.base === 'other' && f.best > 0) {
            const h = valueHint(f.verdict, v, f.best);
            if (h) f.best = h[0];
          }
          f.filled++;
          const text = typeof v === 'string' ? v : typeof v === 'object' ? jsonText(v) : String(v);
          if (!f.capped) {
            f.distinct.add(text);
            if (f.distinct.size > DISTINCT_CAP) {
              f.capped = true;
              f.distinct.clear();
            }
          }
          const id = ids.get(name);
          if (id) {
            id.carried++;
            if (!id.distinct.seen(text)) id.count++;
          }
          if (typeof v === 'string') {
            const tv = v.trim();
            if (tv.indexOf('@') > 0 && isEmailShaped(tv)) f.holds.email++;
            else if (isIpShaped(tv)) f.holds.ip++;
            else if (isHashShaped(tv)) f.holds.hash++;
            if (tv.length > 10 && urlFindings(tv) !== 0) f.holds.url_query++;
            else if (tv.includes('://') && tv.includes('?')) f.holds.url_query++;
          }
          if (plan.showValues && f.examples.length < EXAMPLES) {
            const m = mask(text);
            if (!f.examples.includes(m)) f.examples.push(m);
          }
        });
        return undefined;
      },
      reject(file, line, reason) {
        const key = reasonKind(reason);
        const r = rejects.get(key);
        if (r) r.count++;
        else rejects.set(key, { count: 1, first: `${file.display}:${line}` });
      },
      warn: log.warn,
      info: log.info,
    },
    progress,
  );

  const unseen = generic && readable > 0 ? generic.unseen() : [];
  if (unseen.length)
    throw new UsageError(
      `--map: no record has ${unseen.map((t) => `the ${t} field "${generic!.mapping[t]}"`).join(', ')}`,
      'name fields as the export writes them; inspect --export without --vendor generic lists them',
    );
  const read = scan.inputs.reduce((n, i) => n + i.records, 0);
  const rejected = [...rejects.values()].reduce((n, r) => n + r.count, 0);
  const catOf = (_name: string, f: FieldStats): Category =>
    f.best === Infinity ? f.verdict.base : hintCategory(f.verdict, f.best);
  const order = (c: Category) => CATEGORIES.indexOf(c);
  const fieldRows = [...fields.entries()]
    .map(([name, f]) => ({
      field: name,
      category: catOf(name, f),
      fill_rate: readable ? f.filled / readable : 0,
      distinct: f.capped ? DISTINCT_CAP : f.distinct.size,
      distinct_capped: f.capped,
      holds: (Object.keys(f.holds) as Array<keyof FieldStats['holds']>).filter(
        (k) => f.holds[k] > 0,
      ),
      ...(plan.showValues ? { examples: f.examples } : {}),
    }))
    .sort(
      (a, b) =>
        order(a.category) - order(b.category) ||
        (a.field < b.field ? -1 : a.field > b.field ? 1 : 0),
    );
  return {
    vendor: scan.vendors.join(', ') || 'none',
    inputs: scan.inputs,
    records: { read, rejected, by_kind: byKind, duplicates },
    wrappers: [...new Set(scan.inputs.flatMap((i) => i.wrappers ?? []))],
    protocol_lines: scan.inputs.reduce<Record<string, number>>((acc, i) => {
      for (const [k, c] of Object.entries(i.protocol_lines ?? {})) acc[k] = (acc[k] ?? 0) + c;
      return acc;
    }, {}),
    events: [...events.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)),
    time: { first, last, ...(w ? { in_window: inWindow } : {}), untimed_events: untimed },
    identifiers: [...ids.entries()]
      .filter(([, s]) => s.carried > 0)
      .map(([field, s]) => ({ field, distinct: s.count, records_without: readable - s.carried })),
    fields: fieldRows,
    families: groupFields(fieldRows.map((f) => f.field))
      .filter((g) => g.family)
      .map((g) => ({ family: g.family!.id, label: g.family!.label, fields: g.fields })),
    rejects: [...rejects.entries()]
      .map(([reason, r]) => ({ reason, ...r }))
      .sort((a, b) => b.count - a.count || (a.reason < b.reason ? -1 : 1)),
    errors: scan.errors.map((e) => `${e.where.file}: ${e.message}`),
  };
}
