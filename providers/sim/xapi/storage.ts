// What the storage manager (SM) makes of a new VDI's size, per SR type.
import { XapiError } from './errors.js';

const MiB = 1024 * 1024;
// xapi-project/sm 471cf7ed libs/sm/vhdutil.py: VHD_BLOCK_SIZE, MIN_VHD_SIZE, MAX_VHD_SIZE.
const VHD_BLOCK_SIZE = 2 * MiB;
const MIN_VHD_SIZE = 2 * MiB;
const MAX_VHD_SIZE = 2040 * 1024 * MiB;
// libs/sm/lvutil.py LVM_SIZE_INCREMENT: a raw VDI on LVM is a whole number of extents.
const LVM_SIZE_INCREMENT = 4 * MiB;

// SR types whose VDIs are VHD files or VHD-on-LVM volumes: FileSR.create (ext, nfs, smb,
// file) and LVHDSR.create (lvm, lvmoiscsi, lvmohba) both call
// vhdutil.validate_and_round_vhd_size (FileSR.py L659, LVHDSR.py L1331).
const LVM_TYPES = new Set(['lvm', 'lvmoiscsi', 'lvmohba', 'lvmofcoe']);
const VHD_TYPES = new Set(['ext', 'nfs', 'smb', 'file', ...LVM_TYPES]);

// The virtual-size SM gives a new VDI of `size` bytes on an SR of `srType`.
export function allocatedSize(srType: string, size: number, smConfig: Record<string, string>): number {
  if (!VHD_TYPES.has(srType)) return size;
  // vhdutil.validate_and_round_vhd_size: a backend failure, which xapi reports with the
  // SM error code (XE_SR_ERRORCODES.xml VDISize = 79) and no datamodel doc.
  if (size < 0 || size > MAX_VHD_SIZE) {
    throw new XapiError('SR_BACKEND_FAILURE_79', ['', `VDI Invalid size [opterr=VDI size must be between 1 MB and ${MAX_VHD_SIZE / MiB} MB]`, '']);
  }
  const rounded = Math.ceil(Math.max(size, MIN_VHD_SIZE) / VHD_BLOCK_SIZE) * VHD_BLOCK_SIZE;
  // LVHDSR.create: a raw VDI's size is its logical volume's (lvmCache.getSize), in 4 MiB extents.
  if (LVM_TYPES.has(srType) && smConfig.type === 'raw') return Math.ceil(rounded / LVM_SIZE_INCREMENT) * LVM_SIZE_INCREMENT;
  return rounded;
}
