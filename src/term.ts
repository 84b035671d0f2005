/** The stderr colour instance. chalk ignores NO_COLOR (chalk/chalk#547), so we add it; FORCE_COLOR wins. */
import { Chalk, chalkStderr } from 'chalk';

const off = !!process.env.NO_COLOR && !('FORCE_COLOR' in process.env);
export const err = new Chalk({ level: off ? 0 : chalkStderr.level });

export const PREFIX = 'breach-impact:';

/** Strips control characters, so that no value can drive the terminal (ANSI escapes, etc.). */
export function safe(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '?');
}
