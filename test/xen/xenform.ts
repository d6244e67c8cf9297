// Running the built xenform command line against the real Xen host, in a working directory
// whose configuration has one xl host block pointing at the booted dom0.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runProgram, sleep, xenHost, type RunResult } from './dom0.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const XENFORM = join(ROOT, 'bin', 'xenform.js');
export const CONFIG_DIR = '/etc/xen/xenform';
export const SUSPEND_DIR = '/var/lib/xen/save';

export function hostBlock(name = 'xen'): string {
  const h = xenHost();
  return [
    `host "${name}" {`,
    '  toolstack     = "xl"',
    '  address       = "127.0.0.1"',
    `  port          = ${h.port}`,
    '  user          = "root"',
    `  identity_file = ${JSON.stringify(h.identityFile)}`,
    `  known_hosts   = ${JSON.stringify(h.knownHostsFile)}`,
    `  config_dir    = "${CONFIG_DIR}"`,
    `  suspend_dir   = "${SUSPEND_DIR}"`,
    '}',
    '',
  ].join('\n');
}

export interface TinyVm {
  name: string;
  power_state: 'running' | 'halted' | 'paused' | 'suspended';
  args: string;
  restart_trigger?: number;
  vcpus?: number; // default 1
  vcpus_max?: number;
  devices?: string; // disk and network blocks, as HCL
}

// The tiny guest of test/xen-host: PV, direct kernel boot from files in dom0, no bootloader.
export function tinyVmBlock(label: string, vm: TinyVm): string {
  return [
    `vm "${label}" {`,
    '  host        = host.xen',
    `  name        = "${vm.name}"`,
    `  power_state = "${vm.power_state}"`,
    '  memory      = "128MiB"',
    `  vcpus       = ${vm.vcpus ?? 1}`,
    vm.vcpus_max === undefined ? '' : `  vcpus_max   = ${vm.vcpus_max}`,
    vm.devices ?? '',
    '  boot {',
    '    mode       = "pv"',
    '    bootloader = ""',
    '    kernel     = "/root/guest/vmlinuz"',
    '    ramdisk    = "/root/guest/initrd.gz"',
    `    args       = ${JSON.stringify(vm.args)}`,
    '  }',
    '  shutdown {',
    '    mode     = "clean"',
    '    timeout  = "90s"',
    '    fallback = "hard"',
    '  }',
    vm.restart_trigger === undefined ? '' : `  restart_trigger = ${vm.restart_trigger}`,
    '}',
    '',
  ].join('\n');
}

export class Workdir {
  readonly dir = mkdtempSync(join(process.env.XF_XEN_TMP ?? tmpdir(), 'xenform-'));

  configure(vms: Record<string, TinyVm>): void {
    const text = hostBlock() + Object.entries(vms).map(([label, vm]) => tinyVmBlock(label, vm)).join('\n');
    writeFileSync(join(this.dir, 'main.xf.hcl'), text);
  }

  // `xenform ARGS --chdir DIR`, with a deadline (apply on TCG is slow: ~7 s per xl create).
  // A run that could not even connect (the emulated sshd is slow on a loaded machine) changed
  // nothing on the host, so it is tried again, like an ssh exit of 255.
  async xenform(args: string[], timeoutMs = 600_000): Promise<RunResult> {
    const attempt = () =>
      runProgram(process.execPath, [XENFORM, '--chdir', this.dir, '--no-color', ...args], {
        timeoutMs,
        cwd: this.dir,
        env: { ...process.env, NO_COLOR: '1' },
      });
    // Up to three tries (the message may be quoted in JSON: plan --json): under load (a shared 2-core machine) the emulated sshd has been seen to
    // miss the 20 s connect deadline twice in a row.
    let r = await attempt();
    for (let tries = 1; tries < 3 && /cannot connect to host \\?"[^"\\]*\\?" \([^)]*\): no answer within/.test(r.stdout + r.stderr); tries++) {
      await sleep(5000);
      r = await attempt();
    }
    return r;
  }

  async plan(): Promise<PlanJson> {
    const r = await this.xenform(['plan', '--json'], 300_000);
    if (r.code !== 0) throw new Error(`xenform plan --json exited ${r.code}\n${r.stdout}\n${r.stderr}`);
    return JSON.parse(r.stdout) as PlanJson;
  }

  async apply(): Promise<RunResult> {
    const r = await this.xenform(['apply', '--auto-approve']);
    if (r.code !== 0) throw new Error(`xenform apply exited ${r.code}\n${r.stdout}\n${r.stderr}`);
    return r;
  }

  // `plan --detailed-exitcode`: 0 when the host matches the configuration.
  async detailedExitCode(): Promise<{ code: number; output: string }> {
    const r = await this.xenform(['plan', '--detailed-exitcode'], 300_000);
    return { code: r.code, output: r.stdout + r.stderr };
  }
}

export interface PlanJson {
  resource_changes: {
    address: string;
    action: string;
    disruption: string;
    reasons: string[];
    before: { power_state?: string } | null;
    changes: { path: string; effect: string }[];
  }[];
  drift: { address: string; kind: string }[];
  steps: { address: string; op: string; from?: string; to?: string }[];
}
