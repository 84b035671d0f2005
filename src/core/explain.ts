/**
 * --explain USER_ID (issue #3): the chain of evidence for one user — which vendor ids, linked by
 * which records (file:line), matched by which rule. Collected only for that user while the
 * export streams, so it costs nothing when not asked for, and at most one entry per identity
 * node or merge when it is.
 */
import type { IdentityGraph } from './identity.js';
import { noControls } from './text.js';
import type { Evidence } from './record.js';
import type { JoinListener } from './join/listener.js';
import type { SessionWindows } from './sessions.js';

interface Link {
  node: number;
  where: string;
  ids: string[];
}

const MAX_LINES = 40;

/** Vendor values go into lines of their own: no control character, no line feed, survives. */
const show = noControls;

export class Explainer implements JoinListener {
  private readonly direct_ = new Map<string, string>(); // "method\0ids" → first file:line
  private readonly touchSeen = new Set<number>();
  private readonly touches: Link[] = []; // records that tie an identity to this user's own ids
  private readonly merges: Link[] = []; // records that joined two identities
  private readonly identifies: Array<{ node: number; where: string }> = [];
  private readonly sessionHits: Array<{ node: number; records: number }> = [];
  private readonly aliasHits: Array<{ node: number; records: number }> = [];
  private readonly loginHits: Array<{ records: number; ids: string[] }> = [];

  constructor(
    readonly user: number,
    private readonly graph: IdentityGraph,
    private readonly sessions: SessionWindows,
  ) {}

  direct(rec: Evidence, id: boolean, email: boolean, hash: boolean, where = '?'): void {
    const ids = rec.ids.join(', ') || '(profile email)';
    for (const [on, name] of [
      [id, 'id'],
      [email, 'email'],
      [hash, 'email_hash'],
    ] as const) {
      if (!on) continue;
      const key = name + '\0' + ids;
      if (!this.direct_.has(key) && this.direct_.size < MAX_LINES) this.direct_.set(key, where);
    }
  }

  linked(
    loose: readonly number[],
    n: number,
    direct: number[],
    joined: boolean,
    rec: Evidence,
    where = '?',
  ): void {
    if (direct.includes(this.user)) {
      for (let i = 0; i < n; i++) {
        if (this.touchSeen.has(loose[i]!)) continue;
        this.touchSeen.add(loose[i]!);
        this.touches.push({ node: loose[i]!, where, ids: rec.ids.slice() });
      }
    }
    if (joined) this.merges.push({ node: loose[0]!, where, ids: rec.ids.slice() });
  }

  identified(session: number, direct: number[], where = '?'): void {
    if (direct.includes(this.user)) this.identifies.push({ node: session, where });
  }

  bySession(session: number, records: number): void {
    this.sessionHits.push({ node: session, records });
  }

  byAlias(identity: number, records: number): void {
    this.aliasHits.push({ node: identity, records });
  }

  byLogin(records: number, ids: string[]): void {
    this.loginHits.push({ records, ids });
  }

  render(userIdOf: (u: number) => string, recordsOf: (u: number) => number): string {
    const out = [
      `explain ${show(userIdOf(this.user))}: ${recordsOf(this.user)} in-window records attributed`,
    ];
    if (this.direct_.size) {
      out.push("  matched directly (the record carries the user's own identifier):");
      for (const [key, where] of this.direct_) {
        const [method, ids] = key.split('\0');
        out.push(`    ${method!.padEnd(10)} ${show(where)}  ids: ${show(ids!)}`);
      }
    }
    const sessionRoots = new Map<number, number>();
    for (const h of this.sessionHits)
      sessionRoots.set(
        this.sessions.root(h.node),
        (sessionRoots.get(this.sessions.root(h.node)) ?? 0) + h.records,
      );
    for (const [root, records] of sessionRoots) {
      out.push(
        `  session: ${records} anonymous record(s) on device ${show(this.sessions.deviceOf(root))}, in a session window identified by:`,
      );
      for (const i of this.identifies
        .filter((x) => this.sessions.root(x.node) === root)
        .slice(0, MAX_LINES))
        out.push(`    ${show(i.where)}`);
    }
    const aliasRoots = new Map<number, number>();
    for (const h of this.aliasHits)
      aliasRoots.set(
        this.graph.root(h.node),
        (aliasRoots.get(this.graph.root(h.node)) ?? 0) + h.records,
      );
    for (const [root, records] of aliasRoots) {
      out.push(
        `  alias: ${records} record(s) of an identity that reaches only this user; linked by:`,
      );
      const links = [...this.touches, ...this.merges].filter(
        (l) => this.graph.root(l.node) === root,
      );
      for (const l of links.slice(0, MAX_LINES))
        out.push(`    ${show(l.where)}  ids: ${show(l.ids.join(', '))}`);
      if (links.length > MAX_LINES) out.push(`    … (+${links.length - MAX_LINES} more)`);
    }
    for (const h of this.loginHits)
      out.push(
        `  session (internal login): ${h.records} record(s) with ids ${show(h.ids.join(', ')) || '(none)'} fell inside this user's login session`,
      );
    if (out.length === 1) out.push('  nothing in the export was attributed to this user');
    return out.join('\n') + '\n';
  }
}
