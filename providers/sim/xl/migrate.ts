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

// Runs inside the update of the source host's state; takes the target's file lock in turn.
export async function migrateDomain(args: string[], st: SimState, env: MigrateEnv, find: (st: SimState, id: string) => XlDomain | null): Promise<Out> {
  const rest = operands(args);
  if (rest.length !== 2) throw new XlDeviceExit(2, 'Usage: xl [-vfNtT] migrate [options] <Domain> <host>\n');
  const [id, host] = rest;
  const d = find(st, id);
  // find_domain exits for an unknown name; an unknown numeric id fails in libxl.
  if (!d || d.domid === 0) throw new XlDeviceExit(1, `${id} is an invalid domain identifier (rc=-6)\n`);
  const target = peerFile(env, host);
  if (target === undefined || target === env.statePath) {
    // The ssh child fails, the banner never comes: migrate_read_fixedmessage then
    // migration_child_report, exit(-ERROR_FAIL) = 3 (xl.c `migrate_do_preamble`).
    // [UNCONFIRMED] the exact libxl_read_exactly wording and the child's pid.
    throw new XlDeviceExit(3,
      `ssh: Could not resolve hostname ${host}: Name or service not known\n` +
      'libxl: error: libxl_utils.c: file/stream truncated reading banner from migration receiver stream\n' +
      'migration target process [0] exited with error status 255\n');
  }
  await holdAt(env.faults, 'xl migrate');
  await update(target, () => createHost({ toolstack: 'xl', hostname: host, seed: null, hostMemoryMib: null }), (tst) => {
    if (tst.toolstack !== 'xl') throw new XlDeviceExit(3, `migration target: ${host} is not an xl host\n`); // [UNCONFIRMED]
    if (tst.domains.some((x) => x.name === d.name)) {
      // xl.c `create_domain` refuses a second domain of that name; the sender resumes.
      throw new XlDeviceExit(1,
        `migration target: Domain creation failed (code -3).\nMigration failed, resuming at sender.\n`); // [UNCONFIRMED] the target's libxl line is not shown
    }
    // a plain copy: the source state hands out tracked proxies (track.ts), which do not clone
    tst.domains.push({ ...(JSON.parse(JSON.stringify(d)) as XlDomain), domid: tst.nextDomid++, startTime: Date.now() });
  });
  st.domains = st.domains.filter((x) => x !== d);
  return { stdout: '', stderr: SUCCESS };
}
