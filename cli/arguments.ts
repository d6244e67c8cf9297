// Every flag and argument that more than one command takes, parsed here and nowhere else:
// variables, var files, durations, resource addresses, the lock timeout, parallelism,
// booleans; the flags that cannot go together; and Terraform's single-dash spellings.
import { Argument, Command, InvalidArgumentError, Option } from 'commander';
import type { PlanRequest } from '../engine/run-plan.js';
import { parseAddress, parsePattern } from '../planner/model/address.js';
import { DISRUPTION_ORDER, type Disruption } from '../planner/model/vm.js';
import { parseDuration } from '../planner/config/units.js';

// --- value parsers (commander calls them with the text and the value so far) ---

// `--var name=value`, in command-line order: a later one for the same name wins.
function variable(text: string, previous: Record<string, string> | undefined): Record<string, string> {
  const eq = text.indexOf('=');
  if (eq <= 0) {
    throw new InvalidArgumentError(
      `${JSON.stringify(text)} must be a variable name and value separated by an equals sign, like --var ${eq === -1 && text ? text : 'name'}=value.`,
    );
  }
  return { ...previous, [text.slice(0, eq)]: text.slice(eq + 1) };
}

function collect(text: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), text];
}

// A resource address, kept as the user wrote it once it is known to parse.
export function address(text: string): string {
  if (!parseAddress(text)) {
    throw new InvalidArgumentError(`${JSON.stringify(text)} is not a resource address; expected e.g. vm.web, vm.web[0] or vm.site["a"].`);
  }
  return text;
}

function addresses(text: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), address(text)];
}

// A resource address or a module (`module.web`, `module.web[0]`: everything inside it).
export function pattern(text: string): string {
  if (!parsePattern(text)) {
    throw new InvalidArgumentError(`${JSON.stringify(text)} is not a resource address; expected e.g. vm.web, vm.web[0], vm.site["a"], or a module such as module.web.`);
  }
  return text;
}

function patterns(text: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), pattern(text)];
}

function bool(text: string): boolean {
  if (text === 'true') return true;
  if (text === 'false') return false;
  throw new InvalidArgumentError(`expected true or false, got ${JSON.stringify(text)}.`);
}

// Milliseconds. A bare number counts seconds, as it always has on this command line.
function duration(text: string): number {
  const r = parseDuration(/^\d+$/.test(text) ? `${text}s` : text);
  if ('error' in r) throw new InvalidArgumentError(r.error);
  return r.ms;
}

function positiveInt(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isInteger(n) || n < 1) {
    throw new InvalidArgumentError(`expected a whole number of at least 1, got ${JSON.stringify(text)}.`);
  }
  return n;
}

// --- options and arguments ---

// `<address>`, `[addresses...]`: one resource address, or several.
export function addressArgument(name: string, description: string): Argument {
  const arg = new Argument(name, description);
  return arg.variadic ? arg.argParser(addresses) : arg.argParser(address);
}

// Addresses that may also name a module, which stands for everything inside it.
export function patternArgument(name: string, description: string): Argument {
  const arg = new Argument(name, description);
  return arg.variadic ? arg.argParser(patterns) : arg.argParser(pattern);
}

export function lockTimeoutOption(): Option {
  return new Option('--lock-timeout <duration>', 'wait this long for the state lock (e.g. 30s, 2m)').argParser(duration);
}

export interface VariableFlags {
  var?: Record<string, string>;
  varFile?: string[];
}

export function addVariableOptions(cmd: Command): Command {
  return cmd
    .option('--var <name=value>', 'set a variable (repeatable)', variable)
    .option('--var-file <file>', 'load variable values from FILE (repeatable)', collect);
}

export function variables(flags: VariableFlags): { vars: Record<string, string>; varFiles: string[] } {
  return { vars: flags.var ?? {}, varFiles: flags.varFile ?? [] };
}

// The flags that choose what a plan does: plan, apply, destroy and graph.
export function addPlanOptions(cmd: Command): Command {
  cmd
    .addOption(new Option('--destroy', 'plan to destroy every VM in the state').default(false).conflicts('refreshOnly'))
    .option('--refresh-only', 'only report drift; plan no changes', false)
    .option('--refresh <bool>', 'read the hosts before planning (--refresh=false to skip)', bool, true)
    .option('--target <addr>', 'limit planning to ADDR (a VM or a module) and what it depends on (repeatable)', patterns)
    .option('--replace <addr>', 'plan to replace ADDR (repeatable)', addresses)
    .addOption(new Option('--max-disruption <level>', 'refuse plans that disrupt more than this').choices(DISRUPTION_ORDER))
    .option('--evacuate <member>', 'migrate every managed VM off this pool member (xapi)');
  return addVariableOptions(cmd).addOption(lockTimeoutOption());
}

// The flags of a run: apply and destroy.
export function addApplyOptions(cmd: Command): Command {
  return cmd
    .option('--auto-approve', 'do not ask for confirmation', false)
    .option('--parallelism <n>', 'at most N steps at once across all hosts', positiveInt, 10)
    .option('--max-unavailable <n>', 'at most N VMs of one group halted or rebooting at once', positiveInt);
}

// `--json` or `--markdown`, not both: plan and show.
export function addFormatOptions(cmd: Command, what: string): Command {
  return cmd
    .addOption(new Option('--json', `print ${what} as JSON`).default(false).conflicts('markdown'))
    .option('--markdown', `print ${what} as Markdown for a pull request`, false);
}

export interface PlanFlags extends VariableFlags {
  destroy: boolean;
  refreshOnly: boolean;
  refresh: boolean;
  target?: string[];
  replace?: string[];
  maxDisruption?: Disruption;
  evacuate?: string;
  lockTimeout?: number;
}

// Refuses what commander's conflicts() cannot say: flags that make no sense with a saved plan
// or with the destroy command, and --refresh-only without reading the hosts.
export function refuseConflicts(cmd: Command, flags: PlanFlags, opts: { planFile?: string; destroyCommand?: boolean } = {}): void {
  if (flags.refreshOnly && !flags.refresh) cmd.error('Error: --refresh-only reads the hosts: it cannot be used with --refresh=false.');
  if (opts.destroyCommand && flags.refreshOnly) cmd.error('Error: destroy cannot be --refresh-only: use `xenform plan --refresh-only` to see drift.');
  if (opts.planFile !== undefined) {
    const planning: [boolean, string][] = [
      [flags.destroy, '--destroy'],
      [flags.refreshOnly, '--refresh-only'],
      [!flags.refresh, '--refresh=false'],
      [(flags.target ?? []).length > 0, '--target'],
      [(flags.replace ?? []).length > 0, '--replace'],
      [flags.maxDisruption !== undefined, '--max-disruption'],
      [flags.evacuate !== undefined, '--evacuate'],
      [Object.keys(flags.var ?? {}).length > 0, '--var'],
      [(flags.varFile ?? []).length > 0, '--var-file'],
    ];
    const set = planning.filter(([on]) => on).map(([, name]) => name);
    if (set.length > 0) {
      cmd.error(
        `Error: ${set.join(', ')} cannot be used with the saved plan ${opts.planFile}, which was made with its own flags: ` +
          `give ${set.length === 1 ? 'it' : 'them'} to \`xenform plan --out\` instead.`,
      );
    }
  }
}

export function planRequest(dir: string, flags: PlanFlags, env: Record<string, string | undefined>): PlanRequest {
  return {
    dir,
    env,
    ...variables(flags),
    destroy: flags.destroy,
    refreshOnly: flags.refreshOnly,
    refresh: flags.refresh,
    targets: flags.target ?? [],
    replace: flags.replace ?? [],
    maxDisruption: flags.maxDisruption,
    ...(flags.evacuate !== undefined ? { evacuate: flags.evacuate } : {}),
    lockTimeoutMs: flags.lockTimeout,
  };
}

// --- Terraform's single-dash spellings ---

// The long option names (`--var`, `--no-color`...) that any command of `program` declares.
function longOptions(program: Command): Set<string> {
  const names = new Set(['--help', '--version']);
  const walk = (cmd: Command) => {
    for (const o of cmd.options) if (o.long) names.add(o.long);
    for (const sub of cmd.commands) walk(sub);
  };
  walk(program);
  return names;
}

// `-var x=1`, `-out=FILE`, `-chdir=DIR` -> `--var x=1`, `--out=FILE`, `--chdir=DIR`: a word with one
// dash that names a long option of any command becomes that option. `--` ends the options.
export function normaliseArgv(argv: string[], program: Command): string[] {
  const known = longOptions(program);
  const end = argv.indexOf('--');
  return argv.map((word, i) => {
    if (end !== -1 && i >= end) return word;
    const m = /^-([a-z][a-z-]+)(=.*)?$/s.exec(word);
    return m && known.has(`--${m[1]}`) ? `-${word}` : word;
  });
}

// --- how commander's argument errors read ---

// Commander's "error: option '--var <name=value>' argument 'x' is invalid. MESSAGE" as
// "Error: --var: MESSAGE", and the same for positional arguments, whose message names the value.
export function argumentError(text: string): string {
  const option = /^error: option '(--[\w-]+)[^']*' argument '.*' is invalid\. /s.exec(text);
  if (option) return `Error: ${option[1]}: ${text.slice(option[0].length)}`;
  const argument = /^error: command-argument value '.*' is invalid for argument '[^']*'\. /s.exec(text);
  if (argument) return `Error: ${text.slice(argument[0].length)}`;
  return text.replace(/^error: /, 'Error: ');
}
