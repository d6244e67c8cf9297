#!/usr/bin/env bash
# Run in CI on a pull request: write the plan as Markdown for a PR comment, save the
# plan for the apply job, and fail the check when the plan would disrupt a VM
# without the "disruption-approved" label.
#   exit code of `plan --detailed-exitcode`: 0 no changes, 2 changes, 3 disruptive changes
set -uo pipefail
dir="${1:-.}"
xenform() { node "$(dirname "$0")/../../bin/xenform.js" --chdir "$dir" "$@"; }

xenform plan --out plan.xfplan --detailed-exitcode > /dev/null
status=$?
xenform show --markdown plan.xfplan > plan-comment.md
case "$status" in
  0) echo "No changes." ;;
  2) echo "Changes without disruption." ;;
  3) echo "Disruptive changes: see plan-comment.md"
     [ "${DISRUPTION_APPROVED:-false}" = true ] || exit 3 ;;
  *) echo "plan failed"; exit 1 ;;
esac
