/**
 * The targeted cases of test/cli/workers.test.ts (section 2). Exports are written by the `Export`
 * builder below; records that matter sit at known lines, on known sides of the 1 MiB read
 * boundaries. Each case is a function returning a `Scenario` (its files, its arguments, and what
 * the reference run must show); a new case is such a function and a line in `SCENARIOS`.
 */
import { gzipSync } from 'node:zlib';
import type { ExpectStatic } from 'vitest';
import { parseCsv } from '../../property/gen.js';
import { MiB, SIDE, WINDOW, type Outcome } from './harness.js';

const T = (h: number, m = 0, s = 0, day = 8) => Date.UTC(2025, 10, day, h, m, s) / 1000; // epoch s; day 8 is in WINDOW
const iso = (epochS: number) => new Date(epochS * 1000).toISOString();
const mp = (event: string, properties: Record<string, unknown>) =>
  JSON.stringify({ event, properties });
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

const USERS = [
  'id,email,name,country,state,mp_id',
  'u_1,ada@example.com,Ada Lovelace,GB,,mp-ada',
  'u_2,grace@example.org,"Hopper, Grace",US,VA,',
  'u_3,zoe@example.com,Zoë Müller,CH,ZH,',
  'u_4,lukasz@example.org,Łukasz Yılmaz,PL,,',
  'u_5,amara@example.com,Amara Okafor,NG,,',
  'u_6,li@example.net,Li Wei,CN,,',
  '',
].join('\n');

/** A deterministic PRNG (mulberry32): filler that does not compress to nothing. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const hex = (rnd: () => number, n: number) =>
  Array.from({ length: n }, () => Math.floor(rnd() * 16).toString(16)).join('');

type Filler = 'mixpanel' | 'segment' | 'amplitude';

/**
 * Filler records: page views of four anonymous devices nobody identifies, in the window, each
 * with its own insert id / message id. They are real records (read, attributed nowhere, listed as
 * unmatched), so the outputs compared carry thousands of records' worth of decisions.
 */
function fillerLine(kind: Filler, seed: number, n: number, rnd: () => number): string {
  const t = T(8) + (n % 30_000);
  // About 1 KB a line, as a page view with campaign parameters and a tracking blob has: a MiB
  // of filler is a thousand records, not ten thousand, which keeps the runs short.
  const url = `https://shop.example.com/p/${hex(rnd, 12)}?utm_source=newsletter&utm_medium=email&utm_campaign=bf-${n % 7}&ref=${hex(rnd, 6)}&_ga=${hex(rnd, 320)}`;
  if (kind === 'segment') {
    return JSON.stringify({
      type: 'page',
      anonymousId: `seg-fill-${seed}-${n % 4}`,
      messageId: `sfill-${seed}-${n}`,
      timestamp: iso(t),
      context: { userAgent: 'Mozilla/5.0 (X11; Linux x86_64)' },
      properties: { url },
    });
  }
  if (kind === 'amplitude') {
    return JSON.stringify({
      event_type: 'Page Viewed',
      device_id: `amp-fill-${seed}-${n % 4}`,
      amplitude_id: 9_000_000 + (n % 4),
      uuid: `afill-${seed}-${n}`,
      event_time: iso(t).replace('T', ' ').replace('Z', '000'),
      event_properties: { url },
    });
  }
  return mp('$mp_web_page_view', {
    time: t,
    distinct_id: `$device:fill-${seed}-${n % 4}`,
    $device_id: `fill-${seed}-${n % 4}`,
    $current_url: url,
    $browser: ['Firefox', 'Chrome', 'Safari'][n % 3],
    $screen_width: 1280 + (n % 5) * 64,
    $insert_id: `fill-${seed}-${n}`,
    mp_lib: 'web',
  });
}

/** An export written line by line; knows each line's number and the byte offset it starts at. */
class Export {
  private readonly parts: Buffer[] = [];
  size = 0;
  /** The number the next line gets. */
  next = 1;
  private n = 0;
  private readonly rnd: () => number;

  constructor(
    private readonly opts: { eol?: string; bom?: boolean; seed?: number; filler?: Filler } = {},
  ) {
    this.rnd = prng(opts.seed ?? 1);
    if (opts.bom) this.raw(BOM);
  }

  get eol(): string {
    return this.opts.eol ?? '\n';
  }

  private raw(b: Buffer): void {
    this.parts.push(b);
    this.size += b.length;
  }

  /** Appends one line (without its line end when `end` is false); returns its number. */
  line(text: string | Buffer, end = true): number {
    const at = this.next;
    this.raw(typeof text === 'string' ? Buffer.from(text) : text);
    if (end) {
      this.raw(Buffer.from(this.eol));
      this.next++;
    }
    return at;
  }

  /** Filler records until the export is about `to` bytes long. */
  fillTo(to: number, kind: Filler = this.opts.filler ?? 'mixpanel'): this {
    while (this.size + 1500 < to)
      this.line(fillerLine(kind, this.opts.seed ?? 1, this.n++, this.rnd));
    return this;
  }

  /**
   * Blank lines of every kind (empty, spaces, TAB, a lone CR, a few hundred spaces) until the
   * export is about `to` bytes long: a few thousand a MiB, not a million, so that even a chunk a
   * line stays quick.
   */
  blanksTo(to: number): this {
    const kinds = [
      '',
      ' ',
      '\t',
      ' \t ',
      '\r',
      ' '.repeat(400),
      '\t'.repeat(300) + '\r',
      ' '.repeat(900),
    ];
    for (let k = 0; this.size + 1024 < to; k++) this.line(kinds[k % kinds.length]!);
    return this;
  }

  /** One blank line (spaces) so that the next line starts at byte `offset`. */
  padTo(offset: number): this {
    const gap = offset - this.size - this.eol.length;
    if (gap < 0) throw new Error(`padTo(${offset}): already at ${this.size}`);
    this.line(' '.repeat(gap));
    return this;
  }

  /** Filler, then padding, so that the next line starts `before` bytes before `boundary`. */
  before(boundary: number, before: number, kind?: Filler): this {
    return this.fillTo(boundary - before - 1600, kind).padTo(boundary - before);
  }

  get bytes(): Buffer {
    return Buffer.concat(this.parts);
  }
}

export interface Scenario {
  name: string;
  /** Files relative to the case folder. */
  files: Record<string, string | Buffer>;
  /** After `correlate`; `$OUT` is the run's output folder. */
  args: string[];
  input?: Buffer;
  /** What the reference must show: the case is about something only if it happens. */
  check(expect: ExpectStatic, ref: Outcome): void;
}

const text = (b: Buffer | undefined) => (b ?? Buffer.alloc(0)).toString('utf8');

/** Rows of a CSV output as objects keyed by its header. */
function rowsOf(csv: Buffer | undefined): Array<Record<string, string>> {
  const [head, ...rows] = parseCsv(text(csv));
  return rows.map((r) => Object.fromEntries((head ?? []).map((h, i) => [h, r[i] ?? ''])));
}
function userRow(expect: ExpectStatic, ref: Outcome, id: string): Record<string, string> {
  const row = rowsOf(ref.stdout).find((r) => r.user_id === id);
  expect(row, `${id} is affected:\n${text(ref.stdout)}\n${text(ref.stderr)}`).toBeDefined();
  return row!;
}
const list = (cell: string | undefined) => (cell ?? '').split(';').filter(Boolean);
const rejectsOf = (ref: Outcome, name = 'rejects.csv') =>
  rowsOf(ref.files.get(name)).map((r) => [r.file, Number(r.line), r.reason]);
const manifestOf = (ref: Outcome) => JSON.parse(text(ref.files.get('manifest.json')));

function duplicatesSplit(): Scenario {
  const e = new Export({ seed: 11 });
  const P = {
    time: T(9),
    distinct_id: 'u_1',
    $insert_id: 'ins-A',
    $city: 'London',
    coupon: 'SAVE10',
  };
  e.line(mp('Purchase', P));
  // The copy straddles the first read boundary: it is cut into the second chunk.
  e.before(MiB, 40);
  e.line(mp('Purchase', { ...P, gift_note: 'for mum' }));
  e.line(mp('Sign Up', { time: T(10), distinct_id: 'u_2', $insert_id: 'ins-B', voucher: 'X1' }));
  e.fillTo(2 * MiB + 5000);
  e.line(
    mp('Sign Up', {
      time: T(10),
      distinct_id: 'u_2',
      $insert_id: 'ins-B',
      voucher: 'X1',
      wrapping: 'yes',
    }),
  );
  // Both copies in one chunk.
  e.line(mp('Login', { time: T(11), distinct_id: 'u_3', $insert_id: 'ins-C', $os: 'Linux' }));
  e.line(
    mp('Login', {
      time: T(11),
      distinct_id: 'u_3',
      $insert_id: 'ins-C',
      $os: 'Linux',
      late_field: 'x',
    }),
  );
  return {
    name: 'duplicates ($insert_id) split across chunks: the first copy exposes, the later ones count',
    files: { 'export.ndjson': e.bytes, 'users.csv': USERS },
    args: ['--export', 'export.ndjson', '--users', 'users.csv', '--window', WINDOW, ...SIDE],
    check(expect, ref) {
      expect(manifestOf(ref).counts.duplicates).toBe(3);
      const u1 = userRow(expect, ref, 'u_1');
      expect(u1.records).toBe('2');
      expect(list(u1.exposed_fields)).toContain('coupon');
      expect(list(u1.exposed_fields)).not.toContain('gift_note');
      expect(list(userRow(expect, ref, 'u_2').exposed_fields)).not.toContain('wrapping');
      expect(list(userRow(expect, ref, 'u_3').exposed_fields)).not.toContain('late_field');
    },
  };
}

function categoryByLaterValue(): Scenario {
  const e = new Export({ seed: 12 });
  e.line(mp('Open', { time: T(9), distinct_id: 'u_2', extra: 'blue' }));
  // An email in `alt`, but out of the window: it exposes nothing and decides nothing.
  e.line(mp('Open', { time: T(9, 0, 0, 11), distinct_id: 'u_6', alt: 'li.alt@example.net' }));
  e.line(
    mp('Order', { time: T(9, 30), distinct_id: 'u_4', $insert_id: 'ins-E', backup: 'plain text' }),
  );
  e.before(MiB, 25);
  e.line(mp('Open', { time: T(12), distinct_id: 'u_3', extra: 'zoe.alt@example.net' }));
  // The first email in `backup` is on a duplicate: a duplicate exposes nothing, so it decides nothing.
  e.line(
    mp('Order', {
      time: T(9, 30),
      distinct_id: 'u_4',
      $insert_id: 'ins-E',
      backup: 'lukasz.alt@example.org',
    }),
  );
  e.line(mp('Open', { time: T(12, 30), distinct_id: 'u_6', alt: '203.0.113.5' }));
  e.fillTo(2 * MiB + 3000);
  e.line(
    mp('Order', { time: T(13), distinct_id: 'u_5', $insert_id: 'ins-F', backup: '198.51.100.7' }),
  );
  e.line(mp('Open', { time: T(13), distinct_id: 'u_1', extra: '192.0.2.44' }));
  return {
    name: "a field's category settled by a value first seen in a later chunk (also: first on a duplicate, first out of the window)",
    files: { 'export.ndjson': e.bytes, 'users.csv': USERS },
    args: ['--export', 'export.ndjson', '--users', 'users.csv', '--window', WINDOW, ...SIDE],
    check(expect, ref) {
      const cats = (id: string) => list(userRow(expect, ref, id).exposed_categories);
      expect(cats('u_2'), '`extra`: its first email is in the second chunk').toEqual([
        'account',
        'contact',
      ]);
      expect(cats('u_1'), '`extra` stays contact when an IP comes later').toEqual([
        'account',
        'contact',
      ]);
      expect(
        cats('u_4'),
        '`backup`: the email on the duplicate decides nothing; the later IP does',
      ).toEqual(['account', 'location']);
      expect(cats('u_6'), '`alt`: the out-of-window email decides nothing').toEqual([
        'account',
        'location',
      ]);
    },
  };
}

function autoLockLate(): Scenario {
  const a = new Export({ seed: 13, filler: 'segment' });
  a.line('{"event":"Sign Up","properties":{"time":');
  a.line('{"hello":"world"}');
  a.line('still not json');
  a.blanksTo(MiB - 200);
  a.padTo(MiB - 60);
  // The first record any preset recognises: Segment's, in the second chunk.
  const order = {
    type: 'track',
    event: 'Order Completed',
    userId: 'u_1',
    anonymousId: 'anon-1',
    messageId: 'm-1',
    timestamp: '2025-11-08T10:00:00.000Z',
    context: { ip: '203.0.113.9' },
    properties: { total: 42 },
  };
  a.line(JSON.stringify(order));
  a.fillTo(2 * MiB + 2000, 'segment');
  a.line(JSON.stringify({ ...order, properties: { total: 42, resent: true } })); // the same messageId: a duplicate
  // An Amplitude event after the lock is read as Segment's: event_type and event_time are then fields it exposes.
  a.line(
    JSON.stringify({
      event_type: 'Purchase',
      user_id: 'u_2',
      device_id: 'dev-2',
      amplitude_id: 123,
      event_time: '2025-11-08 11:00:00.000000',
      event_properties: { sku: 'A-1' },
    }),
  );
  a.fillTo(2 * MiB + 20_000, 'segment');

  const b = new Export({ seed: 14, filler: 'amplitude' });
  b.line('{"event":"x"}');
  b.blanksTo(MiB - 200);
  b.padTo(MiB - 10);
  b.line(
    JSON.stringify({
      event_type: 'Login',
      user_id: 'u_3',
      device_id: 'dev-3',
      amplitude_id: 77,
      event_time: '2025-11-08 12:00:00.000000',
      user_properties: { city: 'Zürich' },
    }),
  );
  b.fillTo(2 * MiB + 2000, 'amplitude');
  const segInAmp = b.line(
    JSON.stringify({
      type: 'identify',
      userId: 'u_4',
      messageId: 'm-4',
      timestamp: '2025-11-08T12:00:00.000Z',
      traits: { email: 'lukasz@example.org' },
    }),
  );
  b.fillTo(2 * MiB + 20_000, 'amplitude');
  return {
    name: '--vendor auto: undetectable first lines, the preset locked in a later chunk and kept for the chunks after it',
    files: { 'a.ndjson': a.bytes, 'b.ndjson': b.bytes, 'users.csv': USERS },
    args: ['--export', 'a.ndjson', '--export', 'b.ndjson', '--users', 'users.csv', ...SIDE],
    check(expect, ref) {
      const err = text(ref.stderr);
      expect(err).toContain('vendor: segment (auto-detected in a.ndjson)\n');
      expect(err.indexOf('vendor: segment')).toBeLessThan(
        err.indexOf('vendor: amplitude (auto-detected in b.ndjson)'),
      );
      const rejects = rejectsOf(ref);
      expect(
        rejects.filter((r) => r[0] === 'a.ndjson').map((r) => r[1]),
        'before the lock: read as Mixpanel records and rejected',
      ).toEqual([1, 2, 3]);
      expect(
        rejects,
        'before any lock, no vendor is named for what a record is not (#14)',
      ).toContainEqual([
        'b.ndjson',
        1,
        'not an event or profile of Mixpanel, Amplitude, Segment, PostHog or GA4 (BigQuery export)',
      ]);
      expect(
        rejects,
        'after the lock on Amplitude, a Segment record is not an Amplitude event',
      ).toContainEqual(['b.ndjson', segInAmp, 'not an Amplitude event: it has no event_type']);
      expect(list(userRow(expect, ref, 'u_1').vendor_ids)).toContain('anon-1');
      expect(
        list(userRow(expect, ref, 'u_1').exposed_fields),
        'a Segment duplicate exposes nothing',
      ).not.toContain('properties.resent');
      expect(manifestOf(ref).counts.duplicates).toBe(1);
      expect(
        list(userRow(expect, ref, 'u_2').exposed_fields),
        'read with the locked Segment preset',
      ).toEqual(expect.arrayContaining(['event_type', 'event_time']));
      expect(rowsOf(ref.stdout).map((r) => r.user_id)).not.toContain('u_4');
    },
  };
}

function noTrailingNewline(): Scenario {
  const a = new Export({ seed: 15 });
  a.before(MiB, 50);
  // Straddles the boundary with multi-byte characters on both sides of it, and has no line end.
  a.line(
    mp('Checkout', {
      time: T(14),
      distinct_id: 'u_3',
      $city: 'Zürich',
      greeting: 'Grüße aus Łódź und 東京 '.repeat(3),
    }),
    false,
  );
  const b = new Export({ seed: 16 });
  b.line(mp('Open', { time: T(9), distinct_id: 'u_1' }));
  const badLast = b.line('{"event":"Sign Up","properties":{"time":', false);
  const c = mp('Open', { time: T(9), distinct_id: 'u_5', $os: 'Android' });
  const d = new Export({ seed: 17 });
  d.fillTo(1.1 * MiB);
  d.line(mp('Open', { time: T(15), distinct_id: 'u_6', $browser: 'Edge' }), false);
  return {
    name: 'files without a trailing newline (the last line straddling a read boundary; a bad last line; one line; gzip)',
    files: {
      'a.ndjson': a.bytes,
      'b.ndjson': b.bytes,
      'c.ndjson': c,
      'd.ndjson.gz': gzipSync(d.bytes),
      'users.csv': USERS,
    },
    args: [
      '--export',
      'a.ndjson',
      '--export',
      'b.ndjson',
      '--export',
      'c.ndjson',
      '--export',
      'd.ndjson.gz',
      '--users',
      'users.csv',
      '--window',
      WINDOW,
      ...SIDE,
    ],
    check(expect, ref) {
      expect(list(userRow(expect, ref, 'u_3').exposed_fields)).toContain('$city');
      expect(list(userRow(expect, ref, 'u_5').exposed_fields)).toContain('$os');
      expect(list(userRow(expect, ref, 'u_6').exposed_fields)).toContain('$browser');
      expect(rejectsOf(ref)).toEqual([
        ['b.ndjson', badLast, expect.stringMatching(/^invalid JSON/)],
      ]);
    },
  };
}

function loneSurrogates(): Scenario {
  // JSON can hold a lone surrogate ("\ud800"): the worker sends strings as UTF-16 code units and
  // the main thread makes them back, or compares them with a user's own id, unit for unit.
  const odd = 'u_\ud800x';
  const users = [
    JSON.stringify({ id: odd, email: 'odd@example.com' }),
    JSON.stringify({ id: 'u_1', email: 'ada@example.com' }),
    '',
  ].join('\n');
  const a = new Export({ seed: 40 });
  a.line(mp('Open', { time: T(9, 0, 0, 5), distinct_id: odd })); // out of the window: its id confirmed as the user's
  a.line(mp('Open', { time: T(9, 0, 0, 5), distinct_id: 'u_\udc00x', $device_id: 'd\ud800' })); // matches nobody: an identity of its own
  a.line(
    mp('Open', { time: T(10), distinct_id: 'u_\udc00x', $device_id: 'd\ud800', $city: 'Oslo' }),
  );
  a.line(mp('Open', { time: T(11), distinct_id: odd, $os: 'Linux', note: 'x\udfffy' }));
  return {
    name: 'lone surrogates in ids, device ids and values',
    files: { 'a.ndjson': a.bytes, 'users.ndjson': users },
    args: ['--export', 'a.ndjson', '--users', 'users.ndjson', '--window', WINDOW, ...SIDE],
    check(expect, ref) {
      // Written as UTF-8, the lone surrogate comes out as U+FFFD.
      expect(list(userRow(expect, ref, 'u_\ufffdx').exposed_fields)).toEqual([
        '$os',
        'distinct_id',
        'note',
      ]);
      expect(text(ref.files.get('unmatched.csv'))).toContain('$city');
    },
  };
}

function crlfAndBom(): Scenario {
  const a = new Export({ eol: '\r\n', bom: true, seed: 18 });
  a.line(mp('Open', { time: T(9), distinct_id: 'u_1', $city: 'London' }));
  const line4 = mp('Open', { time: T(10), distinct_id: 'u_4', $city: 'Kraków' });
  // Its CR is the last byte of the first read, its LF the first of the second.
  a.before(MiB, Buffer.byteLength(line4) + 1);
  a.line(line4);
  a.line('');
  const bad = a.line('{"event":"Open","properties":{"time":1762596000,"distinct_id":"u_2"');
  a.line(mp('Open', { time: T(11), distinct_id: 'u_2', $browser: 'Firefox' }));
  a.fillTo(1.1 * MiB);
  const b = new Export({ eol: '\r\n', bom: true, seed: 19 });
  b.fillTo(1.05 * MiB);
  const badB = b.line('[]');
  b.line(mp('Open', { time: T(12), distinct_id: 'u_5', $os: 'iOS' }));
  return {
    name: 'CRLF line ends and a BOM (a CR/LF pair split by a read boundary; gzip)',
    files: { 'a.ndjson': a.bytes, 'b.ndjson.gz': gzipSync(b.bytes), 'users.csv': USERS },
    args: [
      '--export',
      'a.ndjson',
      '--export',
      'b.ndjson.gz',
      '--users',
      'users.csv',
      '--window',
      WINDOW,
      ...SIDE,
    ],
    check(expect, ref) {
      for (const u of ['u_1', 'u_4', 'u_2', 'u_5']) userRow(expect, ref, u);
      expect(rejectsOf(ref).map((r) => [r[0], r[1]])).toEqual([
        ['a.ndjson', bad],
        ['b.ndjson.gz', badB],
      ]);
      expect(manifestOf(ref).counts.rejected).toBe(2);
    },
  };
}

function blankLines(): Scenario {
  const e = new Export({ seed: 20 });
  e.line('');
  e.line('   ');
  e.line(mp('Open', { time: T(9), distinct_id: 'u_1' }));
  e.line('\t');
  e.fillTo(MiB - 40_000);
  e.blanksTo(MiB + 40_000); // thousands of blank lines across the boundary
  const bad1 = e.line('not json');
  e.line('\r');
  e.line(mp('Open', { time: T(9), distinct_id: 'u_2' }));
  e.blanksTo(MiB + 200_000);
  const bad2 = e.line('{"event":"Open"}');
  e.blanksTo(MiB + 200_300);
  return {
    name: 'blank lines (empty, spaces, TAB, a lone CR), thousands of them across a read boundary',
    files: { 'export.ndjson': e.bytes, 'users.csv': USERS },
    args: ['--export', 'export.ndjson', '--users', 'users.csv', ...SIDE],
    check(expect, ref) {
      expect(rejectsOf(ref).map((r) => [r[0], r[1]])).toEqual([
        ['export.ndjson', bad1],
        ['export.ndjson', bad2],
      ]);
      expect(bad1, 'after the blank lines').toBeGreaterThan(1000);
      userRow(expect, ref, 'u_2');
      const m = manifestOf(ref);
      expect(
        m.inputs.find((i: { role: string }) => i.role === 'export').records,
        'blank lines are no records',
      ).toBe(m.counts.read);
    },
  };
}

function longLines(): Scenario {
  const e = new Export({ seed: 21 });
  e.fillTo(0.5 * MiB);
  const essay = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(
    Math.ceil((1.5 * MiB) / 57),
  );
  e.line(mp('Note', { time: T(9), distinct_id: 'u_5', essay }));
  const bad = e.line('{"event":"Open","properties":{"note":"' + 'x'.repeat(5000) + '"}'); // longer than a reject keeps
  e.line(mp('Open', { time: T(10), distinct_id: 'u_1', bio: 'y'.repeat(10_000) }));
  return {
    name: 'a line longer than the chunk size and than a read (1.5 MiB), and a long bad line',
    files: { 'export.ndjson': e.bytes, 'users.csv': USERS },
    args: ['--export', 'export.ndjson', '--users', 'users.csv', ...SIDE],
    check(expect, ref) {
      expect(list(userRow(expect, ref, 'u_5').exposed_fields)).toContain('essay');
      expect(list(userRow(expect, ref, 'u_1').exposed_fields)).toContain('bio');
      const rejects = rowsOf(ref.files.get('rejects.csv'));
      expect(rejects.map((r) => Number(r.line))).toEqual([bad]);
      expect(rejects[0]!.record!.length, 'the record text cut at 1 KiB').toBe(1024);
    },
  };
}

function absoluteLines(): Scenario {
  const a = new Export({ seed: 22 });
  a.fillTo(0.3 * MiB);
  const l1 = a.line('{"event":"Open","properties":{"time":1762596000');
  a.before(MiB, 3); // its line end is the last byte of the first read
  const l2 = a.line('42');
  a.fillTo(2.1 * MiB);
  const l3 = a.line(mp('Open', { distinct_id: 'u_3' })); // an event without a time, under --window
  a.line(mp('Open', { time: T(16), distinct_id: 'u_3' }));
  const b = new Export({ seed: 23 });
  b.line(mp('Open', { time: T(9), distinct_id: 'u_4' }));
  const l4 = b.line('{');
  return {
    name: 'rejects keep absolute line numbers in every chunk; numbering starts again in the next file',
    files: { 'a.ndjson': a.bytes, 'b.ndjson': b.bytes, 'users.csv': USERS },
    args: [
      '--export',
      'a.ndjson',
      '--export',
      'b.ndjson',
      '--users',
      'users.csv',
      '--window',
      WINDOW,
      ...SIDE,
    ],
    check(expect, ref) {
      expect(rejectsOf(ref)).toEqual([
        ['a.ndjson', l1, expect.stringMatching(/^invalid JSON/)],
        ['a.ndjson', l2, 'not a JSON object'],
        ['a.ndjson', l3, 'event has no readable time'],
        ['b.ndjson', l4, expect.stringMatching(/^invalid JSON/)],
      ]);
      expect(l3, 'the third is deep in the file').toBeGreaterThan(2000);
    },
  };
}

function gzipDamaged(): Scenario {
  const e = new Export({ seed: 24 });
  e.line(mp('Open', { time: T(9), distinct_id: 'u_1', $city: 'London' }));
  e.fillTo(1.2 * MiB);
  e.line(mp('Open', { time: T(10), distinct_id: 'u_2', $city: 'Arlington' }));
  e.fillTo(3.5 * MiB);
  e.line(mp('Open', { time: T(11), distinct_id: 'u_3', $city: 'Zürich' }));
  const gz = gzipSync(e.bytes);
  const truncated = gz.subarray(0, Math.floor(gz.length * 0.6));
  const corrupt = Buffer.from(gz);
  corrupt.fill(0x55, Math.floor(gz.length * 0.55), Math.floor(gz.length * 0.55) + 64);
  const after = mp('Open', { time: T(12), distinct_id: 'u_4', $city: 'Gdańsk' }) + '\n';
  return {
    name: 'gzip damaged mid-way (truncated; bytes overwritten): the whole lines before the damage are kept, the run goes on',
    files: {
      'cut.ndjson.gz': truncated,
      'corrupt.ndjson.gz': corrupt,
      'after.ndjson': after,
      'users.csv': USERS,
    },
    args: [
      '--export',
      'cut.ndjson.gz',
      '--export',
      'corrupt.ndjson.gz',
      '--export',
      'after.ndjson',
      '--users',
      'users.csv',
      '--window',
      WINDOW,
      ...SIDE,
    ],
    check(expect, ref) {
      expect(ref.status).toBe(1);
      expect(text(ref.stderr)).toMatch(/cut\.ndjson\.gz: .*gzip stream is corrupt or truncated/);
      expect(text(ref.stderr)).toMatch(
        /corrupt\.ndjson\.gz: .*gzip stream is corrupt or truncated/,
      );
      const inputs = manifestOf(ref).inputs.filter((i: { role: string }) => i.role === 'export');
      const total = e.next - 1;
      for (const i of inputs.slice(0, 2)) {
        expect(i.records, `${i.path}: records read before the damage`).toBeGreaterThan(1000);
        expect(i.records, i.path).toBeLessThanOrEqual(total);
      }
      userRow(expect, ref, 'u_2');
      userRow(expect, ref, 'u_4');
      expect(rowsOf(ref.stdout).map((r) => r.user_id)).not.toContain('u_3');
    },
  };
}

/**
 * The bad record is in a later chunk of the first file; the next file is read meanwhile, and its
 * second chunk waits for its first (--vendor auto has not settled its preset) when the run stops.
 */
function strictStops(): Scenario {
  const a = new Export({ seed: 25 });
  a.fillTo(1.05 * MiB);
  const noTime = a.line(mp('Open', { distinct_id: 'u_2' }));
  a.line('not json');
  a.fillTo(1.1 * MiB);
  const b = new Export({ seed: 26 });
  b.fillTo(1.2 * MiB);
  return {
    name: '--strict stops at the same file:line (an event without a time, in a later chunk, with the next file being read)',
    files: { 'a.ndjson': a.bytes, 'b.ndjson': b.bytes, 'users.csv': USERS },
    args: [
      '--export',
      'a.ndjson',
      '--export',
      'b.ndjson',
      '--users',
      'users.csv',
      '--window',
      WINDOW,
      '--strict',
      ...SIDE,
    ],
    check(expect, ref) {
      expect(ref.status).toBe(1);
      expect(text(ref.stderr)).toBe(
        `breach-impact: vendor: mixpanel (auto-detected in a.ndjson)\nbreach-impact: a.ndjson:${noTime}: error: event has no readable time (INPUT_BAD_RECORD)\n  hint: drop --strict to skip bad records and list them with --rejects\n`,
      );
    },
  };
}

/** Stdin comes in pipe-sized reads (64 KiB), so a MiB of it is many chunks, and reading waits on the workers. */
function stdinExport(): Scenario {
  const e = new Export({ seed: 28 });
  e.line(mp('Open', { time: T(9), distinct_id: 'u_1' }));
  e.fillTo(0.7 * MiB);
  const bad = e.line('{"event":');
  e.line(mp('Open', { time: T(10), distinct_id: 'mp-ada', $os: 'macOS' }));
  e.fillTo(1.1 * MiB);
  e.line(mp('Open', { time: T(11), distinct_id: 'u_2' }));
  e.fillTo(1.2 * MiB);
  return {
    name: 'stdin (--export -): rejects named <stdin> with their lines',
    files: { 'users.csv': USERS },
    input: e.bytes,
    args: ['--export', '-', '--users', 'users.csv', '--user-key', 'mp_id', ...SIDE],
    check(expect, ref) {
      expect(rejectsOf(ref)).toEqual([['<stdin>', bad, expect.stringMatching(/^invalid JSON/)]]);
      expect(list(userRow(expect, ref, 'u_1').exposed_fields)).toContain('$os');
      userRow(expect, ref, 'u_2');
    },
  };
}

function stdinGzipStrict(): Scenario {
  const e = new Export({ seed: 27 });
  e.fillTo(1.3 * MiB);
  const bad = e.line('{"event":"Open","properties":{"time":"yesterday","distinct_id":"u_1"}}');
  e.fillTo(1.5 * MiB);
  return {
    name: 'stdin, gzipped, --strict: stops at <stdin>:line',
    files: { 'users.csv': USERS },
    input: gzipSync(e.bytes),
    args: ['--export', '-', '--users', 'users.csv', '--window', WINDOW, '--strict', ...SIDE],
    check(expect, ref) {
      expect(ref.status).toBe(1);
      expect(text(ref.stderr)).toContain(
        `<stdin>:${bad}: error: event has no readable time (INPUT_BAD_RECORD)`,
      );
    },
  };
}

function explain(): Scenario {
  const e = new Export({ seed: 29 });
  const anon = { distinct_id: '$device:dev-x', $device_id: 'dev-x' };
  e.line(mp('Page View', { time: T(10), ...anon, $current_url: 'https://app.example.com/login' }));
  e.before(MiB, 50);
  const identify = e.line(
    mp('$identify', {
      time: T(10, 5),
      distinct_id: 'u_3',
      $identified_id: 'u_3',
      $anon_distinct_id: '$device:dev-x',
      $device_id: 'dev-x',
      $user_id: 'u_3',
    }),
  );
  e.fillTo(1.2 * MiB);
  e.line(
    mp('Page View', { time: T(15), ...anon, $current_url: 'https://app.example.com/billing' }),
  );
  return {
    name: '--explain USER: the linking records named by file:line across chunks',
    files: { 'export.ndjson': e.bytes, 'users.csv': USERS },
    args: [
      '--export',
      'export.ndjson',
      '--users',
      'users.csv',
      '--window',
      WINDOW,
      '--explain',
      'u_3',
      ...SIDE,
    ],
    check(expect, ref) {
      const err = text(ref.stderr);
      expect(err).toMatch(/explain u_3: 3 in-window records attributed/);
      expect(err).toContain(`export.ndjson:${identify}`);
      expect(list(userRow(expect, ref, 'u_3').match)).toEqual(
        expect.arrayContaining(['id', 'alias', 'session']),
      );
    },
  };
}

/**
 * Identity and session evidence from records out of the window, spread over chunks that two
 * workers read (a worker numbers the ids and device keys it has seen; the main thread must still
 * make identities in file order), then in-window records that only that evidence attributes.
 */
function outOfWindowEvidence(explain: boolean): Scenario {
  const e = new Export({ seed: explain ? 35 : 36 });
  const before = (h: number, m = 0) => T(h, m, 0, 7); // 7 November: out of the window
  e.line(
    mp('$identify', {
      time: before(10),
      distinct_id: 'u_2',
      $identified_id: 'u_2',
      $anon_distinct_id: 'anon-q',
      $device_id: 'dev-k',
      $user_id: 'u_2',
    }),
  );
  e.line(
    mp('Page View', { time: before(10, 5), distinct_id: '$device:dev-k', $device_id: 'dev-k' }),
  );
  e.line(mp('Page View', { time: before(10, 6), distinct_id: 'anon-t', $device_id: 'dev-t' }));
  e.before(MiB, 70);
  e.line(
    mp('$merge', { time: before(11), distinct_id: 'anon-r', $distinct_ids: ['anon-q', 'anon-r'] }),
  );
  e.line(
    mp('Page View', {
      time: before(11, 5),
      distinct_id: 'anon-t',
      $device_id: 'dev-t',
      $user_id: 'u_6',
    }),
  );
  e.line(mp('Page View', { time: T(9, 0, 0, 10), distinct_id: 'anon-s', $device_id: 'dev-m' }));
  e.fillTo(2 * MiB + 3000);
  e.line(
    mp('Page View', {
      time: T(12),
      distinct_id: 'anon-r',
      $current_url: 'https://app.example.com/a',
    }),
  );
  e.line(
    mp('Page View', {
      time: T(12, 10),
      distinct_id: '$device:dev-k',
      $device_id: 'dev-k',
      $current_url: 'https://app.example.com/b',
    }),
  );
  e.line(
    mp('Page View', {
      time: T(12, 20),
      distinct_id: 'anon-t',
      $device_id: 'dev-t',
      $current_url: 'https://app.example.com/c',
    }),
  );
  e.line(
    mp('Page View', {
      time: T(12, 30),
      distinct_id: 'anon-s',
      $device_id: 'dev-m',
      $current_url: 'https://app.example.com/d',
    }),
  );
  return {
    name: `identities and sessions from out-of-window records across chunks and workers${explain ? ', with --explain' : ''}`,
    files: { 'export.ndjson': e.bytes, 'users.csv': USERS },
    args: [
      '--export',
      'export.ndjson',
      '--users',
      'users.csv',
      '--window',
      WINDOW,
      ...(explain ? ['--explain', 'u_2'] : []),
      ...SIDE,
    ],
    check(expect, ref) {
      const u2 = userRow(expect, ref, 'u_2');
      expect(
        u2.match,
        'anon-r (merged with anon-q) and dev-k reach u_2 only through out-of-window records',
      ).toBe('alias');
      expect(u2.records).toBe('2');
      expect(userRow(expect, ref, 'u_6').match).toBe('alias');
      expect(rowsOf(ref.files.get('unmatched.csv')).map((r) => r.vendor_id)).toContain(
        'anon-s;dev-m',
      );
      if (explain) expect(text(ref.stderr)).toMatch(/explain u_2: 2 in-window records attributed/);
    },
  };
}

function loginSessions(): Scenario {
  const e = new Export({ seed: 30 });
  e.fillTo(0.8 * MiB);
  e.line(mp('Open', { time: T(12, 1, 0, 10), distinct_id: 'anon-y', ip: '198.51.100.23' })); // out of the window
  e.before(MiB, 30);
  e.line(
    mp('Open', {
      time: T(12, 30),
      distinct_id: 'anon-z',
      ip: '198.51.100.23',
      $browser: 'Firefox',
    }),
  );
  e.fillTo(1.1 * MiB);
  e.line(mp('Open', { time: T(12, 10), distinct_id: 'anon-w', ip: '198.51.100.99' }));
  e.line(mp('Open', { time: T(14), distinct_id: 'anon-v', ip: '198.51.100.23' })); // after u_2's login session
  const sessions = [
    'user_id,start,end,ip,user_agent',
    'u_2,2025-11-08T12:00:00Z,2025-11-08T13:00:00Z,198.51.100.23,',
    'u_5,2025-11-08T12:00:00Z,2025-11-08T13:00:00Z,198.51.100.99,',
    '',
  ].join('\n');
  return {
    name: '--sessions: internal login sessions matched on the ip of records in later chunks',
    files: { 'export.ndjson': e.bytes, 'users.csv': USERS, 'sessions.csv': sessions },
    args: [
      '--export',
      'export.ndjson',
      '--users',
      'users.csv',
      '--sessions',
      'sessions.csv',
      '--window',
      WINDOW,
      ...SIDE,
    ],
    check(expect, ref) {
      expect(userRow(expect, ref, 'u_2').match).toBe('session');
      expect(userRow(expect, ref, 'u_5').match).toBe('session');
      const unmatched = rowsOf(ref.files.get('unmatched.csv'));
      expect(
        unmatched.map((r) => r.vendor_id),
        'outside the login session: unmatched',
      ).toContain('anon-v');
    },
  };
}

function notificationBasis(residenceColumns: boolean): Scenario {
  const e = new Export({ seed: residenceColumns ? 31 : 32 });
  e.line(
    mp('Open', {
      time: T(9),
      distinct_id: 'u_1',
      mp_country_code: 'GB',
      $city: 'London',
      $email: 'ada@example.com',
    }),
  );
  e.before(MiB, 80);
  e.line(
    mp('Open', {
      time: T(10),
      distinct_id: 'u_2',
      mp_country_code: 'US',
      $region: 'Virginia',
      $current_url: 'https://app.example.com/reset?token=abc',
    }),
  );
  e.fillTo(1.1 * MiB);
  e.line(
    mp('Open', {
      time: T(11),
      distinct_id: 'u_3',
      mp_country_code: 'CH',
      $email: 'zoe@example.com',
      phone: '+41 44 000 00 00',
    }),
  );
  e.line(mp('Open', { time: T(11, 5), distinct_id: 'u_3', mp_country_code: 'DE' }));
  e.line(mp('Open', { time: T(11, 10), distinct_id: 'u_3', mp_country_code: 'DE' }));
  return {
    name: `--notification-basis, residence ${residenceColumns ? 'from --residence-column (JSON output)' : 'inferred from vendor location chunk by chunk, with the brief'}`,
    files: { 'export.ndjson': e.bytes, 'users.csv': USERS },
    args: [
      '--export',
      'export.ndjson',
      '--users',
      'users.csv',
      '--window',
      WINDOW,
      '--notification-basis',
      ...(residenceColumns
        ? ['--residence-column', 'country,state', '--format', 'json']
        : ['--notification-report', '$OUT/brief.md']),
      ...SIDE,
    ],
    check(expect, ref) {
      if (residenceColumns) {
        const rows = JSON.parse(text(ref.stdout)) as Array<{ user_id: string; residence: string }>;
        expect(rows.find((r) => r.user_id === 'u_2')?.residence).toBe('US-VA');
        return;
      }
      expect(userRow(expect, ref, 'u_1').residence).toBe('GB (inferred)');
      expect(userRow(expect, ref, 'u_3').residence, 'the place most records come from').toMatch(
        /^DE/,
      );
      expect(text(ref.files.get('brief.md'))).toContain('# Breach notification brief');
    },
  };
}

function mixedDirectory(): Scenario {
  const P1 = { time: T(9), distinct_id: 'u_1', $insert_id: 'ins-P1', coupon: 'SAVE10' };
  const a = new Export({ seed: 33 });
  a.line(mp('Purchase', P1));
  a.before(MiB, 20);
  a.line(mp('Open', { time: T(9, 5), distinct_id: 'u_2', memo: 'plain' }));
  a.fillTo(1.1 * MiB);
  // A warehouse copy (a Mixpanel connector CSV): its first row is a copy of P1, the second gives
  // `memo` its first email.
  const csv = [
    'event,time,distinct_id,insert_id,mp_country_code,memo,gift_note',
    `Purchase,${P1.time},u_1,ins-P1,GB,,for mum`,
    `Sign Up,${T(9, 30)},u_4,ins-S4,PL,memo.user4@example.org,`,
    '',
  ].join('\n');
  const Q = { time: T(10), distinct_id: 'u_3', $insert_id: 'ins-Q', color: 'red' };
  const json =
    JSON.stringify(
      [
        JSON.parse(mp('View', Q)),
        JSON.parse(mp('View', { time: T(10), distinct_id: 'u_5', memo: '192.0.2.77' })),
      ],
      null,
      2,
    ) + '\n';
  const d = new Export({ seed: 34 });
  d.line(mp('View', { ...Q, size: 'XL' })); // a copy of the JSON document's record
  d.before(MiB, 45);
  d.line(mp('Open', { time: T(11), distinct_id: 'u_6', memo: '198.51.100.3' }));
  d.fillTo(1.1 * MiB);
  const seg = [
    JSON.stringify({
      type: 'track',
      event: 'Upgrade',
      userId: 'u_2',
      messageId: 'sg-1',
      timestamp: '2025-11-08T13:00:00.000Z',
      context: { ip: '203.0.113.77' },
    }),
    '',
  ].join('\n');
  return {
    name: 'a directory mixing NDJSON with a CSV export and a JSON array between them: applied in file order',
    files: {
      'export/1-events.ndjson': a.bytes,
      'export/2-warehouse.csv': csv,
      'export/3-batch.json': json,
      'export/4-more.ndjson': d.bytes,
      'export/5-segment.ndjson.gz': gzipSync(seg),
      'users.csv': USERS,
    },
    args: [
      '--export',
      'export',
      '--users',
      'users.csv',
      '--window',
      WINDOW,
      '--explain',
      'u_4',
      ...SIDE,
    ],
    check(expect, ref) {
      expect(text(ref.stderr), 'u_4 is matched by a CSV row').toMatch(
        /explain u_4: 1 in-window records attributed\n.*\n +id +export\/2-warehouse\.csv:3 /,
      );
      expect(manifestOf(ref).counts.duplicates).toBe(2);
      expect(list(userRow(expect, ref, 'u_1').exposed_fields)).not.toContain('gift_note');
      expect(list(userRow(expect, ref, 'u_3').exposed_fields)).toContain('color');
      expect(
        list(userRow(expect, ref, 'u_3').exposed_fields),
        'the NDJSON copy comes after the document',
      ).not.toContain('size');
      expect(
        list(userRow(expect, ref, 'u_6').exposed_categories),
        '`memo` is contact: its first email is in the CSV',
      ).toEqual(['account', 'contact']);
      const err = text(ref.stderr);
      expect(
        err.indexOf('vendor: mixpanel (auto-detected in export/1-events.ndjson)'),
      ).toBeGreaterThanOrEqual(0);
      expect(err.indexOf('vendor: mixpanel')).toBeLessThan(
        err.indexOf('vendor: segment (auto-detected in export/5-segment.ndjson.gz)'),
      );
    },
  };
}

export const SCENARIOS: Scenario[] = [
  duplicatesSplit(),
  categoryByLaterValue(),
  autoLockLate(),
  noTrailingNewline(),
  loneSurrogates(),
  crlfAndBom(),
  blankLines(),
  longLines(),
  absoluteLines(),
  gzipDamaged(),
  strictStops(),
  stdinExport(),
  stdinGzipStrict(),
  explain(),
  outOfWindowEvidence(false),
  outOfWindowEvidence(true),
  loginSessions(),
  notificationBasis(false),
  notificationBasis(true),
  mixedDirectory(),
];
