# The quickstart: two VMs on xenform's built-in simulated XCP-ng host.
# No Xen host is needed; the simulated dom0 lives under .xenform/ beside this file.

host "demo" {
  simulator = true
  toolstack = "xapi"
}

# A paravirtualised Debian guest, booted through pygrub.
vm "web" {
  host        = host.demo
  name        = "web"
  template    = "Debian Bookworm 12"
  power_state = "running"
  memory      = "1GiB"
  vcpus       = 2

  boot {
    mode       = "pv"
    bootloader = "pygrub"
    args       = "console=hvc0 quiet"
  }
}

# An HVM guest that boots from CD first, then disk.
vm "installer" {
  host        = host.demo
  name        = "installer"
  template    = "Other install media"
  power_state = "running"
  memory      = "2GiB"
  vcpus       = 2

  boot {
    mode  = "hvm"
    order = "dc"
  }
}

output "web_uuid" {
  value = vm.web.uuid
}
