#!/bin/sh
# sysinit of the tiny PV guest (busybox init runs it once at boot).
# Prints the kernel command line framed for the tests, then optionally crashes the kernel:
# `xf_crash=N` on the command line crashes it N seconds after printing.
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
echo "XF-BOOT: $(cat /proc/sys/kernel/random/boot_id)"
echo "XF-CMDLINE: $(cat /proc/cmdline)"
for word in $(cat /proc/cmdline); do
  case "$word" in
    xf_crash=*)
      delay="${word#xf_crash=}"
      (
        sleep "$delay"
        echo "XF-CRASHING"
        echo c > /proc/sysrq-trigger
      ) &
      ;;
  esac
done
echo "XF-READY"
