/** Per-user notification basis for the output, summary and counsel's report (issue #7). */
import type { Category } from '../core/categorize.js';
import type { UserRow } from '../core/aggregate.js';
import {
  basisText,
  compileElements,
  evaluate,
  regimesFor,
  type Basis,
} from '../core/notification.js';
import type { UserIndex } from '../core/user-index.js';
import type { RuleSet } from '../io/rules.js';

export interface UserBasis {
  residence: string; // `US-CA`, `GB (inferred)`, `unknown`
  bases: Basis[];
}

export function notificationBases(
  rows: UserRow[],
  users: UserIndex,
  rules: RuleSet,
  categoryOf: (f: string) => Category,
  shapeOf: (f: string) => string | undefined = () => undefined,
): UserBasis[] {
  const elementsOf = compileElements(rules.elements);
  return rows.map((r) => {
    const declared = users.residence[r.user] ?? '';
    const code = declared || r.inferredResidence;
    const residence = code === '' ? 'unknown' : declared ? code : `${code} (inferred)`;
    const el = elementsOf({
      fields: r.fields,
      categoryOf,
      methods: r.methods,
      vendorIds: r.vendorIds,
    });
    const regimes = regimesFor(code === '' ? 'unknown' : code, rules.regimes);
    const bases = regimes.map((g) => evaluate(g, el, code === '', shapeOf));
    // No rule file for this residence: say so, rather than leave the cell empty.
    if (bases.length === 0)
      bases.push({
        regime: 'none',
        name: 'no rule file',
        verdict: 'assess',
        detail: `no rule file covers ${code}: check its law (personal data exposed)`,
        fields: r.fields,
      });
    return { residence, bases };
  });
}

export function basisCell(b: UserBasis): string[] {
  return b.bases.map(basisText);
}

/** Users per regime and verdict, for the summary and the report. */
export function verdictCounts(all: UserBasis[]): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>();
  for (const u of all) {
    for (const b of u.bases) {
      const m = out.get(b.regime) ?? new Map<string, number>();
      out.set(b.regime, m);
      m.set(b.verdict, (m.get(b.verdict) ?? 0) + 1);
    }
  }
  return new Map([...out.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
