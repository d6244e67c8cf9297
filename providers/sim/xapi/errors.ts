// Errors as `xe` prints them (spec §1.6, §1.7, §6.4): all on stderr, exit code 1.
// Doc texts are those of current xapi's datamodel_errors.ml.

// An API error. Params are already rendered (an object reference is `<uuid> (<name>)`).
export class XapiError extends Error {
  constructor(
    readonly code: string,
    readonly params: string[],
  ) {
    super(code);
  }
}

// NO_HOSTS_AVAILABLE from vm-start / vm-resume: xe first prints, on stdout, why each host
// cannot run the VM (cli_operations.ml `hook_no_hosts_available`, `print_vm_host_report`,
// `print_assert_exception`; xen-api v1.249.42 L3148, L2042, L1986).
export class NoHostsAvailable extends XapiError {
  readonly stdout: string;
  constructor(hosts: [string, string][]) {
    super('NO_HOSTS_AVAILABLE', []);
    const maxlen = 4 + Math.max(...hosts.map(([h]) => h.length));
    const table = hosts.map(([h, why], i) => `${i === 0 ? h.padEnd(maxlen) : h.padStart(maxlen)}: Cannot start here [${why}]`).join('\n');
    this.stdout = 'There are no suitable hosts to start this VM on.\nThe following table provides per-host reasons for why the VM could not be started:\n\n' + table + '\n\n\n';
  }
}

// `Error: <message>`: CLI-side failures (Cli_failure, Record_failure).
export class CliError extends Error {}

// cli_operations.ml no_force_msg: a destructive command run without --force.
export const NO_FORCE = 'This operation is dangerous and may cause data loss. This operation must be forced (use --force).';

// `Unknown command` / `Required parameter not found`: followed by the usage hint.
export class UsageError extends Error {}

interface ErrorDef {
  params: string[];
  doc: string;
}

export const ERRORS: Record<string, ErrorDef> = {
  VM_BAD_POWER_STATE: {
    params: ['vm', 'expected', 'actual'],
    doc: "You attempted an operation on a VM that was not in an appropriate power state at the time; for example, you attempted to start a VM that was already running. The parameters returned are the VM's handle, and the expected and actual VM state at the time of the call.",
  },
  // Current xapi (>= v25.27.0) parameters; XA-1.249 had only class and object.
  OTHER_OPERATION_IN_PROGRESS: {
    params: ['class', 'object', 'operation_type', 'operation_ref'],
    doc: 'Another operation involving the object is currently in progress',
  },
  HANDLE_INVALID: {
    params: ['class', 'handle'],
    doc: 'You gave an invalid object reference. The object may have recently been deleted. The class parameter gives the type of reference given, and the handle parameter echoes the bad value given.',
  },
  UUID_INVALID: { params: ['type', 'uuid'], doc: 'The uuid you supplied was invalid.' },
  VM_IS_TEMPLATE: { params: ['vm'], doc: 'The operation attempted is not valid for a template VM' },
  OPERATION_NOT_ALLOWED: { params: ['reason'], doc: 'You attempted an operation that was not allowed.' },
  OPERATION_BLOCKED: {
    params: ['ref', 'code'],
    doc: 'You attempted an operation that was explicitly blocked (see the blocked_operations field of the given object).',
  },
  INVALID_VALUE: { params: ['field', 'value'], doc: 'The value given is invalid' },
  VALUE_NOT_SUPPORTED: {
    params: ['field', 'value', 'reason'],
    doc: 'You attempted to set a value that is not supported by this implementation. The fully-qualified field name and the value that you tried to set are returned. Also returned is a developer-only diagnostic reason.',
  },
  MEMORY_CONSTRAINT_VIOLATION: { params: ['constraint'], doc: 'The dynamic memory range does not satisfy the following constraint.' },
  MEMORY_CONSTRAINT_VIOLATION_ORDER: {
    params: [],
    doc: 'The dynamic memory range violates constraint static_min <= dynamic_min <= dynamic_max <= static_max.',
  },
  MEMORY_CONSTRAINT_VIOLATION_MAXPIN: {
    params: ['reason'],
    doc: 'The dynamic memory range violates constraint static_min = dynamic_min = dynamic_max = static_max.',
  },
  MAP_DUPLICATE_KEY: {
    params: ['type', 'param_name', 'uuid', 'key'],
    doc: 'You tried to add a key-value pair to a map, but that key is already there.',
  },
  VBD_NOT_REMOVABLE_MEDIA: { params: ['vbd'], doc: 'Media could not be ejected because it is not removable' },
  VBD_NOT_EMPTY: { params: ['vbd'], doc: 'Operation could not be performed because the drive is not empty' },
  VBD_IS_EMPTY: { params: ['vbd'], doc: 'Operation could not be performed because the drive is empty' },
  VM_NO_EMPTY_CD_VBD: { params: ['vm'], doc: 'The VM has no empty CD drive (VBD).' },
  VTPM_MAX_AMOUNT_REACHED: { params: ['amount'], doc: 'The VM cannot be associated with more VTPMs.' },
  VM_LACKS_FEATURE: { params: ['vm'], doc: 'You attempted an operation on a VM which lacks the feature.' },
  VM_SHUTDOWN_TIMEOUT: { params: ['vm', 'timeout'], doc: 'VM failed to shutdown before the timeout expired' },
  // the codes are api_errors.ml's strings (v1.249.42 L401, L831), not their OCaml names
  VM_FAILED_SHUTDOWN_ACKNOWLEDGMENT: { params: ['vm'], doc: "VM didn't acknowledge the need to shutdown." },
  VM_NO_SUSPEND_SR: { params: ['vm'], doc: 'This VM does not have a suspend SR specified.' },
  NO_HOSTS_AVAILABLE: { params: [], doc: 'There were no servers available to complete the specified operation.' },
  HOST_DISABLED: { params: ['host'], doc: 'The specified server is disabled.' },
  VM_REQUIRES_SR: {
    params: ['vm', 'sr'],
    doc: "You attempted to run a VM on a host which doesn't have access to an SR needed by the VM. The VM has at least one VBD attached to a VDI in the SR.",
  },
  HOST_NOT_ENOUGH_PCPUS: {
    params: ['vcpus', 'pcpus'],
    doc: 'The host does not have enough pCPUs to run the VM. It needs at least as many as the VM has vCPUs.',
  },
  HOST_NOT_ENOUGH_FREE_MEMORY: {
    params: ['needed', 'available'],
    doc: 'Not enough server memory is available to perform this operation.',
  },
  BOOTLOADER_FAILED: { params: ['vm', 'msg'], doc: 'The bootloader returned an error' },
  UNKNOWN_BOOTLOADER: { params: ['vm', 'bootloader'], doc: 'The requested bootloader is unknown' },
  DEVICE_ALREADY_EXISTS: { params: ['device'], doc: 'A device with the name given already exists on the selected VM' },
  INVALID_DEVICE: { params: ['device'], doc: 'The device name is invalid' },
  VBD_CDS_MUST_BE_READONLY: { params: [], doc: 'Read/write CDs are not supported' },
  DEVICE_ALREADY_ATTACHED: { params: ['device'], doc: 'The device is already attached to a VM' },
  DEVICE_ALREADY_DETACHED: { params: ['device'], doc: 'The device is not currently attached' },
  MAC_INVALID: { params: ['MAC'], doc: 'The MAC address specified is not valid.' },
  VDI_READONLY: { params: ['vdi'], doc: 'The operation required write access but this VDI is read-only' },
  // datamodel_errors.ml (v1.249.42 L737, L849)
  VDI_IN_USE: { params: ['vdi', 'operation'], doc: 'This operation cannot be performed because this VDI is in use by some other operation' },
  // datamodel_errors.ml (e2ee48d688 L530, L1345, L1158)
  VM_MISSING_PV_DRIVERS: { params: ['vm'], doc: 'You attempted an operation on a VM which requires PV drivers to be installed but the drivers were not detected.' },
  SR_OPERATION_NOT_SUPPORTED: { params: ['sr'], doc: "The SR backend does not support the operation (check the SR's allowed operations)" },
  VDI_NEEDS_VM_FOR_MIGRATE: { params: ['vdi'], doc: 'Cannot migrate a VDI which is not attached to a running VM.' },
  TASK_CANCELLED: { params: ['task'], doc: 'The request was asynchronously canceled.' },
  INTERNAL_ERROR: {
    params: ['message'],
    doc: 'The server failed to handle your request, due to an internal error. The given message may give details useful for debugging the problem.',
  },
  CANNOT_RESET_CONTROL_DOMAIN: { params: ['vm'], doc: 'The power-state of a control domain cannot be reset.' },
  LICENCE_RESTRICTION: {
    params: ['feature'],
    doc: 'This operation is not allowed because your license lacks a needed feature. Please contact your support representative.',
  },
};

// The stderr text of an error, with its trailing newline.
export function renderError(e: unknown): string {
  if (e instanceof XapiError) {
    const def = ERRORS[e.code];
    if (!def) {
      return `Error code: ${e.code}\nError parameters: ${e.params.join(', ')}\n`;
    }
    const lines = [def.doc];
    const n = Math.max(def.params.length, e.params.length);
    for (let i = 0; i < n; i++) {
      const name = def.params[i] ?? '<extra>';
      lines.push(`${name}: ${e.params[i] ?? '<unknown>'}`);
    }
    return lines.join('\n') + '\n';
  }
  if (e instanceof CliError) return `Error: ${e.message}\n`;
  if (e instanceof UsageError) return `${e.message}\nFor usage run: 'xe help'\n`;
  throw e;
}
