// Repositories of N VMs for the whole-command benchmarks: a configuration of `hosts` host
// blocks with one `vm` block of `count = N / hosts` each, and, for benchmarks of existing VMs,
// the simulated hosts and the state holding them.
//
// Existing VMs are made as a user makes them, then multiplied: `xenform apply` creates the
// first VM of every block on its simulated host, and each host's file and the state are then
// stamped with N / hosts copies of it (new uuids for the VM and its devices, its own name,
// address marker and dom-id). The result is what N applies would leave, built in linear time.
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { expectCode, xenform } from './run.js';

export interface SshHost {
  port: number;
  user: string;
  identityFile: string;
  knownHostsFile: string;
}

export interface FleetOptions {
  hosts: number;
  perHost: number;
  ssh?: SshHost[]; // host blocks over SSH instead of the built-in simulator
  maxParallel?: number;
}

const VM_BLOCK = (h: number, count: number) => `vm "h${h}" {
  count       = ${count}
  host        = host.h${h}
  name        = "h${h}-\${count.index}"
  template    = "Debian Bookworm 12"
  power_state = var.power
  memory      = "256MiB"
  vcpus       = 1
  boot {
    mode       = "pv"
    bootloader = "pygrub"
    args       = var.args
  }
  disk "root" {
    size     = "16MiB"
    sr       = "Local storage"
    bootable = true
  }
  network "eth0" {
    network = "xenbr0"
  }
  tags = ["fleet", "rack-${h}"]
}
`;

export function configText(o: FleetOptions, count = o.perHost): string {
  let text = `variable "power" {\n  default = "running"\n}\n\nvariable "args" {\n  default = "console=hvc0"\n}\n\n`;
  for (let h = 0; h < o.hosts; h++) {
    const s = o.ssh?.[h];
    text += s
      ? `host "h${h}" {\n  address       = "127.0.0.1"\n  port          = ${s.port}\n  user          = "${s.user}"\n  identity_file = "${s.identityFile}"\n  known_hosts   = "${s.knownHostsFile}"\n  toolstack     = "xapi"\n  max_parallel  = ${o.maxParallel ?? 8}\n}\n\n`
      : `host "h${h}" {\n  simulator    = true\n  toolstack    = "xapi"\n  max_parallel = ${o.maxParallel ?? 8}\n}\n\n`;
  }
  const blocks = Array.from({ length: o.hosts }, (_, h) => VM_BLOCK(h, count));
  return text + blocks.join('\n');
}

export function writeConfig(dir: string, o: FleetOptions, count = o.perHost): void {
  fs.writeFileSync(path.join(dir, 'main.xf.hcl'), configText(o, count));
}

export const simHostFile = (dir: string, h: number) => path.join(dir, '.xenform', 'sim', `h${h}.json`);

type Rec = Record<string, unknown> & { uuid: string };
interface SimFile {
  host: { memory: number };
  srs: Record<string, Rec & { size: number }>;
  seq: number;
  nextDomid: number;
  vms: Record<string, Rec>;
  vdis: Record<string, Rec>;
  vbds: Record<string, Rec & { vm: string; vdi: string | null }>;
  vifs: Record<string, Rec & { vm: string }>;
}

// Builds the simulated hosts and the state of `hosts x perHost` existing, running VMs in `dir`.
export async function buildExistingFleet(dir: string, o: FleetOptions): Promise<void> {
  writeConfig(dir, { ...o, ssh: undefined }, 1);
  expectCode('seeding apply', await xenform(['apply', '--auto-approve'], { cwd: dir }), [0]);
  const statePath = path.join(dir, 'xenform.state.json');
  const state = JSON.parse(fs.readFileSync(statePath, 'utf8')) as { serial: number; resources: Rec[] };
  const resources: Rec[] = [];
  for (let h = 0; h < o.hosts; h++) {
    const file = simHostFile(dir, h);
    const sim = JSON.parse(fs.readFileSync(file, 'utf8')) as SimFile;
    const seedRes = state.resources.find((r) => r.address === `vm.h${h}[0]`)!;
    const vm = sim.vms[seedRes.uuid];
    const vbds = Object.values(sim.vbds).filter((b) => b.vm === vm.uuid);
    const vdis = vbds.flatMap((b) => (b.vdi && sim.vdis[b.vdi] ? [sim.vdis[b.vdi]] : []));
    const vifs = Object.values(sim.vifs).filter((f) => f.vm === vm.uuid);
    const ids = [vm.uuid, vm.consoleUuid as string, ...vbds.map((b) => b.uuid), ...vdis.map((d) => d.uuid), ...vifs.map((f) => f.uuid)].filter(Boolean);
    const macs = vifs.map((f) => f.mac as string); // in the state's network attributes too
    const bundle = JSON.stringify({ vm, vbds, vdis, vifs, res: seedRes });
    for (let i = 1; i < o.perHost; i++) {
      let text = bundle;
      for (const id of ids) text = text.split(id).join(randomUUID());
      macs.forEach((mac, k) => {
        const mine = `02:${[i >> 16, i >> 8, i, h, k].map((x) => (x & 255).toString(16).padStart(2, '0')).join(':')}`;
        text = text.split(mac).join(mine);
      });
      const c = JSON.parse(text) as { vm: Rec & { other: Record<string, string> }; vbds: Rec[]; vdis: Rec[]; vifs: Rec[]; res: Rec & { attributes: { name: string } } };
      const name = `h${h}-${i}`;
      const address = `vm.h${h}[${i}]`;
      c.vm.name = name;
      c.vm.other['xenform-address'] = address;
      c.vm.domid = sim.nextDomid++;
      c.res.address = address;
      c.res.attributes.name = name;
      sim.vms[c.vm.uuid] = c.vm;
      for (const b of c.vbds) sim.vbds[b.uuid] = b as SimFile['vbds'][string];
      for (const d of c.vdis) sim.vdis[d.uuid] = d;
      for (const f of c.vifs) sim.vifs[f.uuid] = f as SimFile['vifs'][string];
      resources.push(c.res);
    }
    resources.push(seedRes);
    sim.seq += o.perHost * ids.length;
    sim.host.memory = Math.max(sim.host.memory, o.perHost * 512 * 1024 * 1024);
    for (const sr of Object.values(sim.srs)) sr.size = Math.max(sr.size, o.perHost * 64 * 1024 * 1024);
    fs.writeFileSync(file, JSON.stringify(sim));
  }
  state.resources = resources;
  state.serial += 1;
  fs.writeFileSync(statePath, JSON.stringify(state, null, 2), { mode: 0o600 });
  writeConfig(dir, o);
}
