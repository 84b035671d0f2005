/** `breach-impact correlate`: the main job (SPEC §2). Flags → plan → run → outputs → summary. */
import { Command, Option } from 'commander';
import { runCorrelate, type Log, type RunReport } from '../../app/run-correlate.js';
import { affectedText, manifest, writeSideFiles } from '../../app/outputs.js';
import { notificationReport } from '../../app/report.js';
import type { CorrelatePlan } from '../../app/plan.js';
import { writeFileAtomic } from '../../io/row-file.js';
import { FORMATS } from '../../io/write-rows.js';
import { OUTPUT_COLUMNS } from '../../app/output-columns.js';
import { correlatePlan, type CorrelateFlags } from '../plan.js';
import { addSourceOptions, addWindowOptions, collect } from '../options.js';
import { ProgressLine } from '../progress.js';
import { summary } from '../summary.js';
import { VERSION } from '../version.js';
import { safeLines } from '../../term.js';

export const CORRELATE_EXAMPLE = `
Example:
  $ breach-impact correlate --export mixpanel-export/ --users users.csv \\
      --window 2025-11-08T00:00:00Z/2025-11-09T17:00:00Z \\
      --unmatched unmatched.csv --ambiguous ambiguous.csv --rejects rejects.csv \\
      --manifest manifest.json > affected.csv

Exit status: 0 the run completed (whether or not anyone is affected), 1 an input could not be
read or --strict met a bad record, 2 usage error.`;

export function addCorrelateOptions(cmd: Command): Command {
  const c = addSourceOptions(cmd)
    .option(
      '--users <path>',
      'internal user table: CSV/TSV with a header, NDJSON, Parquet, a DuckDB database, or postgres://user@host/db (with --users-table or --users-query)',
    )
    .option('--users-table <name>', 'the users table in the --users database (schema.table)')
    .option(
      '--users-query <sql>',
      'a read-only query giving the users table (PostgreSQL); it runs in a READ ONLY transaction',
    )
    .option('--user-id-column <col>', 'user id column (default: first of id, user_id, uid)')
    .option('--email-column <col>', 'email column (default: email, when present)')
    .option(
      '--user-key <col>',
      'another user column holding an identifier the vendor may carry; repeatable',
      collect,
    )
    .option('--user-columns <cols>', 'comma list of user columns to copy into the output')
    .option(
      '--sessions <path>',
      'internal login sessions: user_id, start, end, and any of ip, user_agent, device_id',
    )
    .option(
      '--session-tolerance <duration>',
      'clock-skew allowance when matching internal login sessions',
      '2m',
    );
  return addWindowOptions(c, 'incident window, ISO 8601 interval; start inclusive, end exclusive')
    .option('--session-gap <duration>', 'inactivity that closes a vendor session window', '30m')
    .addOption(new Option('--format <fmt>', 'output format').choices(FORMATS).default('csv'))
    .option('--out <path>', 'write affected users here instead of stdout')
    .option('--unmatched <path>', 'vendor identities that matched no user (.csv, .json, .ndjson)')
    .option('--ambiguous <path>', 'identities/sessions that matched more than one user')
    .option('--rejects <path>', 'every record that could not be read: file, line, reason, record')
    .option(
      '--manifest <path>',
      'JSON audit record of the run: inputs with SHA-256, counts, options',
    )
    .option(
      '--explain <user_id>',
      "print to stderr how that user's records were attributed: ids, linking records (file:line), rules",
    )
    .option(
      '--notification-basis',
      'add residence and notification_basis columns: per regime, notifiable / assess / not notifiable and why (facts for counsel, not legal advice)',
    )
    .option(
      '--residence-column <country[,region]>',
      'user columns that say where a user lives (e.g. country,state); else inferred from vendor location, marked (inferred)',
    )
    .option(
      '--notification-report <path>',
      'the brief for counsel: window, inputs, users per jurisdiction and verdict, rule citations, limits; an HTML page with charts when PATH ends in .html, else Markdown',
    )
    .option(
      '--columns <list>',
      `choose, order and rename the output columns: ${OUTPUT_COLUMNS.join(', ')} and users-table columns; COLUMN=Header renames (e.g. email=Email,name=Full Name,exposed_summary)`,
    )
    .option(
      '--locale-column <col>',
      "users-table column with each user's language for exposed_summary (de, de-AT, fr_FR …)",
    )
    .option(
      '--locale <lang>',
      'language of exposed_summary where --locale-column gives none (en, de, fr, es; default en)',
    )
    .option('--strict', 'stop at the first unreadable record (exit 1)')
    .option('--quiet', 'no summary and no progress on stderr')
    .option(
      '--workers <n>',
      'threads that parse NDJSON beside the main one; 0 parses in one thread; auto: one per core but one on 3+ cores when the export files reach 64 MB, none on 2 cores or stdin. The output is the same whatever the number',
      'auto',
    )
    .option(
      '--temp-dir <dir>',
      'where DuckDB (Parquet and DuckDB inputs) may spill to disk beyond its memory limit, in a private folder removed after; default: the system temporary folder',
    );
}

export interface Outcome {
  report: RunReport;
  /** The affected users for stdout, made chunk by chunk as it is written; none with --out. */
  stdout: Iterable<string> | undefined;
}

/** Runs a plan end to end; the caller prints `stdout` and decides the exit code. */
export async function correlate(plan: CorrelatePlan, log: Log): Promise<Outcome> {
  let bar: ProgressLine | undefined;
  const report = await runCorrelate(plan, log, (p) => {
    if (ProgressLine.enabled(plan.quiet)) (bar = new ProgressLine(p)).start();
  }).finally(() => bar?.stop());
  if (plan.out) writeFileAtomic(plan.out, affectedText(plan, report));
  const written = writeSideFiles(plan, report);
  if (plan.out) written.unshift(plan.out);
  if (plan.notificationReport) {
    writeFileAtomic(plan.notificationReport, notificationReport(plan, report, VERSION));
    written.push(plan.notificationReport);
  }
  if (plan.manifest) {
    manifest(plan, report, VERSION, written);
    written.push(plan.manifest);
  }
  if (report.result.explanation) process.stderr.write(safeLines(report.result.explanation));
  if (!plan.quiet) process.stderr.write(summary(report, written, !plan.out));
  return { report, stdout: plan.out ? undefined : affectedText(plan, report) };
}

export function planFrom(opts: CorrelateFlags, argv: string[]): CorrelatePlan {
  const width = process.stdout.isTTY
    ? process.stdout.columns || 100
    : Number(process.env.COLUMNS) || 160;
  return { ...correlatePlan(opts, argv, width), stdoutFd: 1 };
}
