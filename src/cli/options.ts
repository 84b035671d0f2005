/** Options that correlate and inspect share, described once so their help cannot drift apart. */
import { Command, Option } from 'commander';
import { VENDOR_NAMES } from '../vendors/index.js';
import { MAP_TARGETS } from '../vendors/generic.js';

export const collect = (v: string, prev: string[] = []) => [...prev, v];

/**
 * What to read: --export (several paths after one flag, as a shell glob gives them, or the flag
 * repeated), --vendor (its choices are the registry's), --map.
 */
export function addSourceOptions(cmd: Command): Command {
  return cmd
    .option(
      '--export <path...>',
      'vendor export: files, directories (recursive, sorted) or - for stdin; NDJSON, JSON, CSV/TSV or Parquet, gzip and zip accepted; several after one flag, or the flag repeated',
    )
    .addOption(
      new Option(
        '--vendor <name>',
        'vendor preset: auto detects it per file; generic reads any CSV/JSON through --map',
      )
        .choices(VENDOR_NAMES)
        .default('auto'),
    )
    .option(
      '--map <target=field,...>',
      `with --vendor generic: which fields hold ${MAP_TARGETS.join(', ')} (dotted paths allowed)`,
    );
}

/** Which records count: --window, --since, --until, --timezone. */
export function addWindowOptions(cmd: Command, windowHelp: string): Command {
  return cmd
    .option('--window <start/end>', windowHelp)
    .option('--since <time>', 'window start (inclusive)')
    .option('--until <time>', 'window end (exclusive)')
    .option('--timezone <tz>', 'IANA zone for timestamps written without one', 'UTC');
}
