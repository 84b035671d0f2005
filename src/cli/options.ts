/** Options that correlate and inspect share, described once so their help cannot drift apart. */
import { Command, Option } from 'commander';

export const collect = (v: string, prev: string[] = []) => [...prev, v];

/** What to read: --export, --vendor. */
export function addSourceOptions(cmd: Command, vendorHelp: string): Command {
  return cmd
    .option('--export <path>', 'vendor export: file, directory (recursive, sorted) or - for stdin; repeatable', collect)
    .addOption(new Option('--vendor <name>', vendorHelp).default('auto'));
}

/** Which records count: --window, --since, --until, --timezone. */
export function addWindowOptions(cmd: Command, windowHelp: string): Command {
  return cmd
    .option('--window <start/end>', windowHelp)
    .option('--since <time>', 'window start (inclusive)')
    .option('--until <time>', 'window end (exclusive)')
    .option('--timezone <tz>', 'IANA zone for timestamps written without one', 'UTC');
}
