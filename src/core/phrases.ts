/**
 * exposed_summary (issue 15): one plain-language sentence per user, in the user's language, of
 * what of theirs leaked. Which phrase says what a field is comes from phrases/map.json, the
 * words from one phrase file per language (phrases/<lang>.json): data, never written here. Pure:
 * io/phrases.ts loads the files.
 */
import { normalizeName, type Category } from './categorize.js';
import { familyOf } from './families.js';

export interface PhraseRule {
  phrase: string;
  family?: string;
  derived?: string;
  category?: Category;
  name?: string;
}

export interface PhraseMap {
  version: string;
  /** The order phrases take in a sentence; `actions` (the events phrase) is last. */
  order: string[];
  rules: PhraseRule[];
}

export interface Language {
  language: string;
  separator: string;
  last_separator: string;
  pair_separator: string;
  quote_open: string;
  quote_close: string;
  phrases: Record<string, string>;
}

/** Event names shown as examples: a vendor's own (`$identify`, `mp_page_view`) say nothing to a person. */
const INTERNAL_EVENT = /^(\$|mp_|_)/;
const EXAMPLES = 3;
const EXAMPLE_MAX = 40;

export class Summarizer {
  private readonly compiled: Array<PhraseRule & { re?: RegExp }>;
  private readonly rank: Map<string, number>;
  private readonly cache = new Map<string, string>();

  constructor(
    private readonly map: PhraseMap,
    private readonly languages: ReadonlyMap<string, Language>,
  ) {
    this.compiled = map.rules.map((r) => ({
      ...r,
      ...(r.name ? { re: new RegExp(r.name, 'i') } : {}),
    }));
    this.rank = new Map(map.order.map((p, i) => [p, i]));
  }

  /** The phrase id of a field with this category; undefined only if the map lacks a catch-all. */
  phraseOf(field: string, category: Category): string | undefined {
    const key = category + '\0' + field;
    let p = this.cache.get(key);
    if (p !== undefined) return p;
    const hash = field.indexOf('#');
    const derived = hash >= 0 ? field.slice(hash) : undefined;
    const family = familyOf(field)?.id;
    const name = normalizeName(field);
    for (const r of this.compiled) {
      if (r.derived !== undefined && r.derived !== derived) continue;
      if (r.family !== undefined && r.family !== family) continue;
      if (r.category !== undefined && r.category !== category) continue;
      if (r.re && !r.re.test(name)) continue;
      p = r.phrase;
      break;
    }
    if (p !== undefined && this.cache.size < 100_000) this.cache.set(key, p);
    return p;
  }

  get version(): string {
    return this.map.version;
  }

  /** The languages there are phrase files for. */
  has(lang: string): boolean {
    return this.languages.has(lang);
  }

  /**
   * The sentence for one user: the phrases of their exposed fields, once each, in the map's
   * order, then their actions with up to three event names as examples.
   */
  sentence(
    lang: string,
    fields: readonly string[],
    categoryOf: (f: string) => Category,
    events: readonly string[] = [],
  ): string {
    const l = this.languages.get(lang) ?? this.languages.get('en')!;
    const ids = new Set<string>();
    for (const f of fields) {
      const p = this.phraseOf(f, categoryOf(f));
      if (p !== undefined) ids.add(p);
    }
    const items = [...ids]
      .sort((a, b) => (this.rank.get(a) ?? 1e9) - (this.rank.get(b) ?? 1e9))
      .map((p) => l.phrases[p] ?? p);
    if (events.length > 0) {
      const examples = events
        .filter((e) => !INTERNAL_EVENT.test(e))
        .slice(0, EXAMPLES)
        .map(
          (e) =>
            l.quote_open +
            (e.length > EXAMPLE_MAX ? e.slice(0, EXAMPLE_MAX - 1) + '…' : e) +
            l.quote_close,
        );
      items.push(
        examples.length
          ? l.phrases.actions_examples!.replace('{examples}', list(l, examples))
          : l.phrases.actions!,
      );
    }
    return list(l, items);
  }
}

/** `a`, `a and b`, `a, b, and c` — as the language writes a list. */
function list(l: Language, items: string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  if (items.length === 2) return items[0] + l.pair_separator + items[1];
  return items.slice(0, -1).join(l.separator) + l.last_separator + items[items.length - 1];
}

/** The language of a locale value (`de`, `de-AT`, `fr_FR.UTF-8`, `EN`): its lower-case first part. */
export function languageOf(locale: string): string {
  return (
    locale
      .trim()
      .toLowerCase()
      .split(/[-_.@\s]/)[0] ?? ''
  );
}
