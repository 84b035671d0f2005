/**
 * Where an in-window record's exposure goes (SPEC §4): its user's aggregate when its own
 * identifiers match one user, an ambiguity when they match several, else a pending aggregate
 * keyed by (session window, identity, login candidates), resolved once all evidence is in
 * (resolve.ts). State per user, identity and session — never per event.
 */
import { Agg } from '../aggregate.js';

export interface Pending {
  agg: Agg;
  session: number; // session node, -1 when none
  identity: number; // first non-terminal identity node, -1 when none
  login: number[]; // users whose internal login session covers the records
}

export interface AmbiguousAgg {
  agg: Agg;
  candidates: number[];
  reason: string;
}

export class Buckets {
  /** Per user, the aggregate of the records attributed to them (sparse). */
  readonly users: Array<Agg | undefined>;
  readonly pending = new Map<string, Pending>();
  /** Records whose own identifiers match several users, by reason and candidates. */
  readonly ambiguous = new Map<string, AmbiguousAgg>();

  constructor(userCount: number) {
    this.users = new Array(userCount);
  }

  user(u: number): Agg {
    return (this.users[u] ??= new Agg());
  }

  ambiguity(reason: string, candidates: readonly number[]): Agg {
    const key = reason + '\0' + candidates.join(',');
    let a = this.ambiguous.get(key);
    if (a === undefined)
      this.ambiguous.set(key, (a = { agg: new Agg(), candidates: candidates.slice(), reason }));
    return a.agg;
  }

  pendingFor(session: number, identity: number, login: number[]): Agg {
    const key =
      login.length === 0
        ? session + ':' + identity
        : session + ':' + identity + ':' + login.join(',');
    let p = this.pending.get(key);
    if (p === undefined) this.pending.set(key, (p = { agg: new Agg(), session, identity, login }));
    return p.agg;
  }
}
