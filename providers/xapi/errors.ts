// xe's error output (xapi-spec §1.7) -> ProviderError with the XAPI code, its
// parameters and a sentence a user understands.
import type { ExecResult } from '../provider.js';
import { killedBy, ProviderError } from '../provider.js';

// The first line xe prints for datamodel errors is the error's doc text.
const DOC_CODES: [string, string][] = [
  ['You attempted an operation on a VM that was not in an appropriate power state', 'VM_BAD_POWER_STATE'],
  ['Another operation involving the object is currently in progress', 'OTHER_OPERATION_IN_PROGRESS'],
  ['You gave an invalid object reference', 'HANDLE_INVALID'],
  ['The uuid you supplied was invalid.', 'UUID_INVALID'],
  ['The operation attempted is not valid for a template VM', 'VM_IS_TEMPLATE'],
  ['You attempted an operation that was not allowed.', 'OPERATION_NOT_ALLOWED'],
  ['You attempted an operation that was explicitly blocked', 'OPERATION_BLOCKED'],
  ['The value given is invalid', 'INVALID_VALUE'],
  ['You attempted to set a value that is not supported', 'VALUE_NOT_SUPPORTED'],
  ['The dynamic memory range does not satisfy the following constraint.', 'MEMORY_CONSTRAINT_VIOLATION'],
  ['The dynamic memory range violates constraint static_min <= dynamic_min', 'MEMORY_CONSTRAINT_VIOLATION_ORDER'],
  ['The dynamic memory range violates constraint static_min = dynamic_min', 'MEMORY_CONSTRAINT_VIOLATION_MAXPIN'],
  ['You tried to add a key-value pair to a map, but that key is already there.', 'MAP_DUPLICATE_KEY'],
  ['You attempted an operation on a VM which lacks the feature.', 'VM_LACKS_FEATURE'],
  ['VM failed to shutdown before the timeout expired', 'VM_SHUTDOWN_TIMEOUT'],
  ["VM didn't acknowledge the need to shutdown.", 'VM_FAILED_SHUTDOWN_ACKNOWLEDGMENT'],
  ['This VM does not have a suspend SR specified.', 'VM_NO_SUSPEND_SR'],
  ['There were no servers available to complete the specified operation.', 'NO_HOSTS_AVAILABLE'],
  ['Not enough server memory is available to perform this operation.', 'HOST_NOT_ENOUGH_FREE_MEMORY'],
  ['The bootloader returned an error', 'BOOTLOADER_FAILED'],
  ['The requested bootloader is unknown', 'UNKNOWN_BOOTLOADER'],
  ['A device with the name given already exists on the selected VM', 'DEVICE_ALREADY_EXISTS'],
  ['The device name is invalid', 'INVALID_DEVICE'],
  ['Read/write CDs are not supported', 'VBD_CDS_MUST_BE_READONLY'],
  ['The device is already attached to a VM', 'DEVICE_ALREADY_ATTACHED'],
  ['The device is not currently attached', 'DEVICE_ALREADY_DETACHED'],
  ['The MAC address specified is not valid.', 'MAC_INVALID'],
  ['The operation required write access but this VDI is read-only', 'VDI_READONLY'],
  ['This operation is not allowed because your license lacks a needed feature.', 'LICENCE_RESTRICTION'],
  ['The server failed to handle your request, due to an internal error.', 'INTERNAL_ERROR'],
  ['The power-state of a control domain cannot be reset.', 'CANNOT_RESET_CONTROL_DOMAIN'],
];

export interface XeFailure {
  code: string;
  params: Record<string, string>;
  text: string; // xe's own words
}

export function parseXeError(stderr: string): XeFailure {
  const lines = stderr.replace(/\n+$/, '').split('\n');
  const first = lines[0] ?? '';
  if (first.startsWith('Error code: ')) {
    const params: Record<string, string> = {};
    const p = lines.find((l) => l.startsWith('Error parameters: '));
    (p ? p.slice('Error parameters: '.length).split(', ') : []).forEach((v, i) => (params[String(i)] = v));
    return { code: first.slice('Error code: '.length), params, text: lines.join(' ') };
  }
  if (first.startsWith('Error: ')) {
    const text = first.slice('Error: '.length);
    return { code: /^No matching VMs found/.test(text) ? 'VM_NOT_FOUND' : 'XE_ERROR', params: {}, text };
  }
  if (first.startsWith('Unknown command') || first.startsWith('Required parameter not found')) {
    return { code: 'XE_USAGE', params: {}, text: first };
  }
  const found = DOC_CODES.find(([doc]) => first.startsWith(doc));
  const params: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const at = line.indexOf(': ');
    if (at > 0) params[line.slice(0, at)] = line.slice(at + 2);
  }
  return { code: found ? found[1] : 'XE_ERROR', params, text: first || `xe failed without a message` };
}

// "uuid (name)" -> "name"
function vmName(ref: string | undefined, fallback: string): string {
  const m = ref ? /^\S+ \((.*)\)$/.exec(ref) : null;
  return m ? m[1] : fallback;
}

function article(word: string): string {
  return /^[aeiou]/.test(word) ? 'an' : 'a';
}

export interface XeContext {
  host: string;
  vm: string; // name or address, for messages
  op: string; // the step op, e.g. "clean_shutdown"
  argv: string[];
}

export function xeError(ctx: XeContext, result: ExecResult): ProviderError {
  const killed = killedBy(ctx.host, ctx.argv.join(' '), result);
  if (killed) return killed;
  const failure = parseXeError(result.stderr || result.stdout);
  const name = vmName(failure.params.vm, ctx.vm);
  let message: string;
  switch (failure.code) {
    case 'VM_BAD_POWER_STATE': {
      const expected = (failure.params.expected ?? '').split(/, |;/).join(' or ');
      message = `${name} is ${failure.params.actual}; ${ctx.op} needs ${article(expected)} ${expected} VM`;
      break;
    }
    case 'UUID_INVALID':
      message = `${ctx.vm}: no ${failure.params.type ?? 'object'} with uuid ${failure.params.uuid} on host "${ctx.host}" (deleted outside xenform?)`;
      break;
    case 'VM_NOT_FOUND':
      message = `${ctx.vm} no longer exists on host "${ctx.host}" (deleted outside xenform?)`;
      break;
    case 'OTHER_OPERATION_IN_PROGRESS':
      message = `${name} is busy with another operation (${failure.params.operation_type ?? failure.params.class ?? 'unknown'}); ${ctx.op} was not run`;
      break;
    case 'VM_SHUTDOWN_TIMEOUT':
    case 'VM_FAILED_SHUTDOWN_ACKNOWLEDGMENT':
      message = `${name} did not shut down when asked (${failure.code}); its guest may lack PV drivers or ignore the request`;
      break;
    case 'VM_LACKS_FEATURE':
      message = `${name} lacks the guest feature ${ctx.op} needs (no PV drivers?)`;
      break;
    case 'NO_HOSTS_AVAILABLE': {
      // the per-host reasons xe printed on stdout (cli_operations.ml `hook_no_hosts_available`)
      const reasons = result.stdout.split('\n').map((l) => /^\s*(.*?)\s*: Cannot start here \[(.*)\]$/.exec(l)).filter((m) => m !== null);
      const why = reasons.map((m) => (reasons.length > 1 ? `${m[1]}: ${m[2]}` : m[2])).join('; ');
      message = `no host can ${ctx.op.replace(/_/g, ' ')} ${name} on "${ctx.host}"${why ? `: ${why}` : ''}`;
      break;
    }
    case 'HOST_NOT_ENOUGH_FREE_MEMORY':
      message = `host "${ctx.host}" has not enough free memory to ${ctx.op.replace(/_/g, ' ')} ${name} (needs ${failure.params.needed}, has ${failure.params.available})`;
      break;
    default: {
      const details = Object.entries(failure.params).map(([k, v]) => `${k}: ${v}`).join(', ');
      message = `${ctx.op} of ${ctx.vm} failed on host "${ctx.host}": ${failure.text}${details ? ` (${details})` : ''}`;
    }
  }
  return new ProviderError(ctx.host, failure.code, { ...failure.params, command: ctx.argv.join(' ') }, message);
}
