/**
 * A Parquet export file (SPEC §3; PostHog's batch exports, data pipelines, BigQuery extracts to
 * storage) → record texts, row by row, through embedded DuckDB. Each row becomes the JSON object
 * the same record has in a JSON Lines export, so the presets, the accounting and every output
 * treat it as they treat a line; its "line" is its row number, counted from 1 in file order.
 *
 * Two things Parquet says differently from JSON, undone here:
 * - A schemaless object (PostHog's `properties`, a pipeline's payload) is stored as JSON text.
 *   A text cell holding a whole JSON object is read as that object.
 * - A struct column has every key on every row, null where the record had none. A null is read
 *   as a missing key, so presets that tell shapes by the keys present see the record's own keys.
 * Times stored as UTC instants are written with their zone (`+00`); a zone-less timestamp stays
 * zone-less, as its writer left it.
 */
import { statSync } from 'node:fs';
import {
  changedError,
  changedSince,
  fileVersion,
  pathLiteral,
  whyStopped,
  withDuckdb,
  type DuckDBConnection,
  type DuckDBResult,
  type FileVersion,
} from './duckdb.js';
import { InputError, messageLine, UsageError } from '../errors.js';
import { sqlIdent } from './sql.js';
import type { InputFile, InputStats } from './open.js';
import type { RecordSink, Tail } from './json-records.js';

/** True when a file's first bytes are Parquet's magic number. */
export function isParquet(head: Uint8Array): boolean {
  return (
    head.length >= 4 && head[0] === 0x50 && head[1] === 0x41 && head[2] === 0x52 && head[3] === 0x31
  );
}

/**
 * Reads the rows once the bytes have been hashed (`push` sees them go by; DuckDB reads the file
 * itself, by path). DuckDB needs a file it can seek in: stdin, a gzipped Parquet file and a zip
 * member are refused with a message rather than copied to disk unasked.
 */
export class ParquetExport {
  private rows = 0;
  /** Rows DuckDB could not give, when the file's footer says how many it holds. */
  private unread = 1;
  /** The file as Node began to hash it: DuckDB must read the same one. */
  private readonly version: FileVersion | undefined;

  constructor(
    private readonly file: InputFile,
    private readonly stats: InputStats,
    private readonly sink: RecordSink,
  ) {
    const where =
      file.path === '-'
        ? 'from standard input'
        : file.member
          ? 'inside a zip archive'
          : stats.gzip
            ? 'gzip-compressed'
            : undefined;
    if (where)
      throw new InputError(
        'INPUT_UNREADABLE',
        `a Parquet file ${where} cannot be read`,
        { file: file.display },
        'give the Parquet file itself as --export PATH (Parquet compresses inside the file)',
      );
    this.version = fileVersion(file.path);
  }

  push(): void {}

  async end(): Promise<void> {
    const query = queryFor(this.file);
    try {
      await query.consume((result) => this.read(result));
    } catch (e) {
      // No spill folder can be made (io/duckdb.ts): the run's setting, not this file, is wrong.
      if (e instanceof InputError || e instanceof UsageError) throw e;
      throw this.lost(query.total, messageLine(e), e);
    }
    // A row group that fails after the first ends DuckDB's stream as if the file ended there
    // (@duckdb/node-api's fetchChunk gives null for an error as for the end): the footer says
    // how many rows the file holds, and every one must have come.
    if (query.total !== undefined && this.rows < query.total)
      throw this.lost(
        query.total,
        await withDuckdb(this.file.path, async (c) =>
          whyStopped(c, `SELECT count(t) FROM (${await rowsQuery(c, this.file.path)}) x(t)`),
        ).catch(messageLine),
      );
    // The rows read stand (they are counted); the run fails, as the manifest cannot vouch for
    // them. Both times count: a file read ahead was opened before Node began to hash it.
    const changed =
      changedSince(this.file.path, this.version, this.stats.bytes) ??
      changedSince(this.file.path, query.version, this.stats.bytes);
    if (changed !== undefined) {
      this.unread = 0;
      throw changedError(this.file.display, changed);
    }
  }

  /**
   * The error for a file DuckDB could not read to its end: the rows not read are records lost,
   * as many as the footer says are left (a string column of bad UTF-8 stops DuckDB at its first
   * row), or one when even the footer cannot be read.
   */
  private lost(total: number | undefined, why: string, cause?: unknown): InputError {
    this.unread = total === undefined ? 1 : Math.max(0, total - this.rows);
    const at = `row ${this.rows + 1}${total === undefined ? '' : ` of ${total}`}`;
    return new InputError(
      'INPUT_UNREADABLE',
      `not a readable Parquet file (${at}): ${why}`,
      { file: this.file.display },
      undefined,
      cause === undefined ? undefined : { cause },
    );
  }

  private async read(result: DuckDBResult): Promise<void> {
    // DuckDB makes the next chunk on its own threads while this one is read here.
    let next = result.fetchChunk();
    for (;;) {
      const chunk = await next;
      if (!chunk || chunk.rowCount === 0) break;
      next = result.fetchChunk();
      const col = chunk.getColumnVector(0);
      for (let i = 0; i < chunk.rowCount; i++) {
        const text = String(col.getItem(i));
        this.rows++;
        let value: unknown;
        try {
          value = dropNulls(JSON.parse(text));
        } catch {
          // NaN or ±Infinity inside a nested value, which JSON cannot hold: a counted reject.
          this.sink(text, this.rows, { reject: 'a value JSON cannot hold (NaN or Infinity)' });
          continue;
        }
        this.sink(text, this.rows, { value });
      }
    }
  }

  /** The file broke off while hashing, or DuckDB stopped: the rows read are records. */
  abort(): Tail {
    return { line: this.rows + 1, text: '', records: this.unread };
  }
}

/**
 * A Parquet file as a DuckDB table: the file as named (no globbing), its own columns only (no
 * key=value folders as columns), and binary columns as text (older Spark and Hive writers store
 * strings so). The users table read from Parquet (io/users-duckdb.ts) reads it the same way.
 */
export function parquetSource(path: string): string {
  return `read_parquet(${pathLiteral(path)}, hive_partitioning = false, binary_as_string = true)`;
}

/** The rows the file's footer says it holds; undefined when it cannot be read (not Parquet). */
export async function footerRows(c: DuckDBConnection, path: string): Promise<number | undefined> {
  try {
    const r = await c.runAndReadAll(
      `SELECT sum(num_rows) FROM parquet_file_metadata(${pathLiteral(path)})`,
    );
    const n = Number(r.getRows()[0]?.[0]);
    return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

/** The query that turns a file's rows into JSON texts, one column, in file order. */
async function rowsQuery(c: DuckDBConnection, path: string): Promise<string> {
  const from = parquetSource(path);
  const columns = (await c.runAndReadAll(`DESCRIBE SELECT * FROM ${from}`)).getRows();
  const exprs = columns.map(
    ([name, type]) => `${sqlIdent(String(name))} := ${cell(String(name), String(type))}`,
  );
  // Not json_merge_patch('{}', …) to drop the nulls here: it recurses in C++ and a text column
  // holding JSON nested 100 000 deep crashed the process (docs/PERFORMANCE.md).
  return `SELECT to_json(struct_pack(${exprs.join(', ') || 'x := NULL'}))::VARCHAR FROM ${from}`;
}

async function openRows(c: DuckDBConnection, path: string): Promise<DuckDBResult> {
  return c.stream(await rowsQuery(c, path));
}

/**
 * One file's query, started before its rows are wanted. DuckDB works out all of a row group
 * before it hands over the first row, on its own threads (~0.35 s for a 28 k-row file of the
 * bench's S): started while the file before is still being read here, that time is hidden.
 * Its rows wait for `consume`, which gives them to the file's reader and returns when done.
 */
class ParquetQuery {
  private give!: (reader: (result: DuckDBResult) => Promise<void>) => void;
  private cancel!: (why: Error) => void;
  private readonly finished: Promise<void>;
  /** The file as DuckDB began to read it (io/duckdb.ts changedSince). */
  readonly version: FileVersion | undefined;
  /** The rows its footer says it holds, once the query has begun; undefined if unreadable. */
  total: number | undefined;

  constructor(file: InputFile) {
    const reader = new Promise<(result: DuckDBResult) => Promise<void>>((give, cancel) => {
      this.give = give;
      this.cancel = cancel;
    });
    this.version = fileVersion(file.path);
    this.finished = withDuckdb(file.display, async (c) => {
      this.total = await footerRows(c, file.path);
      const result = await openRows(c, file.path);
      await (
        await reader
      )(result);
    });
    // A query nobody consumes (the run stopped first, or the file was no Parquet file) must
    // not end the process with an unhandled rejection, of the query or of the waiting reader;
    // a consumed query's error reaches `consume`'s caller.
    this.finished.catch(() => {});
    reader.catch(() => {});
  }

  consume(reader: (result: DuckDBResult) => Promise<void>): Promise<void> {
    this.give(reader);
    return this.finished;
  }

  drop(): void {
    this.cancel(new Error('not needed'));
  }
}

/** Queries started ahead, by path. */
const started = new Map<string, ParquetQuery>();

function queryFor(file: InputFile): ParquetQuery {
  const ahead = started.get(file.path);
  started.delete(file.path);
  return ahead ?? new ParquetQuery(file);
}

/**
 * Starts reading `file` now if it is, by its name, a small Parquet file DuckDB can read by path:
 * the scan calls this for the next file while it reads the current one. A file that turns out to
 * be something else only costs the query: `dropStarted` ends it once the file is read, so no more
 * than two are open at once; and at the end, those the run did not reach.
 *
 * Small only: the time it saves is a row group's wait per file (a file of one row group), while
 * a large file is several row groups that DuckDB already streams on its own threads, and holding
 * its first groups ahead raised the peak at the bench's L from 946 to 1,108 MiB, past the 1 GiB
 * target, for no time measurably saved (105 s without, 107 s with: bench/RESULTS.md).
 */
export function startAhead(file: InputFile): void {
  // PostHog names its batch exports `….parquet.zst` (the codec is inside the file).
  if (file.path === '-' || file.member || !/\.parquet(\.[a-z0-9]+)?$/i.test(file.path)) return;
  if (started.has(file.path)) return;
  let bytes: number;
  try {
    bytes = statSync(file.path).size;
  } catch {
    return; // reported when the scan reaches it
  }
  if (bytes < READ_AHEAD_MAX_BYTES) started.set(file.path, new ParquetQuery(file));
}

/** Files from this size on are not read ahead (see startAhead). */
const READ_AHEAD_MAX_BYTES = 32 << 20;

/** Ends the queries started ahead and not read: for `file`'s path, or all of them. */
export function dropStarted(file?: InputFile): void {
  const dropped = file === undefined ? [...started.keys()] : [file.path];
  for (const path of dropped) started.get(path)?.drop();
  for (const path of dropped) started.delete(path);
}

/**
 * A top-level column as the JSON its JSON Lines copy would hold: text holding a whole JSON
 * object is that object (see the header); an integer beyond 2^53, which a JSON number would
 * round to another id, is its digits as text; NaN and ±Infinity, which JSON has no number for,
 * are text too. Other values as DuckDB writes them.
 */
function cell(name: string, type: string): string {
  const col = sqlIdent(name);
  if (type === 'VARCHAR')
    return `CASE WHEN starts_with(ltrim(${col}), '{') AND json_valid(${col}) THEN json(${col}) ELSE to_json(${col}) END`;
  if (/^U?(BIGINT|HUGEINT)$/.test(type))
    return `CASE WHEN abs(${col}::DOUBLE) < 9007199254740992 THEN to_json(${col}) ELSE to_json(${col}::VARCHAR) END`;
  if (type === 'DOUBLE' || type === 'FLOAT')
    return `CASE WHEN isnan(${col}) OR isinf(${col}) THEN to_json(${col}::VARCHAR) ELSE to_json(${col}) END`;
  return col;
}

/** Null members of objects removed, at every depth (a struct's absent keys); arrays kept whole. */
function dropNulls(v: unknown, depth = 0): unknown {
  if (v === null || typeof v !== 'object') return v;
  // JSON text in a column may nest deeper than the stack goes (the NDJSON path reads a line
  // nested 100 000 deep): past a depth no schema has, the loop below does the rest.
  if (depth > 256) return dropNullsDeep(v);
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = dropNulls(v[i], depth + 1);
    return v;
  }
  const o = v as Record<string, unknown>;
  let nulls = false;
  for (const k in o) {
    if (o[k] === null) nulls = true;
    else o[k] = dropNulls(o[k], depth + 1);
  }
  if (!nulls) return o;
  // A fresh object rather than `delete`, which would leave this one slow to read.
  const kept: Record<string, unknown> = {};
  for (const k in o) if (o[k] !== null) kept[k] = o[k];
  return kept;
}

/** dropNulls without recursion, deleting in place: for the rare value nested deeper than 256. */
function dropNullsDeep(root: object): object {
  const stack: object[] = [root];
  for (let v = stack.pop(); v !== undefined; v = stack.pop()) {
    if (Array.isArray(v)) {
      for (const x of v as unknown[]) if (x !== null && typeof x === 'object') stack.push(x);
      continue;
    }
    const o = v as Record<string, unknown>;
    for (const k in o) {
      const x = o[k];
      if (x === null) delete o[k];
      else if (typeof x === 'object') stack.push(x);
    }
  }
  return root;
}
