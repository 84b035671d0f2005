/**
 * The rows of the outputs (SPEC §5), made from the resolved aggregates: one per affected user
 * (sorted by user id), per unmatched identity and per ambiguity (sorted by vendor ids). Each
 * bucket's records are settled in the accounting as its rows are made.
 */
import type { Agg, AmbiguousRow, UnmatchedRow, UserRow } from '../aggregate.js';
import type { BitSet } from '../bitset.js';
import type { Category } from '../categorize.js';
import type { Accounting } from './accounting.js';
import type { AmbiguousAgg } from './buckets.js';
import type { FieldRegistry } from './fields.js';
import { confidenceOf, METHODS } from './methods.js';
import { cmp, sortStrings } from './order.js';

const time = (t: number) => (Number.isFinite(t) ? t : NaN);

/**
 * One row per user with an aggregate. Users share their lists: most exposed the same fields by
 * the same methods, and one list per user was ~90 MB at bench L. Each aggregate is dropped once
 * its row is made, but the one `keep` names (--explain reads its records).
 */
export function userRows(
  users: Array<Agg | undefined>,
  fields: FieldRegistry,
  accounting: Accounting,
  userIdOf: (u: number) => string,
  keep?: number,
): UserRow[] {
  const shared = new Map<string, { fields: string[]; categories: Category[] }>();
  const methodLists = new Map<number, string[]>();
  const rows: UserRow[] = [];
  for (let u = 0; u < users.length; u++) {
    const a = users[u];
    if (!a) continue;
    accounting.settled('attributed', a.records);
    const key = [...a.fields].join(',');
    let lists = shared.get(key);
    if (lists === undefined) {
      const cats = new Set<Category>();
      for (const f of a.fields) cats.add(fields.categoryOf(f));
      shared.set(
        key,
        (lists = { fields: fieldList(a.fields, fields), categories: sortStrings([...cats]) }),
      );
    }
    let methods = methodLists.get(a.methods);
    if (methods === undefined)
      methodLists.set(
        a.methods,
        (methods = METHODS.filter(([m]) => a.methods & m).map(([, n]) => n)),
      );
    rows.push({
      user: u,
      methods,
      confidence: confidenceOf(a.methods),
      vendorIds: sortStrings(a.vendorIds()),
      records: a.records,
      first: time(a.first),
      last: time(a.last),
      fields: lists.fields,
      categories: lists.categories,
      ...(a.events ? { events: sortStrings([...a.events]) } : {}),
      ...(a.sources ? { sources: [...a.sources].sort((x, y) => x - y) } : {}),
      inferredResidence: a.place(),
    });
    if (u !== keep) users[u] = undefined;
  }
  return rows.sort((x, y) => cmp(userIdOf(x.user), userIdOf(y.user)));
}

export function unmatchedRows(
  unmatched: Map<string, Agg>,
  fields: FieldRegistry,
  accounting: Accounting,
): UnmatchedRow[] {
  const rows = [...unmatched.values()].map((a): UnmatchedRow => {
    accounting.settled('unmatched', a.records);
    return {
      vendorIds: sortStrings(a.vendorIds()),
      records: a.records,
      first: time(a.first),
      last: time(a.last),
      emails: sortStrings([...(a.emails ?? [])]),
      fields: fieldList(a.fields, fields),
    };
  });
  return rows.sort(
    (x, y) => cmp(x.vendorIds.join(';'), y.vendorIds.join(';')) || x.records - y.records,
  );
}

export function ambiguousRows(
  ambiguous: Map<string, AmbiguousAgg>,
  accounting: Accounting,
  userIdOf: (u: number) => string,
): AmbiguousRow[] {
  const rows = [...ambiguous.values()].map((a): AmbiguousRow => {
    accounting.settled('ambiguous', a.agg.records);
    return {
      vendorIds: sortStrings(a.agg.vendorIds()),
      candidates: sortStrings(a.candidates.map(userIdOf)),
      reason: a.reason,
      records: a.agg.records,
    };
  });
  return rows.sort(
    (x, y) => cmp(x.vendorIds.join(';'), y.vendorIds.join(';')) || cmp(x.reason, y.reason),
  );
}

function fieldList(b: BitSet, fields: FieldRegistry): string[] {
  return sortStrings([...b].map((f) => fields.nameOf(f)));
}
