/**
 * The correlate run: users table (small side, indexed) → export (big side, streamed record by
 * record through one reused VendorRecord) → resolution → outputs. All I/O is here and in io/;
 * the decisions are in core/.
 */
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import type { Result } from '../core/aggregate.js';
import { Join } from '../core/join/join.js';

import { formatIso, parseTimestamp } from '../core/time.js';
import { buildLoginSessions, LOGIN_KEYS, type LoginSessions } from '../core/login-sessions.js';
import { UserIndexBuilder, usersArray, type UserIndex } from '../core/user-index.js';
import type { HashFn } from '../core/normalize.js';
import { InputError, UsageError } from '../errors.js';
import { expandPaths, type InputFile, type InputStats, type Skipped } from '../io/open.js';
import { outputProblems, type NamedPath } from '../io/paths.js';
import { diagnoseZero, type ZeroDiagnosis } from './diagnose.js';
import { resolveColumns, type UserColumns } from './columns.js';
import { languageOf, Summarizer } from '../core/phrases.js';
import { loadPhrases } from '../io/phrases.js';
import { WorkerPool } from './parallel.js';
import { ProbeTable } from '../core/probe.js';
import {
  newProgress,
  scanExports,
  type InputEntry,
  type Progress,
  type ScanResult,
} from './scan.js';
import { readTable } from '../io/read-table.js';
import { readUsers, usersDisplay, usersInput } from '../io/users-source.js';
import { isPostgresUrl } from '../io/users-postgres.js';
import { RowFile, waitForReaders } from '../io/row-file.js';
import { setSpillRoot } from '../io/duckdb.js';
import { presetFor } from '../vendors/index.js';
import { genericPreset } from '../vendors/generic.js';
import { loadRules, type RuleSet } from '../io/rules.js';
import { notificationBases, type UserBasis } from './notification.js';
import type { CorrelatePlan } from './plan.js';

export interface RunReport {
  result: Result;
  /** Which users-table column was used for what (said in the summary and the manifest). */
  columns: UserColumns;
  /** Export-directory files that are not exports, and files that held no record. */
  skipped: Skipped[];
  empty: string[];
  /** When nobody is affected: what might explain it (issue 13). */
  diagnosis?: ZeroDiagnosis;
  /** With exposed_summary: the sentence maker, and each affected user's language (as result.users). */
  summarizer?: Summarizer;
  languages?: string[];
  /** Locale values with no phrase file, and how many users had each (they read English). */
  localeFallbacks?: Record<string, number>;
  /** Per affected user (same order as result.users), when a notification basis was asked for. */
  bases?: UserBasis[];
  rules?: RuleSet;
  users: UserIndex;
  inputs: InputEntry[];
  vendor: string;
  errors: InputError[]; // inputs that could not be read (exit 1)
  startedAt: Date;
}

export const hashFn: HashFn = (name, s) => createHash(name).update(s).digest('hex');

export const REJECT_COLUMNS = ['file', 'line', 'reason', 'record'] as const;

/** Messages for the human on stderr (already prefixed and coloured by the caller). */
export interface Log {
  info(msg: string): void;
  /** A warning, and what to do about it on a line of its own. */
  warn(msg: string, hint?: string): void;
}

export async function runCorrelate(
  plan: CorrelatePlan,
  log: Log,
  onStart?: (p: Progress) => void,
): Promise<RunReport> {
  const startedAt = new Date();
  // Every path is checked before a byte is read (issue 13): a missing export, and every output
  // that would overwrite evidence or cannot be written, all named at once.
  const skipped: Skipped[] = [];
  const files = expandPaths(plan.exports, skipped);
  checkOutputs(plan, files);
  setSpillRoot(plan.tempDir);
  // An output that is a FIFO is opened now, while nothing is read yet: its reader may start late.
  await waitForReaders(outputPaths(plan), (path) =>
    log.warn(`${path}: a FIFO nobody reads yet; waiting for its reader (Ctrl-C stops)`),
  );
  const summaries = plan.columns?.some((c) => c.name === 'exposed_summary')
    ? summaryLanguages(plan)
    : undefined;

  // Small side: the user table, fully indexed.
  const inputs: InputEntry[] = [];
  const { users, columns } = await loadUsers(plan, inputs);
  const login = plan.sessions ? await loadLoginSessions(plan, users, inputs, log) : undefined;
  const explain = explainUser(plan, users);

  // Big side: every export file, streamed into the join.
  for (const f of skipped)
    log.warn(`${f.path}: skipped, ${f.reason} (not an export); name it with --export to read it`);
  const progress = newProgress(files);
  onStart?.(progress);
  const want = wanted(plan, columns);
  const join = new Join(users, {
    window: plan.window,
    sessionGapMs: plan.sessionGapMs,
    login,
    explain,
    collectResidence: want.basis,
    collectEvents: want.events,
    collectSources: want.sources,
  });
  const scan = await scanInto(join, plan, files, progress, log, {
    users,
    explain,
    login: login !== undefined,
    want,
  });
  inputs.push(...scan.inputs);
  const empty = scan.inputs.filter((i) => i.records === 0 && !i.error).map((i) => i.path);
  if (empty.length)
    log.warn(`${listed(empty)} ${empty.length === 1 ? 'holds' : 'hold'} no records (empty)`);
  if (join.accounting.counts.read === 0)
    log.warn('the export holds no records: nothing can be affected');

  // Resolution, then what the outputs add to the rows.
  const result = join.finish((u) => users.ids[u]!);
  const basis = want.basis ? notificationBasis(result, users) : undefined;
  const languages =
    summaries &&
    result.users.map((r) =>
      summaries.languageFor(
        columns.locale === undefined ? '' : users.extra[r.user]![columns.locale]!,
      ),
    );
  const counts = join.accounting.counts;
  const diagnosis =
    result.users.length === 0 && counts.read > counts.rejected
      ? await diagnoseZero(plan, columns, result, join)
      : undefined;
  return {
    result,
    users,
    columns,
    skipped,
    empty,
    diagnosis,
    summarizer: summaries?.summarizer,
    languages,
    localeFallbacks: summaries && Object.fromEntries(summaries.fallbacks),
    inputs,
    vendor: scan.vendors.join(', ') || 'none',
    errors: scan.errors,
    startedAt,
    bases: basis?.bases,
    rules: basis?.rules,
  };
}

/** The users table, indexed by the columns the plan names (resolved against its header). */
async function loadUsers(
  plan: CorrelatePlan,
  inputs: InputEntry[],
): Promise<{ users: UserIndex; columns: UserColumns }> {
  const stats = newStats();
  let builder: UserIndexBuilder | undefined;
  let columns: UserColumns | undefined;
  const source = usersInput(plan);
  const display = usersDisplay(source);
  const read = await readUsers(source, stats, (header) => {
    columns = resolveColumns(header, plan);
    const b = (builder = new UserIndexBuilder(header, { file: display, ...columns }, hashFn));
    return (cells, line) => b.add(cells, line);
  });
  const { rows, source: kind, ...where } = read;
  inputs.push({
    path: display,
    role: 'users',
    ...stats,
    ...(kind === 'postgres' ? { bytes: null } : {}),
    records: rows,
    ...(kind === 'file' ? {} : { source: kind, ...where }),
  });
  return { users: builder!.build(), columns: columns! };
}

/** --explain's user, by id: a usage error when the table has no such user. */
function explainUser(plan: CorrelatePlan, users: UserIndex): number | undefined {
  if (plan.explain === undefined) return undefined;
  const u = users.ids.indexOf(plan.explain);
  if (u < 0)
    throw new UsageError(
      `--explain: no user with id "${plan.explain}" in ${usersDisplay(usersInput(plan))}`,
      'give a value of the user id column',
    );
  return u;
}

/** What the outputs need collected while the export streams: nothing more than they show. */
interface Wanted {
  basis: boolean;
  events: boolean;
  sources: boolean;
}

function wanted(plan: CorrelatePlan, columns: UserColumns): Wanted {
  const out = new Set(columns.output.map((c) => c.key));
  return {
    basis:
      plan.notificationBasis ||
      plan.notificationReport !== undefined ||
      out.has('residence') ||
      out.has('notification_basis'),
    events: out.has('events') || out.has('exposed_summary'),
    sources: out.has('sources'),
  };
}

/**
 * Streams every export file into the join, with its rejects reported (and written to --rejects),
 * in one thread or with parse workers beside it (app/parallel.ts); the accounting then knows
 * every record the readers delimited.
 */
async function scanInto(
  join: Join,
  plan: CorrelatePlan,
  files: InputFile[],
  progress: Progress,
  log: Log,
  ctx: { users: UserIndex; explain: number | undefined; login: boolean; want: Wanted },
): Promise<ScanResult> {
  const generic = plan.mapping ? genericPreset(plan.mapping) : undefined;
  if (!generic && plan.vendor !== 'auto') presetFor(plan.vendor); // an unsupported vendor is a usage error before any work
  const accounting = join.accounting;
  // A record's source is its file's number: the sources column names the file (issue 15).
  const sourceOf = new Map(files.map((f, i) => [f, i]));
  const where = (file: InputFile, line: number) =>
    ctx.explain === undefined ? undefined : `${file.display}:${line}`;
  const rejects = plan.rejects ? new RowFile(plan.rejects, REJECT_COLUMNS) : undefined;
  const pool = startPool(plan, generic !== undefined, progress, ctx);
  let scan: ScanResult;
  try {
    scan = await scanExports(
      files,
      generic ?? plan.vendor,
      { zone: plan.zone, localEpochs: plan.timezone !== 'UTC' },
      {
        record: (rec, file, line) => join.addRecord(rec, where(file, line), sourceOf.get(file)),
        reject(file, line, reason, text, records) {
          accounting.rejected(records);
          rejects?.add([file.display, line, reason, text]);
          if (plan.strict)
            throw new InputError(
              'INPUT_BAD_RECORD',
              reason,
              { file: file.display, line },
              'drop --strict to skip bad records and list them with --rejects',
            );
        },
        warn: log.warn,
        info: log.info,
      },
      progress,
      pool && {
        pool,
        apply: (rec, d, file, line) => join.add(rec, d, where(file, line), sourceOf.get(file)),
        countOnly: () => accounting.outOfWindow(),
      },
    );
  } catch (e) {
    rejects?.abort();
    throw e;
  } finally {
    await pool?.close();
  }
  const unseen = generic && scan.inputs.some((i) => i.records > 0) ? generic.unseen() : [];
  if (unseen.length) {
    rejects?.abort();
    throw new UsageError(
      `--map: no record has ${unseen.map((t) => `the ${t} field "${generic!.mapping[t]}"`).join(', ')}`,
      'name fields as the export writes them (a column, or a dotted path like context.ip); inspect --export lists them',
    );
  }
  // Every record the readers delimited, readable or not: the left side of the accounting line.
  accounting.delimited(scan.inputs.reduce((n, i) => n + i.records, 0));
  rejects?.close();
  return scan;
}

/** The parse workers, when --workers (or auto) asks for them; --map's preset reads in this thread. */
function startPool(
  plan: CorrelatePlan,
  generic: boolean,
  progress: Progress,
  ctx: { users: UserIndex; explain: number | undefined; login: boolean; want: Wanted },
): WorkerPool | undefined {
  const workers = generic
    ? 0
    : plan.workers === 'auto'
      ? autoWorkers(progress.bytesTotal)
      : plan.workers;
  if (workers === 0) return undefined;
  return new WorkerPool(
    workers,
    {
      timezone: plan.timezone,
      window: plan.window,
      collectResidence: ctx.want.basis,
      loginKeys: ctx.login,
      idTable: ProbeTable.build(ctx.users.byId).buffer,
      emailTable: ProbeTable.build(ctx.users.byEmail).buffer,
      explaining: ctx.explain !== undefined,
      collectEvents: ctx.want.events,
    },
    ctx.users,
  );
}

/** Per affected user, where they live and each regime's verdict (--notification-basis, issue 7). */
function notificationBasis(
  result: Result,
  users: UserIndex,
): { bases: UserBasis[]; rules: RuleSet } {
  const rules = loadRules();
  const bases = notificationBases(
    result.users,
    users,
    rules,
    (f) => result.fieldCategories.get(f) ?? 'other',
    (f) => result.fieldShapes.get(f),
  );
  return { bases, rules };
}

/**
 * The phrase files and how a user's locale value picks a language: the column's value, else
 * --locale, else English; a language with no phrase file falls back to English.
 */
function summaryLanguages(plan: CorrelatePlan): {
  summarizer: Summarizer;
  fallbacks: Map<string, number>;
  languageFor(value: string): string;
} {
  const { map, languages } = loadPhrases();
  const fallback = languageOf(plan.locale);
  if (!languages.has(fallback))
    throw new UsageError(
      `--locale "${plan.locale}": no phrases in that language; there are ${[...languages.keys()].join(', ')}`,
      'phrases/ holds one file per language',
    );
  const summarizer = new Summarizer(map, languages);
  const fallbacks = new Map<string, number>();
  return {
    summarizer,
    fallbacks,
    languageFor: (value) => {
      const l = value.trim() === '' ? fallback : languageOf(value);
      if (languages.has(l)) return l;
      fallbacks.set(l, (fallbacks.get(l) ?? 0) + 1);
      return 'en';
    },
  };
}

/** A list of paths for one line of stderr: the first few, then how many more. */
function listed(paths: string[]): string {
  return paths.length <= 5
    ? paths.join(', ')
    : `${paths.slice(0, 5).join(', ')} and ${paths.length - 5} more files`;
}

const named = (option: string, path: string | undefined): NamedPath[] =>
  path === undefined ? [] : [{ option, path }];

function namedOutputs(plan: CorrelatePlan): NamedPath[] {
  return [
    ...named('--out', plan.out),
    ...named('--unmatched', plan.unmatched),
    ...named('--ambiguous', plan.ambiguous),
    ...named('--rejects', plan.rejects),
    ...named('--notification-report', plan.notificationReport),
    ...named('--manifest', plan.manifest),
  ];
}

function outputPaths(plan: CorrelatePlan): string[] {
  return namedOutputs(plan).map((o) => o.path);
}

/** SPEC §7: outputs are checked before reading; all problems in one usage error. */
function checkOutputs(plan: CorrelatePlan, files: InputFile[]): void {
  const outputs = namedOutputs(plan);
  const inputs = [
    ...plan.exports.map((path) => ({ option: '--export', path })),
    ...(isPostgresUrl(plan.users) ? [] : named('--users', plan.users)),
    ...named('--sessions', plan.sessions),
  ];
  const problems = outputProblems(
    outputs,
    inputs,
    files.map((f) => f.path),
    plan.out === undefined ? plan.stdoutFd : undefined,
  );
  if (problems.length === 0) return;
  throw new UsageError(
    problems.length === 1
      ? `an output path cannot be used: ${problems[0]}`
      : `${problems.length} output paths cannot be used:\n${problems.join('\n')}`,
    'write the outputs to a folder of their own, outside the export (e.g. --out results/affected.csv); nothing was read or written',
    'OUTPUT_PATH',
  );
}

async function loadLoginSessions(
  plan: CorrelatePlan,
  users: UserIndex,
  inputs: InputEntry[],
  log: Log,
): Promise<LoginSessions> {
  const path = plan.sessions!;
  const stats = newStats();
  const table = await readTable({ path, display: path }, stats);
  const need = ['user_id', 'start', 'end'].filter((c) => !table.header.includes(c));
  if (need.length) {
    throw new UsageError(
      `${path}: column${need.length > 1 ? 's' : ''} ${need.map((c) => `"${c}"`).join(', ')} not in the sessions table; columns present: ${table.header.join(', ') || '(none)'}`,
      'a sessions table needs user_id, start, end, and any of ip, user_agent, device_id',
    );
  }
  if (!LOGIN_KEYS.some((k) => table.header.includes(k))) {
    throw new UsageError(
      `${path}: the sessions table has none of ${LOGIN_KEYS.join(', ')}; columns present: ${table.header.join(', ')}`,
      'a login session is matched on its ip, user agent or device id, so at least one is needed',
    );
  }
  const { sessions, unknownUsers } = buildLoginSessions(
    path,
    table.header,
    table.rows,
    plan.sessionToleranceMs,
    (id) => usersArray(users.byId.get(id))?.[0],
    (s) => parseTimestamp(s, plan.zone),
  );
  if (unknownUsers)
    log.warn(
      `${path}: ${unknownUsers} login session(s) belong to user ids not in the users table; they attribute nothing`,
    );
  inputs.push({ path, role: 'sessions', ...stats, records: table.rows.length });
  return sessions;
}

/**
 * --workers auto: a parse worker per core but the main thread's, on three cores or more, when the
 * export files reach 64 MB; else none. On two cores the main thread and the workers take turns
 * on the cores it needs: measured at the bench's L size, two workers were 1.2x one thread, at a
 * quarter more memory (bench/RESULTS.md). Not for stdin, whose size is unknown: a chunk goes to
 * a worker once 4 MB have arrived, so a slow pipe would be read in bursts (--workers N asks).
 */
export function autoWorkers(exportBytes: number): number {
  const cores = availableParallelism();
  return cores >= 3 && exportBytes >= AUTO_WORKERS_FROM ? Math.min(cores - 1, 8) : 0;
}

const AUTO_WORKERS_FROM = 64e6;

function newStats(): InputStats {
  return { bytes: 0, sha256: '', gzip: false };
}

export function isoOrEmpty(ms: number): string {
  return Number.isNaN(ms) ? '' : formatIso(ms);
}
