/**
 * Direct matching (SPEC §4.4): a record's own identifiers, emails and hashed emails against the
 * user index. A value that matches a user is a terminal of the identity graph; the rest are
 * linked (join.ts). Scratch lists are reused for every record: the hot loop allocates nothing.
 */
import { isEmailShaped, isHashShaped, normalizeEmail } from '../normalize.js';
import { EMAIL_PROBE, MANY, NO_USER } from '../probe.js';
import { clear } from '../record.js';
import type { UserIndex, Users } from '../user-index.js';

export class DirectMatch {
  /** Users each method found for the current record, and the hash recipes that did. */
  readonly byId: number[] = [];
  readonly byEmail: number[] = [];
  readonly byHash: number[] = [];
  readonly recipes: string[] = [];
  /** The users the record's evidence points at, combined (sorted); see `combine`. */
  readonly users: number[] = [];
  /** True when the methods point at disjoint users. */
  conflict = false;

  constructor(private readonly index: UserIndex) {}

  /** Starts a record. */
  reset(): void {
    clear(this.byId);
    clear(this.byEmail);
    clear(this.byHash);
    clear(this.recipes);
  }

  /**
   * One identifier, with a worker's probe answer when there is one (core/probe.ts): NO_USER is
   * final; a user is taken when the value is that user's own id (or email) exactly; anything
   * else is looked up in full. True when it matched a user.
   */
  id(raw: string, probe: number = MANY): boolean {
    if (probe === NO_USER) return false;
    const index = this.index;
    if (probe >= 0) {
      if (index.ids[probe] === raw) {
        addUsers(this.byId, probe);
        return true;
      }
    } else if (probe <= EMAIL_PROBE) {
      const u = EMAIL_PROBE - probe;
      if (index.emails[u] === raw) {
        addUsers(this.byEmail, u);
        return true;
      }
    }
    const u = index.byId.get(raw);
    if (u !== undefined) {
      addUsers(this.byId, u);
      return true;
    }
    if (raw.indexOf('@') > 0 && isEmailShaped(raw)) {
      const e = index.byEmail.get(normalizeEmail(raw));
      if (e === undefined) return false;
      addUsers(this.byEmail, e);
      return true;
    }
    return isHashShaped(raw) && this.hash(raw);
  }

  /** One value of an email field, with a worker's probe answer when there is one. */
  email(e: string, probe: number = MANY): void {
    if (probe === NO_USER) return;
    if (probe >= 0 && this.index.emails[probe] === e) {
      addUsers(this.byEmail, probe);
      return;
    }
    const n = normalizeEmail(e);
    const u = n === '' ? undefined : this.index.byEmail.get(n);
    if (u !== undefined) addUsers(this.byEmail, u);
  }

  /** One hashed email (32/40/64 hex); true when it is the hash of a user's email. */
  hash(hex: string): boolean {
    const h = this.index.lookupHash(hex);
    if (!h) return false;
    addUsers(this.byHash, h.users);
    this.recipes.push(h.recipe);
    return true;
  }

  /**
   * Strongest evidence first: the id matches decide, weaker methods narrow them; methods that
   * point at disjoint users are a conflict, and the record goes to --ambiguous with all of them.
   */
  combine(): number[] {
    const out = this.users;
    clear(out);
    const state = narrow(this.byHash, out, narrow(this.byEmail, out, narrow(this.byId, out, 0)));
    if (out.length > 1) out.sort((x, y) => x - y);
    this.conflict = (state & CONFLICT) !== 0;
    return out;
  }
}

/** Adds an index entry's users to a scratch list, each once. */
function addUsers(to: number[], u: Users): void {
  if (typeof u === 'number') {
    if (!to.includes(u)) to.push(u);
  } else for (const v of u) if (!to.includes(v)) to.push(v);
}

const STARTED = 1,
  CONFLICT = 2;

/** One step of combine: `out` narrowed by `s` (or joined with it, a conflict). */
function narrow(s: number[], out: number[], state: number): number {
  if (s.length === 0) return state;
  if ((state & STARTED) === 0) {
    for (const u of s) out.push(u);
    return state | STARTED;
  }
  let common = 0;
  for (const u of out) if (s.includes(u)) common++;
  if (common === 0) {
    for (const u of s) if (!out.includes(u)) out.push(u);
    return state | CONFLICT;
  }
  let k = 0;
  for (const u of out) if (s.includes(u)) out[k++] = u;
  out.length = k;
  return state;
}
