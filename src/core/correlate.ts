/**
 * The join (SPEC §4): one pass over the vendor records, holding state per user, identity and
 * session — never per event. Each in-window record is folded into an aggregate: its user's when
 * its own identifiers match directly, else a pending one keyed by (session window, identity)
 * that is resolved once all evidence is in (`finish`), because session and merge evidence may
 * arrive after the record it explains (SPEC §4.3: evidence from every record, in or out of window).
 */
import {
  Agg,
  type AmbiguousRow,
  type Counts,
  type Result,
  type UnmatchedRow,
  type UserRow,
} from './aggregate.js';
import type { BitSet } from './bitset.js';
import { Fingerprints } from './dedup.js';
import { Explainer } from './explain.js';
import { IdentityGraph } from './identity.js';
import type { LoginSessions } from './login-sessions.js';
import { isEmailShaped, isHashShaped, normalizeEmail, stripDevicePrefix } from './normalize.js';
import { clear, type Kind, type VendorRecord } from './record.js';
import { hintCategory, SHAPES, verdictFor, type Category, type NameVerdict } from './categorize.js';
import { Digest, type Digested, type Window } from './digest.js';
import { EMAIL_HINT, MANY, NONE as NO_USER } from './probe.js';
import { SessionWindows } from './sessions.js';
import type { UserIndex, Users } from './user-index.js';

export type { AmbiguousRow, Counts, Result, UnmatchedRow, UserRow } from './aggregate.js';

export const M_ID = 1,
  M_EMAIL = 2,
  M_HASH = 4,
  M_ALIAS = 8,
  M_SESSION = 16;
/** Strongest first (SPEC §4.4). */
export const METHODS: ReadonlyArray<[number, string]> = [
  [M_ID, 'id'],
  [M_EMAIL, 'email'],
  [M_HASH, 'email_hash'],
  [M_ALIAS, 'alias'],
  [M_SESSION, 'session'],
];

export type { Window } from './digest.js';

/** What the correlator reads of a record besides its digest: a VendorRecord, or a worker's record decoded. */
export interface Evidence {
  readonly kind: Kind;
  /** The event's name ('' for profiles): read only when events are collected. */
  readonly name: string;
  readonly time: number;
  readonly ids: readonly string[];
  readonly emails: readonly string[];
  readonly hashes: readonly string[];
  readonly deviceKey: string;
  readonly keys: { readonly ip: string; readonly user_agent: string; readonly device_id: string };
}

export interface CorrelateOptions {
  window?: Window;
  sessionGapMs: number;
  /** Internal login sessions (--sessions), consulted for records nothing else attributes. */
  login?: LoginSessions;
  /** The user to collect --explain evidence for. */
  explain?: number;
  /** Count where records come from, by the preset's residence fields (--notification-basis). */
  collectResidence?: boolean;
  /** Keep each user's event names and source files (the events and sources columns, issue 15). */
  collectEvents?: boolean;
  collectSources?: boolean;
}

interface Pending {
  agg: Agg;
  session: number; // session node, -1 when none
  identity: number; // first non-terminal identity node, -1 when none
  login: number[]; // users whose internal login session covers the records
}

interface AmbiguousAgg {
  agg: Agg;
  candidates: number[];
  reason: string;
}

export class Correlator {
  readonly counts: Counts = {
    read: 0,
    rejected: 0,
    out_of_window: 0,
    attributed: 0,
    unmatched: 0,
    ambiguous: 0,
    duplicates: 0,
  };
  private readonly graph = new IdentityGraph();
  private readonly sessions: SessionWindows;
  private readonly userAgg: Array<Agg | undefined>;
  private readonly pending = new Map<string, Pending>();
  private readonly ambiguousDirect = new Map<string, AmbiguousAgg>();
  private readonly fieldIds = new Map<string, number>();
  private readonly fieldNames: string[] = [];
  private readonly fieldCats: Category[] = [];
  /** Per field: what its name says, the best value hint applied, and the shape of the value that gave it. */
  private readonly fieldVerdicts: NameVerdict[] = [];
  private readonly fieldCodes: number[] = [];
  private readonly fieldShapes: number[] = [];
  private readonly hashRecipes: Record<string, number> = {};
  private readonly explainer: Explainer | undefined;
  private readonly seen = new Fingerprints();
  // Scratch, reused for every record: the hot loop allocates no arrays of its own.
  private readonly loose: number[] = [];
  private readonly byId: number[] = [];
  private readonly byEmail: number[] = [];
  private readonly byHash: number[] = [];
  private readonly direct: number[] = [];
  private readonly recipes: string[] = [];
  private digest: Digest | undefined;
  /** Per digest source, its local field number → this correlator's. */
  private readonly locals: number[][] = [];

  constructor(
    private readonly users: UserIndex,
    private readonly opts: CorrelateOptions,
  ) {
    this.sessions = new SessionWindows(opts.sessionGapMs, (k) => this.canonical(k));
    this.userAgg = new Array(users.size);
    if (opts.explain !== undefined)
      this.explainer = new Explainer(opts.explain, this.graph, this.sessions);
  }

  /**
   * Takes one mapped record, digested here. Returns a reject reason when the record cannot be
   * placed (an event with no usable time under --window); the caller counts and reports it.
   */
  addRecord(rec: VendorRecord, where?: string, source?: number): string | undefined {
    const d = (this.digest ??= new Digest({
      window: this.opts.window,
      collectResidence: this.opts.collectResidence,
    }));
    const why = d.take(rec);
    if (why === undefined) this.add(rec, d, where, source);
    return why;
  }

  /**
   * Applies one record and its digest (made in this thread or a worker). Records must come in
   * file order: the first copy of a duplicate, the category a value gives a field and the
   * numbering of identities are decided by what came before.
   */
  add(rec: Evidence, d: Digested, where?: string, source?: number): void {
    const t = rec.time;
    // 1. The record's own identifiers: direct matches (terminals) and the rest (linked).
    clear(this.byId);
    clear(this.byEmail);
    clear(this.byHash);
    clear(this.recipes);
    const loose = this.loose;
    let nLoose = 0;
    const ids = rec.ids;
    const idHints = d.idHints.length === ids.length ? d.idHints : undefined;
    for (let i = 0; i < ids.length; i++) {
      const raw = ids[i]!;
      const matched = idHints ? this.matchHinted(raw, idHints[i]!) : this.matchValue(raw);
      const key = stripDevicePrefix(raw);
      if (!matched && key !== '') loose[nLoose++] = this.graph.node(key);
    }
    const emails = rec.emails;
    const emailHints = d.emailHints.length === emails.length ? d.emailHints : undefined;
    for (let i = 0; i < emails.length; i++) {
      const e = emails[i]!;
      const h = emailHints ? emailHints[i]! : MANY;
      if (h === NO_USER) continue;
      if (h >= 0 && this.users.emails[h] === e) {
        addUsers(this.byEmail, h);
        continue;
      }
      const n = normalizeEmail(e);
      const u = n === '' ? undefined : this.users.byEmail.get(n);
      if (u !== undefined) addUsers(this.byEmail, u);
    }
    for (const h of rec.hashes) this.matchHash(h);
    const direct = this.direct;
    const conflict = combine(this.byId, this.byEmail, this.byHash, direct);
    const merged = this.graph.link(loose, nLoose, direct);
    this.explainer?.linked(loose, nLoose, direct, merged, rec, where);

    // 2. Session windows, from every timed event with a device key.
    let session = -1;
    if (rec.deviceKey !== '' && rec.kind === 'event' && !Number.isNaN(t)) {
      session = this.sessions.add(rec.deviceKey, t);
      if (direct.length > 0) {
        this.sessions.identify(session, direct);
        this.explainer?.identified(session, direct, where);
      }
    }

    // 3. Exposure is limited to the window (the digest says whether the record is in it).
    if (!d.inWindow) {
      this.counts.out_of_window++;
      return;
    }
    // A duplicate is attributed, unmatched or ambiguous like any other and counted there, but
    // adds no exposure (SPEC §6): a warehouse copy of an S3 message has other column names.
    const duplicate = d.dedupLo !== 0 && this.seen.seenPrint(d.dedupHi, d.dedupLo);
    if (duplicate) this.counts.duplicates++;
    let agg: Agg;
    if (direct.length === 1) {
      const u = direct[0]!;
      agg = this.userAgg[u] ??= new Agg();
      agg.methods |=
        (this.byId.includes(u) ? M_ID : 0) |
        (this.byEmail.includes(u) ? M_EMAIL : 0) |
        (this.byHash.includes(u) ? M_HASH : 0);
      // The manifest counts in-window records attributed through each recipe.
      if (this.byHash.includes(u))
        for (const r of this.recipes) this.hashRecipes[r] = (this.hashRecipes[r] ?? 0) + 1;
      if (this.explainer && u === this.opts.explain)
        this.explainer.direct(
          rec,
          this.byId.includes(u),
          this.byEmail.includes(u),
          this.byHash.includes(u),
          where,
        );
    } else if (direct.length > 1) {
      const reason = conflict
        ? 'identifiers point to different users'
        : this.byId.length > 1
          ? 'shared identifier'
          : 'shared email';
      const key = reason + '\0' + direct.join(',');
      let a = this.ambiguousDirect.get(key);
      if (a === undefined)
        this.ambiguousDirect.set(key, (a = { agg: new Agg(), candidates: direct.slice(), reason }));
      agg = a.agg;
    } else {
      const identity = nLoose > 0 ? loose[0]! : -1;
      const login = this.opts.login ? this.opts.login.candidates(t, rec.keys) : NONE;
      const key =
        login.length === 0
          ? session + ':' + identity
          : session + ':' + identity + ':' + login.join(',');
      let p = this.pending.get(key);
      if (p === undefined)
        this.pending.set(key, (p = { agg: new Agg(), session, identity, login }));
      agg = p.agg;
      for (const e of rec.emails) {
        const n = normalizeEmail(e);
        if (n !== '') (agg.emails ??= new Set()).add(n);
      }
      for (const raw of rec.ids)
        if (isEmailShaped(raw)) (agg.emails ??= new Set()).add(normalizeEmail(raw));
    }
    if (duplicate) agg.records++;
    else this.expose(rec, d, agg, source);
  }

  /** Direct match of one identifier value; true when it matched a user. */
  private matchValue(raw: string): boolean {
    const u = this.users.byId.get(raw);
    if (u !== undefined) {
      addUsers(this.byId, u);
      return true;
    }
    if (raw.indexOf('@') > 0 && isEmailShaped(raw)) {
      const e = this.users.byEmail.get(normalizeEmail(raw));
      if (e !== undefined) {
        addUsers(this.byEmail, e);
        return true;
      }
      return false;
    }
    return isHashShaped(raw) && this.matchHash(raw);
  }

  /**
   * matchValue with a worker's probe answer (core/probe.ts): NONE is final; a user is taken when
   * the value is that user's own id (or email, for an email-shaped value) exactly; anything else
   * is looked up in full.
   */
  private matchHinted(raw: string, h: number): boolean {
    if (h === NO_USER) return false;
    if (h >= 0) {
      if (this.users.ids[h] === raw) {
        addUsers(this.byId, h);
        return true;
      }
    } else if (h <= EMAIL_HINT) {
      const u = EMAIL_HINT - h;
      if (this.users.emails[u] === raw) {
        addUsers(this.byEmail, u);
        return true;
      }
    }
    return this.matchValue(raw);
  }

  private matchHash(hex: string): boolean {
    const h = this.users.lookupHash(hex);
    if (!h) return false;
    addUsers(this.byHash, h.users);
    this.recipes.push(h.recipe);
    return true;
  }

  private expose(rec: Evidence, d: Digested, agg: Agg, source: number | undefined): void {
    agg.records++;
    if (this.opts.collectEvents && rec.name !== '') (agg.events ??= new Set()).add(rec.name);
    if (this.opts.collectSources && source !== undefined) (agg.sources ??= new Set()).add(source);
    const t = rec.time;
    if (!Number.isNaN(t)) {
      if (t < agg.first) agg.first = t;
      if (t > agg.last) agg.last = t;
    }
    for (const id of rec.ids) if (!agg.hasVendorId(id)) agg.addVendorId(this.canonical(id));
    if (d.residence !== '')
      (agg.places ??= new Map()).set(d.residence, (agg.places.get(d.residence) ?? 0) + 1);
    const local = this.localFields(d);
    const fields = d.fields;
    for (let i = 0; i < fields.length; i++)
      agg.fields.add(local[fields[i]!] ?? this.resolve(d, fields[i]!));
    // The lowest hint code decides (core/categorize.ts): the same whatever order values come in.
    const hints = d.hints;
    for (let i = 0; i < hints.length; i += 3) {
      const f = local[hints[i]!]!;
      const code = hints[i + 1]!;
      if (code < this.fieldCodes[f]! && this.fieldVerdicts[f]!.base === 'other') {
        this.fieldCodes[f] = code;
        this.fieldShapes[f] = hints[i + 2]!;
        this.fieldCats[f] = hintCategory(this.fieldVerdicts[f]!, code);
      }
    }
  }

  /** The correlator's field numbers for a source's local ones (filled as they are first applied). */
  private localFields(d: Digested): number[] {
    return (this.locals[d.source] ??= []);
  }

  private resolve(d: Digested, f: number): number {
    const g = this.field(d.table.names[f]!, d.table.cats[f]);
    this.locals[d.source]![f] = g;
    return g;
  }

  /**
   * The string already held for an id with this content (an identity-graph key, a user id), or
   * the id itself: a record's strings are fresh copies, and the state kept per device and per
   * user holds each id once (~80 MB at bench L).
   */
  private canonical(id: string): string {
    const n = this.graph.lookup(id);
    if (n !== undefined) return this.graph.keyOf(n);
    const u = this.users.byId.get(id);
    return typeof u === 'number' && this.users.ids[u] === id ? this.users.ids[u]! : id;
  }

  private field(name: string, cat?: Category): number {
    let f = this.fieldIds.get(name);
    if (f === undefined) {
      f = this.fieldNames.length;
      this.fieldIds.set(name, f);
      this.fieldNames.push(name);
      const v = cat === undefined || cat === 'other' ? verdictFor(name) : { base: cat, tests: [] };
      this.fieldVerdicts.push(v);
      this.fieldCats.push(v.base);
      this.fieldCodes.push(Infinity);
      this.fieldShapes.push(-1);
    }
    return f;
  }

  /** True when a record carried this identifier and it matched no user (for the zero diagnosis). */
  sawUnmatchedId(raw: string): boolean {
    return this.graph.lookup(stripDevicePrefix(raw)) !== undefined;
  }

  finish(userIdOf: (u: number) => string): Result {
    const unmatched = new Map<string, Agg>();
    const ambiguous = new Map<string, AmbiguousAgg>();
    for (const [key, a] of this.ambiguousDirect) ambiguous.set('d' + key, a);
    const ex = this.explainer;
    const toAmbiguous = (key: string, agg: Agg, candidates: number[], reason: string) => {
      const a = ambiguous.get(key);
      if (a) a.agg.merge(agg);
      else {
        const fresh = new Agg();
        fresh.merge(agg);
        ambiguous.set(key, { agg: fresh, candidates, reason });
      }
    };
    for (const p of this.pending.values()) {
      if (p.session >= 0) {
        const su = this.sessions.usersOf(p.session);
        if (su.length === 1) {
          this.attribute(su[0]!, p.agg, M_SESSION);
          if (su[0] === this.opts.explain) ex?.bySession(p.session, p.agg.records);
          continue;
        }
        if (su.length > 1) {
          toAmbiguous(
            's' + this.sessions.root(p.session),
            p.agg,
            su,
            'session identifies two users',
          );
          continue;
        }
      }
      if (p.identity >= 0) {
        const iu = this.graph.usersOf(p.identity);
        if (iu.length === 1) {
          this.attribute(iu[0]!, p.agg, M_ALIAS);
          if (iu[0] === this.opts.explain) ex?.byAlias(p.identity, p.agg.records);
          continue;
        }
        if (iu.length > 1) {
          toAmbiguous('i' + this.graph.root(p.identity), p.agg, iu, 'merge links two users');
          continue;
        }
      }
      if (p.login.length === 1) {
        this.attribute(p.login[0]!, p.agg, M_SESSION);
        if (p.login[0] === this.opts.explain) ex?.byLogin(p.agg.records, p.agg.vendorIds());
        continue;
      }
      if (p.login.length > 1) {
        toAmbiguous(
          'l' + p.login.join(',') + ':' + (p.identity >= 0 ? this.graph.root(p.identity) : 'none'),
          p.agg,
          p.login,
          'login sessions overlap',
        );
        continue;
      }
      const key = p.identity >= 0 ? 'i' + this.graph.root(p.identity) : 'none';
      const u = unmatched.get(key);
      if (u) u.merge(p.agg);
      else {
        const fresh = new Agg();
        fresh.merge(p.agg);
        unmatched.set(key, fresh);
      }
    }

    const fieldList = (b: BitSet) => sortStrings([...b].map((f) => this.fieldNames[f]!));
    // Users share their lists: most exposed the same fields by the same methods, and one list
    // per user was ~90 MB at bench L. Each aggregate is dropped once its row is made.
    const shared = new Map<string, { fields: string[]; categories: Category[] }>();
    const methodLists = new Map<number, string[]>();
    const users: UserRow[] = [];
    for (let u = 0; u < this.userAgg.length; u++) {
      const a = this.userAgg[u];
      if (!a) continue;
      this.counts.attributed += a.records;
      const key = [...a.fields].join(',');
      let lists = shared.get(key);
      if (lists === undefined) {
        const cats = new Set<Category>();
        for (const f of a.fields) cats.add(this.fieldCats[f]!);
        shared.set(
          key,
          (lists = { fields: fieldList(a.fields), categories: sortStrings([...cats]) }),
        );
      }
      let methods = methodLists.get(a.methods);
      if (methods === undefined)
        methodLists.set(
          a.methods,
          (methods = METHODS.filter(([m]) => a.methods & m).map(([, n]) => n)),
        );
      users.push({
        user: u,
        methods,
        confidence: a.methods & (M_ID | M_EMAIL | M_HASH) ? 'high' : 'medium',
        vendorIds: sortStrings(a.vendorIds()),
        records: a.records,
        first: a.first === Infinity ? NaN : a.first,
        last: a.last === -Infinity ? NaN : a.last,
        fields: lists.fields,
        categories: lists.categories,
        ...(a.events ? { events: sortStrings([...a.events]) } : {}),
        ...(a.sources ? { sources: [...a.sources].sort((x, y) => x - y) } : {}),
        inferredResidence: a.place(),
      });
      if (u !== this.opts.explain) this.userAgg[u] = undefined;
    }
    users.sort((x, y) => cmp(userIdOf(x.user), userIdOf(y.user)));

    const unmatchedRows: UnmatchedRow[] = [...unmatched.values()].map((a) => {
      this.counts.unmatched += a.records;
      return {
        vendorIds: sortStrings(a.vendorIds()),
        records: a.records,
        first: a.first === Infinity ? NaN : a.first,
        last: a.last === -Infinity ? NaN : a.last,
        emails: sortStrings([...(a.emails ?? [])]),
        fields: fieldList(a.fields),
      };
    });
    unmatchedRows.sort(
      (x, y) => cmp(x.vendorIds.join(';'), y.vendorIds.join(';')) || x.records - y.records,
    );

    const ambiguousRows: AmbiguousRow[] = [...ambiguous.values()].map((a) => {
      this.counts.ambiguous += a.agg.records;
      return {
        vendorIds: sortStrings(a.agg.vendorIds()),
        candidates: sortStrings(a.candidates.map(userIdOf)),
        reason: a.reason,
        records: a.agg.records,
      };
    });
    ambiguousRows.sort(
      (x, y) => cmp(x.vendorIds.join(';'), y.vendorIds.join(';')) || cmp(x.reason, y.reason),
    );

    const fieldCategories = new Map<string, Category>();
    const fieldShapes = new Map<string, string>();
    this.fieldNames.forEach((n, i) => {
      fieldCategories.set(n, this.fieldCats[i]!);
      const shape = this.fieldShapes[i]!;
      if (shape >= 0) fieldShapes.set(n, SHAPES[shape]!);
      else if (n.endsWith('#token')) fieldShapes.set(n, 'a URL parameter named like a credential');
      else if (n.endsWith('#email')) fieldShapes.set(n, 'an email address in a URL');
    });
    return {
      counts: this.counts,
      users,
      unmatched: unmatchedRows,
      ambiguous: ambiguousRows,
      fieldCategories,
      fieldShapes,
      hashRecipes: this.hashRecipes,
      identities: this.graph.count,
      sessions: this.sessions.count,
      explanation: ex?.render(userIdOf, (u) => this.userAgg[u]?.records ?? 0),
    };
  }

  private attribute(u: number, agg: Agg, method: number): void {
    const a = (this.userAgg[u] ??= new Agg());
    a.merge(agg);
    a.methods |= method;
  }
}

const NONE: number[] = [];

/** Adds an index entry's users to a scratch list, each once. */
function addUsers(to: number[], u: Users): void {
  if (typeof u === 'number') {
    if (!to.includes(u)) to.push(u);
  } else for (const v of u) if (!to.includes(v)) to.push(v);
}

/**
 * Strongest evidence first: the id matches decide, weaker methods narrow them; methods that
 * point at disjoint users are a conflict, and the record goes to --ambiguous with all of them.
 * The users go into `out` (scratch, sorted); returns true on a conflict.
 */
function combine(byId: number[], byEmail: number[], byHash: number[], out: number[]): boolean {
  clear(out);
  const state = narrow(byHash, out, narrow(byEmail, out, narrow(byId, out, 0)));
  if (out.length > 1) out.sort((x, y) => x - y);
  return (state & CONFLICT) !== 0;
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

export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function sortStrings<T extends string>(a: T[]): T[] {
  return a.sort(cmp);
}
