/**
 * The progress line (issue #5): on a TTY stderr only, redrawn in place at most 4 times a
 * second by a timer that reads counters the scan updates — the record loop does no extra work.
 */
import type { Progress } from '../app/scan.js';
import { err } from '../term.js';

const MB = 1024 * 1024;

export class ProgressLine {
  private timer: NodeJS.Timeout | undefined;
  private readonly started = Date.now();
  private drawn = false;

  constructor(
    private readonly p: Progress,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  static enabled(quiet: boolean, stream: NodeJS.WriteStream = process.stderr): boolean {
    return !quiet && stream.isTTY === true;
  }

  start(): void {
    this.timer = setInterval(() => this.draw(), 250);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.drawn) this.stream.write('\r\x1b[2K');
  }

  line(now = Date.now()): string {
    const { bytesDone, bytesTotal, records } = this.p;
    const s = Math.max((now - this.started) / 1000, 0.001);
    const rate = records / s;
    const parts = [
      Number.isNaN(bytesTotal)
        ? `${(bytesDone / MB).toFixed(1)} MB read`
        : `${(bytesDone / MB).toFixed(1)} of ${(bytesTotal / MB).toFixed(1)} MB (${bytesTotal ? Math.floor((100 * bytesDone) / bytesTotal) : 100}%)`,
      `${Math.round(rate).toLocaleString('en-US')} records/s`,
      `elapsed ${clock(s)}`,
    ];
    if (!Number.isNaN(bytesTotal) && bytesDone > 0 && bytesDone < bytesTotal)
      parts.push(`ETA ${clock((s * (bytesTotal - bytesDone)) / bytesDone)}`);
    return parts.join(' · ');
  }

  private draw(): void {
    const width = this.stream.columns || 80;
    this.stream.write('\r\x1b[2K' + err.dim(this.line().slice(0, width - 1)));
    this.drawn = true;
  }
}

function clock(s: number): string {
  const t = Math.round(s);
  const h = Math.floor(t / 3600),
    m = Math.floor((t % 3600) / 60),
    sec = t % 60;
  return (h ? `${h}:${String(m).padStart(2, '0')}` : `${m}`) + `:${String(sec).padStart(2, '0')}`;
}
