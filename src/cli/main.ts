/**
 * The command line. The only place that sets process.exitCode (decided once, at the end):
 * 0 the run completed, 1 an input could not be read or --strict met a bad record, 2 usage error.
 */
import { Command, CommanderError } from 'commander';
import { InputError, OutputError, UsageError, formatWhere } from '../errors.js';
import { abortOpenFiles } from '../io/row-file.js';
import { removeSpillDirs } from '../io/duckdb.js';
import { writeStdout } from '../io/stdout.js';
import { err, PREFIX, safe } from '../term.js';
import {
  addCorrelateOptions,
  correlate,
  CORRELATE_EXAMPLE,
  planFrom,
} from './commands/correlate.js';
import { DEMO_DIR, demoArgs } from './commands/demo.js';
import {
  addInspectOptions,
  inspect,
  INSPECT_EXAMPLE,
  type InspectFlags,
} from './commands/inspect.js';
import type { CorrelateFlags } from './plan.js';
import { VERSION } from './version.js';

const log = {
  info: (m: string) => process.stderr.write(`${PREFIX} ${safe(m)}\n`),
  warn: (m: string, hint?: string) =>
    process.stderr.write(
      `${PREFIX} ${err.yellow('warning:')} ${safe(m)}\n` + (hint ? `  hint: ${safe(hint)}\n` : ''),
    ),
};

// `| head -1` closes stdout early: that is the reader's choice, not an error (as xsv and rg).
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  abortOpenFiles();
  process.stderr.write(
    `${PREFIX} <stdout>: ${err.red('error:')} cannot write: ${safe(e.message)}\n` +
      (e.code === 'ENOSPC'
        ? '  hint: the disk is full: free space, or write elsewhere with --out\n'
        : ''),
  );
  process.exit(1);
});

// However the process ends, DuckDB's spill folders (personal data) go with it.
process.on('exit', removeSpillDirs);

// Ctrl-C or a kill: remove half-written outputs, so no partial file is taken for a result.
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const) {
  process.on(signal, () => {
    const n = abortOpenFiles();
    process.stderr.write(
      `\n${PREFIX} interrupted (${signal})${n ? `: ${n} unfinished output file${n === 1 ? '' : 's'} removed` : ''}; no result was written\n`,
    );
    process.exit(code);
  });
}

function fail(e: unknown): number {
  if (e instanceof UsageError) {
    // A message of several lines (every output path problem at once) keeps its lines.
    const [first, ...rest] = e.message.split('\n');
    const head = e.code ? first!.replace(/:?$/, (colon) => ` (${e.code})${colon}`) : first!;
    process.stderr.write(
      `${PREFIX} ${err.red('error:')} ${safe(head)}\n` + rest.map((l) => `  ${safe(l)}\n`).join(''),
    );
    if (e.hint) process.stderr.write(`  hint: ${safe(e.hint)}\n`);
    return 2;
  }
  if (e instanceof InputError || e instanceof OutputError) {
    process.stderr.write(
      `${PREFIX} ${safe(formatWhere(e.where))}: ${err.red('error:')} ${safe(e.message)} (${e.code})\n`,
    );
    if (e.hint) process.stderr.write(`  hint: ${safe(e.hint)}\n`);
    return 1;
  }
  if (process.env.DEBUG) console.error(e);
  process.stderr.write(
    `${PREFIX} ${err.red('internal error:')} ${safe(String((e as Error)?.message ?? e))}\n  hint: set DEBUG=1 for the stack trace, and report it\n`,
  );
  return 1;
}

async function runCorrelateCommand(opts: CorrelateFlags, argv: string[]): Promise<number> {
  const plan = planFrom(opts, argv);
  const { report, stdout } = await correlate(
    plan,
    plan.quiet ? { info: () => {}, warn: log.warn } : log,
  );
  if (stdout) writeStdout(stdout);
  return report.errors.length > 0 ? 1 : 0;
}

export function program(): Command {
  const p = new Command('breach-impact')
    .description(
      'Who of our users is in a breached analytics export, and what of theirs was exposed.',
    )
    .version(VERSION)
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({ outputError: (s, write) => write(`${PREFIX} ${err.red(s)}`) });

  addCorrelateOptions(
    p
      .command('correlate')
      .description(
        'join a vendor export with the user table: affected users and their exposed fields',
      ),
  )
    .addHelpText('after', CORRELATE_EXAMPLE)
    .exitOverride()
    .action(async (opts: CorrelateFlags) => {
      process.exitCode = await runCorrelateCommand(opts, process.argv.slice(2));
    });

  addInspectOptions(
    p
      .command('inspect')
      .description(
        'what is in an export: record kinds, events, time span, identifiers, fields and their categories, rejects',
      ),
  )
    .addHelpText('after', INSPECT_EXAMPLE)
    .exitOverride()
    .action(async (opts: InspectFlags) => {
      const { text, errors } = await inspect(
        opts,
        opts.quiet ? { info: () => {}, warn: log.warn } : log,
      );
      writeStdout(text);
      process.exitCode = errors > 0 ? 1 : 0;
    });

  p.command('demo')
    .description('run correlate on the bundled Mixpanel incident and print the table and summary')
    .addHelpText(
      'after',
      '\nExample:\n  $ npm ci && npm start        # builds, then runs: breach-impact demo\n',
    )
    .exitOverride()
    .action(async () => {
      process.chdir(DEMO_DIR);
      const args = demoArgs();
      process.stderr.write(
        `${PREFIX} demo: correlate ${args.join(' ')}\n${PREFIX} (in ${DEMO_DIR})\n`,
      );
      const sub = addCorrelateOptions(new Command('correlate')).exitOverride();
      sub.parse(args, { from: 'user' });
      process.exitCode = await runCorrelateCommand(sub.opts() as CorrelateFlags, [
        'correlate',
        ...args,
      ]);
    });
  return p;
}

async function main(): Promise<void> {
  try {
    await program().parseAsync(process.argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and version exit 0; every other commander error is a usage error (SPEC §7: exit 2).
      process.exitCode =
        e.exitCode === 0 || e.code === 'commander.helpDisplayed' || e.code === 'commander.version'
          ? 0
          : 2;
      return;
    }
    process.exitCode = fail(e);
  }
}

await main();
