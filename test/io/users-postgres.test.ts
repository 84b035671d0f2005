/**
 * The password of a users database never reaches a message, the manifest or argv, in any form a
 * responder may type it (issue 19): the URL's userinfo, malformed or not, a `password=` or
 * `sslpassword=` query parameter, `--users=…`, or a libpq keyword string. Arguments that only
 * look a little like one (a file named password=…, a query) are left as they are.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isKeywordString, redactSecrets, redactUrl } from '../../src/io/users-postgres.js';

describe('redactUrl', () => {
  it.each<[string, string]>([
    ['postgres://resp:s3cret@db.internal:5432/crm', 'postgres://resp@db.internal:5432/crm'],
    ['postgresql://resp:p%40ss@db/crm', 'postgresql://resp@db/crm'],
    ['postgres://resp:sec/ret@db/crm', 'postgres://resp@db/crm'], // an unencoded /
    ['postgres://resp:p@ss:w%rd/x@db/crm', 'postgres://resp@db/crm'], // @ and : unencoded
    ['postgres://resp:pa#s3cret@db/crm', 'postgres://resp@db/crm'], // an unencoded #
    ['postgres://resp:pa?s3cret@db/crm', 'postgres://resp@db/crm'], // an unencoded ?
    [
      'postgres://resp:pa?x#s3cret@db:5432/crm?sslmode=require',
      'postgres://resp@db:5432/crm?sslmode=require',
    ],
    ['postgres://resp@db/crm?password=s3cret', 'postgres://resp@db/crm'],
    [
      'postgres://resp@db/crm?sslmode=require&password=s3cret',
      'postgres://resp@db/crm?sslmode=require',
    ],
    [
      'postgres://resp@db/crm?password=s3cret&sslmode=require',
      'postgres://resp@db/crm?sslmode=require',
    ],
    // Repeated: the client takes the last one.
    [
      'postgres://resp@db/crm?password=s3cret1&password=s3cret2&sslmode=require',
      'postgres://resp@db/crm?sslmode=require',
    ],
    [
      'postgres://resp@db/crm?sslmode=require&password=s3cret1&password=s3cret2',
      'postgres://resp@db/crm?sslmode=require',
    ],
    // The client percent-decodes parameter names; libpq does not fold case, but hide it anyway.
    ['postgres://resp@db/crm?%70assword=s3cret', 'postgres://resp@db/crm'],
    [
      'postgres://resp@db/crm?PassWord=s3cret&sslmode=require',
      'postgres://resp@db/crm?sslmode=require',
    ],
    // The key file's passphrase.
    [
      'postgres://resp@db/crm?sslpassword=s3cret&sslmode=verify-full',
      'postgres://resp@db/crm?sslmode=verify-full',
    ],
    ['postgres://resp@db/crm?ssl%50assword=s3cret', 'postgres://resp@db/crm'],
    // Unencoded # and & in a password parameter: libpq reads on to the next key=value.
    ['postgres://resp@db/crm?password=pa#s3cret', 'postgres://resp@db/crm'],
    [
      'postgres://resp@db/crm?password=pa&s3cret&sslmode=require',
      'postgres://resp@db/crm?sslmode=require',
    ],
    // An @ in a password parameter: it could be the userinfo's end, so both readings are hidden.
    ['postgres://db:5432/crm?password=pa@s3cret', 'postgres://db'],
    // …and so can one in another parameter: too much goes, never too little.
    ['postgres://db:5432/crm?application_name=a@b', 'postgres://db@b'],
    ['postgres://resp@db/crm', 'postgres://resp@db/crm'],
    [
      'postgres://resp@[::1]:5432/crm?sslmode=require&application_name=bi',
      'postgres://resp@[::1]:5432/crm?sslmode=require&application_name=bi',
    ],
    ['postgres:///crm?host=/run/postgresql', 'postgres:///crm?host=/run/postgresql'],
  ])('%s', (url, shown) => {
    expect(redactUrl(url)).toBe(shown);
    expect(redactUrl(url)).not.toMatch(/s3cret|p%40ss|sec\/ret|w%rd/);
  });
});

describe('redactSecrets (argv, messages)', () => {
  it.each<[string, string]>([
    ['--users=postgres://resp:s3cret@db/crm', '--users=postgres://resp@db/crm'],
    // One argv element is one value: the URL runs to its end, an unencoded space and all.
    ['--users=postgres://resp:s3 cret@db/crm', '--users=postgres://resp@db/crm'],
    ['host=db dbname=crm password=s3cret user=resp', 'host=db dbname=crm password=*** user=resp'],
    ["host=db password='s3 cret'", 'host=db password=***'],
    ['user=resp password=s3cret host=db.example.com', 'user=resp password=*** host=db.example.com'],
    ['--users=host=db password=s3cret', '--users=host=db password=***'],
    ['host=db sslpassword=s3cret', 'host=db sslpassword=***'],
    ['host=db password = s3cret', 'host=db password = ***'],
    // libpq's quoting: a backslash escapes a space or a quote; an unclosed quote runs to the end.
    ['host=db password=s3\\ cret', 'host=db password=***'],
    ["host=db password='s3 \\'cret'", 'host=db password=***'],
    ["host=db password='s3 cret", 'host=db password=***'],
    ['host=db password=s3cret junk', 'host=db password=*** junk'], // malformed, still hidden
    // Not keyword strings: left as written.
    ['users.csv', 'users.csv'],
    ['password=notes.csv', 'password=notes.csv'],
    ['--out=password=notes.csv', '--out=password=notes.csv'],
    ['exports/host=a/password=b.csv', 'exports/host=a/password=b.csv'],
    [
      "SELECT id, email FROM users WHERE note = 'password=x'",
      "SELECT id, email FROM users WHERE note = 'password=x'",
    ],
  ])('%s', (arg, shown) => {
    expect(redactSecrets(arg)).toBe(shown);
    expect(redactSecrets(arg)).not.toMatch(/s3|cret/);
  });
});

describe('isKeywordString', () => {
  it.each<[string, boolean]>([
    ['host=db dbname=crm password=x', true],
    ['dbname=crm', true],
    ['user=resp password=x host=db.example.com', true], // ends like a file name
    ["host='db one' port=5432", true],
    ['host=db password=x junk', true], // malformed, but it holds a password
    ['users.csv', false],
    ['./host=1.csv', false],
    ['exports/host=a/users', false], // a Hive-style partition folder
    ['my users.csv', false],
    ['postgres://resp@db/crm', false],
    ['postgres://resp@db/crm?password=x&host=db', false],
  ])('%s: %s', (s, yes) => expect(isKeywordString(s)).toBe(yes));

  it('an existing file is a file, whatever its name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bi-keyword-'));
    const cwd = process.cwd();
    try {
      mkdirSync(join(dir, 'host=eu'));
      writeFileSync(join(dir, 'host=eu', 'users'), 'id\n');
      process.chdir(dir);
      expect(isKeywordString('host=eu/users')).toBe(false);
      expect(isKeywordString('host=us/users')).toBe(true);
    } finally {
      process.chdir(cwd);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
