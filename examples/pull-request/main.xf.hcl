# A configuration reviewed in pull requests. The state lives in PostgreSQL, so the CI
# runner's checkout, the apply job's checkout and every operator's laptop see one state:
# CI runs plan-comment.sh on a pull request (a plan that never waits for the lock, posted
# as Markdown), and apply-saved.sh applies that saved plan after the merge, from another
# checkout. Run `xenform init` once (and `xenform init --migrate-state` to move a local
# xenform.state.json in).

xenform {
  backend "pg" {
    # The connection comes from XENFORM_PG_CONN_STR or libpq's PG* variables (PGHOST,
    # PGUSER, PGPASSWORD...), so no password is ever written here.
    schema_name = "lab"
  }
}

host "lab" {
  address   = "xcp-lab.example.org"
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
