// Scaling guards that count work, not time: each path below runs at N = 200 and N = 2,000,
// and the number of reads of its inputs (or calls it makes) must grow about tenfold, not a
// hundredfold. A quadratic path brought back (such as building a map of every step once per
// rendered VM) multiplies its count by 100 and fails here, whatever the machine's load.
import t from 'tap';
import { renderPlan } from '../../cli/views/plan.js';
import { renderPlanDot } from '../../cli/views/dot.js';
import { walk, type WalkNode } from '../../engine/walk.js';
import { FrameReader, newBoundary } from '../../providers/transport/framing.js';
import type { Plan } from '../../planner/plan/types.js';
import { makePlan, type PlanInput } from '../../planner/plan/make-plan.js';
import { buildInventory, type XapiTables } from '../../providers/xapi/inventory.js';
import { foldJournal } from '../../engine/state/transitions.js';
import type { JournalEntry } from '../../engine/state/journal.js';
import type { Config, ImportConfig, MovedConfig, RemovedConfig } from '../../planner/config/types.js';
import type { StateResource } from '../../planner/model/state.js';
import type { XeRecord } from '../../providers/xapi/records.js';
import { config, inventory, observed, OPTIONS, resource, state, vmConfig } from '../planner/builders.js';

const SMALL = 200;
const LARGE = 2_000;
const MAX_GROWTH = 15; // linear: 10; quadratic: 100

// An array whose element and length reads are counted.
function counted<T>(items: T[], count: { reads: number }): T[] {
  return new Proxy(items, {
    get(target, key, receiver) {
      count.reads++;
      return Reflect.get(target, key, receiver);
    },
  });
}

// Each object's property reads counted (a scan of every record per step reads them all again).
function countedEach<T extends object>(items: T[], count: { reads: number }): T[] {
  return items.map((item) => new Proxy(item, { get: (target, key, receiver) => (count.reads++, Reflect.get(target, key, receiver)) }));
}

const at = { filename: 'main.xf.hcl', start: { line: 1, column: 1, byte: 0 }, end: { line: 1, column: 2, byte: 1 } };

// N recorded VMs, each the subject of its own moved, import or removed block (a block per VM is
// what `plan --generate-config-out` and a for_each over a list produce).
function refactorInput(n: number, kind: 'moved' | 'import' | 'removed', count: { reads: number }) {
  const recorded = Array.from({ length: n }, (_, i) => resource(`vm.old[${i}]`, `u-${i}`));
  const seen = recorded.map((r) => observed(r.uuid, r.address));
  let cfg: Config;
  if (kind === 'moved') {
    const moved: MovedConfig[] = recorded.map((r, i) => ({ from: r.address, to: `vm.web[${i}]`, range: at }));
    cfg = { ...config(recorded.map((_, i) => vmConfig(`vm.web[${i}]`))), moved: counted(moved, count) };
  } else if (kind === 'import') {
    const imports: ImportConfig[] = [];
    for (let i = 0; i < n; i++) {
      seen.push(observed(`new-${i}`, null));
      imports.push({ to: `vm.web[${i}]`, id: `new-${i}`, range: at });
    }
    cfg = { ...config([...recorded.map((r) => vmConfig(r.address)), ...imports.map((m) => vmConfig(m.to))]), imports };
  } else {
    const removed: RemovedConfig[] = recorded.map((r) => ({ from: r.address, destroy: false, range: at }));
    cfg = { ...config([]), removed: counted(removed, count) };
  }
  const inv = inventory(seen);
  return { config: cfg, state: state(counted(recorded, count)), inventories: { lab: { ...inv.lab, vms: counted(inv.lab.vms, count) } }, options: OPTIONS };
}

// A journal of N creates folded into a state of N recorded VMs (an apply of N creates killed before its last write).
function foldWork(n: number): number {
  const count = { reads: 0 };
  const recorded: StateResource[] = countedEach(Array.from({ length: n }, (_, i) => resource(`vm.old[${i}]`, `u-${i}`)), count);
  const entries: JournalEntry[] = [];
  for (let i = 0; i < n; i++) {
    const r = resource(`vm.web[${i}]`, `new-${i}`);
    entries.push({ t: 'start', step: `s${i}`, address: r.address, host: 'lab', op: 'create', uuid: null, time: '' });
    entries.push({ t: 'done', step: `s${i}`, address: r.address, host: 'lab', op: 'create', uuid: r.uuid, time: '', resource: r });
  }
  const folded = foldJournal(state(recorded), entries);
  if (folded.state.resources.length !== 2 * n) throw new Error('steps lost');
  return count.reads;
}

// N managed VMs: every third one gets new PV args (set + clean_reboot), every fifth is created.
function planInput(n: number): PlanInput {
  const vms = [];
  const resources = [];
  const seen = [];
  for (let i = 0; i < n; i++) {
    const address = `vm.web[${i}]`;
    vms.push(vmConfig(address, { depends_on: i % 10 === 1 ? ['vm.web[0]'] : [] }, { name: `web-${i}`, boot: { mode: 'pv', bootloader: 'pygrub', kernel: '', ramdisk: '', args: i % 3 === 0 ? 'console=hvc0' : 'console=hvc0 quiet', bootloader_args: '', order: '', firmware: 'bios' } }));
    if (i % 5 === 4) continue;
    const uuid = `u-${i}`;
    const attrs = { name: `web-${i}`, boot: { mode: 'pv' as const, bootloader: 'pygrub', kernel: '', ramdisk: '', args: 'console=hvc0 quiet', bootloader_args: '', order: '', firmware: 'bios' as const } };
    resources.push(resource(address, uuid, attrs));
    seen.push(observed(uuid, address, attrs));
  }
  return { config: config(vms), state: state(resources), inventories: inventory(seen), options: OPTIONS };
}

function planOf(n: number): Plan {
  const out = makePlan(planInput(n));
  if (!out.plan) throw new Error(out.errors.map((d) => d.summary).join('; '));
  return out.plan;
}

// The plan with its steps, resource changes and drift counted when read.
function countedPlan(plan: Plan, count: { reads: number }): Plan {
  return { ...plan, steps: counted(plan.steps, count), resource_changes: counted(plan.resource_changes, count), drift: counted(plan.drift, count) };
}

// XAPI tables of N VMs with one disk and one interface each.
function tables(n: number, count: { reads: number }): XapiTables {
  const vms: XeRecord[] = [];
  const vbds: XeRecord[] = [];
  const vdis: XeRecord[] = [];
  const vifs: XeRecord[] = [];
  for (let i = 0; i < n; i++) {
    const uuid = `vm-${i}`;
    vms.push({ uuid, 'name-label': `web-${i}`, 'power-state': 'halted', 'other-config': `xenform-address: vm.web[${i}]` });
    vbds.push({ uuid: `vbd-${i}`, 'vm-uuid': uuid, 'vdi-uuid': `vdi-${i}`, userdevice: '0', bootable: 'true', type: 'Disk', empty: 'false' });
    vdis.push({ uuid: `vdi-${i}`, 'name-label': 'root', 'virtual-size': '1073741824', 'sr-uuid': 'sr-1', 'other-config': `xenform-disk: root; xenform-vm: ${uuid}` });
    vifs.push({ uuid: `vif-${i}`, 'vm-uuid': uuid, device: '0', MAC: '02:00:00:00:00:01', 'network-uuid': 'net-1', 'other-config': '' });
  }
  const srs = [{ uuid: 'sr-1', 'name-label': 'Local storage', type: 'ext' }];
  const networks = [{ uuid: 'net-1', 'name-label': 'eth0', bridge: 'xenbr0' }];
  return { vms, vbds: counted(vbds, count), vdis: counted(vdis, count), vifs: counted(vifs, count), templates: [], srs, networks };
}

// Walks N VMs of two steps each (the second depends on the first) on 4 hosts; counts the
// walker's calls back into the engine.
async function walkCalls(n: number): Promise<number> {
  let calls = 0;
  const nodes: WalkNode[] = [];
  for (let i = 0; i < n; i++) {
    const vm = `vm.web[${i}]`;
    nodes.push({ id: `a${i}`, deps: [], host: `h${i % 4}`, vm }, { id: `b${i}`, deps: [`a${i}`], host: `h${i % 4}`, vm });
  }
  await walk(nodes, {
    parallelism: 10,
    hostLimit: () => (calls++, 4),
    stop: () => (calls++, false),
    vmBlocked: () => (calls++, null),
    skip: () => undefined,
    run: async (_node, hostDone) => {
      await Promise.resolve();
      hostDone();
      return 'done';
    },
  });
  return calls;
}

// One command's output of N xe records (about 100 bytes each) arriving over SSH in 1 KiB
// chunks; counts the bytes the reader copies and searches (Buffer's copy, concat and indexOf).
async function framedBytes(n: number): Promise<number> {
  let bytes = 0;
  const proto = Buffer.prototype as unknown as Record<string, (...a: never[]) => unknown>;
  const originals = { copy: proto.copy, indexOf: proto.indexOf, concat: Buffer.concat };
  proto.copy = function (this: Buffer, ...a: never[]) {
    const [, , start = 0, end = this.length] = a as unknown as [unknown, number?, number?, number?];
    bytes += end - start;
    return originals.copy.apply(this, a);
  };
  proto.indexOf = function (this: Buffer, ...a: never[]) {
    const from = (a as unknown as [unknown, number?])[1] ?? 0;
    bytes += this.length - from;
    return originals.indexOf.apply(this, a);
  };
  Buffer.concat = (list: readonly Uint8Array[], total?: number) => ((bytes += list.reduce((a, b) => a + b.length, 0)), originals.concat(list, total));
  try {
    const reader = new FrameReader();
    const boundary = newBoundary();
    const result = reader.expect(boundary);
    const record = (i: number) => `uuid ( RO)           : ${String(i).padStart(36, '0')}\n     name-label ( RW): vm-${i}\n\n\n`;
    const out = Buffer.from(`${Array.from({ length: n }, (_, i) => record(i)).join('')}\n${boundary} 0\n`);
    for (let i = 0; i < out.length; i += 1024) reader.onStdout(out.subarray(i, i + 1024));
    reader.onStderr(Buffer.from(`\n${boundary}\n`));
    if ((await result).stdout.length !== out.length - boundary.length - 4) throw new Error('output lost');
  } finally {
    Object.assign(proto, { copy: originals.copy, indexOf: originals.indexOf });
    Buffer.concat = originals.concat;
  }
  return bytes;
}

const cases: { name: string; work: (n: number) => number | Promise<number> }[] = [
  {
    name: 'makePlan reads its configuration, state and inventories a bounded number of times per VM',
    work: (n) => {
      const count = { reads: 0 };
      const input = planInput(n);
      const lab = input.inventories.lab;
      makePlan({ ...input, config: { ...input.config, vms: counted(input.config.vms, count) }, state: { ...input.state!, resources: counted(input.state!.resources, count) }, inventories: { lab: { ...lab, vms: counted(lab.vms, count) } } });
      return count.reads;
    },
  },
  ...(['text', 'json', 'markdown'] as const).map((view) => ({
    name: `the ${view} view reads each step and resource change a bounded number of times`,
    work: (n: number) => {
      const count = { reads: 0 };
      const plan = countedPlan(planOf(n), count);
      const text = renderPlan(plan, { json: view === 'json', markdown: view === 'markdown', color: false });
      if (text.length === 0) throw new Error('nothing rendered');
      return count.reads;
    },
  })),
  {
    name: 'the DOT graph reads each step a bounded number of times',
    work: (n) => {
      const count = { reads: 0 };
      renderPlanDot(countedPlan(planOf(n), count));
      return count.reads;
    },
  },
  {
    name: 'the XAPI inventory reads each VBD, VDI and VIF a bounded number of times',
    work: (n) => {
      const count = { reads: 0 };
      const inv = buildInventory('lab', tables(n, count));
      if (inv.vms.length !== n || inv.vms.some((v) => v.attributes.disks.length !== 1 || v.attributes.networks.length !== 1)) throw new Error('devices lost');
      return count.reads;
    },
  },
  { name: 'the apply walker calls back into the engine a bounded number of times per step', work: walkCalls },
  { name: 'a command\'s output arriving in many small chunks is copied and searched a bounded number of times per byte', work: framedBytes },
  ...(['moved', 'import', 'removed'] as const).map((kind) => ({
    name: `makePlan with one ${kind} block per VM reads the blocks, state and inventory a bounded number of times per VM`,
    work: (n: number) => {
      const count = { reads: 0 };
      const out = makePlan(refactorInput(n, kind, count));
      if (!out.plan) throw new Error(out.errors.map((d) => d.summary).join('; '));
      return count.reads;
    },
  })),
  { name: 'folding a journal of N finished steps into the state reads each record a bounded number of times', work: foldWork },
];

for (const c of cases) {
  t.test(c.name, async (t) => {
    const small = await c.work(SMALL);
    const large = await c.work(LARGE);
    t.ok(small > 0, 'the work is counted');
    t.ok(large / small <= MAX_GROWTH, `x${LARGE / SMALL} VMs: x${(large / small).toFixed(1)} work (${small} -> ${large}), at most x${MAX_GROWTH}`);
  });
}
