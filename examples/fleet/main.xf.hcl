# Several hosts, count and for_each, dependencies and shutdown policies, all on
# simulated hosts: one XCP-ng host driven through `xe`, one plain Xen host through `xl`.
# XCP-ng's stock Linux templates are HVM; the PV guests with a direct kernel are on the
# plain Xen host, where dom0 holds the kernel.

variable "web_count" {
  type    = number
  default = 3
}

variable "sites" {
  type = map(object({
    memory = string
    args   = optional(string, "console=hvc0")
  }))
  default = {
    alpha = { memory = "512MiB" }
    beta  = { memory = "1GiB", args = "console=hvc0 quiet" }
  }
}

locals {
  common_tags = ["managed-by-xenform", "fleet"]
}

host "pool" {
  simulator    = true
  toolstack    = "xapi"
  max_parallel = 4
}

host "edge" {
  simulator = true
  toolstack = "xl"
}

vm "db" {
  host     = host.pool
  name     = "db"
  template = "Debian Bookworm 12"
  memory   = "4GiB"
  vcpus    = 4
  tags     = concat(local.common_tags, ["db"])

  # no boot block: the VM boots as XCP-ng's Debian 12 template does (HVM, BIOS)

  disk "data" {
    size = "50GiB"
    sr   = "Local storage"
  }

  shutdown {
    mode     = "clean"
    timeout  = "5m"
    fallback = "fail" # never kill the database
  }

  lifecycle {
    prevent_destroy = true
    max_disruption  = "reboot"
  }
}

vm "web" {
  count      = var.web_count
  host       = host.pool
  name       = "web-${count.index}"
  template   = "Debian Bookworm 12"
  memory     = "1GiB"
  vcpus      = 2
  tags       = local.common_tags
  depends_on = [vm.db]
  group      = "web"

  boot {
    mode     = "hvm"
    order    = "cn" # disk, then network
    firmware = "bios"
  }

  network "eth0" {
    network = "xenbr0"
  }

  shutdown {
    mode     = "clean"
    timeout  = "90s"
    fallback = "hard"
  }
}

vm "site" {
  for_each = var.sites
  host     = host.edge
  name     = "site-${each.key}"
  memory   = each.value.memory
  vcpus    = 1

  boot {
    mode    = "pv"
    kernel  = "/var/lib/xen/boot/vmlinuz"
    ramdisk = "/var/lib/xen/boot/initrd.gz"
    args    = each.value.args
  }
}

output "web_names" {
  value = vm.web[*].name
}
