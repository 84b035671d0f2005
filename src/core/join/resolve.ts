/**
 * Resolution (SPEC §4.3, §4.5), once every record is in: each pending aggregate goes to the one
 * user its session window identifies (`session`), else the one user its identity reaches
 * (`alias`), else the one user whose login session covers it (`session`); two or more users make
 * it ambiguous, none unmatched. A function of the evidence alone: the graph, the session
 * windows, the pending aggregates; it merges into the users' aggregates and says what it did.
 */
import { Agg } from '../aggregate.js';
import type { IdentityGraph } from '../identity.js';
import type { SessionWindows } from '../sessions.js';
import type { AmbiguousAgg, Buckets } from './buckets.js';
import type { JoinListener } from './listener.js';
import { M_ALIAS, M_SESSION } from './methods.js';

export interface Resolved {
  /** Unmatched aggregates by identity root ('none': no identity). */
  unmatched: Map<string, Agg>;
  /** Ambiguities: the direct ones, then by session, identity or login sessions. */
  ambiguous: Map<string, AmbiguousAgg>;
}

export function resolve(
  buckets: Buckets,
  sessions: SessionWindows,
  graph: IdentityGraph,
  listener?: JoinListener,
): Resolved {
  const unmatched = new Map<string, Agg>();
  const ambiguous = new Map<string, AmbiguousAgg>();
  for (const [key, a] of buckets.ambiguous) ambiguous.set('d' + key, a);
  const toAmbiguous = (key: string, agg: Agg, candidates: number[], reason: string) => {
    const a = ambiguous.get(key);
    if (a) a.agg.merge(agg);
    else ambiguous.set(key, { agg: copy(agg), candidates, reason });
  };
  const attribute = (u: number, agg: Agg, method: number) => {
    const a = buckets.user(u);
    a.merge(agg);
    a.methods |= method;
  };
  const mine = (u: number) => listener !== undefined && u === listener.user;
  for (const p of buckets.pending.values()) {
    if (p.session >= 0) {
      const su = sessions.usersOf(p.session);
      if (su.length === 1) {
        attribute(su[0]!, p.agg, M_SESSION);
        if (mine(su[0]!)) listener!.bySession(p.session, p.agg.records);
        continue;
      }
      if (su.length > 1) {
        toAmbiguous('s' + sessions.root(p.session), p.agg, su, 'session identifies two users');
        continue;
      }
    }
    if (p.identity >= 0) {
      const iu = graph.usersOf(p.identity);
      if (iu.length === 1) {
        attribute(iu[0]!, p.agg, M_ALIAS);
        if (mine(iu[0]!)) listener!.byAlias(p.identity, p.agg.records);
        continue;
      }
      if (iu.length > 1) {
        toAmbiguous('i' + graph.root(p.identity), p.agg, iu, 'merge links two users');
        continue;
      }
    }
    if (p.login.length === 1) {
      attribute(p.login[0]!, p.agg, M_SESSION);
      if (mine(p.login[0]!)) listener!.byLogin(p.agg.records, p.agg.vendorIds());
      continue;
    }
    if (p.login.length > 1) {
      const key =
        'l' + p.login.join(',') + ':' + (p.identity >= 0 ? graph.root(p.identity) : 'none');
      toAmbiguous(key, p.agg, p.login, 'login sessions overlap');
      continue;
    }
    const key = p.identity >= 0 ? 'i' + graph.root(p.identity) : 'none';
    const u = unmatched.get(key);
    if (u) u.merge(p.agg);
    else unmatched.set(key, copy(p.agg));
  }
  return { unmatched, ambiguous };
}

function copy(agg: Agg): Agg {
  const fresh = new Agg();
  fresh.merge(agg);
  return fresh;
}
