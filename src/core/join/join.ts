/**
 * The join (SPEC §4): one pass over the vendor records, holding state per user, identity and
 * session — never per event — then resolution once all evidence is in, because session and
 * merge evidence may arrive after the record it explains (SPEC §4.3: evidence from every record,
 * in or out of the window). The rules live in the rooms beside this one:
 *   direct.ts    a record's own identifiers, emails and hashes against the user index
 *   ../identity  identity merge (union-find over vendor ids; user ids are never merged)
 *   ../sessions  session windows per device key
 *   buckets.ts   where an in-window record's exposure goes; exposure.ts, what it adds
 *   fields.ts    field numbers and categories
 *   resolve.ts   pending aggregates → users, ambiguities, unmatched
 *   rows.ts      the output rows; accounting.ts, the counts
 * Records must come in file order: docs/ARCHITECTURE.md says why and which test holds it.
 */
import type { Result } from '../aggregate.js';
import { Fingerprints } from '../dedup.js';
import { Digest, type Digested, type Window } from '../digest.js';
import { Explainer } from '../explain.js';
import { IdentityGraph } from '../identity.js';
import type { LoginSessions } from '../login-sessions.js';
import { isEmailShaped, normalizeEmail, stripDevicePrefix } from '../normalize.js';
import type { Evidence, VendorRecord } from '../record.js';
import { SessionWindows } from '../sessions.js';
import type { UserIndex } from '../user-index.js';
import { Accounting } from './accounting.js';
import { Buckets } from './buckets.js';
import { DirectMatch } from './direct.js';
import { Exposure } from './exposure.js';
import { FieldRegistry } from './fields.js';
import { M_EMAIL, M_HASH, M_ID } from './methods.js';
import { resolve } from './resolve.js';
import { ambiguousRows, unmatchedRows, userRows } from './rows.js';

export interface JoinOptions {
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

const NO_LOGIN: number[] = [];

export class Join {
  readonly accounting = new Accounting();
  private readonly graph = new IdentityGraph();
  private readonly sessions: SessionWindows;
  private readonly buckets: Buckets;
  private readonly fields = new FieldRegistry();
  private readonly match: DirectMatch;
  private readonly exposure: Exposure;
  private readonly hashRecipes: Record<string, number> = {};
  private readonly explainer: Explainer | undefined;
  private readonly seen = new Fingerprints();
  private readonly loose: number[] = []; // scratch: a record's identity nodes
  private digest: Digest | undefined;

  constructor(
    private readonly users: UserIndex,
    private readonly opts: JoinOptions,
  ) {
    this.sessions = new SessionWindows(opts.sessionGapMs, (k) => this.canonical(k));
    this.buckets = new Buckets(users.size);
    this.match = new DirectMatch(users);
    this.exposure = new Exposure(this.fields, (id) => this.canonical(id), opts);
    if (opts.explain !== undefined)
      this.explainer = new Explainer(opts.explain, this.graph, this.sessions);
  }

  /**
   * Takes one mapped record, digested here. Returns a reject reason when the record cannot be
   * placed (an event with no usable time under --window); the caller reports it as a reject.
   */
  addRecord(rec: VendorRecord, where?: string, source?: number): string | undefined {
    const d = (this.digest ??= new Digest({
      window: this.opts.window,
      collectResidence: this.opts.collectResidence,
    }));
    const why = d.make(rec);
    if (why === undefined) this.add(rec, d, where, source);
    return why;
  }

  /**
   * Applies one record and its digest (made in this thread or a worker). Records must come in
   * file order: the first copy of a duplicate, the category a value gives a field and the
   * numbering of identities are decided by what came before.
   */
  add(rec: Evidence, d: Digested, where?: string, source?: number): void {
    // 1. The record's own identifiers: direct matches (terminals) and the rest (linked).
    const m = this.match;
    m.reset();
    const loose = this.loose;
    let nLoose = 0;
    const ids = rec.ids;
    const idProbes = d.idProbes.length === ids.length ? d.idProbes : undefined;
    for (let i = 0; i < ids.length; i++) {
      const raw = ids[i]!;
      const key = stripDevicePrefix(raw);
      if (!m.id(raw, idProbes?.[i]) && key !== '') loose[nLoose++] = this.graph.node(key);
    }
    const emails = rec.emails;
    const emailProbes = d.emailProbes.length === emails.length ? d.emailProbes : undefined;
    for (let i = 0; i < emails.length; i++) m.email(emails[i]!, emailProbes?.[i]);
    for (const h of rec.hashes) m.hash(h);
    const direct = m.combine();
    const joined = this.graph.link(loose, nLoose, direct);
    this.explainer?.linked(loose, nLoose, direct, joined, rec, where);

    // 2. Session windows, from every timed event with a device key.
    let session = -1;
    if (rec.deviceKey !== '' && rec.kind === 'event' && !Number.isNaN(rec.time)) {
      session = this.sessions.add(rec.deviceKey, rec.time);
      if (direct.length > 0) {
        this.sessions.identify(session, direct);
        this.explainer?.identified(session, direct, where);
      }
    }

    // 3. Exposure is limited to the window (the digest says whether the record is in it).
    if (!d.inWindow) return this.accounting.outOfWindow();
    // A duplicate is attributed, unmatched or ambiguous like any other and counted there, but
    // adds no exposure (SPEC §6): a warehouse copy of an S3 message has other column names.
    const duplicate = d.dedupLo !== 0 && this.seen.seenPrint(d.dedupHi, d.dedupLo);
    if (duplicate) this.accounting.duplicate();
    const agg =
      direct.length > 0
        ? this.matched(rec, direct, where)
        : this.pending(rec, session, nLoose > 0 ? loose[0]! : -1);
    if (duplicate) agg.records++;
    else this.exposure.add(rec, d, agg, source);
  }

  /** The aggregate of a record its own evidence matched: its user's, or an ambiguity. */
  private matched(rec: Evidence, direct: number[], where: string | undefined) {
    const m = this.match;
    if (direct.length > 1) {
      const reason = m.conflict
        ? 'identifiers point to different users'
        : m.byId.length > 1
          ? 'shared identifier'
          : 'shared email';
      return this.buckets.ambiguity(reason, direct);
    }
    const u = direct[0]!;
    const agg = this.buckets.user(u);
    const id = m.byId.includes(u),
      email = m.byEmail.includes(u),
      hash = m.byHash.includes(u);
    agg.methods |= (id ? M_ID : 0) | (email ? M_EMAIL : 0) | (hash ? M_HASH : 0);
    // The manifest counts in-window records attributed through each recipe.
    if (hash) for (const r of m.recipes) this.hashRecipes[r] = (this.hashRecipes[r] ?? 0) + 1;
    if (this.explainer && u === this.explainer.user)
      this.explainer.direct(rec, id, email, hash, where);
    return agg;
  }

  /** The pending aggregate of a record nothing of its own matched; its emails kept for the unmatched row. */
  private pending(rec: Evidence, session: number, identity: number) {
    const login = this.opts.login ? this.opts.login.candidates(rec.time, rec.keys) : NO_LOGIN;
    const agg = this.buckets.pendingFor(session, identity, login);
    for (const e of rec.emails) {
      const n = normalizeEmail(e);
      if (n !== '') (agg.emails ??= new Set()).add(n);
    }
    for (const raw of rec.ids)
      if (isEmailShaped(raw)) (agg.emails ??= new Set()).add(normalizeEmail(raw));
    return agg;
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

  /** True when a record carried this identifier and it matched no user (for the zero diagnosis). */
  sawUnmatchedId(raw: string): boolean {
    return this.graph.lookup(stripDevicePrefix(raw)) !== undefined;
  }

  /** Resolves what is pending and makes the rows; the accounting is complete after this. */
  finish(userIdOf: (u: number) => string): Result {
    const { unmatched, ambiguous } = resolve(
      this.buckets,
      this.sessions,
      this.graph,
      this.explainer,
    );
    const keep = this.explainer?.user;
    const users = userRows(this.buckets.users, this.fields, this.accounting, userIdOf, keep);
    return {
      counts: this.accounting.counts,
      users,
      unmatched: unmatchedRows(unmatched, this.fields, this.accounting),
      ambiguous: ambiguousRows(ambiguous, this.accounting, userIdOf),
      fieldCategories: this.fields.categories(),
      fieldShapes: this.fields.valueShapes(),
      hashRecipes: this.hashRecipes,
      identities: this.graph.count,
      sessions: this.sessions.count,
      explanation: this.explainer?.render(userIdOf, (u) => this.buckets.users[u]?.records ?? 0),
    };
  }
}
