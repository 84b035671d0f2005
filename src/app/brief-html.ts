/**
 * --notification-report brief.html: the counsel brief as one self-contained page (issue 15).
 * Read in a minute by counsel or an executive, printed on A4 or on screen, opened offline: no
 * script, nothing fetched (no font, image, stylesheet or link), charts as inline SVG with their
 * numbers also written out, so nothing depends on colour alone. It renders only BriefData —
 * counts, categories, residence codes, regime names, field names, paths, hashes — never a
 * personal value. Every string from the data goes through `text()`: controls shown as `\u001b`
 * (issue 13), then HTML-escaped.
 */
import { visible } from '../core/text.js';
import type { BriefData } from './brief-data.js';

type Counts = BriefData['counts'];
type Verdict = BriefData['verdicts'][number];

/** A string from the data, safe inside an element or a quoted attribute. */
function text(s: string): string {
  return visible(s).replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/**
 * Limits, drivers and citations are written once for both briefs, in Markdown's inline-code
 * backticks: here they become <code>, around text already escaped.
 */
function prose(s: string): string {
  return text(s).replace(/`([^`]+)`/g, '<code>$1</code>');
}

/** Counts with thousands separators; a non-number (never expected) shows as a dash, not "NaN". */
function num(n: number | null): string {
  return n !== null && Number.isFinite(n) ? n.toLocaleString('en-US') : '–';
}

function pct(part: number, whole: number): string {
  return whole > 0 ? `${((100 * part) / whole).toFixed(1).replace(/\.0$/, '')}%` : '–';
}

/** SVG coordinates rounded, so the page stays small and diffs of it stay readable. */
const r1 = (x: number) => Math.round(x * 10) / 10;

/** An inline chart: scales to the column, named for screen readers by its <title>. */
function svg(width: number, height: number, title: string, body: string): string {
  return `<svg viewBox="0 0 ${width} ${r1(height)}" width="${width}" role="img" preserveAspectRatio="xMinYMin meet"><title>${text(title)}</title>${body}</svg>`;
}

function svgText(x: number, y: number, s: string, cls = '', anchor = 'start'): string {
  return `<text x="${r1(x)}" y="${r1(y)}" text-anchor="${anchor}"${cls ? ` class="${cls}"` : ''}>${s}</text>`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const pad2 = (n: number) => String(n).padStart(2, '0');

/** "8 Nov 2025 00:00 UTC" for a reader; the exact ISO text stays in the window section. */
function humanTime(iso: string, withYear = true, withTime = true): string {
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return text(iso);
  const d = new Date(t);
  const day = `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]}${withYear ? ` ${d.getUTCFullYear()}` : ''}`;
  return withTime ? `${day} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}` : day;
}

function duration(ms: number): string {
  if (!(ms > 0)) return '–';
  if (ms % DAY === 0) return `${num(ms / DAY)} d`;
  if (ms >= HOUR)
    return ms % HOUR === 0
      ? `${num(ms / HOUR)} h`
      : `${num(Math.floor(ms / HOUR))} h ${Math.round((ms % HOUR) / 60_000)} min`;
  return ms >= 60_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 1000)} s`;
}

/**
 * System fonts only (nothing to fetch), dark text on white (contrast above 7:1), and print rules
 * so that a section is not split across A4 pages.
 */
const CSS = `
:root { --ink: #1b1f24; --muted: #57606a; --line: #d0d7de; --soft: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 940px; margin: 0 auto; padding: 28px 24px 40px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 0 0 10px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
section { margin: 26px 0 0; break-inside: avoid; page-break-inside: avoid; }
p { margin: 6px 0; }
.muted { color: var(--muted); }
.notice { border-left: 5px solid #9a6700; background: #fff8e5; padding: 10px 14px; margin: 14px 0 0; }
.cards { display: grid; grid-template-columns: repeat(4, 1fr); gap: 10px; margin-top: 18px; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; background: var(--soft); }
.card b { display: block; font-size: 24px; line-height: 1.2; }
.card span { color: var(--muted); font-size: 13px; }
svg { display: block; max-width: 100%; height: auto; margin: 8px 0; font-family: inherit; }
svg text { font-size: 13px; fill: var(--ink); }
svg .b { font-weight: 600; }
svg .s { font-size: 11.5px; fill: var(--muted); }
svg .axis { stroke: #8c959f; stroke-width: 1; }
svg .grid { stroke: #e6e9ed; stroke-width: 1; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--soft); font-weight: 600; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.total td { font-weight: 600; border-top: 2px solid var(--muted); }
td svg { margin: 2px 0; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 12.5px; overflow-wrap: anywhere; }
.legend { font-size: 13px; color: var(--muted); }
.sw { display: inline-block; width: 11px; height: 11px; border-radius: 2px; margin: 0 4px 0 10px; vertical-align: -1px; }
ul { margin: 6px 0; padding-left: 22px; }
li { margin: 3px 0; }
footer { margin-top: 30px; padding-top: 10px; border-top: 1px solid var(--line); color: var(--muted); font-size: 13px; }
@page { size: A4; margin: 14mm; }
@media print {
  body { font-size: 10.5pt; }
  main { max-width: none; padding: 0; }
  .cards { grid-template-columns: repeat(4, 1fr); }
  .card, .notice, th { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
@media (max-width: 700px) { .cards { grid-template-columns: repeat(2, 1fr); } }
`;

const NOT_ADVICE = 'Facts for counsel, not legal advice.';

export function briefHtml(data: BriefData): string {
  const title = `Breach notification brief — ${data.affectedUsers === 1 ? '1 affected user' : `${num(data.affectedUsers)} affected users`}`;
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    // Belt and braces: even a page edited later may not fetch or run anything.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    `<title>${text(title)}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    '<main>',
    header(data),
    section('Every record read, accounted for', accountingSection(data.counts)),
    section('Affected users by category of data exposed', categorySection(data)),
    section('Verdicts by jurisdiction and regime', verdictSection(data.verdicts)),
    section("Affected users' first exposure over time", timelineSection(data)),
    section('What drove each verdict', driversSection(data.drivers)),
    section('Window and inputs', inputsSection(data)),
    section('Rules applied', rulesSection(data.rules)),
    section('Limits of this analysis', list(data.limits.map(prose), 'None stated.')),
    `<footer>${text(NOT_ADVICE)} Generated by ${text(data.tool.name)} ${text(data.tool.version)} at ${text(data.generatedAt)}. This page holds counts, categories, residence codes, regime names, field names, file paths and hashes only — no personal value.</footer>`,
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function section(heading: string, body: string): string {
  return `<section>\n<h2>${text(heading)}</h2>\n${body}\n</section>`;
}

function list(items: string[], empty: string): string {
  return items.length
    ? `<ul>\n${items.map((i) => `<li>${i}</li>`).join('\n')}\n</ul>`
    : `<p class="muted">${text(empty)}</p>`;
}

/** Title, the not-advice line first (before any number), then the four figures asked first. */
function header(data: BriefData): string {
  const w = data.window;
  const windowCard = w
    ? `<b>${duration(Date.parse(w.end) - Date.parse(w.start))}</b><span>window, ${humanTime(w.start)} to ${humanTime(w.end)} UTC</span>`
    : '<b>none</b><span>no window given: every record counts</span>';
  const places = new Set(data.verdicts.map((v) => v.residence)).size;
  const c = data.counts;
  return [
    '<header>',
    '<h1>Breach notification brief</h1>',
    `<p class="muted">${text(data.tool.name)} ${text(data.tool.version)} · generated ${text(data.generatedAt)}</p>`,
    `<p class="notice"><strong>${text(NOT_ADVICE)}</strong> For each affected user the tool reports which data-element combinations of each regime are present in the exposed fields, which are missing, and where the user lives. Counsel decides.</p>`,
    '<div class="cards">',
    `<div class="card"><b>${num(data.affectedUsers)}</b><span>affected users</span></div>`,
    `<div class="card"><b>${num(c.attributed)}</b><span>records attributed to them, of ${num(c.read)} read</span></div>`,
    `<div class="card">${windowCard}</div>`,
    `<div class="card"><b>${data.verdicts.length ? num(places) : '–'}</b><span>${data.verdicts.length ? 'jurisdictions of residence' : 'no notification basis in this run'}</span></div>`,
    '</div>',
    '</header>',
  ].join('\n');
}

/** The accounting's five outcomes, in the order the brief reads them, with a plain gloss each. */
const FLOW: Array<{
  key: Exclude<keyof Counts, 'read' | 'duplicates'>;
  label: string;
  gloss: string;
  colour: string;
}> = [
  {
    key: 'attributed',
    label: 'Attributed',
    gloss: 'joined to an affected user',
    colour: '#1f5f99',
  },
  {
    key: 'unmatched',
    label: 'Unmatched',
    gloss: 'no user in the table matches',
    colour: '#b35c00',
  },
  {
    key: 'ambiguous',
    label: 'Ambiguous',
    gloss: 'could belong to more than one user',
    colour: '#7a4fa3',
  },
  {
    key: 'out_of_window',
    label: 'Out of window',
    gloss: 'outside the incident window',
    colour: '#7d858e',
  },
  {
    key: 'rejected',
    label: 'Rejected',
    gloss: 'could not be read; listed by file and line',
    colour: '#b3261e',
  },
];

function accountingSection(c: Counts): string {
  const sum = FLOW.reduce((s, f) => s + c[f.key], 0);
  const balanced = sum === c.read;
  // The order of the CLI's accounting line and the Markdown brief, so the three read alike.
  const order = ['rejected', 'out_of_window', 'attributed', 'unmatched', 'ambiguous'].map((k) =>
    FLOW.find((f) => f.key === k)!,
  );
  const equation = `Read ${num(c.read)} = ${order.map((f) => `${f.label.toLowerCase()} ${num(c[f.key])}`).join(' + ')}`;
  const dup = c.duplicates
    ? ` (${num(c.duplicates)} duplicate${c.duplicates === 1 ? '' : 's'} among them)`
    : '';
  const check = balanced
    ? 'The accounting balances: no record is lost.'
    : `<strong>The parts add up to ${num(sum)}, not ${num(c.read)}.</strong>`;
  return [
    sum > 0 ? flowChart(c, sum) : '<p class="muted">No records were read.</p>',
    `<p>${equation}${dup}. ${check}</p>`,
  ].join('\n');
}

/**
 * A one-step Sankey: the records read on the left, a band to each outcome on the right. Band
 * widths are true to the counts; each outcome gets a slot tall enough for its two label lines,
 * so small counts (3 rejected of 71) never overlap their neighbours.
 */
function flowChart(c: Counts, sum: number): string {
  // 740 wide, not the column's 900: printed on A4 the chart shrinks less and its labels stay legible.
  const W = 740,
    H = 220,
    top = 8,
    gap = 10,
    slotMin = 40;
  const lx = 130,
    rx = 420,
    bw = 16;
  const scale = H / sum;
  const slots = FLOW.map((f) => Math.max(slotMin, c[f.key] * scale));
  const rightH = slots.reduce((a, b) => a + b, 0) + gap * (FLOW.length - 1);
  let ly = top + (rightH - H) / 2;
  let sy = top;
  const parts: string[] = [];
  FLOW.forEach((f, i) => {
    const h = c[f.key] * scale,
      slot = slots[i]!;
    const ry = sy + (slot - h) / 2,
      mid = sy + slot / 2,
      xm = (lx + bw + rx) / 2;
    if (h > 0) {
      parts.push(
        `<path d="M${lx + bw} ${r1(ly)} C${xm} ${r1(ly)} ${xm} ${r1(ry)} ${rx} ${r1(ry)} L${rx} ${r1(ry + h)} C${xm} ${r1(ry + h)} ${xm} ${r1(ly + h)} ${lx + bw} ${r1(ly + h)} Z" fill="${f.colour}" fill-opacity="0.28"/>`,
      );
    }
    parts.push(
      `<rect x="${rx}" y="${r1(h > 0 ? ry : mid - 0.75)}" width="${bw}" height="${r1(Math.max(h, 1.5))}" fill="${f.colour}"/>`,
    );
    parts.push(
      svgText(
        rx + bw + 10,
        mid - 3,
        `<tspan class="b">${f.label}</tspan> ${num(c[f.key])} <tspan class="s">(${pct(c[f.key], sum)})</tspan>`,
      ),
    );
    parts.push(svgText(rx + bw + 10, mid + 13, text(f.gloss), 's'));
    ly += h;
    sy += slot + gap;
  });
  const y0 = top + (rightH - H) / 2;
  parts.unshift(`<rect x="${lx}" y="${r1(y0)}" width="${bw}" height="${H}" fill="#3d4650"/>`);
  parts.push(
    svgText(lx - 12, y0 + H / 2 - 4, 'Records read', 'b', 'end'),
    svgText(lx - 12, y0 + H / 2 + 14, num(c.read), '', 'end'),
  );
  const title = `Accounting: ${num(c.read)} records read; ${FLOW.map((f) => `${f.label.toLowerCase()} ${num(c[f.key])}`).join(', ')}`;
  return svg(W, rightH + top * 2, title, parts.join(''));
}

/** What each category holds, in words a reader who never saw the field names understands. */
const CATEGORY_GLOSS: Record<string, string> = {
  contact: 'email, phone, name, address',
  location: 'IP address, city, region, country',
  device: 'browser, OS, screen, device model',
  web: 'page URLs, referrers, campaigns',
  account: 'user, device and session ids',
  credential: 'passwords, tokens, keys',
  other: 'fields in none of the above',
};

/** Bars against the number of affected users, since each user counts once per category. */
function categorySection(data: BriefData): string {
  const total = data.affectedUsers;
  if (total === 0)
    return '<p class="muted">No affected users: no category of data was exposed for anyone in the user table.</p>';
  const W = 740,
    row = 38,
    bx = 215,
    bmax = 380;
  const parts = data.byCategory.map((c, i) => {
    const y = i * row + 6,
      w = (bmax * Math.min(c.users, total)) / total;
    return [
      svgText(0, y + 14, text(c.category), 'b'),
      svgText(0, y + 29, text(CATEGORY_GLOSS[c.category] ?? ''), 's'),
      `<rect x="${bx}" y="${y + 4}" width="${bmax}" height="22" fill="#eef1f4"/>`,
      `<rect x="${bx}" y="${y + 4}" width="${r1(w)}" height="22" fill="#1f5f99"/>`,
      svgText(
        bx + bmax + 12,
        y + 20,
        `${num(c.users)} <tspan class="s">of ${num(total)} (${pct(c.users, total)})</tspan>`,
      ),
    ].join('');
  });
  const title = `Affected users by category: ${data.byCategory.map((c) => `${c.category} ${num(c.users)}`).join(', ')}, of ${num(total)}`;
  return `${svg(W, data.byCategory.length * row + 8, title, parts.join(''))}\n<p class="muted">A user counts once in each category of which at least one field of theirs was exposed.</p>`;
}

const VERDICTS = [
  { key: 'notifiable', label: 'Notifiable', colour: '#b3261e' },
  { key: 'assess', label: 'Assess', colour: '#c98a00' },
  { key: 'notNotifiable', label: 'Not notifiable', colour: '#5f8ba3' },
] as const;

const rowTotal = (v: Verdict) => v.notifiable + v.assess + v.notNotifiable;

/** A table (the numbers) with a stacked bar per row (the shape), and a totals row. */
function verdictSection(verdicts: Verdict[]): string {
  if (!verdicts.length)
    return '<p class="muted">No verdicts: this run had no notification basis, so no regime was applied to the affected users.</p>';
  const max = Math.max(1, ...verdicts.map(rowTotal));
  const legend = `<p class="legend">${VERDICTS.map((k) => `<span class="sw" style="background:${k.colour}"></span>${k.label}`).join('')}</p>`;
  const head = `<tr><th>Residence</th><th>Regime</th>${VERDICTS.map((k) => `<th class="n">${k.label}</th>`).join('')}<th>Users</th></tr>`;
  const rows = verdicts.map(
    (v) =>
      `<tr><td>${text(v.residence)}</td><td>${text(v.regime)}</td>${VERDICTS.map((k) => `<td class="n">${num(v[k.key])}</td>`).join('')}<td>${verdictBar(v, max)}</td></tr>`,
  );
  const sums = VERDICTS.map((k) => verdicts.reduce((s, v) => s + v[k.key], 0));
  const total = `<tr class="total"><td colspan="2">Total (user–regime pairs)</td>${sums.map((n) => `<td class="n">${num(n)}</td>`).join('')}<td class="n">${num(sums.reduce((a, b) => a + b, 0))}</td></tr>`;
  return [
    legend,
    `<table>\n<thead>${head}</thead>\n<tbody>\n${rows.join('\n')}\n${total}\n</tbody>\n</table>`,
    '<p class="muted"><b>Notifiable</b>: a combination of the regime’s data elements is present in the exposed fields (any condition is in the drivers below). <b>Assess</b>: counsel must assess — a risk-based regime (GDPR, UK GDPR: an Art. 33 risk assessment, not necessarily notice to individuals) or a place no rule file covers. <b>Not notifiable</b>: no combination of the regime is present. A user counts once per regime that applies to them.</p>',
  ].join('\n');
}

function verdictBar(v: Verdict, max: number): string {
  const W = 200,
    H = 16;
  let x = 0;
  const segs = VERDICTS.map((k) => {
    const w = (W * v[k.key]) / max;
    const seg =
      w > 0
        ? `<rect x="${r1(x)}" y="1" width="${r1(w)}" height="${H - 2}" fill="${k.colour}"/>`
        : '';
    x += w;
    return seg;
  });
  const title = `${v.residence}, ${v.regime}: ${VERDICTS.map((k) => `${k.label.toLowerCase()} ${num(v[k.key])}`).join(', ')}`;
  return svg(
    W,
    H,
    title,
    `<rect x="0" y="1" width="${W}" height="${H - 2}" fill="#eef1f4"/>${segs.join('')}`,
  );
}

function timelineSection(data: BriefData): string {
  const { bins, binMs, untimed } = data.timeline;
  const timed = bins.reduce((s, b) => s + b.users, 0);
  if (timed === 0 && untimed === 0)
    return '<p class="muted">No affected users: no first exposure to show.</p>';
  const untimedNote = untimed
    ? ` ${num(untimed)} affected user${untimed === 1 ? ' was' : 's were'} exposed only through profiles, which carry no time, and ${untimed === 1 ? 'is' : 'are'} not in the chart.`
    : '';
  if (timed === 0) return `<p>No first exposure has a time.${untimedNote}</p>`;
  const used = bins.filter((b) => b.users > 0);
  const peak = Math.max(...used.map((b) => b.users));
  const span = data.window
    ? 'across the incident window'
    : 'across the records’ own span (no window was given)';
  return [
    histogram(bins, binMs, timed),
    `<p>${num(timed)} affected user${timed === 1 ? '' : 's'} by the time of their first exposure, in ${num(bins.length)} bar${bins.length === 1 ? '' : 's'} of ${duration(binMs)} each, ${span}, UTC. Earliest: the bar from ${humanTime(used[0]!.start)}; latest: the bar from ${humanTime(used[used.length - 1]!.start)}; the fullest bar holds ${num(peak)} user${peak === 1 ? '' : 's'}.${untimedNote}</p>`,
  ].join('\n');
}

/**
 * Vertical bars, one per bin. Counts stand above the bars while there is room for them; time
 * labels are thinned to about eight, the date written only where it changes.
 */
function histogram(bins: BriefData['timeline']['bins'], binMs: number, timed: number): string {
  const W = 900,
    H = 236,
    left = 44,
    right = 12,
    top = 28,
    bottom = 46;
  const pw = W - left - right,
    ph = H - top - bottom;
  const max = Math.max(1, ...bins.map((b) => b.users));
  const step = pw / bins.length,
    bw = Math.max(1, step * 0.8);
  const y = (n: number) => top + ph - (ph * n) / max;
  const parts: string[] = [];
  for (const t of max > 1 ? [0, Math.round(max / 2), max] : [0, 1]) {
    parts.push(
      `<line x1="${left}" x2="${W - right}" y1="${r1(y(t))}" y2="${r1(y(t))}" class="${t ? 'grid' : 'axis'}"/>`,
      svgText(left - 6, y(t) + 4, num(t), 's', 'end'),
    );
  }
  bins.forEach((b, i) => {
    const x = left + i * step + (step - bw) / 2;
    if (b.users > 0)
      parts.push(
        `<rect x="${r1(x)}" y="${r1(y(b.users))}" width="${r1(bw)}" height="${r1(top + ph - y(b.users))}" fill="#1f5f99"/>`,
      );
    if (b.users > 0 && step >= 16)
      parts.push(svgText(x + bw / 2, y(b.users) - 4, num(b.users), 's', 'middle'));
  });
  parts.push(...timeTicks(bins, binMs, left, step, top + ph));
  parts.push(svgText(0, 11, 'users', 's')); // above the top tick label, not beside it
  const title = `First exposure of ${num(timed)} affected users over time: ${bins
    .filter((b) => b.users > 0)
    .map((b) => `${b.start} ${num(b.users)}`)
    .join(', ')}`;
  return svg(W, H, title, parts.join(''));
}

function timeTicks(
  bins: BriefData['timeline']['bins'],
  binMs: number,
  left: number,
  step: number,
  base: number,
): string[] {
  const every = Math.max(1, Math.ceil(bins.length / 8));
  const out: string[] = [];
  let lastDay = '';
  for (let i = 0; i < bins.length; i += every) {
    const x = left + i * step,
      start = bins[i]!.start;
    const day = humanTime(start, false, false);
    out.push(`<line x1="${r1(x)}" x2="${r1(x)}" y1="${base}" y2="${base + 5}" class="axis"/>`);
    const anchor = i === 0 ? 'start' : 'middle';
    if (binMs < DAY) {
      const t = Date.parse(start);
      out.push(
        svgText(
          x,
          base + 19,
          Number.isFinite(t)
            ? `${pad2(new Date(t).getUTCHours())}:${pad2(new Date(t).getUTCMinutes())}`
            : text(start),
          '',
          anchor,
        ),
      );
      if (day !== lastDay) out.push(svgText(x, base + 35, day, 's', anchor));
    } else {
      out.push(svgText(x, base + 19, day, '', anchor));
    }
    lastDay = day;
  }
  // The end of the last bar (the window's end), unless the last tick label sits too close to it.
  const end = Date.parse(bins[bins.length - 1]!.start) + binMs,
    endX = left + bins.length * step;
  if (
    Number.isFinite(end) &&
    endX - (left + Math.floor((bins.length - 1) / every) * every * step) >= 70
  ) {
    const iso = new Date(end).toISOString();
    out.push(
      `<line x1="${r1(endX)}" x2="${r1(endX)}" y1="${base}" y2="${base + 5}" class="axis"/>`,
    );
    out.push(
      svgText(
        endX,
        base + 19,
        binMs < DAY ? iso.slice(11, 16) : humanTime(iso, false, false),
        '',
        'end',
      ),
    );
    if (binMs < DAY && humanTime(iso, false, false) !== lastDay)
      out.push(svgText(endX, base + 35, humanTime(iso, false, false), 's', 'end'));
  }
  return out;
}

function driversSection(drivers: BriefData['drivers']): string {
  const intro =
    '<p class="muted">The combination that fired (or the reason none did) and the exposed fields behind it, with the number of users.</p>';
  return (
    intro +
    '\n' +
    list(
      drivers.map((d) => `<b>${num(d.users)} ×</b> ${prose(d.text)}`),
      'No verdicts, so no drivers.',
    )
  );
}

/** The window in its exact ISO form, and each input with the hash that pins what was read. */
function inputsSection(data: BriefData): string {
  const w = data.window;
  const win = w
    ? `<p>Incident window: <span class="mono">${text(w.start)}</span> (inclusive) to <span class="mono">${text(w.end)}</span> (exclusive), UTC.</p>`
    : '<p>No window given: every record in the export counts.</p>';
  const rows = data.inputs.map((i) =>
    [
      `<tr><td>${text(i.role)}${i.vendor ? `<br><span class="muted">${text(i.vendor)}</span>` : ''}</td>`,
      `<td><code>${text(i.path)}</code><br><span class="mono muted">SHA-256 ${text(i.sha256)}</span></td>`,
      `<td class="n">${num(i.records)}</td><td class="n">${num(i.bytes)}</td></tr>`,
    ].join(''),
  );
  const table = rows.length
    ? `<table>\n<thead><tr><th>Role</th><th>File and SHA-256</th><th class="n">Records</th><th class="n">Bytes</th></tr></thead>\n<tbody>\n${rows.join('\n')}\n</tbody>\n</table>`
    : '<p class="muted">No inputs recorded.</p>';
  return `${win}\n${table}`;
}

function rulesSection(rules: BriefData['rules']): string {
  return list(
    rules.map(
      (r) =>
        `<b>${text(r.name)}</b> (<code>${text(r.file)}</code>, version ${text(r.version)}): ${prose(r.citation)}`,
    ),
    'No rule files were applied in this run.',
  );
}
