/**
 * The phrase files (phrases/*.json, issue 15): the map from fields to phrases and one file per
 * language, checked on load so that a missing phrase is a clear error naming the file, never a
 * sentence with a hole in it.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Language, PhraseMap } from '../core/phrases.js';
import { InputError } from '../errors.js';
import { readDataFile } from './data-file.js';

export const PHRASES_DIR = fileURLToPath(new URL('../../phrases/', import.meta.url));

export interface PhraseSet {
  map: PhraseMap;
  languages: Map<string, Language>;
}

export function loadPhrases(dir = PHRASES_DIR): PhraseSet {
  const read = (f: string): unknown => readDataFile(dir, f, 'phrase');
  const map = read('map.json') as PhraseMap;
  const needed = new Set([...map.order, 'actions_examples']);
  for (const r of map.rules)
    if (!map.order.includes(r.phrase))
      throw bad(dir, 'map.json', `rule phrase "${r.phrase}" is not in "order"`);
  const languages = new Map<string, Language>();
  for (const f of readdirSync(dir)
    .filter((n) => /^[a-z]{2,3}\.json$/.test(n) && n !== 'map.json')
    .sort()) {
    const l = read(f) as Language;
    for (const p of needed)
      if (typeof l.phrases?.[p] !== 'string' || l.phrases[p] === '')
        throw bad(dir, f, `phrase "${p}" is missing`);
    for (const k of [
      'separator',
      'last_separator',
      'pair_separator',
      'quote_open',
      'quote_close',
    ] as const)
      if (typeof l[k] !== 'string') throw bad(dir, f, `"${k}" is missing`);
    if (!l.phrases.actions_examples!.includes('{examples}'))
      throw bad(dir, f, '"actions_examples" needs {examples}');
    languages.set(f.slice(0, -5), l);
  }
  if (!languages.has('en')) throw bad(dir, 'en.json', 'English, the fallback, is missing');
  return { map, languages };
}

function bad(dir: string, f: string, why: string): InputError {
  return new InputError(
    'INPUT_UNREADABLE',
    `phrase file is malformed: ${why}`,
    { file: join(dir, f) },
    'see phrases/map.json for the format',
  );
}
