/**
 * The notification basis (issue #7), table-driven: for each regime, each verdict with the
 * combination that fired or the element that was missing. Rules come from rules/*.json.
 */
import { describe, expect, it } from 'vitest';
import { verdictFor, type Category } from '../../src/core/categorize.js';
import { basisText, compileElements, evaluate, regimesFor } from '../../src/core/notification.js';
import { loadRules } from '../../src/io/rules.js';

const rules = loadRules();
const elementsOf = compileElements(rules.elements);
const regime = (id: string) => rules.regimes.find((r) => r.id === id)!;
/** A field's category as if its values could carry what its name says (a name alone decides nothing: issue 14). */
const claimed = (f: string): Category => {
  const v = verdictFor(f);
  return v.base !== 'other' ? v.base : (v.tests[0]?.category ?? 'other');
};
const cat =
  (extra: Record<string, Category> = {}) =>
  (f: string) =>
    extra[f] ??
    (f.endsWith('#token') ? 'credential' : f.endsWith('#email') ? 'contact' : claimed(f));

function verdict(
  id: string,
  fields: string[],
  methods: string[] = ['id'],
  vendorIds: string[] = ['u1'],
) {
  const el = elementsOf({ fields, categoryOf: cat(), methods, vendorIds });
  return evaluate(regime(id), el, false);
}

const MIXPANEL = [
  '$name',
  '$email',
  '$city',
  '$region',
  'mp_country_code',
  '$os',
  '$browser',
  '$referrer',
  'distinct_id',
  'org_id',
];
const US_STATES = ['us-ca', 'us-fl', 'us-il', 'us-ny', 'us-tx', 'us-wa', 'us-default'];

describe('regimes by residence', () => {
  it.each([
    ['US-CA', ['us-ca']],
    ['US-FL', ['us-fl']],
    ['US-VA', ['us-default']],
    ['US', ['us-default']],
    ['DE', ['gdpr']],
    ['NO', ['gdpr']],
    ['GB', ['uk-gdpr']],
    ['BR', []],
    ['unknown', ['gdpr', 'us-default']],
  ])('%s → %j', (residence, ids) => {
    expect(regimesFor(residence, rules.regimes).map((r) => r.id)).toEqual(ids);
  });
});

describe('a Mixpanel-style exposure (name, email, coarse location, device, referrer, ids)', () => {
  it.each(['gdpr', 'uk-gdpr'])('%s: assess (Art. 33 risk assessment)', (id) => {
    const b = verdict(id, MIXPANEL);
    expect(b.verdict).toBe('assess');
    expect(b.detail).toMatch(/Art\. 33 risk assessment/);
  });
  it.each(US_STATES.filter((s) => s !== 'us-fl'))(
    '%s: not notifiable, saying what is missing',
    (id) => {
      const b = verdict(id, MIXPANEL);
      expect(b.verdict).toBe('not notifiable');
      expect(b.detail).toMatch(/no name with a .*and no email or username with a password/);
      expect(b.fields).toEqual([]);
    },
  );
  it('us-fl: assess, because name + geolocation is a counsel call', () => {
    const b = verdict('us-fl', MIXPANEL);
    expect(b).toMatchObject({
      verdict: 'assess',
      fields: ['$city', '$name', '$region', 'mp_country_code'],
    });
    expect(b.detail).toMatch(/information regarding an individual's geolocation/);
  });
});

describe('notifiable combinations', () => {
  it.each(US_STATES)('%s: email + password (Category 2)', (id) => {
    const b = verdict(id, ['$email', 'password']);
    expect(b.verdict).toBe('notifiable');
    expect(b.detail).toMatch(
      /^(Category 2|online account credentials): email \(\$email\) \+ password \(password\)$/,
    );
    expect(b.condition).toBeUndefined();
  });
  it.each(US_STATES)(
    '%s: email + a reset token in a URL, with the condition counsel must confirm',
    (id) => {
      const b = verdict(id, ['$current_url', '$current_url#email', '$current_url#token']);
      expect(b.verdict).toBe('notifiable');
      expect(b.detail).toContain('email ($current_url#email) + credential ($current_url#token)');
      expect(b.fields).toEqual(['$current_url#email', '$current_url#token']);
      expect(b.condition).toMatch(/still permitted access/);
      expect(basisText(b)).toMatch(/\[condition: counsel to confirm/);
    },
  );
  it.each(US_STATES)('%s: name + SSN (Category 1)', (id) => {
    expect(verdict(id, ['$name', 'ssn'])).toMatchObject({
      verdict: 'notifiable',
      fields: ['$name', 'ssn'],
    });
  });
  it.each(US_STATES)('%s: name + card number + CVV, but not without the code', (id) => {
    expect(verdict(id, ['first_name', 'card_number', 'cvv']).verdict).toBe('notifiable');
    expect(verdict(id, ['first_name', 'card_number']).verdict).not.toBe('notifiable');
  });
  it('us-wa counts a full date of birth with a name; us-ca does not', () => {
    expect(verdict('us-wa', ['$name', 'date_of_birth']).verdict).toBe('notifiable');
    expect(verdict('us-ca', ['$name', 'date_of_birth']).verdict).toBe('not notifiable');
  });
  it('us-ny counts biometric data with a name; us-tx does not', () => {
    expect(verdict('us-ny', ['$name', 'fingerprint']).verdict).toBe('notifiable');
    expect(verdict('us-tx', ['$name', 'fingerprint']).verdict).toBe('not notifiable');
  });
  it('an email used as the vendor id is an exposed email', () => {
    expect(verdict('us-ca', ['password'], ['email'], ['Ada@example.com'])).toMatchObject({
      verdict: 'notifiable',
      detail: 'Category 2: email (email match, email as vendor id) + password (password)',
    });
  });
  it('a password alone, without an email or username, is not notifiable', () => {
    expect(verdict('us-ca', ['password', 'distinct_id']).verdict).toBe('not notifiable');
  });
});

describe('rule files', () => {
  it('every regime cites its statute, names a version, and carries sources', () => {
    for (const r of rules.regimes) {
      expect(r.citation.length, r.id).toBeGreaterThan(20);
      expect(r.version, r.id).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(r.sources.length, r.id).toBeGreaterThan(0);
    }
    expect(rules.regimes.map((r) => r.id)).toEqual([
      'gdpr',
      'uk-gdpr',
      'us-ca',
      'us-default',
      'us-fl',
      'us-il',
      'us-ny',
      'us-tx',
      'us-wa',
    ]);
  });
});
