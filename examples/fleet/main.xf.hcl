# Several hosts, count and for_each, dependencies and shutdown policies, all on
# simulated hosts: one XCP-ng host driven through `xe`, one plain Xen host through `xl`.

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

  boot {
    mode       = "pv"
    bootloader = "pygrub"
    args       = "console=hvc0"
  }

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
    mode       = "pv"
    bootloader = "pygrub"
    args       = "console=hvc0 quiet"
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
