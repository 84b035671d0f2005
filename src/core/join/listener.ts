/**
 * What the join tells a listener as it decides (--explain, core/explain.ts): the records that
 * link identities and identify sessions, the direct matches, and how pending records resolve.
 * The join calls these at the points it decides; it holds no explain logic of its own.
 */
import type { Evidence } from '../record.js';

export interface JoinListener {
  /** A record linked identity nodes (`loose`), matched these users directly, and maybe joined two identities. */
  linked(
    loose: readonly number[],
    n: number,
    direct: readonly number[],
    joined: boolean,
    rec: Evidence,
    where: string | undefined,
  ): void;
  /** A record identified a session window with these users. */
  identified(session: number, direct: readonly number[], where: string | undefined): void;
  /** A record matched the listened-for user directly, by these methods. */
  direct(
    rec: Evidence,
    id: boolean,
    email: boolean,
    hash: boolean,
    where: string | undefined,
  ): void;
  /** Records of a session window, an identity or a login session were attributed to the user. */
  bySession(session: number, records: number): void;
  byAlias(identity: number, records: number): void;
  byLogin(records: number, vendorIds: string[]): void;
  /** The user listened for: their aggregate is kept after its row is made (for the report). */
  readonly user: number;
}
