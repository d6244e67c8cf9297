// The xe commands (spec §2.3, §2.5, §4). Each returns its stdout; errors are thrown.
import { CLASSES } from './classes.js';
import type { Command } from './select.js';
import { listCommand, paramAdd, paramClear, paramGet, paramList, paramRemove, paramSet } from './class-commands.js';
import { cloneCommand, vmInstall, vmSnapshot } from './vm-create-commands.js';
import { lifecycle, vmDestroy, vmResetPowerstate, vmUninstall } from './vm-power-commands.js';
import { memoryCommand, setMemory, sizes, vcpuHotplug } from './vm-memory-vcpu-commands.js';
import { devicePlug, vbdCreate, vbdDestroy, vdiCreate, vdiDestroy, vifCreate, vifDestroy } from './device-commands.js';
import { eventWait } from './event-wait.js';
import { vbdEject, vbdInsert, vmCdEject, vmCdInsert } from './cd-commands.js';
import { vtpmCreate, vtpmDestroy } from './vtpm-commands.js';
import { vdiCopy, vdiPoolMigrate, vdiResize } from './vdi-commands.js';
import { hostDisable, hostEnableCommand, vmMigrate } from './pool-commands.js';

const lifecycleOwn = ['force', 'on', 'paused', 'progress'];

export const COMMANDS: Record<string, Command> = {
  'vm-start': lifecycle(() => 'start', lifecycleOwn, { control: true }, (run): Record<string, string> => (run.flag('paused') ? { paused: 'true' } : {})),
  'vm-shutdown': lifecycle((run) => (run.flag('force') ? 'hard_shutdown' : 'clean_shutdown'), lifecycleOwn),
  'vm-reboot': lifecycle((run) => (run.flag('force') ? 'hard_reboot' : 'clean_reboot'), lifecycleOwn),
  'vm-suspend': lifecycle(() => 'suspend', lifecycleOwn),
  'vm-resume': lifecycle(() => 'resume', lifecycleOwn),
  'vm-pause': lifecycle(() => 'pause', []),
  'vm-unpause': lifecycle(() => 'unpause', []),
  'vm-install': vmInstall,
  'vm-clone': cloneCommand('clone'),
  'vm-copy': cloneCommand('copy'),
  'vm-snapshot': vmSnapshot,
  'vm-destroy': vmDestroy,
  'vm-uninstall': vmUninstall,
  'vm-reset-powerstate': vmResetPowerstate,
  'vm-memory-limits-set': memoryCommand(['static-min', 'static-max', 'dynamic-min', 'dynamic-max'], 'changing_memory_limits', (run, vm) => {
    const [smin, smax, dmin, dmax] = sizes(run, ['static-min', 'static-max', 'dynamic-min', 'dynamic-max']);
    setMemory(vm, { smin, smax, dmin, dmax });
  }),
  'vm-memory-static-range-set': memoryCommand(['min', 'max'], 'changing_static_range', (run, vm) => {
    const [smin, smax] = sizes(run, ['min', 'max']);
    setMemory(vm, { smin, smax });
  }),
  'vm-memory-dynamic-range-set': memoryCommand(['min', 'max'], 'changing_dynamic_range', (run, vm) => {
    const [dmin, dmax] = sizes(run, ['min', 'max']);
    setMemory(vm, { dmin, dmax });
  }),
  'vm-memory-set': memoryCommand(['memory'], 'changing_memory_limits', (run, vm) => {
    const [m] = sizes(run, ['memory']);
    setMemory(vm, { smax: m, dmin: m, dmax: m });
  }),
  'vm-memory-target-set': memoryCommand(['target'], 'changing_dynamic_range', (run, vm) => {
    const [m] = sizes(run, ['target']);
    setMemory(vm, { dmin: m, dmax: m });
  }),
  'vm-vcpu-hotplug': vcpuHotplug,
  'vdi-create': vdiCreate,
  'vdi-destroy': vdiDestroy,
  'vdi-resize': vdiResize,
  'vdi-copy': vdiCopy,
  'vdi-pool-migrate': vdiPoolMigrate,
  'vbd-create': vbdCreate,
  'vbd-plug': devicePlug('vbd', true),
  'vbd-unplug': devicePlug('vbd', false),
  'vbd-destroy': vbdDestroy,
  'vbd-insert': vbdInsert,
  'vbd-eject': vbdEject,
  'vm-cd-insert': vmCdInsert,
  'vm-cd-eject': vmCdEject,
  'vtpm-create': vtpmCreate,
  'vtpm-destroy': vtpmDestroy,
  'vif-create': vifCreate,
  'vif-plug': devicePlug('vif', true),
  'vif-unplug': devicePlug('vif', false),
  'vif-destroy': vifDestroy,
  'event-wait': eventWait,
  'vm-migrate': vmMigrate,
  'host-disable': hostDisable,
  'host-enable': hostEnableCommand,
};

for (const cls of Object.values(CLASSES)) {
  COMMANDS[`${cls.cli}-list`] = listCommand(cls);
  COMMANDS[`${cls.cli}-param-list`] = paramList(cls);
  COMMANDS[`${cls.cli}-param-get`] = paramGet(cls);
  COMMANDS[`${cls.cli}-param-set`] = paramSet(cls);
  COMMANDS[`${cls.cli}-param-add`] = paramAdd(cls);
  COMMANDS[`${cls.cli}-param-remove`] = paramRemove(cls);
  COMMANDS[`${cls.cli}-param-clear`] = paramClear(cls);
}
