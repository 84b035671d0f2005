/**
 * An output path that is a symlink or a device is written through, never replaced: `--out
 * /dev/null` once turned /dev/null into a regular file (run as root), and `--out link.csv`
 * replaced the link and left its target unwritten. `--out /dev/stdout` into a pipe failed to open
 * (its link names a `pipe:[N]` no one can open), and a FIFO nobody read yet hung the run where
 * not even Ctrl-C reached it.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  existsSync,
  lstatSync,
  openSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, run } from './run.js';

const dir = mkdtempSync(join(tmpdir(), 'bi-targets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const DEMO = [
  'correlate',
  '--export',
  'fixtures/demo/export',
  '--users',
  'fixtures/demo/users.csv',
];

describe('outputs written through, not replaced', () => {
  it('a symlink: the file it points at gets the output, the link stays a link', () => {
    const target = join(dir, 'target.csv');
    const link = join(dir, 'link.csv');
    writeFileSync(target, 'an older run\n');
    symlinkSync(target, link);
    const r = run([...DEMO, '--out', link, '--rejects', join(dir, 'rejects.csv'), '--quiet']);
    expect(r.status, r.stderr).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(target, 'utf8')).toMatch(/^user_id,email,/);
  });

  it('a dangling symlink is replaced, never followed onto a file it might name (an input)', () => {
    const link = join(dir, 'dangling.csv');
    symlinkSync(join(dir, 'nowhere', 'x.csv'), link);
    const r = run([...DEMO, '--out', link, '--quiet']);
    expect(r.status, r.stderr).toBe(0);
    expect(lstatSync(link).isFile()).toBe(true);
  });

  // A device node of one's own needs root (CI runs as root); elsewhere this case is skipped.
  it.runIf(process.getuid?.() === 0)(
    'a device (a null device made for the test) stays a device',
    () => {
      const dev = join(dir, 'null');
      execFileSync('mknod', ['-m', '666', dev, 'c', '1', '3']);
      const r = run([...DEMO, '--out', dev, '--rejects', dev + '2', '--quiet']);
      expect(r.status, r.stderr).toBe(0);
      expect(statSync(dev).isCharacterDevice()).toBe(true);
    },
  );
});

// Run as an ordinary user (`nobody`), which needs root to arrange (CI runs as root).
const asNobody = (args: string[]) =>
  spawnSync('runuser', ['-u', 'nobody', '--', process.execPath, BIN, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', TZ: 'UTC', LC_ALL: 'C' },
  });
const canRunAsNobody =
  process.getuid?.() === 0 && spawnSync('runuser', ['-u', 'nobody', '--', 'true']).status === 0;

describe.runIf(canRunAsNobody)('outputs checked where they land, as an ordinary user', () => {
  it('--out /dev/null (twice) works for a user who cannot write /dev', () => {
    const r = asNobody([...DEMO, '--out', '/dev/null', '--rejects', '/dev/null']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/wrote\s+\/dev\/null, \/dev\/null/);
  });

  it('a link into a folder the user cannot write is refused before reading, naming that folder', () => {
    const open = mkdtempSync(join(tmpdir(), 'bi-open-'));
    const shut = mkdtempSync(join(tmpdir(), 'bi-shut-'));
    try {
      chmodSync(open, 0o777);
      chmodSync(shut, 0o755);
      writeFileSync(join(shut, 'affected.csv'), 'an older run\n');
      chmodSync(join(shut, 'affected.csv'), 0o666);
      symlinkSync(join(shut, 'affected.csv'), join(open, 'link.csv'));
      const r = asNobody([...DEMO, '--out', join(open, 'link.csv')]);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toContain(`the directory ${shut} cannot be written (permission denied)`);
      expect(readFileSync(join(shut, 'affected.csv'), 'utf8')).toBe('an older run\n');
    } finally {
      rmSync(open, { recursive: true, force: true });
      rmSync(shut, { recursive: true, force: true });
    }
  });
});

describe('pipes and FIFOs', () => {
  const spawnCli = (args: string[]) =>
    spawn(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', TZ: 'UTC', LC_ALL: 'C' },
    });
  /** The run's end, and a promise kept once its stderr says the FIFO is waited for. */
  const watch = (child: ReturnType<typeof spawnCli>) => {
    let stderr = '';
    let told: () => void = () => {};
    const waiting = new Promise<void>((done) => (told = done));
    child.stderr!.on('data', (b: Buffer) => {
      stderr += b.toString();
      if (stderr.includes('a FIFO nobody reads yet')) told();
    });
    const result = new Promise<{ code: number | null; stderr: string }>((done) =>
      child.on('close', (code) => done({ code, stderr })),
    );
    return { waiting, result };
  };
  const expected = run([...DEMO, '--quiet']).stdout;
  /** The demo run with these descriptors: Node's pipes are sockets, `fd` a file of the test's. */
  const withStdio = (args: string[], stdio: ('ignore' | 'pipe' | number)[]) =>
    spawnSync(process.execPath, [BIN, ...DEMO, ...args, '--quiet'], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio,
    });

  it('--out /dev/stdout into a pipe gets the rows', () => {
    const r = withStdio(['--out', '/dev/stdout'], ['ignore', 'pipe', 'pipe']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(expected);
  });

  it('--out /dev/stdout appended to by the shell (>>) keeps what the file held', () => {
    const file = join(dir, 'appended.csv');
    writeFileSync(file, 'an earlier line\n');
    const fd = openSync(file, 'a');
    const r = withStdio(['--out', '/dev/stdout'], ['ignore', fd, 'pipe']);
    closeSync(fd);
    expect(r.status, String(r.stderr)).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe('an earlier line\n' + expected);
  });

  it('/dev/fd/3 given by the shell (3>>file) is written, appended to as the shell opened it', () => {
    const file = join(dir, 'fd3.csv');
    writeFileSync(file, 'an earlier line\n');
    const fd = openSync(file, 'a');
    const r = withStdio(['--unmatched', '/dev/fd/3'], ['ignore', 'pipe', 'pipe', fd]);
    closeSync(fd);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(file, 'utf8')).toMatch(/^an earlier line\nvendor_id,/);
  });

  it("Node's own descriptors are never written: /dev/fd/3 to /dev/fd/12 unless the shell gave them", () => {
    for (let n = 3; n <= 12; n++) {
      const r = run([...DEMO, '--rejects', `/dev/fd/${n}`, '--quiet']);
      expect(r.status, `/dev/fd/${n}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(
        new RegExp(
          `--rejects /dev/fd/${n}: descriptor ${n} (is one Node.js uses itself|is not open|is open for reading)`,
        ),
      );
    }
  });

  it('- is stdout for outputs, as it is stdin for --export: never a file named -', () => {
    const demo = ['correlate', '--export', join(ROOT, 'fixtures/demo/export')];
    const users = ['--users', join(ROOT, 'fixtures/demo/users.csv')];
    const r = run([...demo, ...users, '--out', '-', '--quiet'], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(expected);
    expect(existsSync(join(dir, '-'))).toBe(false);
    const side = run([...DEMO, '--out', '/dev/null', '--rejects', '-', '--quiet']);
    expect(side.status, side.stderr).toBe(0);
    expect(side.stdout).toMatch(/^file,line,reason,record\n/);
    expect(run([...DEMO, '--rejects', '-']).stderr).toMatch(/--rejects \/dev\/stdout: is stdout/);
  });

  it('a side output sent to stdout, where the affected users go, is refused', () => {
    const r = run([...DEMO, '--unmatched', '/dev/stdout']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--unmatched \/dev\/stdout: is stdout, where the affected users go/);
    expect(r.stdout).toBe('');
    const withOut = run([...DEMO, '--out', '/dev/null', '--unmatched', '/dev/stdout', '--quiet']);
    expect(withOut.status, withOut.stderr).toBe(0);
    expect(withOut.stdout).toMatch(/^vendor_id,/);
  });

  /** The CLI through sh, for redirections spawn cannot express (`>&-`, `3<>`, `3>&1`). */
  const shell = (line: string) =>
    spawnSync('sh', ['-c', `"${process.execPath}" "${BIN}" ${DEMO.join(' ')} ${line}`], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', TZ: 'UTC', LC_ALL: 'C' },
    });

  it('an export read from stdin is an input: an output naming its file is refused', () => {
    const ev = join(dir, 'stdin-export.ndjson');
    const bytes = readFileSync(join(ROOT, 'fixtures/demo/export/2025-11-07.ndjson'));
    writeFileSync(ev, bytes);
    const r = spawnSync(
      'sh',
      [
        '-c',
        `"${process.execPath}" "${BIN}" correlate --export - --users fixtures/demo/users.csv --out "${join(dir, 'o.csv')}" --rejects "${ev}" < "${ev}"`,
      ],
      { cwd: ROOT, encoding: 'utf8' },
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`--rejects ${ev}: is the --export input stdin`);
    expect(readFileSync(ev)).toEqual(bytes);
  });

  it('/dev//stdout and a link to /dev/stdout are stdout too: a >> file keeps what it held', () => {
    const link = join(dir, 'to-stdout');
    symlinkSync('/dev/stdout', link);
    for (const name of ['/dev//stdout', '/dev/./fd/1', link]) {
      const file = join(dir, 'spelled.csv');
      writeFileSync(file, 'an earlier line\n');
      const r = shell(`--out "${name}" --quiet >> "${file}"`);
      expect(r.status, `${name}: ${r.stderr}`).toBe(0);
      expect(readFileSync(file, 'utf8'), name).toBe('an earlier line\n' + expected);
    }
  });

  it('stderr and a read-write descriptor mid-file are refused', () => {
    const rw = join(dir, 'rw.csv');
    writeFileSync(rw, 'a line the run must not half-overwrite\n'.repeat(20));
    for (const [line, message] of [
      ['--out /dev/null --rejects /dev/stderr', /stderr \(descriptor 2\) carries the summary/],
      [
        `--out /dev/null --rejects /dev/fd/3 3<>"${rw}"`,
        /descriptor 3 is \S+rw\.csv open at byte 0 of 780/,
      ],
    ] as const) {
      const r = shell(line);
      expect(r.status, line).toBe(2);
      expect(r.stderr, line).toMatch(message);
    }
    expect(readFileSync(rw, 'utf8')).toBe('a line the run must not half-overwrite\n'.repeat(20));
  });

  it("stdout thrown away by the caller (a Node child's 'ignore', Python's DEVNULL) is not refused", () => {
    // Both give /dev/null opened read-write, which is also what Node makes of a closed stdout.
    const manifest = join(dir, 'ignored-stdout.json');
    const r = withStdio(['--manifest', manifest], ['ignore', 'ignore', 'pipe']);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(manifest, 'utf8'))).toHaveProperty('counts');
  });

  it("the user's own copy of stdout (3>&1) is written, with --out taking the affected users", () => {
    const r = shell(`--out /dev/null --unmatched /dev/fd/3 --quiet 3>&1`);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^vendor_id,/);
  });

  it('a FIFO whose reader starts late gets every row; the wait is said once', async () => {
    const fifo = join(dir, 'late.fifo');
    execFileSync('mkfifo', [fifo]);
    const { waiting, result } = watch(spawnCli([...DEMO, '--out', fifo]));
    await waiting;
    const rows = readFileSync(fifo, 'utf8');
    const { code, stderr } = await result;
    expect(code, stderr).toBe(0);
    expect(rows).toBe(expected);
    expect(stderr.match(/a FIFO nobody reads yet/g)).toHaveLength(1);
  });

  it('a FIFO nobody reads: Ctrl-C still ends the run, with the interrupt code', async () => {
    const fifo = join(dir, 'unread.fifo');
    execFileSync('mkfifo', [fifo]);
    const child = spawnCli([...DEMO, '--out', fifo]);
    const { waiting, result } = watch(child);
    await waiting;
    child.kill('SIGINT');
    const { code, stderr } = await result;
    expect(code, stderr).toBe(130);
    expect(stderr).toMatch(/interrupted \(SIGINT\); no result was written/);
    expect(statSync(fifo).isFIFO()).toBe(true);
  });
});
