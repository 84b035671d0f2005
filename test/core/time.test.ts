import { describe, expect, it } from 'vitest';
import {
  formatIso,
  ianaZone,
  isZoneless,
  parseDuration,
  parseTimestamp,
  utcZone,
} from '../../src/core/time.js';

// 2025-11-08T12:34:56Z, the reference instant used throughout.
const T = Date.UTC(2025, 10, 8, 12, 34, 56);

describe('parseTimestamp: ISO 8601 and zone-less forms (SPEC §2)', () => {
  it.each<[string, string, number]>([
    ['ISO with Z', '2025-11-08T12:34:56Z', T],
    ['ISO with lower-case z', '2025-11-08T12:34:56z', T],
    ['ISO with Z and milliseconds', '2025-11-08T12:34:56.789Z', T + 789],
    ['ISO with comma fraction', '2025-11-08T12:34:56,5Z', T + 500],
    ['ISO with +00:00', '2025-11-08T12:34:56+00:00', T],
    ['ISO with +05:30', '2025-11-08T18:04:56+05:30', T],
    ['ISO with +0530', '2025-11-08T18:04:56+0530', T],
    ['ISO with -0800', '2025-11-08T04:34:56-0800', T],
    ['ISO with -08:00', '2025-11-08T04:34:56-08:00', T],
    ['ISO with -08 (hours only)', '2025-11-08T04:34:56-08', T],
    ['ISO with offset crossing the date line', '2025-11-09T01:34:56+13:00', T],
    [
      '#14 space-separated with µs, no zone = UTC, µs kept',
      '2025-11-08 12:34:56.123456',
      (T * 1000 + 123456) / 1000,
    ],
    ['space-separated without fraction = UTC', '2025-11-08 12:34:56', T],
    ['space-separated with zone after a space', '2025-11-08 13:34:56 +0100', T],
    ['BigQuery extract: `UTC` spelled out', '2025-11-08 12:34:56.789 UTC', T + 789],
    ['ISO without zone = UTC', '2025-11-08T12:34:56', T],
    ['ISO without seconds', '2025-11-08T12:34', T - 56_000],
    [
      'fraction is truncated to the µs, not rounded',
      '2025-11-08T12:34:56.9999999Z',
      (T * 1000 + 999999) / 1000,
    ],
    ['nanosecond fraction: µs kept', '2025-11-08T12:34:56.123456789Z', (T * 1000 + 123456) / 1000],
    ['date only = UTC midnight', '2025-11-08', Date.UTC(2025, 10, 8)],
    ['surrounding whitespace', '  2025-11-08T12:34:56Z\n', T],
    ['leap day', '2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
    ['before 1970', '1969-07-20T20:17:40Z', Date.UTC(1969, 6, 20, 20, 17, 40)],
  ])('%s: %j', (_name, input, expected) => {
    expect(parseTimestamp(input)).toBe(expected);
  });
});

describe('parseTimestamp: epochs told apart by magnitude', () => {
  it.each<[string, unknown, number]>([
    ['epoch seconds', 1762605296, T],
    ['epoch seconds with fraction', 1762605296.25, T + 250],
    ['epoch milliseconds', 1762605296789, T + 789],
    ['#14 epoch microseconds keep their µs', 1762605296789123, (T * 1000 + 789123) / 1000],
    ['numeric string, seconds', '1762605296', T],
    ['numeric string, seconds with fraction', '1762605296.5', T + 500],
    ['numeric string, milliseconds', '1762605296000', T],
    ['numeric string, microseconds', '1762605296000000', T],
    ['numeric string with whitespace', ' 1762605296 ', T],
    ['zero', 0, 0],
    ['small seconds (1973)', 100_000_000, 100_000_000_000],
    ['negative epoch seconds', -86400, -86_400_000],
    ['negative epoch seconds as a string', '-86400', -86_400_000],
    ['negative one second', -1, -1000],
    ['negative seconds, 1969 moon landing', -14182940, Date.UTC(1969, 6, 20, 20, 17, 40)],
  ])('%s: %j', (_name, input, expected) => {
    expect(parseTimestamp(input)).toBe(expected);
  });
});

describe('parseTimestamp: not a timestamp → NaN', () => {
  it.each<[string, unknown]>([
    ['empty string', ''],
    ['whitespace', '   '],
    ['a word', 'yesterday'],
    ['garbage with digits', '2025-11-08Tnoon'],
    ['month 13', '2025-13-01'],
    ['month 00', '2025-00-10'],
    ['month 13 with time', '2025-13-01T00:00:00Z'],
    ['day 32', '2025-11-32'],
    ['day 00', '2025-11-00'],
    ['hour 24', '2025-11-08T24:00:00Z'],
    ['minute 60', '2025-11-08T12:60:00Z'],
    ['time only', '12:34:56'],
    ['two-digit year', '25-11-08'],
    ['US date', '11/08/2025'],
    ['trailing junk', '2025-11-08T12:34:56Zjunk'],
    ['number-like junk', '12e5x'],
    ['null', null],
    ['undefined', undefined],
    ['boolean', true],
    ['object', {}],
    ['NaN', NaN],
    ['Infinity', Infinity],
  ])('%s', (_name, input) => {
    expect(parseTimestamp(input)).toBeNaN();
  });
});

describe('parseTimestamp: impossible calendar dates', () => {
  // Regression: the day was only checked against 31, so Date.UTC rolled Feb 30 over to Mar 2.
  // A value that names no real day is not a timestamp; shifting it moves a record across a
  // window edge.
  it.each<[string]>([['2025-02-30T00:00:00Z'], ['2025-04-31'], ['2023-02-29 10:00:00']])(
    '%s → NaN',
    (input) => {
      expect(parseTimestamp(input)).toBeNaN();
    },
  );
});

describe('ianaZone: wall-clock times in a named zone', () => {
  const berlin = ianaZone('Europe/Berlin');
  const ny = ianaZone('America/New_York');

  it.each<[string, string, ReturnType<typeof ianaZone>, number]>([
    ['Berlin winter (CET, +1)', '2025-01-15 12:00:00', berlin, Date.UTC(2025, 0, 15, 11)],
    ['Berlin summer (CEST, +2)', '2025-07-01 12:00:00', berlin, Date.UTC(2025, 6, 1, 10)],
    ['Berlin ISO without zone', '2025-07-01T12:00:00', berlin, Date.UTC(2025, 6, 1, 10)],
    ['Berlin date only', '2025-07-01', berlin, Date.UTC(2025, 5, 30, 22)],
    [
      'Berlin with fraction',
      '2025-01-15 12:00:00.250',
      berlin,
      Date.UTC(2025, 0, 15, 11, 0, 0, 250),
    ],
    ['Berlin day after DST start', '2025-03-31 02:30:00', berlin, Date.UTC(2025, 2, 31, 0, 30)],
    ['New York winter (EST, -5)', '2025-01-15 12:00:00', ny, Date.UTC(2025, 0, 15, 17)],
    ['New York summer (EDT, -4)', '2025-07-01 12:00:00', ny, Date.UTC(2025, 6, 1, 16)],
    // 2025-03-09: clocks jump from 02:00 EST to 03:00 EDT.
    ['New York DST start, before the jump', '2025-03-09 01:30:00', ny, Date.UTC(2025, 2, 9, 6, 30)],
    ['New York DST start, after the jump', '2025-03-09 03:30:00', ny, Date.UTC(2025, 2, 9, 7, 30)],
    ['New York DST start, midnight', '2025-03-09 00:00:00', ny, Date.UTC(2025, 2, 9, 5)],
    ['New York DST start, evening', '2025-03-09 23:00:00', ny, Date.UTC(2025, 2, 10, 3)],
    // 2025-11-02: clocks fall back from 02:00 EDT to 01:00 EST.
    ['New York DST end, before', '2025-11-02 00:30:00', ny, Date.UTC(2025, 10, 2, 4, 30)],
    ['New York DST end, after', '2025-11-02 03:00:00', ny, Date.UTC(2025, 10, 2, 8)],
  ])('%s: %s', (_name, input, zone, expected) => {
    expect(parseTimestamp(input, zone)).toBe(expected);
  });

  it('resolves the repeated hour of a fall-back day to one of its two instants', () => {
    const got = parseTimestamp('2025-11-02 01:30:00', ny);
    expect([Date.UTC(2025, 10, 2, 5, 30), Date.UTC(2025, 10, 2, 6, 30)]).toContain(got);
  });

  it('resolves the skipped hour of a spring-forward day to a nearby instant', () => {
    const got = parseTimestamp('2025-03-09 02:30:00', ny);
    expect([Date.UTC(2025, 2, 9, 6, 30), Date.UTC(2025, 2, 9, 7, 30)]).toContain(got);
  });

  it.each<[string, unknown, number]>([
    ['explicit Z ignores the zone', '2025-07-01T12:00:00Z', Date.UTC(2025, 6, 1, 12)],
    ['explicit offset ignores the zone', '2025-07-01T12:00:00+05:30', Date.UTC(2025, 6, 1, 6, 30)],
    ['epoch seconds ignore the zone', 1762605296, T],
    ['numeric string ignores the zone', '1762605296000', T],
  ])('%s', (_name, input, expected) => {
    expect(parseTimestamp(input, berlin)).toBe(expected);
    expect(parseTimestamp(input, ny)).toBe(expected);
  });

  it('utcZone is the default', () => {
    expect(parseTimestamp('2025-07-01 12:00:00', utcZone)).toBe(
      parseTimestamp('2025-07-01 12:00:00'),
    );
    expect(parseTimestamp('2025-07-01 12:00:00')).toBe(Date.UTC(2025, 6, 1, 12));
  });
});

describe('formatIso', () => {
  it.each<[number, string]>([
    [T, '2025-11-08T12:34:56Z'],
    [T + 789, '2025-11-08T12:34:56.789Z'],
    [T + 120, '2025-11-08T12:34:56.120Z'],
    [T + 1, '2025-11-08T12:34:56.001Z'],
    [0, '1970-01-01T00:00:00Z'],
    [Date.UTC(2025, 0, 1), '2025-01-01T00:00:00Z'],
    [-1000, '1969-12-31T23:59:59Z'],
  ])('%d → %s', (ms, expected) => {
    expect(formatIso(ms)).toBe(expected);
  });

  it.each<[string]>([
    ['2025-11-08T12:34:56Z'],
    ['2025-11-08T12:34:56.789Z'],
    ['1999-12-31T23:59:59Z'],
    ['2025-11-08T12:34:56.347831Z'],
    ['2025-11-08T12:34:56.000001Z'],
    ['1969-07-20T20:17:40.500001Z'],
  ])('round-trips %s', (s) => {
    expect(formatIso(parseTimestamp(s))).toBe(s);
  });

  it('#14 a GA4 event at …18.347831 lies before a window ending …18.347832, whatever the spelling', () => {
    const end = parseTimestamp('2025-11-08T09:00:18.347832Z');
    const asMicros = parseTimestamp(1762592418347831);
    const asText = parseTimestamp('2025-11-08 09:00:18.347831');
    expect(asMicros).toBe(asText);
    expect(asMicros < end).toBe(true);
    expect(parseTimestamp(1762592418347832)).toBe(end);
    expect(formatIso(asMicros)).toBe('2025-11-08T09:00:18.347831Z');
  });
});

describe('parseDuration', () => {
  it.each<[string, number]>([
    ['30m', 30 * 60_000],
    ['2h', 2 * 3_600_000],
    ['90s', 90_000],
    ['500ms', 500],
    ['1d', 86_400_000],
    ['0', 0],
    ['1.5h', 5_400_000],
    [' 30m ', 1_800_000],
  ])('%j → %d ms', (input, expected) => {
    expect(parseDuration(input)).toBe(expected);
  });

  it.each<[string]>([
    [''],
    ['abc'],
    ['45'],
    ['m'],
    ['30x'],
    ['-5m'],
    ['1h30m'],
    ['30 minutes'],
    ['ms'],
    ['h2'],
  ])('%j → NaN', (input) => {
    expect(parseDuration(input)).toBeNaN();
  });
});

describe('isZoneless: the times --timezone may shift', () => {
  it.each<[string, boolean]>([
    ['2025-11-08 12:34:56', true],
    ['2025-11-08T12:34:56', true],
    ['2025-11-08T12:34:56Z', false],
    ['2025-11-08 12:34:56 UTC', false],
    ['2025-11-08T12:34:56+01:00', false],
  ])('%s: %s', (input, zoneless) => {
    expect(isZoneless(input)).toBe(zoneless);
  });
});
