/**
 * The rule files (rules/*.json): data only, checked on load so that a malformed rule is a clear
 * error naming the file, never a wrong verdict.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ElementDef, Regime } from '../core/notification.js';
import { InputError } from '../errors.js';
import { readDataFile } from './data-file.js';

export const RULES_DIR = fileURLToPath(new URL('../../rules/', import.meta.url));

export interface RuleSet {
  elements: Record<string, ElementDef>;
  elementsVersion: string;
  regimes: Regime[];
}

export function loadRules(dir = RULES_DIR): RuleSet {
  const read = (f: string): unknown => readDataFile(dir, f, 'rule');
  const el = read('elements.json') as { version: string; elements: Record<string, ElementDef> };
  const known = new Set(Object.keys(el.elements ?? {}));
  const regimes: Regime[] = [];
  for (const f of readdirSync(dir)
    .filter((n) => n.endsWith('.json') && n !== 'elements.json')
    .sort()) {
    const r = read(f) as Regime;
    const bad = (why: string) =>
      new InputError(
        'INPUT_UNREADABLE',
        `rule file is malformed: ${why}`,
        { file: join(dir, f) },
        'see rules/README.md for the format',
      );
    for (const k of ['id', 'name', 'version', 'citation', 'not_notifiable'] as const)
      if (typeof r[k] !== 'string' || r[k] === '') throw bad(`"${k}" must be a non-empty string`);
    if (!Array.isArray(r.applies_to) || r.applies_to.length === 0)
      throw bad('"applies_to" must list residences');
    for (const list of [r.notifiable, r.assess]) {
      if (!Array.isArray(list)) throw bad('"notifiable" and "assess" must be arrays');
      for (const c of list) {
        if (!Array.isArray(c.groups) || c.groups.length === 0)
          throw bad(`combination "${c.name}" has no groups`);
        for (const g of c.groups)
          for (const e of g)
            if (!known.has(e))
              throw bad(`combination "${c.name}" names the unknown element "${e}"`);
        for (const k of ['name', 'condition', 'why'] as const)
          if (c[k]?.includes(';'))
            throw bad(`"${k}" of "${c.name}" contains ";", which separates verdicts in CSV output`);
      }
    }
    regimes.push(r);
  }
  return { elements: el.elements, elementsVersion: el.version, regimes };
}
