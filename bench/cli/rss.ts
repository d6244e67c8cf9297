// Loaded with `node --import` into every process a whole-command benchmark times: at exit it
// writes the process's peak resident set (KiB, getrusage ru_maxrss) and its CPU time (user and
// system, microseconds) to BENCH_RSS_FILE, as "KIB USER SYSTEM".
import { writeFileSync } from 'node:fs';

const file = process.env.BENCH_RSS_FILE;
if (file) {
  process.once('exit', () => {
    const u = process.resourceUsage();
    writeFileSync(file, `${u.maxRSS} ${u.userCPUTime} ${u.systemCPUTime}`);
  });
}
