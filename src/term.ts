/** The stderr colour instance. chalk ignores NO_COLOR (chalk/chalk#547), so we add it; FORCE_COLOR wins. */
import { Chalk, chalkStderr } from 'chalk';
import { noControls } from './core/text.js';

const off = !!process.env.NO_COLOR && !('FORCE_COLOR' in process.env);
export const err = new Chalk({ level: off ? 0 : chalkStderr.level });

export const PREFIX = 'breach-impact:';

/**
 * Replaces every control character, tab and newline included, so that no value from the data
 * (a field name, a file name, an id) can drive the terminal or forge a line of our output.
 */
export function safe(s: string): string {
  return noControls(s);
}

/** safe() for each line of a multi-line text we built (--explain). */
export function safeLines(text: string): string {
  return text.split('\n').map(safe).join('\n');
}
