// A generated vm block (query / plan --generate-config-out) keeps a VM's firmware as written
// configuration, and reads back as the same firmware.
import t from 'tap';
import { vmHcl } from '../../cli/views/hcl.js';
import { attributes } from '../planner/builders.js';
import { errors, load, HOST } from '../planner/config/support.js';

t.test('a UEFI VM with Secure Boot and a vTPM is written with them, and loads back the same', async (t) => {
  const boot = { mode: 'hvm' as const, bootloader: '', kernel: '', ramdisk: '', args: '', bootloader_args: '', order: 'cd', firmware: 'uefi' as const, secure_boot: true };
  const text = vmHcl('vm.win', 'lab', attributes({ name: 'win', boot, vtpm: true }));
  t.match(text, /^  vtpm        = true$/m);
  t.match(text, /^    secure_boot = true$/m, 'a flag, not a string');
  const r = load({ 'main.xf.hcl': `${HOST}${text}` });
  t.same(errors(r), []);
  const a = r.config!.vms[0].attributes;
  t.same([a.boot.firmware, a.boot.secure_boot, a.vtpm], ['uefi', true, true]);
});

t.test('a VM without them is written without them', async (t) => {
  const text = vmHcl('vm.web', 'lab', attributes());
  t.notMatch(text, /vtpm|secure_boot/);
});
