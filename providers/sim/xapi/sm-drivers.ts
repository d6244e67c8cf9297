// The storage manager drivers a host has (xe sm-list): each SR type's capabilities, as the
// driver declares them in its CAPABILITIES list (xapi-project/sm 471cf7ed
// libs/sm/drivers/EXTSR.py L34, FileSR.py L40, NFSSR.py L34, SMBSR.py L33, LVHDSR.py L56,
// LVHDoISCSISR.py L37, LVHDoHBASR.py L37, ISOSR.py L29). "NAME/2" declares version 2 of a
// feature; xapi's SM record shows them as the `features` map NAME: version (records.ml
// `sm_record`, smint.ml `parse_capability_int`). None of these drivers declares
// VDI_RESIZE_ONLINE: on a stock host an attached disk is never resized. The `sm_features`
// fault adds features a newer or third-party driver would declare.
import { createHash } from 'node:crypto';
import type { Map } from '../state.js';
import type { Field, Ctx } from './record-format.js';

const VHD_FILE = ['SR_PROBE', 'SR_UPDATE', 'VDI_CREATE', 'VDI_DELETE', 'VDI_ATTACH', 'VDI_DETACH', 'VDI_CLONE', 'VDI_SNAPSHOT', 'VDI_RESIZE', 'VDI_MIRROR', 'VDI_GENERATE_CONFIG', 'ATOMIC_PAUSE', 'VDI_CONFIG_CBT', 'VDI_ACTIVATE', 'VDI_DEACTIVATE', 'THIN_PROVISIONING'];
const LVHD = ['SR_PROBE', 'SR_UPDATE', 'SR_TRIM', 'VDI_CREATE', 'VDI_DELETE', 'VDI_ATTACH', 'VDI_DETACH', 'VDI_MIRROR', 'VDI_CLONE', 'VDI_SNAPSHOT', 'VDI_RESIZE', 'ATOMIC_PAUSE', 'VDI_RESET_ON_BOOT/2', 'VDI_UPDATE', 'VDI_CONFIG_CBT', 'VDI_ACTIVATE', 'VDI_DEACTIVATE'];
const NETWORK_FILE = ['SR_PROBE', 'SR_UPDATE', 'SR_CACHING', 'VDI_CREATE', 'VDI_DELETE', 'VDI_ATTACH', 'VDI_DETACH', 'VDI_UPDATE', 'VDI_CLONE', 'VDI_SNAPSHOT', 'VDI_RESIZE', 'VDI_MIRROR', 'VDI_GENERATE_CONFIG', 'VDI_RESET_ON_BOOT/2', 'ATOMIC_PAUSE', 'VDI_CONFIG_CBT', 'VDI_ACTIVATE', 'VDI_DEACTIVATE', 'THIN_PROVISIONING', 'VDI_READ_CACHING'];

export const SM_CAPABILITIES: Readonly<Record<string, readonly string[]>> = {
  ext: ['SR_PROBE', 'SR_UPDATE', 'SR_SUPPORTS_LOCAL_CACHING', 'VDI_CREATE', 'VDI_DELETE', 'VDI_ATTACH', 'VDI_DETACH', 'VDI_UPDATE', 'VDI_CLONE', 'VDI_SNAPSHOT', 'VDI_RESIZE', 'VDI_MIRROR', 'VDI_GENERATE_CONFIG', 'VDI_RESET_ON_BOOT/2', 'ATOMIC_PAUSE', 'VDI_CONFIG_CBT', 'VDI_ACTIVATE', 'VDI_DEACTIVATE', 'THIN_PROVISIONING', 'VDI_READ_CACHING'],
  file: VHD_FILE,
  nfs: NETWORK_FILE,
  smb: NETWORK_FILE,
  lvm: LVHD,
  lvmoiscsi: ['SR_PROBE', 'SR_UPDATE', 'SR_METADATA', 'SR_TRIM', 'SR_CACHING', 'VDI_CREATE', 'VDI_DELETE', 'VDI_ATTACH', 'VDI_DETACH', 'VDI_GENERATE_CONFIG', 'VDI_CLONE', 'VDI_SNAPSHOT', 'VDI_RESIZE', 'ATOMIC_PAUSE', 'VDI_RESET_ON_BOOT/2', 'VDI_UPDATE', 'VDI_MIRROR', 'VDI_CONFIG_CBT', 'VDI_ACTIVATE', 'VDI_DEACTIVATE'],
  lvmohba: ['SR_PROBE', 'SR_UPDATE', 'SR_METADATA', 'SR_TRIM', 'SR_CACHING', 'VDI_CREATE', 'VDI_DELETE', 'VDI_ATTACH', 'VDI_DETACH', 'VDI_GENERATE_CONFIG', 'VDI_SNAPSHOT', 'VDI_CLONE', 'VDI_MIRROR', 'VDI_RESIZE', 'ATOMIC_PAUSE', 'VDI_RESET_ON_BOOT/2', 'VDI_UPDATE', 'VDI_CONFIG_CBT', 'VDI_ACTIVATE', 'VDI_DEACTIVATE'],
  iso: ['VDI_CREATE', 'VDI_DELETE', 'VDI_ATTACH', 'VDI_DETACH', 'SR_SCAN', 'SR_ATTACH', 'SR_DETACH'],
};

// NAME: version, with the fault's extra features for this SR type.
export function smFeatures(type: string, c: Pick<Ctx, 'faults'>): Map {
  const out: Map = {};
  for (const cap of [...(SM_CAPABILITIES[type] ?? []), ...(c.faults.smFeatures[type] ?? [])]) {
    const [name, version] = cap.split('/');
    out[name] = version ?? '1';
  }
  return out;
}

export function smHas(type: string, feature: string, c: Pick<Ctx, 'faults'>): boolean {
  return smFeatures(type, c)[feature] !== undefined;
}

export interface SmRow {
  uuid: string;
  type: string;
}

// One row per driver type; a driver's uuid is stable across runs (derived from its type).
export function smRows(): SmRow[] {
  return Object.keys(SM_CAPABILITIES).map((type) => {
    const h = createHash('sha1').update(`sm:${type}`).digest('hex');
    return { type, uuid: `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}` };
  });
}

export const SM_FIELDS: Field<SmRow>[] = [
  { name: 'uuid', kind: 'RO', get: (x) => x.uuid },
  { name: 'name-label', kind: 'RO', get: (x) => x.type },
  { name: 'type', kind: 'RO', get: (x) => x.type },
  { name: 'capabilities', kind: 'RO', deprecated: true, get: (x) => (SM_CAPABILITIES[x.type] ?? []).map((cap) => cap.split('/')[0]).join('; ') },
  { name: 'features', kind: 'MRO', get: (x, c) => smFeatures(x.type, c) },
];
