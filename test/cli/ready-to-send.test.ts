/**
 * Issue 15 through the CLI: what the notification team imports. The goldens pin the sentences
 * (summary-demo-*), renames (columns-renamed*), events and sources; this checks the manifest's
 * language counts and the usage errors.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, run } from './run.js';

const dir = mkdtempSync(join(tmpdir(), 'bi-send-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const DEMO = [
  '--export',
  'fixtures/demo/export',
  '--users',
  'fixtures/demo/users.csv',
  '--user-key',
  'mixpanel_distinct_id',
  '--window',
  '2025-11-08T00:00:00Z/2025-11-09T17:00:00Z',
];

describe('#15 ready to send', () => {
  it('the manifest counts users per language, and the locales that fell back to English', () => {
    const m = join(dir, 'm.json');
    const r = run(
      [
        'correlate',
        ...DEMO,
        '--columns',
        'user_id,locale,exposed_summary',
        '--locale-column',
        'locale',
        '--manifest',
        m,
        '--quiet',
      ],
      { cwd: ROOT },
    );
    expect(r.status, r.stderr).toBe(0);
    const man = JSON.parse(readFileSync(m, 'utf8'));
    const rows = r.stdout.trim().split('\n').slice(1);
    const langs = man.exposed_summary.languages as Record<string, number>;
    expect(Object.values(langs).reduce((a, b) => a + b, 0)).toBe(rows.length);
    expect(langs.de).toBeGreaterThan(0);
    expect(Object.keys(man.exposed_summary.locale_fallbacks).length).toBeGreaterThan(0); // pl-PL has no phrase file
    expect(man.output_columns).toEqual(['user_id', 'locale', 'exposed_summary']);
    for (const row of rows.filter((l) => l.includes(',de-'))) expect(row).toMatch(/Ihr|Ihre/);
  });

  it('a locale value with no phrase file reads English, and a users-table column can be renamed', () => {
    writeFileSync(
      join(dir, 'users.csv'),
      'id,email,lang,Full Name\nu1,a@example.com,pt-BR,Ana Souza\n',
    );
    writeFileSync(
      join(dir, 'e.ndjson'),
      JSON.stringify({
        event: 'Login',
        properties: { time: 1762592400, distinct_id: 'u1', $city: 'Recife' },
      }) + '\n',
    );
    const r = run(
      [
        'correlate',
        '--export',
        'e.ndjson',
        '--users',
        'users.csv',
        '--columns',
        'full name=Nome,exposed_summary=Resumo',
        '--locale-column',
        'LANG',
        '--quiet',
      ],
      { cwd: dir },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(
      'Nome,Resumo\nAna Souza,"your approximate location (city and country), the identifiers our app gave you and your device, and the actions you took in our app, such as “Login”"\n',
    );
  });

  it.each<[string[], string]>([
    [
      ['--locale', 'de'],
      '--locale sets the language of exposed_summary, which the output does not have',
    ],
    [
      ['--locale-column', 'locale'],
      '--locale-column sets the language of exposed_summary, which the output does not have',
    ],
    [
      ['--columns', 'user_id', '--user-columns', 'name'],
      'give --columns or --user-columns, not both',
    ],
    [
      ['--columns', 'user_id,email=Mail,name=Mail'],
      '--columns: two columns would be headed "Mail"',
    ],
    [['--columns', 'user_id,=X'], '--columns: "=X" names no column'],
  ])('usage error: %j', (args, message) => {
    const r = run(['correlate', ...DEMO, ...args], { cwd: ROOT });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(message);
  });
});
