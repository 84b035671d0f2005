/** A validated correlate run: what cli/plan.ts builds from flags and app/correlate.ts executes. */
import type { Window } from '../core/digest.js';
import type { ZoneResolver } from '../core/time.js';
import type { Format } from '../io/write-rows.js';
import type { MapTarget } from '../vendors/generic.js';
import type { ColumnChoice } from './output-columns.js';

export interface CorrelatePlan {
  exports: string[];
  vendor: string;
  /** --map for --vendor generic, parsed. */
  mapping?: Partial<Record<MapTarget, string>>;
  users: string;
  /** --users-table, --users-query: with a postgres:// URL (or a DuckDB file's table). */
  usersTable?: string;
  usersQuery?: string;
  idColumn?: string;
  emailColumn?: string;
  userKeys: string[];
  userColumns: string[];
  window?: Window;
  timezone: string;
  zone: ZoneResolver;
  sessionGapMs: number;
  sessions?: string;
  sessionToleranceMs: number;
  explain?: string;
  format: Format;
  out?: string;
  unmatched?: string;
  ambiguous?: string;
  rejects?: string;
  manifest?: string;
  strict: boolean;
  quiet: boolean;
  /** --workers: parse threads beside the main one (0: none), or 'auto' (app/correlate.ts). */
  workers: number | 'auto';
  /** --temp-dir: where DuckDB may spill (io/duckdb.ts); the system's temporary folder if unset. */
  tempDir?: string;
  argv: string[];
  /** --notification-basis: add residence and notification_basis columns. */
  notificationBasis: boolean;
  /** --residence-column COUNTRY[,REGION] */
  residenceColumns: string[];
  /** --notification-report PATH: the Markdown brief for counsel. */
  notificationReport?: string;
  /**
   * The descriptor the affected users go to without --out (the CLI's stdout): when it is a file,
   * it is checked like every output (io/paths.ts). Undefined: not checked.
   */
  stdoutFd?: number;
  /** --columns: the output columns chosen, ordered and renamed (app/output-columns.ts). */
  columns?: ColumnChoice[];
  /** --locale-column, --locale: the language of exposed_summary per user, and the default. */
  localeColumn?: string;
  locale: string;
  /** Terminal width for --format table. */
  width: number;
}
