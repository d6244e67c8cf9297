#!/usr/bin/env bash
# Plan and apply the quickstart on the simulated dom0.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
xenform() { node "$here/../../bin/xenform.js" --chdir "$here" "$@"; }

echo "\$ xenform plan"
xenform plan
echo
echo "\$ xenform apply --auto-approve"
xenform apply --auto-approve
echo
echo "\$ xenform plan   # a second plan finds nothing to do"
xenform plan
