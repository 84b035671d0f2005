/**
 * What a parse worker asks before the main thread looks a value up in the user index: a
 * read-only table from a 32-bit fingerprint of each key to its user, in shared memory.
 *
 * The answer is exact by construction, so the output cannot depend on it:
 * - NO_USER (no slot with the fingerprint) is certain: every key's fingerprint is in the table.
 * - A user `u` comes only from the single slot with that fingerprint. The main thread accepts it
 *   only when the value is that user's own id (or email) character for character, which makes
 *   it the key's own slot; anything else is looked up in full.
 * - MANY (two slots share the fingerprint, or the key has several users) is looked up in full.
 * Looking up in full is always right; the table only spares the main thread the lookup it can.
 */
import { isEmailShaped, isHashShaped, normalizeEmail } from './normalize.js';
import type { Users } from './user-index.js';

export const NO_USER = -1,
  MANY = -2;
/** An id that is no user id but an email: EMAIL_PROBE - u names user u by email. */
export const EMAIL_PROBE = -3;

/** 2 words a slot: fingerprint (never 0; 0 marks an empty slot) and user + 1 (0: several users). */
export class ProbeTable {
  private readonly words: Uint32Array;
  private readonly mask: number; // slots - 1

  constructor(readonly buffer: SharedArrayBuffer) {
    this.words = new Uint32Array(buffer);
    this.mask = this.words.length / 2 - 1;
  }

  /** The table of an index's keys, at most half full. */
  static build(keys: Map<string, Users>): ProbeTable {
    let slots = 1024;
    while (slots < keys.size * 2) slots *= 2;
    const t = new ProbeTable(new SharedArrayBuffer(slots * 8));
    const w = t.words;
    const mask = t.mask;
    keys.forEach((users, k) => {
      const f = print(k);
      let s = f & mask;
      while (w[s * 2] !== 0) s = (s + 1) & mask;
      w[s * 2] = f;
      w[s * 2 + 1] = typeof users === 'number' ? users + 1 : 0;
    });
    return t;
  }

  /** NO_USER, MANY, or the one user whose key may be this one. */
  get(key: string): number {
    const w = this.words;
    const f = print(key);
    let found = NO_USER;
    for (let s = f & this.mask; w[s * 2] !== 0; s = (s + 1) & this.mask) {
      if (w[s * 2] !== f) continue;
      if (found !== NO_USER) return MANY;
      const u = w[s * 2 + 1]!;
      if (u === 0) return MANY;
      found = u - 1;
    }
    return found;
  }
}

/** FNV-1a over UTF-16 code units, never 0. */
function print(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  h ^= h >>> 15;
  return h >>> 0 || 1;
}

/**
 * A worker's answer for one record id, in the order the correlator's matchValue asks: a user id
 * (or --user-key value), else an email-shaped value's user by email, else a hash (looked up in
 * full by the main thread, which builds the hash index on first use).
 */
export function idProbe(raw: string, ids: ProbeTable, emails: ProbeTable): number {
  const h = ids.get(raw);
  if (h !== NO_USER) return h;
  if (raw.indexOf('@') > 0 && isEmailShaped(raw)) {
    const e = emails.get(normalizeEmail(raw));
    return e >= 0 ? EMAIL_PROBE - e : e;
  }
  return isHashShaped(raw) ? MANY : NO_USER;
}

/** A worker's answer for one email value of a record. */
export function emailProbe(e: string, emails: ProbeTable): number {
  const n = normalizeEmail(e);
  return n === '' ? NO_USER : emails.get(n);
}
