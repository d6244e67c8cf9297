// Loaded with `node --import` into every process a whole-command benchmark times: at exit it
// writes the process's peak resident set (KiB, getrusage ru_maxrss) to BENCH_RSS_FILE.
import { writeFileSync } from 'node:fs';

const file = process.env.BENCH_RSS_FILE;
if (file) process.once('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS)));
