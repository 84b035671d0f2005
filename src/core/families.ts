/**
 * Families of fields of one kind (issue 14): a real PostHog user exposes 100+ fields, most of
 * them `properties.$feature/…` flags. The output keeps every field; the summary and `inspect`
 * group a family into one entry, so a human sees the few kinds of data rather than a hundred
 * names. Data, tested on the samples' real field names (test/core/families.test.ts).
 */
import type { Category } from './category.js';
export interface Family {
  id: string;
  /** How the summary and inspect name the group. */
  label: string;
  /** Tested on the whole field name as the vendor writes it. */
  match: RegExp;
  /**
   * The category of every member, where the family decides it rather than the member's name
   * (a flag named `beta-search` is a flag, not a search term).
   */
  category?: Category;
}

export const FAMILIES: readonly Family[] = [
  {
    id: 'feature_flags',
    label: 'feature flags',
    category: 'other',
    match: /\$feature\/|\$feature_flag|\$active_feature_flags|(^|[._$])feature_?flags?($|[._/])/,
  },
  {
    id: 'experiments',
    label: 'experiment assignments',
    category: 'other',
    match: /(^|[._$/])(\$?experiment\w*|ab_?tests?|\$?variant)($|[._/])|\$experiment/,
  },
  { id: 'utm', label: 'UTM parameters', category: 'web', match: /(^|[._$])(initial_)?utm_\w+$/ },
  {
    id: 'click_ids',
    label: 'ad click identifiers',
    category: 'web',
    match:
      /(^|[._$])(initial_)?(gclid|gad_source|fbclid|msclkid|dclid|gbraid|wbraid|ttclid|li_fat_id|twclid|rdt_cid|irclid|igshid|mc_cid|_kx)$/,
  },
  {
    id: 'ga4_bookkeeping',
    label: 'GA4 session bookkeeping parameters',
    match:
      /^(event_params\.|param_)(ga_session_id|ga_session_number|engagement_time_msec|engaged_session_event|session_engaged|entrances|batch_\w+|ignore_referrer|firebase_\w+|debug_mode|synthetic_bundle|page_referrer_ignored)$/,
  },
  {
    id: 'screen',
    label: 'screen and viewport sizes',
    category: 'device',
    match: /\$?(screen|viewport)_(height|width|dpi|density)$|\$?(screen|viewport)\.(height|width)$/,
  },
];

const cache = new Map<string, Family | null>();

/** The family a field belongs to, if any. */
export function familyOf(field: string): Family | undefined {
  let f = cache.get(field);
  if (f === undefined) {
    f = FAMILIES.find((x) => x.match.test(field)) ?? null;
    if (cache.size < 100_000) cache.set(field, f);
  }
  return f ?? undefined;
}

/**
 * Fields grouped: each family with two or more members becomes one entry (its label and
 * members), every other field stays its own entry, in the order first met.
 */
export function groupFields(
  fields: readonly string[],
): Array<{ family?: Family; fields: string[] }> {
  const out: Array<{ family?: Family; fields: string[] }> = [];
  const byFamily = new Map<string, { family?: Family; fields: string[] }>();
  for (const field of fields) {
    const fam = familyOf(field);
    if (!fam) {
      out.push({ fields: [field] });
      continue;
    }
    let g = byFamily.get(fam.id);
    if (!g) {
      byFamily.set(fam.id, (g = { family: fam, fields: [] }));
      out.push(g);
    }
    g.fields.push(field);
  }
  // A family of one is just that field.
  for (const g of out) if (g.family && g.fields.length < 2) delete g.family;
  return out;
}
