/** The closing summary on stderr (SPEC §5): counts and field names only, never a personal value. */
import { cmp } from '../core/join/order.js';
import { affectedStats } from '../app/outputs.js';
import { verdictCounts } from '../app/notification.js';
import type { RunReport } from '../app/run-correlate.js';
import type { ZeroDiagnosis } from '../app/diagnose.js';
import { groupFields } from '../core/families.js';
import { err } from '../term.js';

const n = (x: number) => x.toLocaleString('en-US');
const records = (x: number) => `${n(x)} record${x === 1 ? '' : 's'}`;

const q = (s: string) => `"${s}"`;

/**
 * The exposed fields, counted, with families of one kind grouped (issue 14): a real PostHog
 * user has 100+ fields, most of them feature flags.
 */
function exposedFields(report: RunReport): string | undefined {
  const all = new Set<string>();
  for (const u of report.result.users) for (const f of u.fields) all.add(f);
  if (all.size === 0) return undefined;
  const groups = groupFields([...all].sort()).filter((g) => g.family);
  const grouped = groups.reduce((k, g) => k + g.fields.length, 0);
  const head = `  fields        ${n(all.size)} exposed`;
  if (groups.length === 0) return head;
  return (
    `${head}: ${groups.map((g) => `${g.family!.label} ${n(g.fields.length)}`).join(', ')}` +
    (all.size > grouped
      ? `, ${n(all.size - grouped)} other field${all.size - grouped === 1 ? '' : 's'}`
      : '')
  );
}

/**
 * Protocol line kinds with their counts, the commonest first (then by name): never in the order
 * met, which a shuffled copy of the same lines would change.
 */
export function protocolKinds(kinds: Iterable<[string, number]>): string {
  return [...kinds]
    .sort(([a, x], [b, y]) => y - x || cmp(a, b))
    .map(([k, c]) => `${k} ${n(c)}`)
    .join(', ');
}

/** Protocol lines of pipeline wrappers: not records, said so they are not taken for lost ones. */
function protocolLines(report: RunReport): string | undefined {
  const kinds = new Map<string, number>();
  for (const i of report.inputs)
    for (const [k, c] of Object.entries(i.protocol_lines ?? {}))
      kinds.set(k, (kinds.get(k) ?? 0) + c);
  if (kinds.size === 0) return undefined;
  const total = [...kinds.values()].reduce((a, b) => a + b, 0);
  return `  protocol      ${n(total)} line${total === 1 ? '' : 's'}, not records (${protocolKinds(kinds)})`;
}

/** What might explain that nobody is affected: counts and column names only. */
function whyNone(d: ZeroDiagnosis): string[] {
  const out =
    d.vendor_ids + d.emails === 0
      ? ['  why none      no record carries a vendor id or an email that could match a user']
      : [
          `  why none      the export's ${n(d.vendor_ids)} vendor id${d.vendor_ids === 1 ? '' : 's'} (and ${n(d.emails)} email${d.emails === 1 ? '' : 's'} in the window) match no user's id, --user-key or email`,
        ];
  if (d.out_of_window)
    out.push(`                ${records(d.out_of_window)} lie outside the window`);
  if (d.ambiguous)
    out.push(`                ${records(d.ambiguous)} match more than one user (see --ambiguous)`);
  for (const col of d.columns.slice(0, 3))
    out.push(
      `                column ${q(col.column)} holds ${n(col.values)} of them: try ${col.try}`,
    );
  if (d.columns.length === 0 && d.vendor_ids + d.emails > 0)
    out.push(
      '                no column of the users table holds any of them: is this the right users table, or the right export?',
    );
  return out;
}

export function summary(report: RunReport, written: string[], toStdout: boolean): string {
  const { counts, unmatched, ambiguous } = report.result;
  const a = affectedStats(report);
  const list = (o: Record<string, number>) =>
    Object.entries(o)
      .map(([k, v]) => `${k} ${n(v)}`)
      .join(', ') || 'none';
  const sum =
    counts.rejected +
    counts.out_of_window +
    counts.attributed +
    counts.unmatched +
    counts.ambiguous;
  const ok = sum === counts.read;
  const lines = [
    `${err.bold(`${n(a.users)} affected user${a.users === 1 ? '' : 's'}`)}` +
      (a.users ? ` (${list(a.by_confidence)} confidence)` : ''),
    `  by method     ${list(a.by_method)}`,
    `  by category   ${list(a.by_category)}`,
    `  unmatched     ${n(unmatched.length)} vendor identit${unmatched.length === 1 ? 'y' : 'ies'}, ${records(counts.unmatched)}`,
    `  ambiguous     ${n(ambiguous.length)} identities/sessions, ${records(counts.ambiguous)}`,
    `  rejected      ${n(counts.rejected)} record${counts.rejected === 1 ? '' : 's'}` +
      (counts.rejected ? ' (list them with --rejects)' : ''),
  ];
  const protocol = protocolLines(report);
  if (protocol) lines.push(protocol);
  const shifted = report.inputs.reduce((k, i) => k + (i.timezone_shifted ?? 0), 0);
  if (shifted)
    lines.push(
      `  timezone      ${records(shifted)} without a zone read in --timezone's zone; zoned and vendor-UTC times as written`,
    );
  lines.push(
    `  accounting    read ${n(counts.read)} = rejected ${n(counts.rejected)} + out_of_window ${n(counts.out_of_window)} + attributed ${n(counts.attributed)} + unmatched ${n(counts.unmatched)} + ambiguous ${n(counts.ambiguous)}` +
      (counts.duplicates
        ? ` (${n(counts.duplicates)} duplicate${counts.duplicates === 1 ? '' : 's'} among them)`
        : '') +
      (ok ? err.green(' ✓') : err.red(` (MISMATCH: sums to ${n(sum)}; this is a bug)`)),
  );
  const c = report.columns;
  const keys = c.userKeys.length ? `, --user-key ${c.userKeys.map(q).join(', ')}` : '';
  lines.push(
    `  users         ${n(report.users.size)} in the table; id column ${q(c.idColumn)}, email column ${c.emailColumn === undefined ? 'none' : q(c.emailColumn)}${keys}`,
  );
  if (report.diagnosis) lines.push(...whyNone(report.diagnosis));
  const fields = exposedFields(report);
  if (fields) lines.push(fields);
  if (report.bases) {
    const counts = verdictCounts(report.bases);
    const row = (m: Map<string, number>) =>
      ['notifiable', 'assess', 'not notifiable']
        .filter((v) => m.get(v))
        .map((v) => `${v} ${n(m.get(v)!)}`)
        .join(', ');
    lines.push(
      `  notification  ${[...counts].map(([regime, m]) => `${regime}: ${row(m)}`).join('; ') || 'no affected users'} (facts for counsel, not legal advice)`,
    );
  }
  if (report.errors.length)
    lines.push(
      err.red(
        `  unreadable    ${n(report.errors.length)} input file${report.errors.length === 1 ? '' : 's'} (see the errors above; exit status 1)`,
      ),
    );
  lines.push(
    `  wrote         ${[...(toStdout ? ['affected users to stdout'] : []), ...written].join(', ')}`,
  );
  return lines.join('\n') + '\n';
}
