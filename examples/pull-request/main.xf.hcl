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
    mode  = "hvm"
    order = "cd" # XCP-ng's Debian 12 template is HVM; disk first, then CD-ROM
  }

  lifecycle {
    apply_boot_changes = "next_boot" # set boot changes now, reboot in the next window
  }
}
