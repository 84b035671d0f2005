/** The run's outputs (SPEC §5, §6): affected users, side files, manifest. */
import { CATEGORIES } from '../core/categorize.js';
import { METHODS } from '../core/correlate.js';
import { render, renderRow, type Cell } from '../io/write-rows.js';
import { RowFile, writeFileAtomic } from '../io/row-file.js';
import { formatIso } from '../core/time.js';
import { jsonSafe } from '../core/text.js';
import { isoOrEmpty, type RunReport } from './correlate.js';
import { basisCell, verdictCounts } from './notification.js';
import type { CorrelatePlan } from './plan.js';

export function affectedColumns(plan: CorrelatePlan, report: RunReport): string[] {
  return [
    'user_id', 'email', ...report.columns.userColumns, 'match', 'confidence', 'vendor_ids', 'records', 'first_seen', 'last_seen', 'exposed_fields', 'exposed_categories',
    ...(plan.notificationBasis ? ['residence', 'notification_basis'] : []),
  ];
}

/** The output row of the i-th affected user. */
function affectedRow(report: RunReport, plan: CorrelatePlan, i: number): Cell[] {
  const { users } = report;
  const r = report.result.users[i]!;
  const basis: Cell[] = [];
  if (plan.notificationBasis && report.bases) {
    const b = report.bases[i]!;
    const structured = plan.format === 'json' || plan.format === 'ndjson';
    basis.push(b.residence, structured ? b.bases.map((x) => ({ ...x })) : basisCell(b));
  }
  return [
    users.ids[r.user]!,
    users.emails[r.user]!,
    ...users.extra[r.user]!,
    r.methods,
    r.confidence,
    r.vendorIds,
    r.records,
    isoOrEmpty(r.first),
    isoOrEmpty(r.last),
    r.fields,
    r.categories,
    ...basis,
  ];
}

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
    const shrink: Array<[string, number]> = [['vendor_ids', 8], ['email', 14], ...report.columns.userColumns.map((c): [string, number] => [c, 10]), ['first_seen', 11], ['last_seen', 11], ['exposed_fields', 24]];
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
    const f = new RowFile(plan.unmatched, ['vendor_id', 'records', 'first_seen', 'last_seen', 'emails_seen', 'exposed_fields']);
    for (const u of report.result.unmatched) f.add([u.vendorIds.length ? u.vendorIds : ['(none)'], u.records, isoOrEmpty(u.first), isoOrEmpty(u.last), u.emails, u.fields]);
    f.close();
    written.push(plan.unmatched);
  }
  if (plan.ambiguous) {
    const f = new RowFile(plan.ambiguous, ['vendor_id', 'candidates', 'reason', 'records']);
    for (const a of report.result.ambiguous) f.add([a.vendorIds.length ? a.vendorIds : ['(none)'], a.candidates, a.reason, a.records]);
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
  const pick = (o: Record<string, number>, keys: readonly string[]) => Object.fromEntries(keys.filter((k) => o[k]).map((k) => [k, o[k]!]));
  return {
    users: report.result.users.length,
    by_method: pick(by_method, METHODS.map(([, m]) => m)),
    by_confidence: pick(by_confidence, ['high', 'medium']),
    by_category: pick(by_category, CATEGORIES),
  };
}

export function manifest(plan: CorrelatePlan, report: RunReport, version: string, outputs: string[]): string {
  const m = {
    tool: { name: 'breach-impact', version },
    argv: plan.argv,
    started_at: formatIso(report.startedAt.getTime()),
    finished_at: formatIso(Date.now()),
    vendor: report.vendor,
    window: plan.window ? { start: formatIso(plan.window.start), end: formatIso(plan.window.end) } : null,
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
    ...(report.bases ? { notification_basis: Object.fromEntries([...verdictCounts(report.bases)].map(([k, m]) => [k, Object.fromEntries(m)])) } : {}),
    identities: report.result.identities,
    session_windows: report.result.sessions,
    errors: report.errors.map((e) => ({ file: e.where.file, line: e.where.line ?? null, code: e.code, message: e.message })),
    ...(report.diagnosis ? { no_affected_users: report.diagnosis } : {}),
  };
  const text = jsonSafe(JSON.stringify(m, null, 2)) + '\n';
  if (plan.manifest) writeFileAtomic(plan.manifest, text);
  return text;
}
