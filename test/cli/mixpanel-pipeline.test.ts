/**
 * Mixpanel's JSON Data Pipelines (docs/FORMATS.md §1.3): events, people and identity mappings are
 * read as Mixpanel (a real misdetection: events were taken for PostHog profiles with no time),
 * and the result is the one fixtures/vendors/mixpanel-pipeline/EXPECTED.md derives by hand.
 */
import { describe, expect, it } from 'vitest';
import { accounting, run } from './run.js';

const DIR = 'fixtures/vendors/mixpanel-pipeline';
const BASE = [
  'correlate',
  '--export',
  `${DIR}/export`,
  '--users',
  `${DIR}/users.csv`,
  '--window',
  '2025-11-08T00:00:00Z/2025-11-09T00:00:00Z',
  '--columns',
  'user_id,match,records,first_seen,last_seen,exposed_fields',
];

function rows(stdout: string): Map<string, Record<string, string>> {
  const [head, ...lines] = stdout.trim().split('\n');
  const cols = head!.split(',');
  return new Map(
    lines.map((l) => {
      const cells = l.split(',');
      return [cells[0]!, Object.fromEntries(cols.map((c, i) => [c, cells[i]!]))];
    }),
  );
}

describe('Mixpanel JSON Data Pipelines', () => {
  const r = run(BASE);

  it('is read as Mixpanel, every record in its bucket as EXPECTED.md derives', () => {
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('vendor: mixpanel');
    expect(r.stderr).not.toContain('posthog');
    expect(accounting(r.stderr)).toEqual({ read: 13, buckets: [0, 1, 11, 1, 0] });
    expect(r.stderr).toContain('(1 duplicate among them)');
  });

  it('attributes through the identity mappings, people rows, emails and a BigQuery extract', () => {
    const by = rows(r.stdout);
    expect([...by.keys()]).toEqual(['u_5001', 'u_5002', 'u_5003', 'u_5004', 'u_5005']);
    expect(by.get('u_5001')).toMatchObject({ records: '6', first_seen: '2025-11-08T09:00:00Z' });
    expect(by.get('u_5002')).toMatchObject({ match: 'id;alias', records: '2' });
    expect(by.get('u_5003')).toMatchObject({ records: '1', first_seen: '' });
    expect(by.get('u_5004')!.match).toBe('email');
    expect(by.get('u_5005')).toMatchObject({ first_seen: '2025-11-08T11:00:00.250Z' });
    expect(by.get('u_5005')!.exposed_fields).toContain('$current_url#email');
  });

  it('--timezone does not shift a pipeline time (a TIMESTAMP, UTC)', () => {
    const berlin = run([...BASE, '--timezone', 'Europe/Berlin']);
    expect(berlin.status, berlin.stderr).toBe(0);
    expect(berlin.stdout).toBe(r.stdout);
    expect(berlin.stderr).not.toMatch(/without a zone read in/);
  });
});
