#!/usr/bin/env bash
# Run by the apply job after the merge, in its own checkout: applies the plan that
# plan-comment.sh saved (the reviewed one) to the shared state. The saved plan records
# the state's serial; if anything changed the state since (another apply, a state
# command), the apply is refused and the job should plan again. A second apply running
# at the same time is refused at once, naming who holds the lock and since when.
#   apply-saved.sh DIR PLANFILE
set -uo pipefail
dir="${1:-.}"
planfile="${2:-plan.xfplan}"
xenform() { node "$(dirname "$0")/../../bin/xenform.js" --chdir "$dir" "$@"; }

xenform init > /dev/null || exit 1
xenform apply "$planfile"
