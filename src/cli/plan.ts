/** Raw correlate flags → a validated plan; every problem is a UsageError (exit 2). */
import { mkdtempSync, realpathSync, rmdirSync, statSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import type { CorrelatePlan } from '../app/plan.js';
import {
  ianaZone,
  isValidZone,
  parseDuration,
  parseTimestamp,
  utcZone,
  type ZoneResolver,
} from '../core/time.js';
import { UsageError } from '../errors.js';
import { FORMATS, type Format } from '../io/write-rows.js';
import { VENDOR_NAMES } from '../vendors/index.js';
import { parseMap } from '../vendors/generic.js';
import { parseColumns } from '../app/output-columns.js';
import { duckdbKind } from '../io/users-duckdb.js';
import { inside } from '../io/paths.js';
import { isKeywordString, isPostgresUrl, redactSecrets } from '../io/users-postgres.js';

export interface CorrelateFlags {
  export: string[];
  vendor: string;
  map?: string;
  users: string;
  usersTable?: string;
  usersQuery?: string;
  userIdColumn?: string;
  emailColumn?: string;
  userKey: string[];
  userColumns?: string;
  window?: string;
  since?: string;
  until?: string;
  timezone?: string;
  sessionGap: string;
  sessions?: string;
  sessionTolerance: string;
  explain?: string;
  format: string;
  out?: string;
  unmatched?: string;
  ambiguous?: string;
  rejects?: string;
  manifest?: string;
  strict?: boolean;
  quiet?: boolean;
  workers?: string;
  tempDir?: string;
  notificationBasis?: boolean;
  residenceColumn?: string;
  notificationReport?: string;
  columns?: string;
  localeColumn?: string;
  locale?: string;
}

export const TIME_FORMS =
  'accepted forms: 2025-11-08T00:00:00Z, 2025-11-08T01:00:00+01:00, 2025-11-08 00:00:00[.ffffff] or 2025-11-08 (UTC unless --timezone), epoch seconds/ms/µs';

export function correlatePlan(f: CorrelateFlags, argv: string[], width: number): CorrelatePlan {
  requireInputs(f);
  const mapping = sourceMapping(f);
  checkColumnFlags(f);
  if (!(FORMATS as readonly string[]).includes(f.format))
    throw new UsageError(`unknown --format "${f.format}"; one of: ${FORMATS.join(', ')}`);
  if (f.export.filter((p) => p === '-').length > 1)
    throw new UsageError('stdin (-) can be given to --export only once');
  const { timezone, zone } = parseZone(f.timezone);
  const sessionGapMs = sessionGap(f.sessionGap);
  checkResidenceColumn(f);
  const workers = parseWorkers(f.workers);
  checkTempDir(f);
  const sessionToleranceMs = duration('--session-tolerance', f.sessionTolerance);
  return {
    exports: f.export,
    sessions: f.sessions,
    sessionToleranceMs,
    explain: f.explain,
    vendor: f.vendor,
    mapping,
    users: f.users,
    ...(f.usersTable === undefined ? {} : { usersTable: f.usersTable }),
    ...(f.usersQuery === undefined ? {} : { usersQuery: f.usersQuery }),
    idColumn: f.userIdColumn,
    emailColumn: f.emailColumn,
    userKeys: f.userKey ?? [],
    userColumns: commaList(f.userColumns),
    window: parseWindow(f, zone),
    timezone,
    zone,
    sessionGapMs,
    format: f.format as Format,
    // `-` is stdout, as it is stdin for --export: never a file named `-`.
    out: f.out === '-' ? undefined : f.out,
    unmatched: dashIsStdout(f.unmatched),
    ambiguous: dashIsStdout(f.ambiguous),
    rejects: dashIsStdout(f.rejects),
    manifest: dashIsStdout(f.manifest),
    notificationBasis: !!f.notificationBasis,
    residenceColumns: commaList(f.residenceColumn),
    notificationReport: dashIsStdout(f.notificationReport),
    ...(f.columns === undefined ? {} : { columns: parseColumns(f.columns) }),
    ...(f.localeColumn === undefined ? {} : { localeColumn: f.localeColumn }),
    locale: f.locale ?? 'en',
    strict: !!f.strict,
    quiet: !!f.quiet,
    workers,
    ...(f.tempDir === undefined ? {} : { tempDir: f.tempDir }),
    argv,
    width,
  };
}

function requireInputs(f: CorrelateFlags): void {
  if (!f.export || f.export.length === 0)
    throw new UsageError(
      '--export is required',
      'name the vendor export: --export PATH (a file, a directory or - for stdin)',
    );
  if (!f.users)
    throw new UsageError('--users is required', 'name the internal user table: --users users.csv');
  checkUsersSource(f);
}

/** --users-table and --users-query go with a database (issue 19): one of them, with the right kind. */
function checkUsersSource(f: CorrelateFlags): void {
  if (isKeywordString(f.users))
    throw new UsageError(
      '--users takes a postgres:// URL, not a keyword string (host=… dbname=…); the value is not shown, it may hold a password',
      '--users postgres://user@host:5432/database, with the password in PGPASSWORD or ~/.pgpass',
    );
  for (const [flag, v] of [
    ['--users-table', f.usersTable],
    ['--users-query', f.usersQuery],
  ] as const)
    if (v !== undefined && v.trim() === '') throw new UsageError(`${flag} is empty`);
  const pg = isPostgresUrl(f.users);
  if (f.usersTable !== undefined && f.usersQuery !== undefined)
    throw new UsageError('give --users-table or --users-query, not both');
  if (pg && f.usersTable === undefined && f.usersQuery === undefined)
    throw new UsageError(
      `--users ${redactSecrets(f.users)} is a database: name the table or the query`,
      '--users-table users, or --users-query "SELECT id, email FROM users"',
    );
  if (f.usersQuery !== undefined && !pg)
    throw new UsageError('--users-query reads a PostgreSQL database: give --users postgres://…');
  if (f.usersTable !== undefined && !pg && duckdbKind(f.users) !== 'duckdb')
    throw new UsageError(
      `--users-table names a table in a database; ${redactSecrets(f.users)} is not a PostgreSQL URL or a DuckDB database file`,
    );
}

/** --locale and --locale-column need exposed_summary; --columns replaces --user-columns. */
function checkColumnFlags(f: CorrelateFlags): void {
  const summary =
    f.columns !== undefined && parseColumns(f.columns).some((c) => c.name === 'exposed_summary');
  if ((f.locale !== undefined || f.localeColumn !== undefined) && !summary)
    throw new UsageError(
      `${f.locale !== undefined ? '--locale' : '--locale-column'} sets the language of exposed_summary, which the output does not have`,
      'add it to the output: --columns user_id,email,exposed_summary',
    );
  if (f.columns !== undefined && f.userColumns !== undefined)
    throw new UsageError(
      'give --columns or --user-columns, not both',
      '--columns names users-table columns too: --columns user_id,email,name,exposed_summary',
    );
}

function sessionGap(text: string): number {
  const ms = duration('--session-gap', text);
  if (!(ms > 0))
    throw new UsageError(
      `--session-gap must be longer than 0, got "${text}"`,
      'use a duration such as 30m, 90s, 2h',
    );
  return ms;
}

function checkResidenceColumn(f: CorrelateFlags): void {
  if (f.residenceColumn && !(f.notificationBasis || f.notificationReport))
    throw new UsageError(
      '--residence-column is used by --notification-basis or --notification-report; give one of them',
    );
  if (f.residenceColumn && f.residenceColumn.split(',').length > 2)
    throw new UsageError(`--residence-column takes COUNTRY[,REGION], got "${f.residenceColumn}"`);
}

const dashIsStdout = (path: string | undefined) => (path === '-' ? '/dev/stdout' : path);

/**
 * --temp-dir: an existing folder this user can write, outside every --export folder (a spill
 * left by a crash would be read as export files by the next run).
 */
function checkTempDir(f: CorrelateFlags): void {
  if (f.tempDir === undefined) return;
  const dir = f.tempDir;
  if (dir === '') throw new UsageError('--temp-dir is empty: name a folder');
  const cannot = (e: unknown) =>
    new UsageError(
      `--temp-dir ${dir} cannot be written (${(e as NodeJS.ErrnoException).code})`,
      'name a folder you can write, e.g. on a disk with room to spare',
    );
  let st: Stats | undefined;
  try {
    st = statSync(dir, { throwIfNoEntry: false });
  } catch (e) {
    throw cannot(e);
  }
  if (!st)
    throw new UsageError(`--temp-dir ${dir} does not exist`, 'create it first: mkdir -p DIR');
  if (!st.isDirectory()) throw new UsageError(`--temp-dir ${dir} is not a folder`);
  // Before anything is made there: not even a probe goes into the evidence.
  const real = realpathSync(dir);
  for (const e of f.export) {
    if (e === '-') continue;
    let exportReal: string;
    try {
      if (!statSync(e).isDirectory()) continue;
      exportReal = realpathSync(e);
    } catch {
      continue; // reported where the export is read
    }
    if (real === exportReal || inside(real, exportReal))
      throw new UsageError(
        `--temp-dir ${dir} is inside the --export folder ${e}`,
        'spill files left by a crash would be read as export files: put --temp-dir elsewhere',
      );
  }
  // A folder made and removed: write permission alone passes /proc, where nothing can be made.
  try {
    rmdirSync(mkdtempSync(join(dir, 'breach-impact-check-')));
  } catch (e) {
    throw cannot(e);
  }
}

/** --workers: auto (the default), or a number of threads from 0 to 64. */
function parseWorkers(text: string | undefined): CorrelatePlan['workers'] {
  const workers =
    text === undefined || text === 'auto' ? 'auto' : /^\d{1,3}$/.test(text) ? Number(text) : NaN;
  if (Number.isNaN(workers) || (typeof workers === 'number' && workers > 64))
    throw new UsageError(
      `cannot read --workers "${text}"`,
      'give a number of threads from 0 to 64, or auto',
    );
  return workers;
}

/** A comma-separated list of names, trimmed, empty ones dropped; [] when not given. */
function commaList(text: string | undefined): string[] {
  return text
    ? text
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : [];
}

/** --vendor and --map together (correlate and inspect): the mapping, when --vendor generic. */
export function sourceMapping(f: {
  vendor: string;
  map?: string;
}): ReturnType<typeof parseMap> | undefined {
  if (!(VENDOR_NAMES as readonly string[]).includes(f.vendor))
    throw new UsageError(`unknown --vendor "${f.vendor}"; one of: ${VENDOR_NAMES.join(', ')}`);
  if (f.map !== undefined && f.vendor !== 'generic')
    throw new UsageError(
      '--map is for --vendor generic',
      'add --vendor generic, or drop --map to use a preset',
    );
  if (f.vendor === 'generic' && f.map === undefined)
    throw new UsageError(
      '--vendor generic needs --map',
      'e.g. --map time=ts,user_id=uid,email=contact.email,device_id=cookie',
    );
  return f.map === undefined ? undefined : parseMap(f.map);
}

/**
 * A duration with its unit (`30m`, `90s`, `2h`, `500ms`): a bare `30` is refused rather than
 * read as seconds, which is what it silently meant (issue 13). `0` needs no unit.
 */
function duration(option: string, text: string): number {
  const ms = parseDuration(text);
  if (Number.isNaN(ms)) {
    const bare = /^\s*\d+(\.\d+)?\s*$/.test(text);
    throw new UsageError(
      bare
        ? `${option} "${text}" has no unit: ${text} seconds, minutes or hours?`
        : `cannot read ${option} "${text}"`,
      `give the unit: ${option} ${bare ? `${text.trim()}m (or ${text.trim()}s, ${text.trim()}h)` : '30m (ms, s, m, h or d)'}`,
    );
  }
  return ms;
}

export function parseZone(tz: string | undefined): { timezone: string; zone: ZoneResolver } {
  if (tz === undefined || tz === 'UTC') return { timezone: 'UTC', zone: utcZone };
  if (!isValidZone(tz))
    throw new UsageError(
      `unknown --timezone "${tz}"`,
      'use an IANA zone name such as Europe/Berlin or America/Los_Angeles',
    );
  return { timezone: tz, zone: ianaZone(tz) };
}

export function parseWindow(
  f: Pick<CorrelateFlags, 'window' | 'since' | 'until'>,
  zone: ZoneResolver,
): CorrelatePlan['window'] {
  if (f.window !== undefined && (f.since !== undefined || f.until !== undefined)) {
    throw new UsageError('give either --window or --since/--until, not both');
  }
  let startText = f.since,
    endText = f.until;
  if (f.window !== undefined) {
    const parts = f.window.split('/');
    if (parts.length !== 2)
      throw new UsageError(`cannot read --window "${f.window}": expected START/END`, TIME_FORMS);
    [startText, endText] = parts;
  }
  if (startText === undefined && endText === undefined) return undefined;
  const time = (s: string | undefined, name: string, open: number) => {
    if (s === undefined || s === '' || s === '..') return open;
    const t = parseTimestamp(s, zone);
    if (Number.isNaN(t))
      throw new UsageError(`cannot read the ${name} of the window: "${s}"`, TIME_FORMS);
    return t;
  };
  const start = time(startText, 'start', -8.64e15);
  const end = time(endText, 'end', 8.64e15);
  if (!(start < end))
    throw new UsageError(
      'the window ends before it starts',
      'give START/END with START earlier than END',
    );
  return { start, end };
}
