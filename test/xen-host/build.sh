#!/usr/bin/env bash
# Builds the real Xen test host from Debian packages only:
#   xen.elf (the hypervisor at exactly the dom0's xen-utils version), dom0-vmlinuz,
#   dom0-initrd.img, dom0.img (Debian 12 dom0 with xl, sshd, and a tiny PV guest in /root/guest),
#   id_ed25519 (a throwaway key authorized for root), host_ed25519.pub (dom0's host key).
# The result is cached in test/xen-host/cache/<key>/, keyed by the package versions and by the
# build inputs; a second run reuses it. Logs go to stderr; the last line of stdout is the folder.
# Nothing is installed into this machine's /boot. Any failure says why and exits non-zero.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${XF_XEN_CACHE:-$HERE/cache}
SUITE=bookworm
INCLUDE=systemd-sysv,linux-image-amd64,xen-utils-4.17,openssh-server,busybox,iproute2,procps,kmod,udev,dbus
KEY_PACKAGES=(xen-utils-4.17 xen-hypervisor-4.17-amd64 linux-image-amd64 openssh-server systemd busybox-static)

log() { printf '[xen-host build] %s\n' "$*" >&2; }
die() { printf '[xen-host build] FAILED: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "must run as root (debootstrap and chroot need it)"

missing=()
for tool in debootstrap qemu-system-x86_64 mkfs.ext4 dpkg-deb apt-get cpio file ssh-keygen gzip chroot; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
[ -x /bin/busybox ] || missing+=("/bin/busybox")
[ ${#missing[@]} -eq 0 ] || die "missing tools: ${missing[*]} (apt-get install the packages listed in test/xen-host/packages.txt)"
file -L /bin/busybox | grep -q 'statically linked' ||
  die "/bin/busybox is not statically linked; the guest initramfs needs busybox-static"

# The Debian mirror this machine's apt uses for the bookworm suite (deb822 or one-line format).
mirror_from_apt() {
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk -v suite="$SUITE" '
      BEGIN { RS = ""; FS = "\n" }
      {
        uris = ""; ok = 0
        for (i = 1; i <= NF; i++) {
          if ($i ~ /^URIs:/) { sub(/^URIs:[ \t]*/, "", $i); split($i, u, /[ \t]+/); uris = u[1] }
          if ($i ~ /^Suites:/) { n = split($i, s, /[ \t]+/); for (j = 2; j <= n; j++) if (s[j] == suite) ok = 1 }
        }
        if (ok && uris != "") { print uris; exit }
      }' "$f"
  done
  { cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true; } |
    awk -v suite="$SUITE" '$1 == "deb" { i = 2; if ($2 ~ /^\[/) { while ($i !~ /\]$/) i++; i++ } if ($(i + 1) == suite) print $i }'
}
MIRROR=${XF_DEBIAN_MIRROR:-$(mirror_from_apt | head -n 1 || true)}
[ -n "$MIRROR" ] || die "no apt source for suite $SUITE in /etc/apt/sources.list{,.d}; set XF_DEBIAN_MIRROR"

# Cache key: the candidate versions of the key packages in this machine's apt lists, the mirror,
# and every build input (this script and the guest files).
if ! apt-cache madison xen-utils-4.17 2>/dev/null | grep -q .; then
  log "apt lists do not know xen-utils-4.17 yet: apt-get update"
  apt-get update -qq >&2 || die "apt-get update failed"
fi
versions=$(apt-cache madison "${KEY_PACKAGES[@]}" 2>/dev/null | tr -s ' ')
[ -n "$versions" ] || die "apt-cache madison found none of ${KEY_PACKAGES[*]}"
KEY=$( { printf '%s\n' "$MIRROR" "$versions"; cat "$0" "$HERE"/guest/*; } | sha256sum | cut -c1-16)
OUT=$CACHE/$KEY
mkdir -p "$CACHE"
exec 9>"$CACHE/.build.lock"
flock 9

if [ -f "$OUT/complete" ]; then
  log "cached: $OUT ($(tr '\n' ' ' <"$OUT/versions.txt"))"
  echo "$OUT"
  exit 0
fi

# The unpacked rootfs (about 2 GB, many files) lives outside the project tree, where tap's
# coverage bookkeeping would otherwise walk it.
WORK=$(mktemp -d "${TMPDIR:-/var/tmp}/xf-xen-build.XXXXXX")
rm -rf "$OUT"
mkdir -p "$OUT"
trap 'rm -rf "$WORK"' EXIT
ROOTFS=$WORK/rootfs
t0=$SECONDS

log "debootstrap $SUITE from $MIRROR (about 100 s)"
debootstrap --variant=minbase --include="$INCLUDE" "$SUITE" "$ROOTFS" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 || {
  tail -n 30 "$WORK/debootstrap.log" >&2
  die "debootstrap failed (log above)"
}

XEN_VERSION=$(chroot "$ROOTFS" dpkg-query -W -f='${Version}' xen-utils-4.17) || die "xen-utils-4.17 is not in the rootfs"
KVER=$(basename "$(ls -d "$ROOTFS"/lib/modules/* | head -n 1)")
[ -f "$ROOTFS/boot/vmlinuz-$KVER" ] && [ -f "$ROOTFS/boot/initrd.img-$KVER" ] ||
  die "the rootfs has no kernel/initrd for $KVER"

log "hypervisor xen-hypervisor-4.17-amd64=$XEN_VERSION (apt-get download, dpkg-deb -x)"
download_hypervisor() { (cd "$WORK" && chmod 755 "$WORK" && apt-get download -q "xen-hypervisor-4.17-amd64=$XEN_VERSION" >&2); }
if ! download_hypervisor; then
  apt-get update -qq >&2 || true
  download_hypervisor || die "cannot download xen-hypervisor-4.17-amd64=$XEN_VERSION (the rootfs's xen-utils version) from apt"
fi
dpkg-deb -x "$WORK"/xen-hypervisor-4.17-amd64_*.deb "$WORK/hv"
xengz=$(ls "$WORK"/hv/boot/xen-4.17*-amd64.gz 2>/dev/null | head -n 1)
[ -n "$xengz" ] || die "the hypervisor package has no /boot/xen-4.17*-amd64.gz"
zcat "$xengz" >"$OUT/xen.elf"
file "$OUT/xen.elf" | grep -q 'ELF 32-bit' || die "xen.elf is not a 32-bit ELF that QEMU multiboot can load"
cp "$ROOTFS/boot/vmlinuz-$KVER" "$OUT/dom0-vmlinuz"
cp "$ROOTFS/boot/initrd.img-$KVER" "$OUT/dom0-initrd.img"

log "dom0 configuration"
cat >"$ROOTFS/etc/systemd/network/10-eth.network" <<'EOF'
[Match]
Name=en* eth*

[Network]
Address=10.0.2.15/24
Gateway=10.0.2.2
EOF
echo xf-dom0 >"$ROOTFS/etc/hostname"
printf '127.0.0.1 localhost\n127.0.1.1 xf-dom0\n' >"$ROOTFS/etc/hosts"
: >"$ROOTFS/etc/fstab"
chroot "$ROOTFS" systemctl enable systemd-networkd >&2
chroot "$ROOTFS" systemctl mask systemd-networkd-wait-online.service apt-daily.timer apt-daily-upgrade.timer \
  e2scrub_all.timer fstrim.timer man-db.timer >&2 2>/dev/null || true

# xenconsoled writes every guest console to /var/log/xen/console/guest-<name>.log, so tests read
# guest output over SSH instead of attaching the interactive `xl console`.
# Debian's /etc/init.d/xen passes XENCONSOLED_ARGS to xenconsoled.
[ -f "$ROOTFS/etc/default/xen" ] && grep -q XENCONSOLED_ARGS "$ROOTFS/etc/init.d/xen" ||
  die "the rootfs has no /etc/default/xen or its init script ignores XENCONSOLED_ARGS"
sed -i '/^XENCONSOLED_ARGS=/d' "$ROOTFS/etc/default/xen"
echo 'XENCONSOLED_ARGS="--log=guest --log-dir=/var/log/xen/console"' >>"$ROOTFS/etc/default/xen"
mkdir -p "$ROOTFS/var/log/xen/console" "$ROOTFS/var/lib/xen/save" "$ROOTFS/etc/xen/xenform"

mkdir -p "$ROOTFS/etc/ssh/sshd_config.d"
cat >"$ROOTFS/etc/ssh/sshd_config.d/xenform-test.conf" <<'EOF'
PermitRootLogin prohibit-password
PasswordAuthentication no
UseDNS no
MaxSessions 64
MaxStartups 64:30:128
EOF
rm -f "$ROOTFS"/etc/ssh/ssh_host_*
ssh-keygen -q -A -f "$ROOTFS" >&2
cp "$ROOTFS/etc/ssh/ssh_host_ed25519_key.pub" "$OUT/host_ed25519.pub"
ssh-keygen -q -t ed25519 -N '' -C xenform-test -f "$OUT/id_ed25519"
install -d -m 700 "$ROOTFS/root/.ssh"
install -m 600 "$OUT/id_ed25519.pub" "$ROOTFS/root/.ssh/authorized_keys"

log "tiny PV guest (the dom0 kernel + a busybox initramfs)"
G=$WORK/guest-initramfs
mkdir -p "$G"/{bin,sbin,etc/init.d,proc,sys,dev,tmp,root}
cp /bin/busybox "$G/bin/busybox"
for applet in $("$G/bin/busybox" --list); do
  [ -e "$G/bin/$applet" ] || ln -s busybox "$G/bin/$applet"
done
for applet in init poweroff reboot halt; do ln -sf ../bin/busybox "$G/sbin/$applet"; done
ln -s bin/busybox "$G/init"
install -m 755 "$HERE/guest/init.sh" "$G/etc/init.d/rcS"
install -m 644 "$HERE/guest/inittab" "$G/etc/inittab"
mkdir -p "$ROOTFS/root/guest"
(cd "$G" && find . -print0 | cpio --null -o -H newc --quiet | gzip -9) >"$ROOTFS/root/guest/initrd.gz"
cp "$ROOTFS/boot/vmlinuz-$KVER" "$ROOTFS/root/guest/vmlinuz"

log "dom0.img (ext4)"
rm -rf "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/var/lib/apt/lists/*
truncate -s 1536M "$WORK/dom0.img"
mkfs.ext4 -q -F -L xf-dom0 -d "$ROOTFS" "$WORK/dom0.img" >&2 || die "mkfs.ext4 -d failed"
mv "$WORK/dom0.img" "$OUT/dom0.img"

{
  echo "xen-utils-4.17=$XEN_VERSION"
  echo "xen-hypervisor-4.17-amd64=$XEN_VERSION"
  echo "linux-image=$KVER"
  echo "openssh-server=$(chroot "$ROOTFS" dpkg-query -W -f='${Version}' openssh-server)"
  echo "busybox-static(host)=$(dpkg-query -W -f='${Version}' busybox-static 2>/dev/null || echo unknown)"
} >"$OUT/versions.txt"
touch "$OUT/complete"
log "built $OUT in $((SECONDS - t0)) s ($(tr '\n' ' ' <"$OUT/versions.txt"))"
echo "$OUT"
