/** The closing summary on stderr (SPEC §5): counts and field names only, never a personal value. */
import { affectedStats } from '../app/outputs.js';
import { verdictCounts } from '../app/notification.js';
import type { RunReport } from '../app/correlate.js';
import { err } from '../term.js';

const n = (x: number) => x.toLocaleString('en-US');
const records = (x: number) => `${n(x)} record${x === 1 ? '' : 's'}`;

export function summary(report: RunReport, written: string[], toStdout: boolean): string {
  const { counts, unmatched, ambiguous } = report.result;
  const a = affectedStats(report);
  const list = (o: Record<string, number>) => Object.entries(o).map(([k, v]) => `${k} ${n(v)}`).join(', ') || 'none';
  const sum = counts.rejected + counts.out_of_window + counts.attributed + counts.unmatched + counts.ambiguous;
  const ok = sum === counts.read;
  const lines = [
    `${err.bold(`${n(a.users)} affected user${a.users === 1 ? '' : 's'}`)}` + (a.users ? ` (${list(a.by_confidence)} confidence)` : ''),
    `  by method     ${list(a.by_method)}`,
    `  by category   ${list(a.by_category)}`,
    `  unmatched     ${n(unmatched.length)} vendor identit${unmatched.length === 1 ? 'y' : 'ies'}, ${records(counts.unmatched)}`,
    `  ambiguous     ${n(ambiguous.length)} identities/sessions, ${records(counts.ambiguous)}`,
    `  rejected      ${n(counts.rejected)} record${counts.rejected === 1 ? '' : 's'}` + (counts.rejected ? ' (list them with --rejects)' : ''),
    `  accounting    read ${n(counts.read)} = rejected ${n(counts.rejected)} + out_of_window ${n(counts.out_of_window)} + attributed ${n(counts.attributed)} + unmatched ${n(counts.unmatched)} + ambiguous ${n(counts.ambiguous)}` +
      (counts.duplicates ? ` (${n(counts.duplicates)} duplicate${counts.duplicates === 1 ? '' : 's'} among them)` : '') +
      (ok ? err.green(' ✓') : err.red(` (MISMATCH: sums to ${n(sum)}; this is a bug)`)),
  ];
  if (report.bases) {
    const counts = verdictCounts(report.bases);
    const row = (m: Map<string, number>) => ['notifiable', 'assess', 'not notifiable'].filter((v) => m.get(v)).map((v) => `${v} ${n(m.get(v)!)}`).join(', ');
    lines.push(`  notification  ${[...counts].map(([regime, m]) => `${regime}: ${row(m)}`).join('; ') || 'no affected users'} (facts for counsel, not legal advice)`);
  }
  if (report.errors.length) lines.push(err.red(`  unreadable    ${n(report.errors.length)} input file${report.errors.length === 1 ? '' : 's'} (see the errors above; exit status 1)`));
  lines.push(`  wrote         ${[...(toStdout ? ['affected users to stdout'] : []), ...written].join(', ')}`);
  return lines.join('\n') + '\n';
}
