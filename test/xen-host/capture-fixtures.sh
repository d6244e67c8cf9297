#!/usr/bin/env bash
# Captures what the real `xl` prints (stdout, stderr, exit code) for the commands xenform and
# its tests use, into test/fixtures/xl-real/: <case>.out, <case>.err, and manifest.tsv
# (case, exit code, command). The simulated xl is checked against these byte for byte.
#   capture-fixtures.sh RUN_DIR [OUT_DIR]      (RUN_DIR from `boot.sh start`)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
RUN=${1:?usage: capture-fixtures.sh RUN_DIR [OUT_DIR]}
OUT=${2:-$HERE/../fixtures/xl-real}
SSH=(ssh -F "$RUN/ssh_config" xen)
mkdir -p "$OUT"
rm -f "$OUT"/*.out "$OUT"/*.err "$OUT"/manifest.tsv
printf 'case\texit\tcommand\n' >"$OUT/manifest.tsv"

remote() { timeout 120 "${SSH[@]}" "$@"; }

# capture CASE COMMAND: runs COMMAND (a shell line) in dom0 and records its outputs.
capture() {
  local name=$1 cmd=$2 rc=0
  remote "$cmd" >"$OUT/$name.out" 2>"$OUT/$name.err" || rc=$?
  if [ "$rc" -eq 255 ]; then
    sleep 2
    rc=0
    remote "$cmd" >"$OUT/$name.out" 2>"$OUT/$name.err" || rc=$?
  fi
  printf '%s\t%s\t%s\n' "$name" "$rc" "$cmd" >>"$OUT/manifest.tsv"
  printf '[capture] %-28s exit %s\n' "$name" "$rc" >&2
}

wait_for() { # wait_for SECONDS SHELL-CONDITION (in dom0)
  remote "for i in \$(seq 1 $1); do if $2; then exit 0; fi; sleep 1; done; exit 1"
}

remote 'set -e
mkdir -p /etc/xen/fixtures /var/lib/xen/save
for d in $(xl list | awk "NR>2 {print \$1}"); do xl destroy "$d" || true; done
rm -f /var/lib/xen/save/fix.save /var/log/xen/console/guest-fix*.log
cat >/etc/xen/fixtures/fix.cfg
sed -e "s/^name = .*/name = \"fixcrash\"/" -e "s/xf_fixture=1/xf_crash=1/" /etc/xen/fixtures/fix.cfg >/etc/xen/fixtures/fixcrash.cfg' <"$HERE/fix.cfg"

capture list-dom0-only 'xl list'
capture list-long-dom0-only 'xl list -l'
capture list-unknown-name 'xl list nosuch'
capture list-unknown-id 'xl list 4242'
capture list-long-unknown-name 'xl list -l nosuch'
capture create 'xl create /etc/xen/fixtures/fix.cfg'
wait_for 60 'grep -q XF-READY /var/log/xen/console/guest-fix.log 2>/dev/null'
capture list-running 'xl list'
capture list-name 'xl list fix'
capture list-long-name 'xl list -l fix'
capture list-long 'xl list -l'
capture domid 'xl domid fix'
capture domid-unknown 'xl domid nosuch'
capture create-duplicate-name 'xl create /etc/xen/fixtures/fix.cfg'
capture create-missing-config 'xl create /etc/xen/fixtures/nosuch.cfg'
capture pause 'xl pause fix'
capture list-paused 'xl list fix'
capture pause-unknown 'xl pause nosuch'
capture unpause 'xl unpause fix'
capture unpause-unknown 'xl unpause nosuch'
capture shutdown-unknown 'xl shutdown nosuch'
capture reboot-unknown 'xl reboot nosuch'
capture destroy-unknown 'xl destroy nosuch'
capture save-unknown 'xl save nosuch /var/lib/xen/save/nosuch.save'
capture save 'xl save fix /var/lib/xen/save/fix.save'
capture list-after-save 'xl list'
capture restore 'xl restore /var/lib/xen/save/fix.save'
capture restore-missing-file 'xl restore /var/lib/xen/save/nosuch.save'
capture restore-duplicate-name 'xl restore /var/lib/xen/save/fix.save'
capture reboot 'xl reboot fix'
# The domain is gone for a few seconds while xl rebuilds it: wait for the second boot.
wait_for 120 '[ "$(grep -c XF-READY /var/log/xen/console/guest-fix.log)" -ge 2 ] && xl list fix >/dev/null 2>&1'
capture shutdown-wait 'xl shutdown -w fix'
capture list-after-shutdown 'xl list'
capture create-crashing 'xl create /etc/xen/fixtures/fixcrash.cfg'
wait_for 60 'xl list fixcrash 2>/dev/null | grep -q "c-\? *[0-9.]*$\|--c-\|---c-"' || true
sleep 2
capture list-crashed 'xl list fixcrash'
capture list-long-crashed 'xl list -l fixcrash'
capture shutdown-crashed 'xl shutdown fixcrash'
capture destroy-crashed 'xl destroy fixcrash'
capture console-log 'cat /var/log/xen/console/guest-fix.log'
capture console-log-crashed 'cat /var/log/xen/console/guest-fixcrash.log'
capture info 'xl info'
remote 'for d in $(xl list | awk "NR>2 {print \$1}"); do xl destroy "$d" || true; done; rm -f /var/lib/xen/save/fix.save'
echo "[capture] wrote $OUT" >&2
