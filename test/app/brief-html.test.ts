/**
 * The counsel brief as one HTML page (issue 15): self-contained (no script, nothing fetched),
 * every count shown, every string from the data escaped with its controls made visible — and,
 * opened in a real headless Chromium, it loads without error or request and draws its charts.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { inflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import type { BriefData } from '../../src/app/brief-data.js';
import { briefHtml } from '../../src/app/brief-html.js';

const HOUR = 3_600_000;

/** Modelled on the demo run (fixtures/demo, README's window, --residence-column country,state). */
function demoBrief(): BriefData {
  const start = Date.UTC(2025, 10, 8);
  const firsts: Record<number, number> = {
    0: 1,
    9: 2,
    10: 1,
    14: 1,
    20: 1,
    30: 2,
    32: 1,
    35: 1,
    39: 1,
  };
  return {
    tool: { name: 'breach-impact', version: '0.1.0' },
    generatedAt: '2026-12-05T11:22:57.104Z',
    window: { start: '2025-11-08T00:00:00Z', end: '2025-11-09T17:00:00Z' },
    inputs: [
      {
        role: 'users',
        path: 'fixtures/demo/users.csv',
        bytes: 880,
        records: 14,
        sha256: 'c49084ca520159aba0e7dee9f2ed3c9257ce1916fbc59a605b8d311fbc0cfaaa',
      },
      {
        role: 'export',
        path: 'fixtures/demo/export/2025-11-07.ndjson',
        bytes: 5405,
        records: 11,
        sha256: 'bc6c51c39eca3b439e5d0801b8a46baf1d0e08d123c601d48f8df78fdfc9910e',
        vendor: 'mixpanel',
      },
      {
        role: 'export',
        path: 'fixtures/demo/export/2025-11-08.ndjson.gz',
        bytes: 2608,
        records: 29,
        sha256: 'ed668c6e59642dec18d22fd49b0e3fd3aa8c5b926d40115b7cf0896b3b315910',
        vendor: 'mixpanel',
      },
      {
        role: 'export',
        path: 'fixtures/demo/export/2025-11-09.json',
        bytes: 11889,
        records: 19,
        sha256: '94049f437abb1d200e43d45b070368c11f9ef13c0968f410eea3caa7593a9189',
        vendor: 'mixpanel',
      },
      {
        role: 'export',
        path: 'fixtures/demo/export/2025-11-10.ndjson.gz',
        bytes: 1018,
        records: 7,
        sha256: '8022e6525ace127d41094556ebc248d4a33362e13348b6dd208a8ac2f21d583e',
        vendor: 'mixpanel',
      },
      {
        role: 'export',
        path: 'fixtures/demo/export/people.json',
        bytes: 2369,
        records: 5,
        sha256: '9c2497ebebd2d086cc04254b8434e39011dc323618a102d4f5cd20f0138c562d',
        vendor: 'mixpanel',
      },
    ],
    counts: {
      read: 71,
      rejected: 3,
      out_of_window: 18,
      attributed: 39,
      unmatched: 7,
      ambiguous: 4,
      duplicates: 1,
    },
    affectedUsers: 12,
    byCategory: [
      { category: 'contact', users: 6 },
      { category: 'location', users: 11 },
      { category: 'device', users: 11 },
      { category: 'web', users: 10 },
      { category: 'account', users: 12 },
      { category: 'credential', users: 1 },
      { category: 'other', users: 7 },
    ],
    verdicts: [
      { residence: 'AT', regime: 'gdpr', notifiable: 0, assess: 1, notNotifiable: 0 },
      { residence: 'BR', regime: 'none', notifiable: 0, assess: 1, notNotifiable: 0 },
      { residence: 'CH', regime: 'none', notifiable: 0, assess: 1, notNotifiable: 0 },
      { residence: 'GB', regime: 'uk-gdpr', notifiable: 0, assess: 4, notNotifiable: 0 },
      { residence: 'NO', regime: 'gdpr', notifiable: 0, assess: 1, notNotifiable: 0 },
      { residence: 'PL', regime: 'gdpr', notifiable: 0, assess: 1, notNotifiable: 0 },
      { residence: 'US-MA', regime: 'us-default', notifiable: 0, assess: 0, notNotifiable: 1 },
      { residence: 'US-VA', regime: 'us-default', notifiable: 1, assess: 0, notNotifiable: 1 },
    ],
    timeline: {
      bins: Array.from({ length: 41 }, (_, i) => ({
        start: new Date(start + i * HOUR).toISOString(),
        users: firsts[i] ?? 0,
      })),
      binMs: HOUR,
      untimed: 1,
    },
    drivers: [
      {
        users: 3,
        text: 'gdpr — assess: GDPR personal data exposed: Art. 33 risk assessment, Art. 34 notice to the person only if high risk',
      },
      { users: 1, text: 'none — assess: no rule file covers BR: check its law' },
      { users: 1, text: 'none — assess: no rule file covers CH: check its law' },
      {
        users: 4,
        text: 'uk-gdpr — assess: UK GDPR personal data exposed: Art. 33 risk assessment, Art. 34 notice to the person only if high risk',
      },
      {
        users: 2,
        text: 'us-default — not notifiable: no name with a Category 1 element, and no email or username with a password, security Q&A or access credential',
      },
      {
        users: 1,
        text: 'us-default — notifiable: Category 2: email + credential — fields: $current_url#email, $current_url#token — condition: counsel to confirm that the credential still permitted access to the account when it was exposed',
      },
    ],
    rules: [
      {
        name: 'GDPR',
        file: 'rules/gdpr.json',
        version: '2026-11-29',
        citation:
          'Regulation (EU) 2016/679, Art. 4(1) (personal data; Recital 30 online identifiers), Art. 33 (notice to the supervisory authority within 72 h unless unlikely to result in a risk), Art. 34 (data subjects, only when likely to result in a high risk). Sources: https://gdprhub.eu/index.php?title=Article_34_GDPR',
      },
      {
        name: 'UK GDPR',
        file: 'rules/uk-gdpr.json',
        version: '2026-11-29',
        citation:
          'UK GDPR (retained Regulation (EU) 2016/679 as amended by the Data Protection Act 2018), Art. 4(1), Art. 33, Art. 34; the supervisory authority is the ICO',
      },
      {
        name: 'US state default (typical breach statute)',
        file: 'rules/us-default.json',
        version: '2026-11-29',
        citation:
          'The common shape of US state breach statutes (e.g. 815 ILCS 530, Cal. Civ. Code § 1798.82): a stand-in for states without a rule file here',
      },
    ],
    limits: [
      'It reads only the analytics export and the user table: what the attacker may have taken elsewhere is not here.',
      'Fields are recognised by name and by value shape; a sensitive value under an unremarkable name can be missed.',
      "Residence comes from the user table (`country,state`); 0 user(s) have a residence inferred from the vendor's coarse, IP-derived location and 0 have none.",
      'GDPR and UK GDPR are risk-based: "assess" means personal data was exposed and an Art. 33 risk assessment is due, not that individuals must be told.',
      'Ambiguous (4 records) and unmatched (7 records) records are not in these counts: see the side files.',
    ],
  };
}

function emptyBrief(): BriefData {
  return {
    tool: { name: 'breach-impact', version: '0.1.0' },
    generatedAt: '2026-12-05T00:00:00.000Z',
    inputs: [],
    counts: {
      read: 0,
      rejected: 0,
      out_of_window: 0,
      attributed: 0,
      unmatched: 0,
      ambiguous: 0,
      duplicates: 0,
    },
    affectedUsers: 0,
    byCategory: (
      ['contact', 'location', 'device', 'web', 'account', 'credential', 'other'] as const
    ).map((category) => ({ category, users: 0 })),
    verdicts: [],
    timeline: { bins: [], binMs: 0, untimed: 0 },
    drivers: [],
    rules: [],
    limits: [],
  };
}

/** Anything that would make the page fetch: a src/href/action, a CSS url() or @import. */
const FETCHES =
  /\b(?:src|href|action|srcset|poster|data)\s*=\s*["']?\s*(?:[a-z]+:)?\/\/|url\(\s*["']?\s*(?:[a-z]+:)?\/\/|@import/i;

const RAW_CONTROL =
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe('briefHtml', () => {
  it('is one self-contained page: doctype, lang, charset, title; no script, nothing fetched', () => {
    const html = briefHtml(demoBrief());
    expect(html.startsWith('<!doctype html>\n<html lang="en">')).toBe(true);
    expect(html).toContain('<meta charset="utf-8">');
    expect(html).toMatch(/<title>Breach notification brief — 12 affected users<\/title>/);
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/\bon[a-z]+\s*=/i); // no inline event handler either
    expect(html).not.toMatch(FETCHES);
    expect(html).not.toMatch(/<(?:img|link|iframe|object|embed|image|use)\b/i);
    // A citation's source URL is text to read, never a link to follow.
    expect(html).toContain('https://gdprhub.eu/index.php?title=Article_34_GDPR');
    expect(html).not.toMatch(/<a\b/i);
    expect(html).toMatch(/Facts for counsel, not legal advice\./);
  });

  it('shows every count of the demo, and the accounting balancing', () => {
    const d = demoBrief();
    const html = briefHtml(d);
    const c = d.counts;
    expect(html).toContain(
      'Read 71 = rejected 3 + out of window 18 + attributed 39 + unmatched 7 + ambiguous 4 (1 duplicate among them). The accounting balances',
    );
    for (const [label, n] of [
      ['Attributed', 39],
      ['Unmatched', 7],
      ['Ambiguous', 4],
      ['Out of window', 18],
      ['Rejected', 3],
    ] as const) {
      expect(html).toContain(`<tspan class="b">${label}</tspan> ${n} `);
    }
    expect(html).toContain(
      `<b>${c.attributed}</b><span>records attributed to them, of ${c.read} read</span>`,
    );
    for (const cat of d.byCategory) expect(html).toContain(`${cat.category}</text>`);
    for (const cat of d.byCategory)
      expect(html).toMatch(new RegExp(`>${cat.users} <tspan class="s">of 12 `));
    for (const v of d.verdicts) {
      expect(html).toContain(
        `<tr><td>${v.residence}</td><td>${v.regime}</td><td class="n">${v.notifiable}</td><td class="n">${v.assess}</td><td class="n">${v.notNotifiable}</td>`,
      );
    }
    expect(html).toContain(
      '<td class="n">1</td><td class="n">9</td><td class="n">2</td><td class="n">12</td>',
    ); // totals
    for (const i of d.inputs) expect(html).toContain(`SHA-256 ${i.sha256}`);
    for (const i of d.inputs)
      expect(html).toContain(
        `<td class="n">${i.records}</td><td class="n">${i.bytes === null ? '–' : i.bytes.toLocaleString('en-US')}</td>`,
      );
    for (const x of d.drivers) expect(html).toContain(`<b>${x.users} ×</b>`);
    for (const r of d.rules) expect(html).toContain(`<code>${r.file}</code>, version ${r.version}`);
    expect(html).toContain(
      '11 affected users by the time of their first exposure, in 41 bars of 1 h each, across the incident window',
    );
    expect(html).toContain(
      'Earliest: the bar from 8 Nov 2025 00:00; latest: the bar from 9 Nov 2025 15:00; the fullest bar holds 2 users. 1 affected user was exposed only through profiles',
    );
    expect(html).toContain('Residence comes from the user table (<code>country,state</code>);'); // Markdown code spans
    expect(html).toContain(
      '<span class="mono">2025-11-08T00:00:00Z</span> (inclusive) to <span class="mono">2025-11-09T17:00:00Z</span> (exclusive)',
    );
    expect(html).toContain(
      '<b>41 h</b><span>window, 8 Nov 2025 00:00 to 9 Nov 2025 17:00 UTC</span>',
    );
  });

  it('formats large numbers with thousands separators', () => {
    const d = demoBrief();
    d.counts = {
      read: 12_345_678,
      rejected: 1_234,
      out_of_window: 2_000_000,
      attributed: 9_000_000,
      unmatched: 1_000_444,
      ambiguous: 344_000,
      duplicates: 0,
    };
    d.affectedUsers = 3_412_007;
    d.byCategory[0]!.users = 2_500_000;
    d.inputs[1]!.bytes = 9_876_543_210;
    const html = briefHtml(d);
    for (const s of [
      '12,345,678',
      '1,234',
      '2,000,000',
      '9,000,000',
      '1,000,444',
      '344,000',
      '3,412,007',
      '2,500,000',
      '9,876,543,210',
    ])
      expect(html).toContain(s);
    expect(html).toContain('<title>Breach notification brief — 3,412,007 affected users</title>');
  });

  it('escapes every string from the data and shows its controls visibly (issue 13)', () => {
    const d = demoBrief();
    d.drivers[5]!.text =
      'us-default — notifiable: fields: $current_url#<script>alert(1)</script>, \u001b[31mred\u001b[0m';
    d.inputs[0]!.path = 'in/"><img src=x onerror=alert(1)>\u202eexe.csv';
    d.verdicts[0]!.residence = "A'T\u0000";
    d.verdicts[0]!.regime = 'gdpr & <b>';
    d.limits.push('line one\nline two\u2028three', 'see `<i>x</i>`');
    d.tool.version = '1.0"<x>';
    const html = briefHtml(d);
    expect(html).not.toMatch(/<script|<img|<b>'|<x>/i);
    expect(html).toContain(
      '$current_url#&#60;script&#62;alert(1)&#60;/script&#62;, \\u001b[31mred\\u001b[0m',
    );
    expect(html).toContain('in/&#34;&#62;&#60;img src=x onerror=alert(1)&#62;\\u202eexe.csv');
    expect(html).toContain('<td>A&#39;T\\u0000</td><td>gdpr &#38; &#60;b&#62;</td>');
    expect(html).toContain('line one\\u000aline two\\u2028three');
    expect(html).toContain('1.0&#34;&#60;x&#62;');
    expect(html).toContain('see <code>&#60;i&#62;x&#60;/i&#62;</code>');
    // The SVG <title> of the verdict bar is data too.
    expect(html).toContain(
      '<title>A&#39;T\\u0000, gdpr &#38; &#60;b&#62;: notifiable 0, assess 1, not notifiable 0</title>',
    );
    expect(html).not.toMatch(RAW_CONTROL);
    expect(html).not.toMatch(FETCHES);
  });

  it('handles an empty run: no users, no window, no verdicts, no records', () => {
    const html = briefHtml(emptyBrief());
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<title>Breach notification brief — 0 affected users</title>');
    expect(html).toContain('No records were read.');
    expect(html).toContain(
      'Read 0 = rejected 0 + out of window 0 + attributed 0 + unmatched 0 + ambiguous 0. The accounting balances',
    );
    expect(html).toContain('No affected users: no category of data was exposed');
    expect(html).toContain('No verdicts: this run had no notification basis');
    expect(html).toContain('No affected users: no first exposure to show.');
    expect(html).toContain('No window given: every record in the export counts.');
    expect(html).toContain('No rule files were applied in this run.');
    expect(html).toContain('Facts for counsel, not legal advice.');
    expect(html).not.toMatch(/NaN|Infinity|undefined|null/);
    expect(html).not.toMatch(/<script/i);
  });

  it('says when there is no window, when the accounting does not balance, and when no first exposure has a time', () => {
    const d = demoBrief();
    delete d.window;
    d.counts.read = 70;
    d.timeline = {
      bins: [{ start: '2025-11-08T00:00:00Z', users: 0 }],
      binMs: 2 * 24 * HOUR,
      untimed: 12,
    };
    const html = briefHtml(d);
    expect(html).toContain('<b>none</b><span>no window given: every record counts</span>');
    expect(html).toContain('<strong>The parts add up to 71, not 70.</strong>');
    expect(html).toContain(
      'No first exposure has a time. 12 affected users were exposed only through profiles',
    );
    d.timeline = {
      bins: [
        { start: '2025-11-08T00:00:00Z', users: 3 },
        { start: '2025-11-10T00:00:00Z', users: 9 },
      ],
      binMs: 2 * 24 * HOUR,
      untimed: 0,
    };
    expect(briefHtml(d)).toContain(
      'in 2 bars of 2 d each, across the records’ own span (no window was given)',
    );
    expect(briefHtml(d)).not.toMatch(/NaN|Infinity|undefined/);
  });
});

const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** RGBA pixels of an 8-bit RGB/RGBA, non-interlaced PNG (what Chromium's screenshots are). */
function decodePng(png: Buffer): { width: number; height: number; rgba: Uint8Array } {
  expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
  let off = 8,
    width = 0,
    height = 0,
    channels = 0;
  const idat: Buffer[] = [];
  while (off < png.length) {
    const len = png.readUInt32BE(off),
      type = png.toString('latin1', off + 4, off + 8),
      body = png.subarray(off + 8, off + 8 + len);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      expect([body[8], body[12]]).toEqual([8, 0]); // bit depth 8, not interlaced
      channels = body[9] === 6 ? 4 : body[9] === 2 ? 3 : 0;
      expect(channels).toBeGreaterThan(0);
    }
    if (type === 'IDAT') idat.push(body);
    off += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat)),
    stride = width * channels;
  const px = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!,
      row = y * stride,
      src = y * (stride + 1) + 1;
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? px[row + x - channels]! : 0,
        b = y ? px[row - stride + x]! : 0,
        c = x >= channels && y ? px[row - stride + x - channels]! : 0;
      const p = a + b - c,
        pa = Math.abs(p - a),
        pb = Math.abs(p - b),
        pc = Math.abs(p - c);
      const pred = [0, a, b, (a + b) >> 1, pa <= pb && pa <= pc ? a : pb <= pc ? b : c][filter]!;
      px[row + x] = (raw[src + x]! + pred) & 0xff;
    }
  }
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    for (let k = 0; k < 3; k++) rgba[i * 4 + k] = px[i * channels + k]!;
    rgba[i * 4 + 3] = channels === 4 ? px[i * channels + 3]! : 255;
  }
  return { width, height, rgba };
}

describe('briefHtml in a headless Chromium', () => {
  let browser: Browser | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'brief-html-'));

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `${CHROMIUM} is missing: the HTML brief is checked in a real browser. Run .ci/run (it installs it) or: apt-get install -y --no-install-recommends chromium`,
      );
    }
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    ['demo', demoBrief()],
    ['empty', emptyBrief()],
  ] as const)(
    '%s: loads with no error and no request, and draws its charts without overlap',
    async (name, data) => {
      const file = join(dir, `${name}.html`);
      writeFileSync(file, briefHtml(data));
      const url = pathToFileURL(file).href;
      const page = await browser!.newPage({
        viewport: { width: 1000, height: 800 },
        deviceScaleFactor: 1,
      });
      const problems: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning')
          problems.push(`console ${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      page.on('request', (r) => {
        if (r.url() !== url) problems.push(`request: ${r.url()}`);
      });
      await page.goto(url, { waitUntil: 'load' });
      const layout = await page.evaluate(() => {
        const boxes = [...document.querySelectorAll('svg')].map((s) => s.getBoundingClientRect());
        // Labels drawn in the same chart must not overlap one another.
        const overlaps: string[] = [],
          outside: string[] = [];
        for (const s of document.querySelectorAll('svg')) {
          const t = [...s.querySelectorAll('text')].map((e) => ({
            s: e.textContent ?? '',
            r: e.getBoundingClientRect(),
          }));
          const box = s.getBoundingClientRect();
          for (const { s: label, r } of t)
            if (
              r.left < box.left - 0.5 ||
              r.right > box.right + 0.5 ||
              r.top < box.top - 0.5 ||
              r.bottom > box.bottom + 0.5
            )
              outside.push(label);
          for (let i = 0; i < t.length; i++)
            for (let j = i + 1; j < t.length; j++) {
              const a = t[i]!.r,
                b = t[j]!.r;
              if (
                a.left < b.right - 0.5 &&
                b.left < a.right - 0.5 &&
                a.top < b.bottom - 0.5 &&
                b.top < a.bottom - 0.5
              )
                overlaps.push(`${t[i]!.s} / ${t[j]!.s}`);
            }
        }
        return {
          svgs: boxes.length,
          empty: boxes.filter((b) => b.width < 1 || b.height < 1).length,
          overflow: document.documentElement.scrollWidth - window.innerWidth,
          overlaps,
          outside,
          title: document.title,
        };
      });
      expect(layout.title).toMatch(/^Breach notification brief — /);
      expect(layout.empty).toBe(0);
      expect(layout.overflow).toBeLessThanOrEqual(0);
      expect(layout.overlaps).toEqual([]);
      expect(layout.outside).toEqual([]); // no label cut off at a chart's edge
      if (name === 'demo') expect(layout.svgs).toBe(3 + data.verdicts.length); // flow, categories, timeline, one bar per verdict row
      const shot = decodePng(await page.screenshot({ type: 'png', fullPage: true }));
      const colours = new Set<number>();
      let ink = 0,
        blue = 0;
      for (let i = 0; i < shot.rgba.length; i += 4) {
        const [r, g, b] = [shot.rgba[i]!, shot.rgba[i + 1]!, shot.rgba[i + 2]!];
        colours.add((r << 16) | (g << 8) | b);
        if (r + g + b < 600) ink++;
        if (r === 0x1f && g === 0x5f && b === 0x99) blue++;
      }
      expect(colours.size).toBeGreaterThan(50);
      expect(ink / (shot.width * shot.height)).toBeGreaterThan(0.01);
      if (name === 'demo') expect(blue).toBeGreaterThan(2_000); // the attributed band and the category bars are drawn
      expect(problems).toEqual([]);
      await page.close();
    },
  );
});
