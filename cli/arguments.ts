// The flags that plan, apply and destroy share, and their translation into a PlanRequest.
import { Command, InvalidArgumentError, Option } from 'commander';
import type { PlanRequest } from '../engine/run-plan.js';
import { parseAddress } from '../planner/model/address.js';

const DISRUPTIONS = ['none', 'reboot', 'halt', 'replace'] as const;

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function address(value: string, previous: string[]): string[] {
  if (!parseAddress(value)) {
    throw new InvalidArgumentError(`"${value}" is not a resource address; expected e.g. vm.web, vm.web[0] or vm.site["a"].`);
  }
  return [...previous, value];
}

function bool(value: string): boolean {
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new InvalidArgumentError(`expected true or false, got "${value}".`);
}

function duration(value: string): number {
  const m = /^(\d+)(ms|s|m)?$/.exec(value);
  if (!m) throw new InvalidArgumentError(`expected a duration such as 30s or 2m, got "${value}".`);
  const n = Number(m[1]);
  return m[2] === 'ms' ? n : m[2] === 'm' ? n * 60_000 : n * 1000;
}

export function addPlanOptions(cmd: Command): Command {
  return cmd
    .option('--destroy', 'plan to destroy every VM in the state', false)
    .option('--refresh-only', 'only report drift; plan no changes', false)
    .option('--refresh <bool>', 'read the hosts before planning (--refresh=false to skip)', bool, true)
    .option('--target <addr>', 'limit planning to ADDR and what it depends on (repeatable)', address, [])
    .option('--replace <addr>', 'plan to replace ADDR (repeatable)', address, [])
    .addOption(new Option('--max-disruption <level>', 'refuse plans that disrupt more than this').choices(DISRUPTIONS))
    .option('--var <name=value>', 'set a variable (repeatable)', collect, [])
    .option('--var-file <file>', 'load variable values from FILE (repeatable)', collect, [])
    .option('--lock-timeout <duration>', 'wait this long for the state lock', duration);
}

export interface PlanFlags {
  destroy: boolean;
  refreshOnly: boolean;
  refresh: boolean;
  target: string[];
  replace: string[];
  maxDisruption?: (typeof DISRUPTIONS)[number];
  var: string[];
  varFile: string[];
  lockTimeout?: number;
}

export function planRequest(dir: string, flags: PlanFlags): PlanRequest {
  const vars: Record<string, string> = {};
  for (const assignment of flags.var) {
    const eq = assignment.indexOf('=');
    if (eq <= 0) throw new InvalidArgumentError(`--var "${assignment}" must have the form name=value.`);
    vars[assignment.slice(0, eq)] = assignment.slice(eq + 1);
  }
  return {
    dir,
    vars,
    varFiles: flags.varFile,
    destroy: flags.destroy,
    refreshOnly: flags.refreshOnly,
    refresh: flags.refresh,
    targets: flags.target,
    replace: flags.replace,
    maxDisruption: flags.maxDisruption,
    lockTimeoutMs: flags.lockTimeout,
  };
}
