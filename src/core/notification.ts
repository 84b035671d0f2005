/**
 * The notification basis (issue #7): which data-element combinations of each breach-notice
 * regime are present in a user's exposure, which are missing, and where the user lives. Facts
 * and rules only — counsel decides. Elements and regimes are data (rules/*.json); this file
 * only evaluates them.
 */
import { normalizeName, type Category } from './categorize.js';

export interface ElementDef {
  label: string;
  fields?: string[];
  categories?: Category[];
  /** A name match counts only for a field of one of these categories (its values decided it). */
  requires_category?: Category[];
  derived?: string[]; // '#email', '#token'
  match?: string[]; // match methods that show the element was on the record
  email_vendor_id?: boolean;
}

export interface Combination {
  name: string;
  groups: string[][]; // every group needs one present element
  condition?: string; // what counsel must confirm before relying on it
  why?: string; // for `assess`
}

export interface Regime {
  id: string;
  name: string;
  version: string;
  citation: string;
  sources: string[];
  applies_to: string[]; // 'US-CA', 'DE', 'US-*'
  when_residence_unknown?: boolean;
  notifiable: Combination[];
  assess: Combination[];
  not_notifiable: string;
}

export interface Exposure {
  fields: string[];
  categoryOf: (field: string) => Category;
  /** The shape of the value that decided a field's category, when a value did ('a JWT'). */
  shapeOf?: (field: string) => string | undefined;
  methods: string[];
  vendorIds: string[];
}

/** Element → the exposed fields (or evidence) that carry it. */
export type Elements = Map<string, string[]>;

export function compileElements(defs: Record<string, ElementDef>): (e: Exposure) => Elements {
  const compiled = Object.entries(defs).map(([id, d]) => ({
    id,
    d,
    res: (d.fields ?? []).map((f) => new RegExp(f, 'i')),
  }));
  return (e) => {
    const out: Elements = new Map();
    const note = (id: string, what: string) => {
      const list = out.get(id);
      if (!list) out.set(id, [what]);
      else if (!list.includes(what)) list.push(what);
    };
    for (const { id, d, res } of compiled) {
      for (const f of e.fields) {
        const hash = f.indexOf('#');
        if (hash >= 0) {
          if (d.derived?.includes(f.slice(hash))) note(id, f);
          if (d.categories?.includes(e.categoryOf(f))) note(id, f);
          continue;
        }
        const n = normalizeName(f);
        const cat = e.categoryOf(f);
        const byName =
          res.length > 0 &&
          (d.requires_category === undefined || d.requires_category.includes(cat)) &&
          res.some((re) => re.test(n));
        if (byName || d.categories?.includes(cat)) note(id, f);
      }
      for (const m of d.match ?? []) if (e.methods.includes(m)) note(id, `${m} match`);
      if (d.email_vendor_id && e.vendorIds.some((v) => v.indexOf('@') > 0))
        note(id, 'email as vendor id');
    }
    return out;
  };
}

export type Verdict = 'notifiable' | 'assess' | 'not notifiable';

export interface Basis {
  regime: string; // id
  name: string;
  verdict: Verdict;
  /** The combination that fired (notifiable/assess) or what is missing (not notifiable). */
  detail: string;
  /** The fields that drove the verdict. */
  fields: string[];
  condition?: string;
  residenceUnknown?: boolean;
}

/** Which regimes apply to a residence (`US-CA`, `DE`, `unknown`): the most specific wins. */
export function regimesFor(residence: string, regimes: Regime[]): Regime[] {
  if (residence === 'unknown') return regimes.filter((r) => r.when_residence_unknown);
  const exact = regimes.filter((r) => r.applies_to.includes(residence));
  if (exact.length) return exact;
  const country = residence.split('-')[0]!;
  const byCountry = regimes.filter((r) => r.applies_to.includes(country));
  if (byCountry.length) return byCountry;
  return regimes.filter((r) => r.applies_to.includes(`${country}-*`));
}

function fires(c: Combination, el: Elements): string[] | undefined {
  const used: string[] = [];
  for (const g of c.groups) {
    const hit = g.find((e) => el.has(e));
    if (hit === undefined) return undefined;
    used.push(hit);
  }
  return used;
}

export function evaluate(
  r: Regime,
  el: Elements,
  residenceUnknown: boolean,
  shapeOf: (field: string) => string | undefined = () => undefined,
): Basis {
  const base = { regime: r.id, name: r.name, ...(residenceUnknown ? { residenceUnknown } : {}) };
  // A field whose category a value decided says which value shape made it fire (issue 14).
  const shown = (f: string) => {
    const shape = shapeOf(f);
    return shape ? `${f}: ${shape}` : f;
  };
  const describe = (used: string[]) =>
    used.map((e) => `${e} (${el.get(e)!.map(shown).join(', ')})`).join(' + ');
  const fieldsOf = (used: string[]) => [...new Set(used.flatMap((e) => el.get(e)!))].sort();
  for (const c of r.notifiable) {
    const used = fires(c, el);
    if (used)
      return {
        ...base,
        verdict: 'notifiable',
        detail: `${c.name}: ${describe(used)}`,
        fields: fieldsOf(used),
        ...(c.condition ? { condition: c.condition } : {}),
      };
  }
  for (const c of r.assess) {
    const used = fires(c, el);
    if (used)
      return { ...base, verdict: 'assess', detail: c.why ?? c.name, fields: fieldsOf(used) };
  }
  return { ...base, verdict: 'not notifiable', detail: r.not_notifiable, fields: [] };
}

/** One cell of the CSV: `us-ca: notifiable: Category 2 (access credential): … [condition: …]`. */
export function basisText(b: Basis): string {
  const head = `${b.regime}${b.residenceUnknown ? ' (if resident)' : ''}: ${b.verdict}: ${b.detail}`;
  return b.condition ? `${head} [condition: ${b.condition}]` : head;
}
