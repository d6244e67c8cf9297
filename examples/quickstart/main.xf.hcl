# The quickstart: two VMs on xenform's built-in simulated XCP-ng host.
# No Xen host is needed; the simulated dom0 lives under .xenform/ beside this file.
# The same VMs work on a real XCP-ng 8.2 or 8.3 host: give the host block its
# `address` instead of `simulator = true` (README, "Reaching hosts").

host "demo" {
  simulator = true
  toolstack = "xapi"
}

# A Debian 12 guest. XCP-ng's "Debian Bookworm 12" template is HVM (BIOS, boot
# order disk, CD-ROM, network): with no boot block the VM boots as its template does.
vm "web" {
  host        = host.demo
  name        = "web"
  template    = "Debian Bookworm 12"
  power_state = "running"
  memory      = "1GiB"
  vcpus       = 2

  disk "data" {
    size = "10GiB"
    sr   = "Local storage"
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
