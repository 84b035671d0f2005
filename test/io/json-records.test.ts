import { describe, expect, it } from 'vitest';
import { ArraySplitter, LineSplitter } from '../../src/io/json-records.js';

type Got = Array<[text: string, line: number]>;

function feed(
  make: (sink: (t: string, l: number) => void) => { push(b: Buffer): void; end(): void },
  chunks: Buffer[],
): Got {
  const got: Got = [];
  const s = make((t, l) => got.push([t, l]));
  for (const c of chunks) s.push(c);
  s.end();
  return got;
}
const lines = (chunks: Buffer[]) => feed((k) => new LineSplitter(k), chunks);
const array = (chunks: Buffer[]) => feed((k) => new ArraySplitter(k), chunks);
const buf = (s: string) => Buffer.from(s, 'utf8');

/** Every way to cut the buffer in two (including empty halves). */
function splits(b: Buffer): Array<[number, Buffer[]]> {
  const out: Array<[number, Buffer[]]> = [];
  for (let k = 0; k <= b.length; k++) out.push([k, [b.subarray(0, k), b.subarray(k)]]);
  return out;
}

describe('LineSplitter', () => {
  it.each<[string, string, Got]>([
    [
      'LF lines',
      '{"a":1}\n{"b":2}\n',
      [
        ['{"a":1}', 1],
        ['{"b":2}', 2],
      ],
    ],
    [
      'CRLF lines',
      '{"a":1}\r\n{"b":2}\r\n',
      [
        ['{"a":1}', 1],
        ['{"b":2}', 2],
      ],
    ],
    [
      'final line without newline',
      '{"a":1}\n{"b":2}',
      [
        ['{"a":1}', 1],
        ['{"b":2}', 2],
      ],
    ],
    [
      'final CRLF line without newline',
      '{"a":1}\r\n{"b":2}\r',
      [
        ['{"a":1}', 1],
        ['{"b":2}', 2],
      ],
    ],
    [
      'blank lines skipped but counted',
      '{"a":1}\n\n\n{"b":2}\n',
      [
        ['{"a":1}', 1],
        ['{"b":2}', 4],
      ],
    ],
    [
      'whitespace-only lines skipped but counted',
      '{"a":1}\n   \n\t\n \t \r\n{"b":2}\n',
      [
        ['{"a":1}', 1],
        ['{"b":2}', 5],
      ],
    ],
    ['leading blank lines counted', '\n\r\n{"a":1}\n', [['{"a":1}', 3]]],
    ['trailing blank lines produce nothing', '{"a":1}\n\n\n', [['{"a":1}', 1]]],
    [
      'a bad line is still a record',
      '{"a":1}\nnot json\n',
      [
        ['{"a":1}', 1],
        ['not json', 2],
      ],
    ],
    ['inner spaces kept', '  {"a": 1}  \n', [['  {"a": 1}  ', 1]]],
    ['empty input', '', []],
    ['only blank lines', '\n \n\r\n', []],
  ])('%s', (_name, input, expected) => {
    expect(lines([buf(input)])).toEqual(expected);
  });

  const DOC = buf('{"id":"a","n":1}\r\n\r\n  \n{"id":"b","s":"x,y"}\n{"id":"c"}');
  const WHOLE = lines([DOC]);
  it('reference split of the document', () => {
    expect(WHOLE).toEqual([
      ['{"id":"a","n":1}', 1],
      ['{"id":"b","s":"x,y"}', 4],
      ['{"id":"c"}', 5],
    ]);
  });
  it.each(splits(DOC))('a line split across two pushes at byte %i', (_k, chunks) => {
    expect(lines(chunks)).toEqual(WHOLE);
  });

  it('one byte per push', () => {
    expect(lines([...DOC].map((b) => Buffer.from([b])))).toEqual(WHOLE);
  });

  const UTF = buf('{"name":"José 🎉 Zoë"}\n{"city":"München"}\n');
  it.each(splits(UTF))(
    'a multi-byte UTF-8 character split at byte %i decodes correctly',
    (_k, chunks) => {
      const got = lines(chunks);
      expect(got).toEqual([
        ['{"name":"José 🎉 Zoë"}', 1],
        ['{"city":"München"}', 2],
      ]);
      expect(got.every(([t]) => !t.includes('\ufffd'))).toBe(true);
    },
  );
});

describe('ArraySplitter', () => {
  it.each<[string, string, Got]>([
    [
      'top-level array',
      '[{"a":1},{"b":2}]',
      [
        ['{"a":1}', 1],
        ['{"b":2}', 1],
      ],
    ],
    [
      'spaces between elements',
      '[ {"a":1} , {"b":2} ]',
      [
        ['{"a":1}', 1],
        ['{"b":2}', 1],
      ],
    ],
    ['empty array', '[]', []],
    ['empty array with whitespace', ' [ \n ] \n', []],
    [
      'nested arrays and objects in an element',
      '[{"a":[1,{"b":[2]}],"c":{"d":{}}}]',
      [['{"a":[1,{"b":[2]}],"c":{"d":{}}}', 1]],
    ],
    [
      'strings containing ] } , and escaped quotes',
      '[{"s":"a]b}c,d\\"e{["},{"t":"\\\\"},{"u":"\\\\\\"]"}]',
      [
        ['{"s":"a]b}c,d\\"e{["}', 1],
        ['{"t":"\\\\"}', 1],
        ['{"u":"\\\\\\"]"}', 1],
      ],
    ],
    [
      'a scalar element',
      '[{"a":1},42]',
      [
        ['{"a":1}', 1],
        ['42', 1],
      ],
    ],
    [
      'scalar elements of every kind',
      '[42,"x",true,null,-1.5e3]',
      [
        ['42', 1],
        ['"x"', 1],
        ['true', 1],
        ['null', 1],
        ['-1.5e3', 1],
      ],
    ],
    [
      'an array element',
      '[[1,2],{"a":1}]',
      [
        ['[1,2]', 1],
        ['{"a":1}', 1],
      ],
    ],
    [
      'results document yields only the results elements',
      '{"page":0,"page_size":2,"results":[{"$distinct_id":"a"},{"$distinct_id":"b"}],"session_id":"s1","status":"ok","total":2}',
      [
        ['{"$distinct_id":"a"}', 1],
        ['{"$distinct_id":"b"}', 1],
      ],
    ],
    [
      'results after another array and a string valued "results"',
      '{"tags":["results"],"note":"results","results":[{"x":1}]}',
      [['{"x":1}', 1]],
    ],
    [
      'results inside a nested object is not the record list',
      '{"meta":{"results":[1,2]},"x":1}',
      [['{"meta":{"results":[1,2]},"x":1}', 1]],
    ],
    [
      'an object without results is one record',
      '{"event":"a","properties":{"x":[1,2]}}',
      [['{"event":"a","properties":{"x":[1,2]}}', 1]],
    ],
  ])('%s', (_name, input, expected) => {
    const got = array([buf(input)]);
    expect(got).toEqual(expected);
    for (const [t] of got) expect(() => JSON.parse(t)).not.toThrow();
  });

  it('pretty-printed across lines: each element has the line it starts on', () => {
    const doc = [
      '[',
      '  {',
      '    "a": 1,',
      '    "b": "x]"',
      '  },',
      '  {"c": 2},',
      '',
      '  {',
      '"d": [',
      '3]}',
      ']',
      '',
    ].join('\n');
    const got = array([buf(doc)]);
    expect(got.map(([, l]) => l)).toEqual([2, 6, 8]);
    expect(got.map(([t]) => JSON.parse(t))).toEqual([{ a: 1, b: 'x]' }, { c: 2 }, { d: [3] }]);
  });

  it('pretty-printed results document with CRLF', () => {
    const doc =
      '{\r\n  "page": 0,\r\n  "results": [\r\n    {"$distinct_id": "a"},\r\n    {\r\n      "$distinct_id": "b"\r\n    }\r\n  ]\r\n}\r\n';
    const got = array([buf(doc)]);
    expect(got.map(([, l]) => l)).toEqual([4, 5]);
    expect(got.map(([t]) => JSON.parse(t))).toEqual([{ $distinct_id: 'a' }, { $distinct_id: 'b' }]);
  });

  const ARR = buf(
    '[\n {"id":"a","s":"x]},\\"y"},\n {"id":"b","n":[1,2,{"z":"ü"}]},\n 42,\n "str,]"\n]\n',
  );
  const ARR_WHOLE = array([ARR]);
  it('reference split of the array document', () => {
    // A scalar element may keep the whitespace before the next `,`/`]`: still valid JSON.
    expect(ARR_WHOLE.map(([t, l]) => [t.trim(), l])).toEqual([
      ['{"id":"a","s":"x]},\\"y"}', 2],
      ['{"id":"b","n":[1,2,{"z":"ü"}]}', 3],
      ['42', 4],
      ['"str,]"', 5],
    ]);
  });
  it.each(splits(ARR))('array elements split across two pushes at byte %i', (_k, chunks) => {
    expect(array(chunks)).toEqual(ARR_WHOLE);
  });
  it('array, one byte per push', () => {
    expect(array([...ARR].map((b) => Buffer.from([b])))).toEqual(ARR_WHOLE);
  });

  const RES = buf(
    '{"page":0,\n"results":[{"$distinct_id":"a","$properties":{"$city":"Köln"}},\n{"$distinct_id":"b"}],\n"total":2}\n',
  );
  const RES_EXPECTED: Got = [
    ['{"$distinct_id":"a","$properties":{"$city":"Köln"}}', 2],
    ['{"$distinct_id":"b"}', 3],
  ];
  it('reference split of the results document', () => {
    expect(array([RES])).toEqual(RES_EXPECTED);
  });
  // Regression: a chunk boundary inside the "results" key lost the key (its start indexed the
  // previous chunk), and the whole document came out as one record instead of its elements.
  const RES_SPLITS = splits(RES);
  const inKey = (k: number) => k >= 12 && k <= 19; // cuts between the quotes of `"results"`
  it.each(RES_SPLITS.filter(([k]) => !inKey(k)))(
    'results elements split across two pushes at byte %i',
    (_k, chunks) => {
      expect(array(chunks)).toEqual(RES_EXPECTED);
    },
  );
  it.each(RES_SPLITS.filter(([k]) => inKey(k)))(
    'results elements split inside the "results" key at byte %i',
    (_k, chunks) => {
      expect(array(chunks)).toEqual(RES_EXPECTED);
    },
  );

  it.each<[string, string, (got: Got) => void]>([
    [
      'truncated inside an element: the partial text is emitted (and is not valid JSON)',
      '[{"a":1},\n{"b":',
      (got) => {
        expect(got).toHaveLength(2);
        expect(got[0]).toEqual(['{"a":1}', 1]);
        expect(got[1]![1]).toBe(2);
        expect(() => JSON.parse(got[1]![0])).toThrow();
      },
    ],
    [
      'truncated after a complete element: an empty record marks the unbalanced end',
      '[{"a":1}',
      (got) => {
        expect(got[0]).toEqual(['{"a":1}', 1]);
        expect(got).toHaveLength(2);
        expect(got[1]![0]).toBe('');
      },
    ],
    [
      'truncated results document',
      '{"results":[{"a":1},{"b":[2,',
      (got) => {
        expect(got[0]).toEqual(['{"a":1}', 1]);
        expect(got).toHaveLength(2);
        expect(() => JSON.parse(got[1]![0])).toThrow();
      },
    ],
  ])('%s', (_name, input, check) => {
    check(array([buf(input)]));
  });
});
