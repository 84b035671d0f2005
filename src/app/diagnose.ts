/**
 * No silent zero (issue 13, SPEC §8): when nobody is affected, say what might explain it. The
 * users table is read a second time, column by column, for values the export carried as ids or
 * emails that matched nobody: a column holding the vendor's ids is one `--user-key` away. Only
 * column names and counts are reported, never a value.
 */
import type { Result } from '../core/aggregate.js';
import type { Join } from '../core/join/join.js';
import { isEmailShaped, normalizeEmail } from '../core/normalize.js';
import { readUsers, usersInput } from '../io/users-source.js';
import type { UserColumns } from './columns.js';
import type { CorrelatePlan } from './plan.js';

export interface ZeroDiagnosis {
  /** Distinct vendor identifiers that matched no user (in or out of the window). */
  vendor_ids: number;
  /** Distinct emails on in-window records that matched no user. */
  emails: number;
  out_of_window: number;
  ambiguous: number;
  /** Users-table columns whose values the export carried, and what would use them. */
  columns: Array<{ column: string; values: number; try: string }>;
}

export async function diagnoseZero(
  plan: CorrelatePlan,
  used: UserColumns,
  result: Result,
  correlator: Pick<Join, 'sawUnmatchedId'>,
): Promise<ZeroDiagnosis> {
  const emails = new Set<string>();
  for (const u of result.unmatched) for (const e of u.emails) emails.add(e);
  const taken = new Set([used.idColumn, used.emailColumn, ...used.userKeys]);
  const hits: Array<{ ids: number; emails: number }> = [];
  let header: string[] = [];
  await readUsers(usersInput(plan), { bytes: 0, sha256: '', gzip: false }, (h) => {
    header = h;
    for (let i = 0; i < h.length; i++) hits.push({ ids: 0, emails: 0 });
    return (cells) => {
      for (let i = 0; i < cells.length && i < hits.length; i++) {
        const v = cells[i]!.trim();
        if (v === '') continue;
        if (correlator.sawUnmatchedId(v)) hits[i]!.ids++;
        else if (isEmailShaped(v) && emails.has(normalizeEmail(v))) hits[i]!.emails++;
      }
    };
  });
  const columns: ZeroDiagnosis['columns'] = [];
  header.forEach((column, i) => {
    const h = hits[i]!;
    if (taken.has(column) || h.ids + h.emails === 0) return;
    const flag = h.emails > h.ids ? '--email-column' : '--user-key';
    columns.push({
      column,
      values: h.ids + h.emails,
      try: `${flag} ${/^[\w.-]+$/.test(column) ? column : JSON.stringify(column)}`,
    });
  });
  columns.sort((a, b) => b.values - a.values);
  return {
    vendor_ids: result.identities,
    emails: emails.size,
    out_of_window: result.counts.out_of_window,
    ambiguous: result.counts.ambiguous,
    columns,
  };
}
