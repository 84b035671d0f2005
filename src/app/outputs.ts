/** The run's outputs (SPEC §5, §6): affected users, side files, manifest. */
import { CATEGORIES } from '../core/categorize.js';
import { METHODS } from '../core/join/methods.js';
import { render, renderRow, type Cell } from '../io/write-rows.js';
import { RowFile, writeFileAtomic } from '../io/row-file.js';
import { formatIso } from '../core/time.js';
import { jsonSafe } from '../core/text.js';
import { redactSecrets } from '../io/users-postgres.js';
import { isoOrEmpty, type RunReport } from './run-correlate.js';
import { basisCell, verdictCounts } from './notification.js';
import type { CorrelatePlan } from './plan.js';

export function affectedColumns(_plan: CorrelatePlan, report: RunReport): string[] {
  return report.columns.output.map((c) => c.header);
}

/** The output row of the i-th affected user, one cell per output column (app/output-columns.ts). */
function affectedRow(report: RunReport, plan: CorrelatePlan, i: number): Cell[] {
  const { users } = report;
  const r = report.result.users[i]!;
  const structured = plan.format === 'json' || plan.format === 'ndjson';
  return report.columns.output.map((c): Cell => {
    if (c.table !== undefined) return users.extra[r.user]![c.table]!;
    switch (c.key!) {
      case 'user_id':
        return users.ids[r.user]!;
      case 'email':
        return users.emails[r.user]!;
      case 'match':
        return r.methods;
      case 'confidence':
        return r.confidence;
      case 'vendor_ids':
        return r.vendorIds;
      case 'records':
        return r.records;
      case 'first_seen':
        return isoOrEmpty(r.first);
      case 'last_seen':
        return isoOrEmpty(r.last);
      case 'exposed_fields':
        return r.fields;
      case 'exposed_categories':
        return r.categories;
      case 'exposed_summary':
        return report.summarizer!.sentence(
          report.languages![i]!,
          r.fields,
          (f) => report.result.fieldCategories.get(f) ?? 'other',
          r.events,
        );
      case 'events':
        return r.events ?? [];
      case 'sources':
        return (r.sources ?? []).map((k) => sourceName(report, k));
      case 'residence':
        return report.bases![i]!.residence;
      case 'notification_basis': {
        const b = report.bases![i]!;
        return structured ? b.bases.map((x) => ({ ...x })) : basisCell(b);
      }
    }
  });
}

/** A source as the sources column names it: the vendor that read the file, and the file. */
function sourceName(report: RunReport, k: number): string {
  let names = sourceNames.get(report);
  if (names === undefined)
    sourceNames.set(
      report,
      (names = report.inputs
        .filter((x) => x.role === 'export')
        .map((x) => `${x.vendor ?? 'none'}:${x.path}`)),
    );
  return names[k] ?? String(k);
}
const sourceNames = new WeakMap<RunReport, string[]>();

/**
 * The affected-users output as text, in chunks of about 256 KB, each row rendered when its
 * chunk is asked for: at a million affected users the whole text and its rows were 0.3 GB at
 * the run's peak. A table (for a human, on a terminal) is fitted to its widest cells: one chunk.
 */
export function* affectedText(plan: CorrelatePlan, report: RunReport): Generator<string> {
  const columns = affectedColumns(plan, report);
  const n = report.result.users.length;
  const format = plan.format;
  if (format === 'table') {
    // In a narrow terminal the ids and times give way before the exposed fields do.
    const header = (k: string) => report.columns.output.find((c) => c.key === k)?.header ?? k;
    const shrink: Array<[string, number]> = [
      [header('vendor_ids'), 8],
      [header('email'), 14],
      ...report.columns.output
        .filter((c) => c.table !== undefined)
        .map((c): [string, number] => [c.header, 10]),
      [header('first_seen'), 11],
      [header('last_seen'), 11],
      [header('exposed_fields'), 24],
      [header('exposed_summary'), 30],
    ];
    const rows: Cell[][] = [];
    for (let i = 0; i < n; i++) rows.push(affectedRow(report, plan, i));
    yield render(format, columns, rows, plan.width, shrink);
    return;
  }
  let buf = format === 'json' ? (n === 0 ? '[]\n' : '[\n') : render(format, columns, []);
  for (let i = 0; i < n; i++) {
    const line = renderRow(format, columns, affectedRow(report, plan, i));
    buf += format === 'json' ? (i === 0 ? '  ' : ',\n  ') + line.slice(0, -1) : line;
    if (buf.length >= 1 << 18) {
      yield buf;
      buf = '';
    }
  }
  if (format === 'json' && n > 0) buf += '\n]\n';
  if (buf !== '') yield buf;
}

/** Side files; returns the paths written, for the summary. */
export function writeSideFiles(plan: CorrelatePlan, report: RunReport): string[] {
  const written: string[] = [];
  if (plan.unmatched) {
    const f = new RowFile(plan.unmatched, [
      'vendor_id',
      'records',
      'first_seen',
      'last_seen',
      'emails_seen',
      'exposed_fields',
    ]);
    for (const u of report.result.unmatched)
      f.add([
        u.vendorIds.length ? u.vendorIds : ['(none)'],
        u.records,
        isoOrEmpty(u.first),
        isoOrEmpty(u.last),
        u.emails,
        u.fields,
      ]);
    f.close();
    written.push(plan.unmatched);
  }
  if (plan.ambiguous) {
    const f = new RowFile(plan.ambiguous, ['vendor_id', 'candidates', 'reason', 'records']);
    for (const a of report.result.ambiguous)
      f.add([a.vendorIds.length ? a.vendorIds : ['(none)'], a.candidates, a.reason, a.records]);
    f.close();
    written.push(plan.ambiguous);
  }
  if (plan.rejects) written.push(plan.rejects);
  return written;
}

export interface Affected {
  users: number;
  by_method: Record<string, number>;
  by_confidence: Record<string, number>;
  by_category: Record<string, number>;
}

export function affectedStats(report: RunReport): Affected {
  const by_method: Record<string, number> = {};
  const by_confidence: Record<string, number> = {};
  const by_category: Record<string, number> = {};
  for (const r of report.result.users) {
    for (const m of r.methods) by_method[m] = (by_method[m] ?? 0) + 1;
    by_confidence[r.confidence] = (by_confidence[r.confidence] ?? 0) + 1;
    for (const c of r.categories) by_category[c] = (by_category[c] ?? 0) + 1;
  }
  // Fixed orders, so the summary and manifest read the same way every run.
  const pick = (o: Record<string, number>, keys: readonly string[]) =>
    Object.fromEntries(keys.filter((k) => o[k]).map((k) => [k, o[k]!]));
  return {
    users: report.result.users.length,
    by_method: pick(
      by_method,
      METHODS.map(([, m]) => m),
    ),
    by_confidence: pick(by_confidence, ['high', 'medium']),
    by_category: pick(by_category, CATEGORIES),
  };
}

function countOf(values: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of [...values].sort()) out[v] = (out[v] ?? 0) + 1;
  return out;
}

export function manifest(
  plan: CorrelatePlan,
  report: RunReport,
  version: string,
  outputs: string[],
): string {
  const m = {
    tool: { name: 'breach-impact', version },
    // A database password never reaches the manifest (issue 19), in whatever form it was given.
    argv: plan.argv.map(redactSecrets),
    started_at: formatIso(report.startedAt.getTime()),
    finished_at: formatIso(Date.now()),
    vendor: report.vendor,
    window: plan.window
      ? { start: formatIso(plan.window.start), end: formatIso(plan.window.end) }
      : null,
    timezone: plan.timezone,
    session_gap_ms: plan.sessionGapMs,
    inputs: report.inputs,
    users_columns: report.columns,
    skipped: report.skipped,
    empty: report.empty,
    outputs: [plan.out ?? '<stdout>', ...outputs],
    counts: report.result.counts,
    affected: affectedStats(report),
    email_hash_recipes: report.result.hashRecipes,
    ...(report.bases
      ? {
          notification_basis: Object.fromEntries(
            [...verdictCounts(report.bases)].map(([k, m]) => [k, Object.fromEntries(m)]),
          ),
        }
      : {}),
    ...(report.languages
      ? {
          exposed_summary: {
            phrases_version: report.summarizer!.version,
            languages: countOf(report.languages),
            locale_fallbacks: report.localeFallbacks ?? {},
          },
        }
      : {}),
    output_columns: report.columns.output.map((c) => c.header),
    identities: report.result.identities,
    session_windows: report.result.sessions,
    errors: report.errors.map((e) => ({
      file: e.where.file,
      line: e.where.line ?? null,
      code: e.code,
      message: e.message,
    })),
    ...(report.diagnosis ? { no_affected_users: report.diagnosis } : {}),
  };
  const text = jsonSafe(JSON.stringify(m, null, 2)) + '\n';
  if (plan.manifest) writeFileAtomic(plan.manifest, text);
  return text;
}
