/** Where a problem is: GNU `file:line:col` form, so editors and terminals can jump to it. */
export interface Where {
  file: string;
  line?: number;
  column?: number | string;
}

export type InputErrorCode =
  | 'INPUT_UNREADABLE' // the file cannot be opened or read at all
  | 'INPUT_BAD_RECORD' // one record cannot be parsed (lenient mode: a reject)
  | 'INPUT_BAD_TABLE' // a users/sessions table row is malformed
  | 'INPUT_NO_RECORDS'; // an export file of which no record could be read (SPEC §7)

/** Bad data or unreadable input: exit 1, or a row in --rejects in lenient mode. */
/** An error's message, first line only: what a one-line diagnostic can show of a library's error. */
export function messageLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split('\n')[0]!;
}

export class InputError extends Error {
  constructor(
    readonly code: InputErrorCode,
    message: string,
    readonly where: Where,
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** An output that cannot be written once the run is under way (a disk filling up): exit 1. */
export class OutputError extends Error {
  readonly code = 'OUTPUT_UNWRITABLE';
  constructor(
    message: string,
    readonly where: Where,
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * A flag or option problem found after parsing: exit 2. `code` names the kind where a script
 * may want to tell it apart (OUTPUT_PATH: an output that would overwrite evidence, or could
 * not be written at all; checked before a byte is read).
 */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
    readonly code?: 'OUTPUT_PATH',
  ) {
    super(message);
  }
}

export function formatWhere(w: Where): string {
  let s = w.file;
  if (w.line !== undefined) s += `:${w.line}`;
  if (w.column !== undefined) s += `:${w.column}`;
  return s;
}
