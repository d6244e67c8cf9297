// `xl migrate [options] DOMAIN HOST` between simulated xl hosts (xl(1) "migrate"; xl.c
// `migrate_domain` / `migrate_receive`). Real xl runs `ssh HOST xl migrate-receive` and streams
// the domain to it; the simulator has no second machine, so it finds the receiving host's state
// file by HOST in XENSIM_XL_PEERS ("name=/path/state.json,other=/path/other.json"), set by
// whoever sets up the simulated hosts (DESIGN.md's XENSIM_STATE still names this host's file).
// The domain keeps its uuid and name and gets a new domid on the target; the guest
// configuration travels inside the stream (libxl's stored config), as with real xl: no file
// under /etc/xen is written on either side.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { holdAt, type Faults } from '../faults.js';
import { createHost } from '../host.js';
import type { SimState, XlDomain } from '../state.js';
import { update } from '../store.js';
import { XlDeviceExit } from './devices.js';

export interface MigrateEnv {
  statePath: string;
  create: () => SimState;
  faults: Faults;
  peers?: Readonly<Record<string, string>>; // XENSIM_XL_PEERS: host name -> state file
  // xenform's own simulated hosts (`simulator = true`) keep their state files side by side,
  // named after their host blocks (providers/factory.ts simPaths): HOST is <peerDir>/HOST.json.
  peerDir?: string;
}

function peerFile(env: MigrateEnv, host: string): string | undefined {
  const named = env.peers?.[host];
  if (named !== undefined) return named;
  if (env.peerDir === undefined || !/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(host)) return undefined;
  const file = join(env.peerDir, `${host}.json`);
  return existsSync(file) ? file : undefined;
}

interface Out {
  stdout: string;
  stderr: string;
}

// XENSIM_XL_PEERS as a map; entries without "=" are ignored.
export function parsePeers(text: string | undefined): Record<string, string> | undefined {
  if (!text) return undefined;
  const peers: Record<string, string> = {};
  for (const entry of text.split(',')) {
    const at = entry.indexOf('=');
    if (at > 0) peers[entry.slice(0, at).trim()] = entry.slice(at + 1).trim();
  }
  return peers;
}

// xl's migrate options (xl_cmdtable.c "migrate"): -s SSHCOMMAND, -C CONFIG take a value.
function operands(args: string[]): string[] {
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '-s' || a === '-C') i++;
    else if (a === '-e' || a === '-p' || a === '-D' || a === '--debug') continue;
    else if (a.startsWith('-') && rest.length === 0) throw new XlDeviceExit(2, `xl: invalid option -- '${a.slice(1)}'\n`);
    else rest.push(a);
  }
  return rest;
}

const SUCCESS = [
  'migration target: Ready to receive domain.',
  'Saving to migration stream new xl format (info 0x3/0x0/0)',
  'Loading new save file <incoming migration stream> (new xl fmt info 0x3/0x0/0)',
  'migration sender: Target has acknowledged transfer.',
  'migration sender: Giving target permission to start.',
  'migration target: Transfer complete, requesting permission to start domain.',
  'migration target: Got permission, starting domain.',
  'migration target: Domain started successsfully.', // sic, xl.c `migrate_receive`
  'migration sender: Target reports successful startup.',
  'Migration successful.',
].join('\n') + '\n';

// Real xl never holds one host while it waits for the other: `xl migrate` on the sender and
// `xl migrate-receive` on the target are two processes on two machines, joined by ssh (Xen 4.17
// tools/xl/xl_migrate.c `migrate_domain`, `migrate_receive`; real-xen.md: not run on the captured
// host, so these rules come from the sources). The sender suspends its domain and streams it
// (libxl_domain_suspend), the target builds it from the stream, and once the target reports a
// successful start the sender destroys its copy ("bang!"); when the target fails, the sender
// resumes its domain ("Migration failed, resuming at sender."). The simulator takes the same
// three steps, each under one host's lock alone: suspend at the sender, build at the target,
// then destroy or resume at the sender. So two migrations in opposite directions never wait on
// each other, and a command that dies between the steps leaves the domain suspended at the
// sender (`xl list`: ---ss-), as a killed `xl migrate` leaves it on a real host.
type OnHost = <T>(fn: (st: SimState) => T) => Promise<T>;

// `atSender` runs a step under the sender's lock as the command (fault counting, settling);
// the later steps at the sender are the same command's and are not counted again.
export async function migrateDomain(args: string[], env: MigrateEnv, atSender: OnHost, find: (st: SimState, id: string) => XlDomain | null): Promise<Out> {
  const rest = operands(args);
  if (rest.length !== 2) throw new XlDeviceExit(2, 'Usage: xl [-vfNtT] migrate [options] <Domain> <host>\n');
  const [id, host] = rest;
  const target = peerFile(env, host);
  const { stream, to } = await atSender((st) => {
    const d = find(st, id);
    // find_domain exits for an unknown name; an unknown numeric id fails in libxl.
    if (!d || d.domid === 0) throw new XlDeviceExit(1, `${id} is an invalid domain identifier (rc=-6)\n`);
    if (target === undefined || target === env.statePath) {
      // The ssh child fails, the banner never comes: migrate_read_fixedmessage then
      // migration_child_report, exit(-ERROR_FAIL) = 3 (xl.c `migrate_do_preamble`).
      // [UNCONFIRMED] the exact libxl_read_exactly wording and the child's pid.
      throw new XlDeviceExit(3,
        `ssh: Could not resolve hostname ${host}: Name or service not known\n` +
        'libxl: error: libxl_utils.c: file/stream truncated reading banner from migration receiver stream\n' +
        'migration target process [0] exited with error status 255\n');
    }
    if (d.state === 'shutdown' && d.reason === 's') {
      // Suspended already: another `xl migrate` is streaming it. [UNCONFIRMED] libxl's wording;
      // unlike real xl's failed_resume, the simulator leaves that migration's domain alone.
      throw new XlDeviceExit(1, 'migration sender: libxl_domain_suspend failed (rc=-3)\nMigration failed, resuming at sender.\n');
    }
    // a plain copy: the source state hands out tracked proxies (track.ts), which do not clone
    const stream = JSON.parse(JSON.stringify(d)) as XlDomain;
    d.state = 'shutdown';
    d.reason = 's';
    return { stream, to: target };
  });
  await holdAt(env.faults, 'xl migrate');
  const atSenderAgain = (fn: (d: XlDomain, st: SimState) => void) =>
    update(env.statePath, env.create, (st) => {
      const d = st.domains.find((x) => x.uuid === stream.uuid && x.domid === stream.domid);
      if (d) fn(d, st);
    });
  try {
    await update(to, () => createHost({ toolstack: 'xl', hostname: host, seed: null, hostMemoryMib: null }), (tst) => {
      if (tst.toolstack !== 'xl') throw new XlDeviceExit(3, `migration target: ${host} is not an xl host\n`); // [UNCONFIRMED]
      if (tst.domains.some((x) => x.name === stream.name)) {
        // xl.c `create_domain` refuses a second domain of that name; the sender resumes.
        throw new XlDeviceExit(1,
          `migration target: Domain creation failed (code -3).\nMigration failed, resuming at sender.\n`); // [UNCONFIRMED] the target's libxl line is not shown
      }
      tst.domains.push({ ...stream, domid: tst.nextDomid++, startTime: Date.now() });
    });
  } catch (e) {
    // libxl_domain_resume: the domain runs on at the sender as it was.
    await atSenderAgain((d) => {
      d.state = stream.state;
      d.reason = stream.reason;
    });
    throw e;
  }
  await atSenderAgain((d, st) => {
    st.domains = st.domains.filter((x) => x !== d);
  });
  return { stdout: '', stderr: SUCCESS };
}
