#!/usr/bin/env bash
# Builds (cached) and boots the real Xen test host, runs bench/xen-lifecycle.ts against it and the
# simulated xl host, and stops QEMU whatever happens. Run as root: bash bench/xen-lifecycle.sh
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
RUN=$(mktemp -d "${TMPDIR:-/var/tmp}/xf-xen-bench.XXXXXX")
trap 'bash test/xen-host/boot.sh stop "$RUN/host"; rm -rf "$RUN"' EXIT
IMG=$(bash test/xen-host/build.sh | tail -n 1)
npm run -s build
bash test/xen-host/boot.sh start "$IMG" "$RUN/host"
set -a
. "$RUN/host/env"
set +a
node dist/bench/xen-lifecycle.js
