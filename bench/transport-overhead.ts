// The cost of one trivial command (`true`) on a dom0 over SSH, three ways, against
// the test sshd on 127.0.0.1 in one run: through xenform's persistent shell, through
// one exec channel per command, and through a new `ssh` process per command.
// Run: npm run build && node dist/bench/transport-overhead.js [iterations]
import { spawn } from 'node:child_process';
import { dirname } from 'node:path';
import { SshTransport } from '../providers/transport/ssh.js';
import { startSshd, sshArgs, type Sshd } from '../test/support/sshd.js';

const iterations = Number(process.argv[2] ?? 200);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function timeEach(n: number, run: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < Math.min(10, n); i++) await run(); // warm-up: connection, shell, caches
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await run();
    samples.push(performance.now() - t0);
  }
  return median(samples);
}

function transport(sshd: Sshd, mode: 'shell' | 'exec'): SshTransport {
  return new SshTransport({
    mode,
    env: {},
    sshEnv: { home: dirname(sshd.identityFile), sshConfigText: null },
    target: { label: 'bench', address: sshd.host, port: sshd.port, user: sshd.user, identityFile: sshd.identityFile, knownHosts: sshd.knownHostsFile },
  });
}

function sshProcess(sshd: Sshd): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('ssh', [...sshArgs(sshd), 'true'], { stdio: 'ignore' });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`ssh exited ${code}`))));
  });
}

async function main(): Promise<void> {
  const sshd = await startSshd();
  try {
    const shell = transport(sshd, 'shell');
    const exec = transport(sshd, 'exec');
    const results: [string, number][] = [];
    results.push(['persistent shell', await timeEach(iterations, () => shell.exec(['true']))]);
    results.push(['exec channel per command', await timeEach(Math.ceil(iterations / 2), () => exec.exec(['true']))]);
    results.push(['new ssh process per command', await timeEach(Math.ceil(iterations / 10), () => sshProcess(sshd))]);
    await shell.close();
    await exec.close();
    const base = results[0][1];
    console.log(`median time of \`true\` on ${sshd.host}:${sshd.port} (${iterations} runs through the shell)`);
    for (const [name, ms] of results) {
      console.log(`  ${name.padEnd(28)} ${ms.toFixed(2).padStart(8)} ms   ${(ms / base).toFixed(1).padStart(6)}x`);
    }
    console.log(`target: under 2 ms through the persistent shell: ${base < 2 ? 'met' : 'NOT met'}`);
  } finally {
    await sshd.stop();
  }
}

await main();
