#!/usr/bin/env bash
# Boots (or stops) the real Xen test host built by build.sh under QEMU TCG.
#   boot.sh start IMAGE_DIR RUN_DIR   boots Xen + dom0, waits for SSH, writes RUN_DIR/env
#   boot.sh stop RUN_DIR              stops QEMU by its pid
# SSH is forwarded from 127.0.0.1:<free port> only; `restrict=on` cuts the guest off from any
# other network. On failure the serial log is printed and QEMU is stopped.
set -euo pipefail

log() { printf '[xen-host boot] %s\n' "$*" >&2; }
die() { printf '[xen-host boot] FAILED: %s\n' "$*" >&2; exit 1; }

stop() {
  local run=$1 pid
  [ -f "$run/qemu.pid" ] || return 0
  pid=$(cat "$run/qemu.pid")
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
    log "stopped QEMU (pid $pid)"
  fi
  rm -f "$run/qemu.pid" "$run"/*.sock
  if [ -f "$run/ssh_config" ]; then
    ssh -F "$run/ssh_config" -O exit xen >/dev/null 2>&1 || true
  fi
}

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

start() {
  local img=$1 run=$2
  for f in xen.elf dom0-vmlinuz dom0-initrd.img dom0.img id_ed25519 host_ed25519.pub; do
    [ -f "$img/$f" ] || die "$img/$f is missing: run test/xen-host/build.sh first"
  done
  command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 not found (apt-get install qemu-system-x86)"
  mkdir -p "$run"
  run=$(cd "$run" && pwd)
  stop "$run"
  # The image is written by dom0; each run boots a fresh copy (sparse, so the copy is quick).
  cp --sparse=always "$img/dom0.img" "$run/dom0.img"
  cp "$img/id_ed25519" "$run/id_ed25519" && chmod 600 "$run/id_ed25519"
  local port
  port=$(free_port)
  echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 "$img/host_ed25519.pub")" >"$run/known_hosts"
  cat >"$run/ssh_config" <<EOF
Host xen
  HostName 127.0.0.1
  Port $port
  User root
  IdentityFile $run/id_ed25519
  IdentitiesOnly yes
  UserKnownHostsFile $run/known_hosts
  StrictHostKeyChecking yes
  BatchMode yes
  ConnectTimeout 20
  ServerAliveInterval 10
  ServerAliveCountMax 3
  ControlMaster auto
  ControlPath $run/cm-%C
  ControlPersist 300
  LogLevel ERROR
EOF
  : >"$run/serial.log"
  local t0=$SECONDS
  log "starting QEMU (TCG, qemu64), ssh on 127.0.0.1:$port"
  qemu-system-x86_64 -accel tcg,tb-size=256 -cpu qemu64 -smp 2 -m 1536 \
    -display none -no-reboot -daemonize -pidfile "$run/qemu.pid" \
    -chardev "socket,id=s0,path=$run/serial.sock,server=on,wait=off,logfile=$run/serial.log" -serial chardev:s0 \
    -monitor "unix:$run/monitor.sock,server=on,wait=off" \
    -kernel "$img/xen.elf" \
    -append "console=com1 com1=115200,8n1 dom0_mem=768M,max:768M dom0_max_vcpus=2 loglvl=all guest_loglvl=all" \
    -initrd "$img/dom0-vmlinuz root=/dev/vda rw console=hvc0 earlyprintk=xen,$img/dom0-initrd.img" \
    -drive "file=$run/dom0.img,if=virtio,format=raw,cache=unsafe" \
    -netdev "user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:$port-:22" \
    -device virtio-net-pci,netdev=n0 2>"$run/qemu.err" || {
      cat "$run/qemu.err" >&2
      die "qemu-system-x86_64 did not start"
    }
  local deadline=$((SECONDS + ${XF_XEN_BOOT_TIMEOUT:-600}))
  local stall=${XF_XEN_STALL_TIMEOUT:-240} last_size=-1 last_change=$SECONDS size
  while :; do
    size=$(stat -c %s "$run/serial.log" 2>/dev/null || echo 0)
    if [ "$size" -ne "$last_size" ]; then last_size=$size; last_change=$SECONDS; fi
    if [ $((SECONDS - last_change)) -ge "$stall" ]; then
      tail -n 60 "$run/serial.log" >&2
      stop "$run"
      die "dom0 printed nothing for $stall s before SSH answered: the emulated boot hung (serial log above)"
    fi
    if ! kill -0 "$(cat "$run/qemu.pid" 2>/dev/null)" 2>/dev/null; then
      tail -n 60 "$run/serial.log" >&2
      die "QEMU exited while booting (serial log above)"
    fi
    if timeout 20 ssh -F "$run/ssh_config" xen true 2>/dev/null; then break; fi
    if [ $SECONDS -ge $deadline ]; then
      tail -n 60 "$run/serial.log" >&2
      stop "$run"
      die "dom0 SSH did not answer within ${XF_XEN_BOOT_TIMEOUT:-600} s (serial log above)"
    fi
    sleep 2
  done
  # xl needs xenstored/xenconsoled: wait until `xl list` answers.
  until timeout 30 ssh -F "$run/ssh_config" xen xl list >/dev/null 2>&1; do
    if [ $SECONDS -ge $deadline ]; then
      timeout 30 ssh -F "$run/ssh_config" xen 'systemctl status xen xencommons --no-pager; journalctl -b --no-pager | tail -40' >&2 || true
      stop "$run"
      die "dom0 answers SSH but 'xl list' does not work"
    fi
    sleep 2
  done
  cat >"$run/env" <<EOF
XF_XEN_RUN=$run
XF_XEN_PORT=$port
XF_XEN_IDENTITY=$run/id_ed25519
XF_XEN_KNOWN_HOSTS=$run/known_hosts
XF_XEN_SSH_CONFIG=$run/ssh_config
EOF
  log "dom0 ready in $((SECONDS - t0)) s (ssh -F $run/ssh_config xen)"
}

case "${1:-}" in
  start) [ $# -eq 3 ] || die "usage: boot.sh start IMAGE_DIR RUN_DIR"; start "$2" "$3" ;;
  stop) [ $# -eq 2 ] || die "usage: boot.sh stop RUN_DIR"; stop "$2" ;;
  *) die "usage: boot.sh start IMAGE_DIR RUN_DIR | boot.sh stop RUN_DIR" ;;
esac
