#!/usr/bin/env node
// Screenshot of an HTML counsel brief (issue 15), for docs/brief.png:
//   node scripts/brief-screenshot.mjs results/brief.html docs/brief.png
// Debian's Chromium (apt-get install chromium; .ci/run installs it) driven by playwright-core,
// which downloads no browser. Full page, 1000 px wide, scale 1.
import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { deflateSync, inflateSync } from 'node:zlib';
import { chromium } from 'playwright-core';

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

async function main([html, png]) {
  if (!html || !png)
    return fail(2, 'usage: node scripts/brief-screenshot.mjs <brief.html> <out.png>');
  if (!existsSync(html)) return fail(1, `${html}: no such file`);
  if (!existsSync(CHROMIUM))
    return fail(1, `${CHROMIUM} is missing: apt-get install -y --no-install-recommends chromium`);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  try {
    const page = await browser.newPage({
      viewport: { width: 1000, height: 800 },
      deviceScaleFactor: 1,
    });
    await page.goto(pathToFileURL(resolve(html)).href, { waitUntil: 'load' });
    const shot = await page.screenshot({ type: 'png', fullPage: true });
    const small = paletted(shot);
    writeFileSync(png, small);
    console.error(
      `brief-screenshot: wrote ${png} (${Math.round(small.length / 1024)} KB; Chromium's own PNG was ${Math.round(shot.length / 1024)} KB)`,
    );
  } finally {
    await browser.close();
  }
}

function fail(status, message) {
  console.error(`brief-screenshot: ${message}`);
  process.exitCode = status;
}

/**
 * Chromium's full-page PNG is true colour (~500 KB for the brief). A page of text and flat
 * charts has a few hundred frequent colours, the rest being anti-aliasing edges: an 8-bit
 * palette of the 256 most frequent, each other colour mapped to its nearest, looks the same
 * and is under half the size — so the PNG can live in git.
 */
function paletted(png) {
  const { width, height, rgb } = decode(png);
  const freq = new Map();
  for (let i = 0; i < rgb.length; i += 3) {
    const k = (rgb[i] << 16) | (rgb[i + 1] << 8) | rgb[i + 2];
    freq.set(k, (freq.get(k) ?? 0) + 1);
  }
  const palette = choosePalette([...freq].sort((a, b) => b[1] - a[1]).map(([k]) => k));
  const index = new Map(palette.map((k, i) => [k, i]));
  const rows = Buffer.alloc((width + 1) * height); // filter byte 0 per row: best for palettes
  for (let y = 0, p = 0; y < height; y++) {
    for (let x = 0; x < width; x++, p += 3) {
      const k = (rgb[p] << 16) | (rgb[p + 1] << 8) | rgb[p + 2];
      let i = index.get(k);
      if (i === undefined) index.set(k, (i = nearest(palette, k)));
      rows[y * (width + 1) + 1 + x] = i;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 3, 0, 0, 0], 8); // 8-bit, indexed colour
  const plte = Buffer.from(palette.flatMap((k) => [k >> 16, (k >> 8) & 255, k & 255]));
  return Buffer.concat([
    png.subarray(0, 8),
    chunk('IHDR', ihdr),
    chunk('PLTE', plte),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/**
 * Most frequent first, but a colour close to one already chosen waits for a second pass: the
 * hundreds of grey anti-aliasing steps must not crowd out a small chart's flat colour (the 4
 * ambiguous records' purple band).
 */
function choosePalette(byFrequency) {
  const distinct = [];
  for (const k of byFrequency) {
    if (distinct.length === 256) break;
    if (distinct.every((c) => distance(c, k) > 300)) distinct.push(k);
  }
  const chosen = new Set(distinct);
  return distinct.concat(byFrequency.filter((k) => !chosen.has(k)).slice(0, 256 - distinct.length));
}

function distance(c, k) {
  return (
    ((c >> 16) - (k >> 16)) ** 2 +
    (((c >> 8) & 255) - ((k >> 8) & 255)) ** 2 +
    ((c & 255) - (k & 255)) ** 2
  );
}

function nearest(palette, k) {
  let best = 0,
    dist = Infinity;
  palette.forEach((c, i) => {
    const d = distance(c, k);
    if (d < dist) [best, dist] = [i, d];
  });
  return best;
}

/** RGB pixels of Chromium's 8-bit, non-interlaced RGB or RGBA PNG (the page is opaque). */
function decode(png) {
  let off = 8,
    width = 0,
    height = 0,
    channels = 0;
  const idat = [];
  while (off < png.length) {
    const len = png.readUInt32BE(off),
      type = png.toString('latin1', off + 4, off + 8),
      body = png.subarray(off + 8, off + 8 + len);
    if (type === 'IHDR')
      [width, height, channels] = [
        body.readUInt32BE(0),
        body.readUInt32BE(4),
        body[9] === 6 ? 4 : 3,
      ];
    if (type === 'IHDR' && (body[8] !== 8 || body[12] !== 0 || (body[9] !== 2 && body[9] !== 6)))
      throw new Error('unexpected PNG format from Chromium');
    if (type === 'IDAT') idat.push(body);
    off += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat)),
    stride = width * channels,
    px = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)],
      row = y * stride,
      src = row + y + 1;
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? px[row + x - channels] : 0,
        b = y ? px[row - stride + x] : 0,
        c = x >= channels && y ? px[row - stride + x - channels] : 0;
      const p = a + b - c,
        pa = Math.abs(p - a),
        pb = Math.abs(p - b),
        pc = Math.abs(p - c);
      px[row + x] =
        (raw[src + x] +
          [0, a, b, (a + b) >> 1, pa <= pb && pa <= pc ? a : pb <= pc ? b : c][filter]) &
        255;
    }
  }
  const rgb = Buffer.alloc(width * height * 3);
  for (let i = 0; i < width * height; i++) px.copy(rgb, i * 3, i * channels, i * channels + 3);
  return { width, height, rgb };
}

const CRC = Array.from({ length: 256 }, (_, n) => {
  for (let k = 0; k < 8; k++) n = n & 1 ? 0xedb88320 ^ (n >>> 1) : n >>> 1;
  return n >>> 0;
});

function chunk(type, body) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length, 0);
  head.write(type, 4, 'latin1');
  let crc = 0xffffffff;
  for (const byte of [...head.subarray(4), ...body]) crc = CRC[(crc ^ byte) & 255] ^ (crc >>> 8);
  const tail = Buffer.alloc(4);
  tail.writeUInt32BE((crc ^ 0xffffffff) >>> 0, 0);
  return Buffer.concat([head, body, tail]);
}

await main(process.argv.slice(2));
