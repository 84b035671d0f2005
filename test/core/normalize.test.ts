import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  emailHashRecipes,
  gmailCanonical,
  isEmailShaped,
  isHashShaped,
  isIpShaped,
  normalizeEmail,
  stripDevicePrefix,
  type HashFn,
} from '../../src/core/normalize.js';

const hashFn: HashFn = (name, s) => createHash(name).update(s, 'utf8').digest('hex');

describe('normalizeEmail: trim, NFC, lower-case; non-emails → empty', () => {
  it.each<[string, string, string]>([
    ['already normal', 'alice@example.com', 'alice@example.com'],
    ['upper-case', 'Alice@Example.COM', 'alice@example.com'],
    ['surrounding spaces', '  alice@example.com  ', 'alice@example.com'],
    ['tabs and newline', '\talice@example.com\r\n', 'alice@example.com'],
    [
      'plus tag kept (not gmail canonicalisation)',
      'Alice+News@Example.com',
      'alice+news@example.com',
    ],
    ['dots kept', 'first.last@example.com', 'first.last@example.com'],
    ['decomposed é becomes composed é', 'jose\u0301@example.com', 'jos\u00e9@example.com'],
    ['composed é stays composed', 'jos\u00e9@example.com', 'jos\u00e9@example.com'],
    ['decomposed upper-case É', 'JOSE\u0301@EXAMPLE.COM', 'jos\u00e9@example.com'],
    ['non-ASCII domain', 'anna@b\u00fccher.de', 'anna@b\u00fccher.de'],
    ['decomposed ü in the domain', 'Anna@Bu\u0308cher.de', 'anna@b\u00fccher.de'],
  ])('%s: %j', (_name, input, expected) => {
    expect(normalizeEmail(input)).toBe(expected);
  });

  it('a decomposed and a composed address normalize to the same string', () => {
    expect(normalizeEmail('Ren\u0065\u0301e@Example.com')).toBe(
      normalizeEmail('ren\u00e9e@example.com'),
    );
    expect(normalizeEmail('Ren\u0065\u0301e@Example.com')).toBe('ren\u00e9e@example.com');
  });

  it.each<[string, string]>([
    ['empty', ''],
    ['spaces only', '   '],
    ['no @', 'alice.example.com'],
    ['plain id', 'user_123'],
    ['no local part', '@example.com'],
    ['no domain dot', 'alice@localhost'],
    ['too short', 'a@b'],
    ['space inside', 'alice smith@example.com'],
    ['two @', 'alice@@example.com'],
    ['device id', '$device:18c2f-abc'],
    ['a UUID', '8b2c1f3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f'],
  ])('not an email (%s) → empty string', (_name, input) => {
    expect(normalizeEmail(input)).toBe('');
  });
});

describe('isEmailShaped', () => {
  it.each<[string, boolean]>([
    ['a@example.com', true],
    ['a.b+c@sub.example.co.uk', true],
    ['alice', false],
    ['alice@', false],
    ['alice@example', false],
    [' alice@example.com', false],
  ])('%j → %s', (input, expected) => {
    expect(isEmailShaped(input)).toBe(expected);
  });
});

describe('gmailCanonical', () => {
  it.each<[string, string | undefined]>([
    ['john.doe+news@gmail.com', 'johndoe@gmail.com'],
    ['john.doe@gmail.com', 'johndoe@gmail.com'],
    ['johndoe+tag@gmail.com', 'johndoe@gmail.com'],
    ['j.o.h.n+a+b@gmail.com', 'john@gmail.com'],
    ['johndoe@gmail.com', undefined], // already canonical: nothing new to try
    ['john.doe+news@example.com', undefined], // other providers keep dots and tags
    ['john.doe@gmail.co', undefined],
    ['john.doe@gmail.com.evil.example', undefined],
    ['john.doe@notgmail.com', undefined],
  ])('%j → %j', (input, expected) => {
    expect(gmailCanonical(input)).toBe(expected);
  });

  it.each<[string]>([
    ['john.doe@googlemail.com'],
    ['john.doe+x@googlemail.com'],
    ['j.ohn.doe@googlemail.com'],
  ])('googlemail.com is canonicalized too: %j', (input) => {
    const got = gmailCanonical(input);
    expect(got).toBeDefined();
    expect(got!.split('@')[0]).toBe('johndoe');
    expect(['gmail.com', 'googlemail.com']).toContain(got!.split('@')[1]);
  });
});

describe('isHashShaped: 32/40/64 hex only', () => {
  const hex = (n: number) => '0123456789abcdef'.repeat(8).slice(0, n);
  it.each<[string, string, boolean]>([
    ['md5 (32)', hex(32), true],
    ['sha1 (40)', hex(40), true],
    ['sha256 (64)', hex(64), true],
    ['upper-case sha256', hex(64).toUpperCase(), true],
    ['real sha256', '08168cd80dfd534ab0f10af10f1303fe00af2d43ab5c1432360d137f8197e17a', true],
    ['31 hex', hex(31), false],
    ['33 hex', hex(33), false],
    ['39 hex', hex(39), false],
    ['41 hex', hex(41), false],
    ['48 hex (sha192)', hex(48), false],
    ['63 hex', hex(63), false],
    ['65 hex', hex(65), false],
    ['128 hex (sha512)', hex(64) + hex(64), false],
    ['32 chars with a g', hex(31) + 'g', false],
    ['64 chars with a space', hex(63) + ' ', false],
    ['UUID with dashes (36)', '8b2c1f3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f', false],
    ['UUID without dashes (32 hex)', '8b2c1f3e4a5b4c6d8e7f9a0b1c2d3e4f', true],
    ['empty', '', false],
  ])('%s', (_name, input, expected) => {
    expect(isHashShaped(input)).toBe(expected);
  });
});

describe('isIpShaped', () => {
  it.each<[string, boolean]>([
    ['192.168.1.1', true],
    ['8.8.8.8', true],
    ['0.0.0.0', true],
    ['255.255.255.255', true],
    ['10.0.0.254', true],
    ['::1', true],
    ['2001:db8::1', true],
    ['2001:0db8:85a3:0000:0000:8a2e:0370:7334', true],
    ['fe80::1ff:fe23:4567:890a', true],
    ['1.2.3', false], // a version string
    ['1.2.3.4.5', false],
    ['256.1.1.1', false],
    ['1.2.3.999', false],
    ['v1.2.3', false],
    ['10.0.0', false],
    ['1.2.3.4a', false],
    ['example.com', false],
    ['hello', false],
    ['', false],
    ['dead:beef', false],
  ])('%j → %s', (input, expected) => {
    expect(isIpShaped(input)).toBe(expected);
  });

  // Regression: IPv4-mapped IPv6 (as Node reports IPv4 clients) was not recognised, and a clock
  // time or a MAC address was taken for IPv6 (and so categorised `location`).
  it.each<[string, boolean]>([
    ['::ffff:192.0.2.1', true],
    ['12:30:45', false],
    ['aa:bb:cc:dd:ee:ff', false],
  ])('%j → %s', (input, expected) => {
    expect(isIpShaped(input)).toBe(expected);
  });
});

describe('stripDevicePrefix', () => {
  it.each<[string, string]>([
    ['$device:abc-123', 'abc-123'],
    ['$device:$device:abc-123', 'abc-123'],
    ['$device:$device:$device:x', 'x'],
    ['abc-123', 'abc-123'],
    ['x$device:abc', 'x$device:abc'],
    ['$Device:abc', '$Device:abc'],
    ['device:abc', 'device:abc'],
    ['$device:', ''],
    ['', ''],
  ])('%j → %j', (input, expected) => {
    expect(stripDevicePrefix(input)).toBe(expected);
  });
});

describe('emailHashRecipes with node:crypto', () => {
  // Digests computed outside this code (`printf 'a@example.com' | sha256sum` etc.).
  const A_SHA256 = '08168cd80dfd534ab0f10af10f1303fe00af2d43ab5c1432360d137f8197e17a';
  const A_SHA1 = '11a586cd1f7d573b856f94a619ae806a9a63f0a4';
  const A_MD5 = 'b418773a2c51fb9777a1648346fa7394';
  const JOHN_CANON_SHA256 = '06a240d11cc201676da976f7b49341181fd180da37cbe40a77432c0a366c80c3'; // johndoe@gmail.com
  const JOHN_RAW_SHA256 = '0bce3ed0bcbcc8d9dab97b42bf2ffa075b5782c10f543f0be1d8d53803efab15'; // john.doe+news@gmail.com

  it('sha256 of a@example.com equals an independently computed digest', () => {
    expect(createHash('sha256').update('a@example.com').digest('hex')).toBe(A_SHA256);
    const recipes = new Map(emailHashRecipes('a@example.com', hashFn));
    expect(recipes.get('sha256(lower(trim))')).toBe(A_SHA256);
  });

  it.each<[string, string]>([
    ['sha256(lower(trim))', A_SHA256],
    ['sha1(lower(trim))', A_SHA1],
    ['md5(lower(trim))', A_MD5],
  ])('non-gmail address: %s', (recipe, digest) => {
    const out = emailHashRecipes('a@example.com', hashFn);
    expect(out).toHaveLength(3);
    expect(out).toContainEqual([recipe, digest]);
  });

  it('non-gmail address has no gmail_canonical recipe', () => {
    expect(
      emailHashRecipes('a@example.com', hashFn)
        .map(([r]) => r)
        .sort(),
    ).toEqual(['md5(lower(trim))', 'sha1(lower(trim))', 'sha256(lower(trim))']);
  });

  it.each<[string, string]>([
    ['sha256(lower(trim))', JOHN_RAW_SHA256],
    ['sha256(gmail_canonical)', JOHN_CANON_SHA256],
    ['sha1(gmail_canonical)', createHash('sha1').update('johndoe@gmail.com').digest('hex')],
    ['md5(gmail_canonical)', createHash('md5').update('johndoe@gmail.com').digest('hex')],
    ['md5(lower(trim))', createHash('md5').update('john.doe+news@gmail.com').digest('hex')],
  ])('gmail address: %s', (recipe, digest) => {
    const out = emailHashRecipes('john.doe+news@gmail.com', hashFn);
    expect(out).toHaveLength(6);
    expect(out).toContainEqual([recipe, digest]);
  });

  it('passes the hash name and the exact string to the hash function', () => {
    const calls: Array<[string, string]> = [];
    emailHashRecipes('a@example.com', (name, s) => (calls.push([name, s]), `${name}:${s}`));
    expect(calls.sort()).toEqual([
      ['md5', 'a@example.com'],
      ['sha1', 'a@example.com'],
      ['sha256', 'a@example.com'],
    ]);
  });
});
