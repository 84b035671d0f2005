/**
 * What the counsel brief shows (issue 15), as plain data made from a run's report: counts,
 * categories, verdicts, a timeline, inputs with their hashes, field names — never a personal
 * value (no email, name or id). The Markdown brief (app/report.ts) and the HTML page
 * (app/brief-html.ts) are two renderings of it.
 */
import type { Counts } from '../core/aggregate.js';
import { CATEGORIES, type Category } from '../core/categorize.js';
import { formatIso } from '../core/time.js';
import type { RunReport } from './run-correlate.js';
import { affectedStats } from './outputs.js';
import type { CorrelatePlan } from './plan.js';

export interface BriefData {
  tool: { name: string; version: string };
  generatedAt: string; // ISO 8601 UTC
  window?: { start: string; end: string }; // ISO 8601 UTC, start inclusive, end exclusive
  inputs: Array<{
    role: string;
    path: string;
    /** null for a database table (no size on disk). */
    bytes: number | null;
    records: number;
    sha256: string;
    vendor?: string;
  }>;
  /** The accounting line: read = rejected + out_of_window + attributed + unmatched + ambiguous. */
  counts: Counts;
  affectedUsers: number;
  /** Affected users per category (a user counts once in each category exposed), in CATEGORIES order. */
  byCategory: Array<{ category: Category; users: number }>;
  /** Users per jurisdiction (residence code, 'unknown') and regime, by verdict; empty without a notification basis. */
  verdicts: Array<{
    residence: string;
    regime: string;
    notifiable: number;
    assess: number;
    notNotifiable: number;
  }>;
  /**
   * Affected users by the time of their first exposure, in equal bins across the window (or the
   * records' own span without one): `start` of each bin (ISO), and how many users' first
   * exposure falls in it. Users exposed only through profiles (no time) are `untimed`.
   */
  timeline: { bins: Array<{ start: string; users: number }>; binMs: number; untimed: number };
  /** Verdict drivers: "regime — verdict: combination — fields", with the number of users. */
  drivers: Array<{ text: string; users: number }>;
  /** The rule files applied (name, file, version, citation, sources), and the elements file's version. */
  rules: Array<{
    name: string;
    file: string;
    version: string;
    citation: string;
    sources?: string[];
  }>;
  elementsVersion?: string;
  /** Statements of what the analysis cannot see. */
  limits: string[];
}

/** The brief's data from a run (counts and names only). */
export function briefData(
  plan: CorrelatePlan,
  report: RunReport,
  version: string,
  now = Date.now(),
): BriefData {
  const bases = report.bases ?? [];
  const rules = report.rules!;
  const c = report.result.counts;
  const w = plan.window;
  const cells = new Map<string, Map<string, number>>();
  for (const u of bases) {
    for (const b of u.bases) {
      const key = `${u.residence.replace(' (inferred)', '')}\u0000${b.regime}`;
      const m = cells.get(key) ?? new Map<string, number>();
      cells.set(key, m);
      m.set(b.verdict, (m.get(b.verdict) ?? 0) + 1);
    }
  }
  const verdicts = [...cells]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([key, m]) => {
      const [residence, regime] = key.split('\u0000') as [string, string];
      return {
        residence,
        regime,
        notifiable: m.get('notifiable') ?? 0,
        assess: m.get('assess') ?? 0,
        notNotifiable: m.get('not notifiable') ?? 0,
      };
    });
  const drivers = new Map<string, number>();
  for (const u of bases) {
    for (const b of u.bases) {
      const key = `${b.regime} — ${b.verdict}: ${b.detail.replace(/ \([^)]*\)/g, '')}${b.fields.length && b.verdict !== 'assess' ? ` — fields: ${b.fields.join(', ')}` : ''}${b.condition ? ` — condition: ${b.condition}` : ''}`;
      drivers.set(key, (drivers.get(key) ?? 0) + 1);
    }
  }
  const used = new Set(bases.flatMap((u) => u.bases.map((b) => b.regime)));
  const stats = affectedStats(report);
  return {
    tool: { name: 'breach-impact', version },
    generatedAt: formatIso(now),
    ...(w ? { window: { start: formatIso(w.start), end: formatIso(w.end) } } : {}),
    inputs: report.inputs.map((i) => ({
      role: i.role,
      path: i.path,
      bytes: i.bytes,
      records: i.records,
      sha256: i.sha256,
      ...(i.vendor ? { vendor: i.vendor } : {}),
    })),
    counts: { ...c },
    affectedUsers: report.result.users.length,
    byCategory: CATEGORIES.map((category) => ({
      category,
      users: stats.by_category[category] ?? 0,
    })),
    verdicts,
    timeline: timeline(report, w),
    drivers: [...drivers]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([text, users]) => ({ text, users })),
    rules: rules.regimes
      .filter((x) => used.has(x.id))
      .map((r) => ({
        name: r.name,
        file: `rules/${r.id}.json`,
        version: r.version,
        citation: r.citation,
        sources: r.sources,
      })),
    elementsVersion: rules.elementsVersion,
    limits: limits(plan, report),
  };
}

/** Bin sizes a reader counts in: the smallest that gives at most 24 bins is used. */
const NICE_BINS = [
  60e3,
  5 * 60e3,
  15 * 60e3,
  30 * 60e3,
  3600e3,
  2 * 3600e3,
  3 * 3600e3,
  6 * 3600e3,
  12 * 3600e3,
  86400e3,
  2 * 86400e3,
  7 * 86400e3,
  30 * 86400e3,
];
const MAX_BINS = 24;

/** Users by the time of their first exposure, in round bins over the window (or the span seen). */
function timeline(report: RunReport, w: CorrelatePlan['window']): BriefData['timeline'] {
  const firsts = report.result.users.map((u) => u.first).filter((t) => !Number.isNaN(t));
  const untimed = report.result.users.length - firsts.length;
  const open = (t: number) => Math.abs(t) >= 8e15;
  if (firsts.length === 0 && !(w && !open(w.start) && !open(w.end)))
    return { bins: [], binMs: 0, untimed };
  const lo = w && !open(w.start) ? w.start : Math.min(...firsts);
  const hi = Math.max(lo + 1, w && !open(w.end) ? w.end : Math.max(...firsts) + 1);
  const binMs =
    NICE_BINS.find((b) => Math.ceil(hi / b) - Math.floor(lo / b) <= MAX_BINS) ??
    Math.ceil((hi - lo) / MAX_BINS);
  const first = Math.floor(lo / binMs) * binMs; // bins start on round times (UTC)
  const n = Math.max(1, Math.ceil((hi - first) / binMs));
  const bins = Array.from({ length: n }, (_, i) => ({
    start: formatIso(first + i * binMs),
    users: 0,
  }));
  for (const t of firsts)
    bins[Math.min(n - 1, Math.max(0, Math.floor((t - first) / binMs)))]!.users++;
  return { bins, binMs, untimed };
}

function limits(plan: CorrelatePlan, report: RunReport): string[] {
  const bases = report.bases ?? [];
  const c = report.result.counts;
  const inferred = bases.filter((u) => u.residence.endsWith('(inferred)')).length;
  const unknown = bases.filter((u) => u.residence === 'unknown').length;
  const out = [
    'It reads only the analytics export and the user table: what the attacker may have taken elsewhere is not here.',
    'Fields are recognised by name and by value shape; a sensitive value under an unremarkable name can be missed, and the rule files list the elements they recognise (`rules/elements.json`).',
    `Residence comes from the user table${plan.residenceColumns.length ? ` (\`${plan.residenceColumns.join(',')}\`)` : ' only when --residence-column names it'}; ${inferred} user(s) have a residence inferred from the vendor's coarse, IP-derived location and ${unknown} have none.`,
    'GDPR and UK GDPR are risk-based: "assess" means personal data was exposed and an Art. 33 risk assessment is due, not that individuals must be told.',
    'A credential found in a URL (a reset or session token) is reported as notifiable only with the condition that it still permitted access when it was exposed; that is a counsel call.',
    '"us-default" stands for states without their own rule file here; the state\'s statute must be checked.',
  ];
  if (bases.some((u) => u.bases.some((b) => b.regime === 'none')))
    out.push(
      'Some users live where no rule file applies (regime "none"): their law must be checked by counsel.',
    );
  out.push(
    `Ambiguous (${c.ambiguous} records) and unmatched (${c.unmatched} records) records are not in these counts: see the side files.`,
  );
  return out;
}
