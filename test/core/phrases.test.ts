/**
 * Issue 15: exposed_summary's phrases are data (phrases/); every exposed field has a phrase in
 * every shipped language, a credential always its own, and lists read as each language writes them.
 */
import { describe, expect, it } from 'vitest';
import { CATEGORIES, type Category } from '../../src/core/categorize.js';
import { FAMILIES } from '../../src/core/families.js';
import { languageOf, Summarizer } from '../../src/core/phrases.js';
import { loadPhrases } from '../../src/io/phrases.js';

const { map, languages } = loadPhrases();
const s = new Summarizer(map, languages);
const LANGS = ['en', 'de', 'fr', 'es'];

describe('#15 phrases as data', () => {
  it('ships English, German, French and Spanish, each with every phrase the map can give', () => {
    expect([...languages.keys()].sort()).toEqual([...LANGS].sort());
    for (const l of LANGS)
      for (const p of [...map.order, 'actions_examples'])
        expect(languages.get(l)!.phrases[p], `${l}: ${p}`).toBeTruthy();
  });

  it.each(CATEGORIES.map((c) => [c]))(
    'every field of category %s falls on a phrase (no field falls through)',
    (category) => {
      for (const field of ['x', 'properties.some_thing', '$custom', 'a.b.c', 'weird name#1'])
        expect(s.phraseOf(field, category as Category), field).toBeDefined();
    },
  );

  it.each(FAMILIES.map((f) => [f.id, f]))('family %s has a phrase', (_id, f) => {
    const member = {
      feature_flags: 'properties.$feature/beta',
      experiments: 'experiment_variant',
      utm: 'utm_source',
      click_ids: 'gclid',
      ga4_bookkeeping: 'event_params.ga_session_number',
      screen: '$screen_width',
    }[(f as { id: string }).id]!;
    expect((f as { match: RegExp }).match.test(member)).toBe(true);
    for (const c of CATEGORIES) expect(s.phraseOf(member, c)).toBeDefined();
  });

  it.each<[string, Category, string]>([
    ['$email', 'contact', 'email'],
    ['traits.email', 'contact', 'email'],
    ['$first_name', 'contact', 'name'],
    ['$phone', 'contact', 'phone'],
    ['$city', 'location', 'approximate_location'],
    ['properties.$geoip_postal_code', 'location', 'precise_location'],
    ['properties.$geoip_latitude', 'location', 'precise_location'],
    ['context.ip', 'location', 'ip_address'],
    ['$browser', 'device', 'device'],
    ['$current_url', 'web', 'pages'],
    ['$initial_referring_domain', 'web', 'referrers'],
    ['utm_campaign', 'web', 'referrers'],
    ['$search_engine', 'web', 'searches'],
    ['distinct_id', 'account', 'identifiers'],
    ['properties.$feature/new-onboarding', 'other', 'app_features'],
    ['password', 'credential', 'password'],
    ['properties.reset_token', 'credential', 'credential'],
    ['$current_url#token', 'credential', 'credential_link'],
    ['$current_url#email', 'contact', 'email'],
    ['plan', 'other', 'other'],
  ])('%s (%s) → %s', (field, category, phrase) => {
    expect(s.phraseOf(field, category)).toBe(phrase);
  });

  it('a credential always gets its own explicit phrase, in every language', () => {
    const cat = (f: string): Category =>
      f.endsWith('#token') || f === 'api_key' ? 'credential' : f === '$email' ? 'contact' : 'other';
    for (const l of LANGS) {
      expect(s.sentence(l, ['$email', 'api_key'], cat)).toContain(
        languages.get(l)!.phrases.credential!,
      );
      expect(s.sentence(l, ['$current_url#token'], cat)).toContain(
        languages.get(l)!.phrases.credential_link!,
      );
    }
  });

  it.each<[string, string]>([
    [
      'en',
      'your name, your email address, and the actions you took in our app, such as “Login” and “Page View”',
    ],
    [
      'de',
      'Ihr Name, Ihre E-Mail-Adresse und Ihre Aktionen in unserer App, etwa „Login“ und „Page View“',
    ],
    [
      'fr',
      'votre nom, votre adresse e-mail et les actions que vous avez effectuées dans notre application, par exemple « Login » et « Page View »',
    ],
    [
      'es',
      'su nombre, su dirección de correo electrónico y las acciones que realizó en nuestra aplicación, como «Login» y «Page View»',
    ],
  ])(
    '%s: one sentence, phrases once each, in order, at most three event examples, vendor-internal names left out',
    (lang, sentence) => {
      const cat = (f: string): Category => (f === 'plan' ? 'other' : 'contact');
      expect(
        s.sentence(lang, ['$email', '$name', 'email'], cat, ['$identify', 'Login', 'Page View']),
      ).toBe(sentence);
    },
  );

  it.each<[string, string]>([
    ['de', 'de'],
    ['de-AT', 'de'],
    ['fr_FR', 'fr'],
    ['fr_FR.UTF-8', 'fr'],
    ['ES', 'es'],
    [' en-GB ', 'en'],
  ])('locale %j → %s', (value, lang) => {
    expect(languageOf(value)).toBe(lang);
  });
});
