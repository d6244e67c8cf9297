# A configuration reviewed in pull requests: CI runs `xenform plan --markdown`
# and posts the result as a comment (see plan-comment.sh).

host "lab" {
  simulator = true
  toolstack = "xapi"
}

vm "app" {
  host     = host.lab
  name     = "app"
  template = "Debian Bookworm 12"
  memory   = "2GiB"
  vcpus    = 2

  boot {
    mode       = "pv"
    bootloader = "pygrub"
    args       = "console=hvc0"
  }

  lifecycle {
    apply_boot_changes = "next_boot" # set boot changes now, reboot in the next window
  }
}
