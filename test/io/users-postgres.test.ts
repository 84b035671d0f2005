/**
 * The password of a users database never reaches a message, the manifest or argv, in any form a
 * responder may type it (issue 19): the URL's userinfo, malformed or not, a `password=` query
 * parameter, `--users=…`, or a libpq keyword string.
 */
import { describe, expect, it } from 'vitest';
import { isKeywordString, redactSecrets, redactUrl } from '../../src/io/users-postgres.js';

describe('redactUrl', () => {
  it.each<[string, string]>([
    ['postgres://resp:s3cret@db.internal:5432/crm', 'postgres://resp@db.internal:5432/crm'],
    ['postgresql://resp:p%40ss@db/crm', 'postgresql://resp@db/crm'],
    ['postgres://resp:sec/ret@db/crm', 'postgres://resp@db/crm'], // an unencoded /
    ['postgres://resp:p@ss:w%rd/x@db/crm', 'postgres://resp@db/crm'], // @ and : unencoded
    ['postgres://resp@db/crm?password=s3cret', 'postgres://resp@db/crm'],
    [
      'postgres://resp@db/crm?sslmode=require&password=s3cret',
      'postgres://resp@db/crm?sslmode=require',
    ],
    [
      'postgres://resp@db/crm?password=s3cret&sslmode=require',
      'postgres://resp@db/crm?sslmode=require',
    ],
    ['postgres://resp@db/crm', 'postgres://resp@db/crm'],
    ['postgres:///crm?host=/run/postgresql', 'postgres:///crm?host=/run/postgresql'],
  ])('%s', (url, shown) => {
    expect(redactUrl(url)).toBe(shown);
    expect(redactUrl(url)).not.toMatch(/s3cret|p%40ss|sec\/ret|w%rd/);
  });
});

describe('redactSecrets (argv, messages)', () => {
  it.each<[string, string]>([
    ['--users=postgres://resp:s3cret@db/crm', '--users=postgres://resp@db/crm'],
    ['host=db dbname=crm password=s3cret user=resp', 'host=db dbname=crm password=*** user=resp'],
    ["host=db password='s3 cret'", 'host=db password=***'],
    ['users.csv', 'users.csv'],
  ])('%s', (arg, shown) => expect(redactSecrets(arg)).toBe(shown));
});

describe('isKeywordString', () => {
  it.each<[string, boolean]>([
    ['host=db dbname=crm password=x', true],
    ['dbname=crm', true],
    ['users.csv', false],
    ['./host=1.csv', false],
    ['postgres://resp@db/crm', false],
    ['postgres://resp@db/crm?password=x&host=db', false],
  ])('%s: %s', (s, yes) => expect(isKeywordString(s)).toBe(yes));
});
