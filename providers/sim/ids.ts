// Identifiers of simulated objects: lowercase 8-4-4-4-12 uuids, random like xapi's
// Uuidx.make, or derived from a seed and a counter so that tests get stable output.
import { createHash, randomUUID } from 'node:crypto';
import type { SimState } from './state.js';

export function newUuid(st: SimState): string {
  st.seq += 1;
  if (st.seed === null) return randomUUID();
  const h = createHash('sha256').update(`${st.seed}:${st.seq}`).digest('hex');
  const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// A MAC generated from the VM's mac_seed and the device number, as xapi does for a VIF
// created without `mac=`: locally administered, unicast.
export function macFromSeed(seed: string, device: string): string {
  const h = createHash('sha256').update(`${seed}/${device}`).digest();
  const bytes = [(h[0] & 0xfc) | 0x02, h[1], h[2], h[3], h[4], h[5]];
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

// `mac=random`: the CLI helper fills all six bytes with one random value, then sets the
// local bit and clears the multicast bit (spec §4.6, a quirk kept on purpose).
export function randomLocalMac(): string {
  const b = Math.floor(Math.random() * 256);
  const first = (b & 0xfc) | 0x02;
  return [first, b, b, b, b, b].map((x) => x.toString(16).padStart(2, '0')).join(':');
}
