// Preloaded with `node --import bench/rss-probe.mjs …` by bench/run.mjs when /usr/bin/time is not
// installed: writes the process's peak RSS (KiB) and CPU time (µs, user+sys; worker threads included)
// to $BENCH_RSS_FILE at exit.
import { writeFileSync } from 'node:fs';

const file = process.env.BENCH_RSS_FILE;
if (file) {
  process.on('exit', () => {
    try {
      const u = process.resourceUsage();
      writeFileSync(file, `${u.maxRSS} ${u.userCPUTime + u.systemCPUTime}`);
    } catch {
      /* best effort */
    }
  });
}
