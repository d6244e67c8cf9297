// A pure stand-in for a host, for property tests: runs plan steps against observed VMs and
// checks each one is legal in the toolstack's lifecycle graph as it goes.
import type { HostInventory, ObservedVm, PowerState, Toolstack, VmAttributes } from '../../planner/model/vm.js';
import type { SetChange, Step } from '../../planner/model/ops.js';
import { findTransition, graphFor } from '../../planner/lifecycle/graphs.js';
import { attributeOf } from '../../planner/model/attributes.js';
import type { Plan } from '../../planner/plan/types.js';
import type { State } from '../../planner/model/state.js';

export class IllegalStep extends Error {}

function assign(a: VmAttributes, c: SetChange): void {
  const [head, key] = [c.path.slice(0, c.path.indexOf('.') < 0 ? undefined : c.path.indexOf('.')), c.path.slice(c.path.indexOf('.') + 1)];
  const rec = a as unknown as Record<string, Record<string, unknown>>;
  if (!c.path.includes('.')) (a as unknown as Record<string, unknown>)[c.path] = c.value;
  else if (head === 'other_config') {
    if (c.value === null) delete a.other_config[key];
    else a.other_config[key] = c.value as string;
  } else rec[head][key] = c.value;
}

function checkInvariants(a: VmAttributes, where: string): void {
  const m = a.memory;
  if (!(m.static_min <= m.dynamic_min && m.dynamic_min <= m.dynamic_max && m.dynamic_max <= m.static_max)) {
    throw new IllegalStep(`${where}: MEMORY_CONSTRAINT_VIOLATION_ORDER ${JSON.stringify(m)}`);
  }
  if (!(a.vcpus >= 1 && a.vcpus <= a.vcpus_max)) throw new IllegalStep(`${where}: INVALID_VALUE vcpus ${a.vcpus} > vcpus_max ${a.vcpus_max}`);
}

const clone = <T>(v: T): T => structuredClone(v);

export class ModelHost {
  vms = new Map<string, ObservedVm>(); // by uuid
  private uuidOf = new Map<string, string>(); // address -> uuid, for VMs created by steps
  private next = 0;
  constructor(
    readonly name: string,
    readonly toolstack: Toolstack,
    vms: ObservedVm[],
  ) {
    for (const v of vms) this.vms.set(v.uuid, clone(v));
  }

  inventory(): HostInventory {
    return { host: this.name, toolstack: this.toolstack, vms: [...this.vms.values()].map(clone), templates: [], srs: [], networks: [] };
  }

  // `uuid` is the VM the plan targets (null before its create step).
  run(step: Step, uuid: string | null): string | null {
    const graph = graphFor(this.toolstack);
    const where = `${step.id} ${step.address} ${step.op}`;
    if (step.op === 'create') {
      const id = `new-${++this.next}`;
      const attrs = clone(step.args.attributes);
      attrs.power_state = graph.createdState;
      checkInvariants(attrs, where);
      this.vms.set(id, { uuid: id, host: this.name, attributes: attrs, markers: { ...step.args.markers }, dom_id: -1, booted_with: null, requires_reboot: false });
      this.uuidOf.set(step.address, id);
      return id;
    }
    const id = uuid ?? this.uuidOf.get(step.address);
    const vm = id ? this.vms.get(id) : undefined;
    if (!vm) throw new IllegalStep(`${where}: no such VM`);
    const state: PowerState = vm.attributes.power_state;
    if (step.from !== undefined && step.from !== state) throw new IllegalStep(`${where}: planned from ${step.from} but the VM is ${state}`);
    switch (step.op) {
      case 'set':
        for (const c of step.args.changes) {
          if (!attributeOf(c.path).settableIn.includes(state)) throw new IllegalStep(`${where}: ${c.path} cannot be set while ${state}`);
          assign(vm.attributes, c);
          checkInvariants(vm.attributes, `${where} ${c.path}`);
        }
        return id!;
      case 'add_disk':
      case 'remove_disk':
      case 'change_disk':
      case 'add_network':
      case 'remove_network': {
        // Live device routes (hot-plug, online resize) run on the running guest.
        if (state !== 'halted' && state !== 'running') throw new IllegalStep(`${where}: devices change only while halted or running, the VM is ${state}`);
        const a = vm.attributes;
        if (step.op === 'change_disk') a.disks = a.disks.map((d) => (d.name === step.args.disk.name ? clone(step.args.disk) : d));
        if (step.op === 'add_disk') a.disks.push(clone(step.args.disk));
        if (step.op === 'remove_disk') a.disks = a.disks.filter((d) => d.name !== step.args.disk.name);
        if (step.op === 'add_network') a.networks.push(clone(step.args.network));
        if (step.op === 'remove_network') a.networks = a.networks.filter((n) => n.name !== step.args.network.name);
        return id!;
      }
      case 'destroy':
        if (!graph.destroyFrom.includes(state)) throw new IllegalStep(`${where}: destroy is not allowed while ${state}`);
        this.vms.delete(id!);
        return null;
      default: {
        const tr = findTransition(graph, step.op, state);
        if (!tr) throw new IllegalStep(`${where}: ${step.op} is not allowed from ${state} on ${this.toolstack}`);
        if (step.to !== undefined && step.to !== tr.to) throw new IllegalStep(`${where}: planned to reach ${step.to}, the graph says ${tr.to}`);
        vm.attributes.power_state = tr.to;
        if (tr.to === 'halted') {
          vm.dom_id = -1;
          vm.booted_with = null;
        } else if (tr.op === 'start' || tr.op === 'clean_reboot' || tr.op === 'hard_reboot') {
          vm.dom_id = 100 + this.next++;
          vm.booted_with = clone(vm.attributes.boot);
          checkInvariants(vm.attributes, where);
        }
        return id!;
      }
    }
  }
}

// Runs a plan's steps in id order and returns the state an apply would record.
export function applyPlan(plan: Plan, hosts: Map<string, ModelHost>, before: State | null, lineage: string, triggers: Map<string, string | null>): State {
  const uuids = new Map<string, string | null>(plan.resource_changes.map((c) => [c.address, c.action === 'create' ? null : c.uuid]));
  for (const s of plan.steps) {
    const host = hosts.get(s.host)!;
    const uuid = s.op === 'create' ? null : (uuids.get(s.address) ?? null);
    uuids.set(s.address, host.run(s, uuid));
  }
  const resources = [];
  const previous = new Map((before?.resources ?? []).map((r) => [r.address, r]));
  for (const rc of plan.resource_changes) {
    const uuid = uuids.get(rc.address);
    if (rc.action === 'delete' || !uuid) continue;
    const host = hosts.get(rc.host)!;
    const vm = host.vms.get(uuid)!;
    resources.push({
      address: rc.address,
      host: rc.host,
      uuid,
      attributes: clone(vm.attributes),
      booted_with: vm.booted_with,
      restart_trigger: triggers.get(rc.address) ?? null,
      owned: previous.get(rc.address)?.owned ?? true,
      pending_reboot: rc.pending_reboot === true,
    });
  }
  return { version: 1, lineage, serial: (before?.serial ?? 0) + 1, xenform_version: '0.1.0', resources, outputs: {} };
}
