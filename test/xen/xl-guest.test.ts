// The real Xen host and its tiny PV guest, driven with plain `xl`: what every xenform test on
// this host relies on (direct kernel boot, console logs, pause, save/restore, shutdown, crash).
import t from 'tap';
import { bootCount, consoleLog, dom0, dom0Ok, domainState, resetDom0, waitFor, waitForBoot } from './dom0.js';

const cfg = (name: string, extra: string) =>
  [
    `name = "${name}"`,
    'type = "pv"',
    'kernel = "/root/guest/vmlinuz"',
    'ramdisk = "/root/guest/initrd.gz"',
    `extra = "${extra}"`,
    'memory = 128',
    'vcpus = 1',
    'on_poweroff = "destroy"',
    'on_reboot = "restart"',
    'on_crash = "preserve"',
  ].join('\n');

const writeCfg = (name: string, extra: string) =>
  dom0Ok(`mkdir -p /etc/xen/xltest && cat > /etc/xen/xltest/${name}.cfg <<'EOF'\n${cfg(name, extra)}\nEOF`);

t.before(resetDom0);
t.teardown(resetDom0);

t.test('the host runs Xen 4.17 with the xl toolstack', async (t) => {
  const info = await dom0Ok('xl info', 60_000);
  t.match(info, /^xen_major\s+:\s+4$/m);
  t.match(info, /^xen_minor\s+:\s+17$/m);
  t.match(await dom0Ok('xl list'), /^Domain-0\s+0\s/m, 'dom0 is listed');
});

t.test('a PV guest booted from a dom0 kernel prints the extra arguments on its console', async (t) => {
  await writeCfg('xlt-a', 'console=hvc0 xf_marker=alpha');
  const created = await dom0('xl create /etc/xen/xltest/xlt-a.cfg', 180_000);
  t.equal(created.code, 0, `xl create: ${created.stderr}`);
  const line = await waitForBoot('xlt-a', 1);
  t.match(line, /\bconsole=hvc0 xf_marker=alpha\b/);
  t.ok(['running', 'blocked'].includes((await domainState('xlt-a')) ?? ''), 'the domain is alive');
});

t.test('pause and unpause change the state xl reports', async (t) => {
  await dom0Ok('xl pause xlt-a');
  t.equal(await domainState('xlt-a'), 'paused');
  await dom0Ok('xl unpause xlt-a');
  t.not(await domainState('xlt-a'), 'paused');
});

t.test('save stops the domain into a file and restore resumes it without a new boot', async (t) => {
  const boots = await bootCount('xlt-a');
  await dom0Ok('mkdir -p /var/lib/xen/save && xl save xlt-a /var/lib/xen/save/xlt-a.save', 180_000);
  t.equal(await domainState('xlt-a'), null, 'no domain while saved');
  t.match(await dom0Ok('ls -l /var/lib/xen/save/xlt-a.save'), /xlt-a\.save/);
  await dom0Ok('xl restore /var/lib/xen/save/xlt-a.save', 180_000);
  t.ok(['running', 'blocked'].includes((await domainState('xlt-a')) ?? ''), 'running again');
  t.equal(await bootCount('xlt-a'), boots, 'the guest did not boot again');
});

t.test('a clean shutdown runs the guest init shutdown and removes the domain', async (t) => {
  const r = await dom0('timeout 120 xl shutdown -w xlt-a', 150_000);
  t.equal(r.code, 0, `xl shutdown -w: ${r.stderr}`);
  t.equal(await domainState('xlt-a'), null);
  t.match(await consoleLog('xlt-a'), /XF-SHUTDOWN/);
});

t.test('a guest told to crash stays as a crashed domain with on_crash preserve', async (t) => {
  await writeCfg('xlt-crash', 'console=hvc0 xf_crash=1');
  await dom0Ok('xl create /etc/xen/xltest/xlt-crash.cfg', 180_000);
  const state = await waitFor('the crash', async () => ((await domainState('xlt-crash')) === 'crashed' ? 'crashed' : undefined));
  t.equal(state, 'crashed');
  t.match(await consoleLog('xlt-crash'), /XF-CRASHING/);
  await dom0Ok('xl destroy xlt-crash');
  t.equal(await domainState('xlt-crash'), null, 'destroy removes the crashed domain');
});
