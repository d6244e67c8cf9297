// A generated fleet configuration for the HCL benchmarks: `vms` VMs in blocks of five (`count`),
// spread over one simulated host per 500 VMs.
const PER_BLOCK = 5;

export function fleetConfig(vms: number): string {
  const hosts = Math.max(1, Math.ceil(vms / 500));
  const blocks = Math.ceil(vms / PER_BLOCK);
  let text = `variable "template" {
  type    = string
  default = "Debian Bookworm 12"
}

variable "sizes" {
  type    = map(string)
  default = { small = "1GiB", medium = "2GiB", large = "4GiB" }
}

locals {
  sizes = ["small", "medium", "large"]
}

`;
  for (let h = 0; h < hosts; h++) {
    text += `host "h${h}" {
  simulator    = true
  toolstack    = "xapi"
  max_parallel = 4
}

`;
  }
  for (let i = 0; i < blocks; i++) {
    const size = ['small', 'medium', 'large'][i % 3];
    text += `vm "app${i}" {
  count       = ${Math.min(PER_BLOCK, vms - i * PER_BLOCK)}
  host        = host.h${i % hosts}
  name        = "app${i}-\${count.index}"
  template    = var.template
  power_state = "running"
  memory      = var.sizes["${size}"]
  vcpus       = ${1 + (i % 4)}
  tags        = ["fleet", "rack-${i % 40}", "${size}"]
  boot {
    mode       = "pv"
    bootloader = "pygrub"
    args       = "console=hvc0 quiet"
  }
  disk "root" {
    size     = "${10 + (i % 5) * 10}GiB"
    sr       = "Local storage"
    bootable = true
  }
  network "eth0" { network = "xenbr0" }
}

`;
  }
  return text;
}

