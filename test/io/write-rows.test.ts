import { describe, expect, it } from 'vitest';
import { neutralize, render, renderRow, type Cell, type Format } from '../../src/io/write-rows.js';

describe('neutralize: no formula runs in a spreadsheet (SPEC §5)', () => {
  it.each<[string, string]>([
    ['=1+1', "'=1+1"],
    ['=HYPERLINK("http://evil.example","x")', '\'=HYPERLINK("http://evil.example","x")'],
    ['+1 555 0100', "'+1 555 0100"],
    ['+cmd|/c calc', "'+cmd|/c calc"],
    ['-2+3', "'-2+3"],
    ['-', "'-"],
    ['@SUM(A1:A9)', "'@SUM(A1:A9)"],
    ['\t=1+1', "'\t=1+1"],
    ['\tleading tab', "'\tleading tab"],
    ['\rleading CR', "'\rleading CR"],
    ['=', "'="],
    // plain numbers stay
    ['-5', '-5'],
    ['+3.5', '+3.5'],
    ['-0.25', '-0.25'],
    ['+7', '+7'],
    ['-1e5', '-1e5'],
    ['-.5', '-.5'],
    ['42', '42'],
    // nothing risky at the start
    ['alice@example.com', 'alice@example.com'],
    ['a=1+1', 'a=1+1'],
    ['', ''],
    ['plain text', 'plain text'],
  ])('%j → %j', (input, expected) => {
    expect(neutralize(input)).toBe(expected);
  });
});

const COLS = ['user_id', 'note', 'fields'];

describe('CSV (RFC 4180, \\n line ends, header row)', () => {
  it.each<[string, Cell[], string]>([
    ['comma is quoted', ['u1', 'a,b', null], 'u1,"a,b",'],
    ['quote is doubled and quoted', ['u1', 'say "hi"', null], 'u1,"say ""hi""",'],
    [
      '#13 newline is shown as \\u000a, never raw',
      ['u1', 'line1\nline2', null],
      'u1,line1\\u000aline2,',
    ],
    ['#13 CR is shown as \\u000d', ['u1', 'a\rb', null], 'u1,a\\u000db,'],
    [
      '#13 an ANSI escape is shown, not run',
      ['u1', '\u001b[31mred\u001b[0m', null],
      'u1,\\u001b[31mred\\u001b[0m,',
    ],
    [
      '#13 NUL and a bidi override are shown',
      ['u1', 'with\u0000nul\u202e', null],
      'u1,with\\u0000nul\\u202e,',
    ],
    ['#13 a control inside a quoted cell', ['u1', 'a,\tb', null], 'u1,"a,\\u0009b",'],
    ['plain cells are not quoted', ['u1', 'plain', null], 'u1,plain,'],
    ['null is empty', ['u1', null, null], 'u1,,'],
    ['numbers', ['u1', 3, null], 'u1,3,'],
    [
      'list cells are joined with ;',
      ['u1', null, ['$city', '$email', 'org_id']],
      'u1,,$city;$email;org_id',
    ],
    ['empty list is empty', ['u1', null, []], 'u1,,'],
    ['formula is neutralized before quoting', ['u1', '=1,2', null], 'u1,"\'=1,2",'],
    ['formula in a list cell is neutralized', ['u1', null, ['=cmd', 'x']], "u1,,'=cmd;x"],
    ['negative number stays', ['u1', '-5', null], 'u1,-5,'],
  ])('%s', (_name, row, line) => {
    expect(render('csv', COLS, [row])).toBe('user_id,note,fields\n' + line + '\n');
    expect(renderRow('csv', COLS, row)).toBe(line + '\n');
  });

  it('no rows: header only', () => {
    expect(render('csv', COLS, [])).toBe('user_id,note,fields\n');
  });

  it('several rows, \\n line ends, no BOM', () => {
    const out = render('csv', COLS, [
      ['u1', 'a', ['x']],
      ['u2', 'b', ['y', 'z']],
    ]);
    expect(out).toBe('user_id,note,fields\nu1,a,x\nu2,b,y;z\n');
    expect(out.charCodeAt(0)).not.toBe(0xfeff);
    expect(out).not.toContain('\r\n');
  });
});

describe('TSV escaping', () => {
  it.each<[string, Cell[], string]>([
    ['tab escaped', ['u1', 'a\tb', null], 'u1\ta\\tb\t'],
    ['newline escaped', ['u1', 'a\nb', null], 'u1\ta\\nb\t'],
    ['CR escaped', ['u1', 'a\rb', null], 'u1\ta\\rb\t'],
    ['backslash escaped', ['u1', 'C:\\dir', null], 'u1\tC:\\\\dir\t'],
    ['comma and quote left alone', ['u1', 'a,"b"', null], 'u1\ta,"b"\t'],
    ['list joined with ;', ['u1', null, ['a', 'b']], 'u1\t\ta;b'],
    ['formula neutralized', ['u1', '@SUM(A1)', null], "u1\t'@SUM(A1)\t"],
    ['leading tab neutralized and escaped', ['u1', '\tx', null], "u1\t'\\tx\t"],
  ])('%s', (_name, row, line) => {
    expect(render('tsv', COLS, [row])).toBe('user_id\tnote\tfields\n' + line + '\n');
    expect(renderRow('tsv', COLS, row)).toBe(line + '\n');
  });

  it('every line has as many cells as the header', () => {
    const out = render('tsv', COLS, [['u1', 'a\tb\nc', ['x\ty']]]);
    const ls = out.trimEnd().split('\n');
    expect(ls).toHaveLength(2);
    for (const l of ls) expect(l.split('\t')).toHaveLength(3);
  });
});

describe('JSON and NDJSON', () => {
  it.each<[Format, string]>([
    ['json', '[]\n'],
    ['ndjson', ''],
  ])('%s with no rows → %j', (format, expected) => {
    expect(render(format, COLS, [])).toBe(expected);
  });

  it.each<[Format]>([['json'], ['ndjson']])(
    '%s keeps lists as arrays, nulls as null, and values unneutralized',
    (format) => {
      const rows: Cell[][] = [
        ['u1', '=1+1', ['$city', 'org_id']],
        ['u2', null, []],
      ];
      const out = render(format, COLS, rows);
      const parsed =
        format === 'json'
          ? JSON.parse(out)
          : out
              .trimEnd()
              .split('\n')
              .map((l) => JSON.parse(l));
      expect(parsed).toEqual([
        { user_id: 'u1', note: '=1+1', fields: ['$city', 'org_id'] },
        { user_id: 'u2', note: null, fields: [] },
      ]);
      expect(out.endsWith('\n')).toBe(true);
    },
  );

  it('json keeps column order in each object', () => {
    const out = render('json', COLS, [['u1', 'n', ['f']]]);
    expect(Object.keys(JSON.parse(out)[0])).toEqual(COLS);
  });

  it('renderRow ndjson is one JSON line', () => {
    expect(renderRow('ndjson', COLS, ['u1', 'n', ['a', 'b']])).toBe(
      '{"user_id":"u1","note":"n","fields":["a","b"]}\n',
    );
  });
});

describe('table', () => {
  it('joins list cells with ; and aligns columns', () => {
    const out = render(
      'table',
      COLS,
      [
        ['u1', 'x', ['a', 'b']],
        ['u22', 'yy', ['c']],
      ],
      200,
    );
    const ls = out.trimEnd().split('\n');
    expect(ls).toHaveLength(4);
    expect(ls[2]).toContain('a;b');
    expect(ls[0]!.indexOf('note')).toBe(ls[2]!.indexOf('x'));
    expect(ls[0]!.indexOf('note')).toBe(ls[3]!.indexOf('yy'));
  });

  it('shows control characters as ?', () => {
    const out = render('table', COLS, [['u1', 'a\nb\tc', null]], 200);
    expect(out).toContain('a?b?c');
  });
});
