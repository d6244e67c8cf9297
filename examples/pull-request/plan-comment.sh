#!/usr/bin/env bash
# Run in CI on a pull request: plan against the shared state (a plan never takes the write
# lock: while an apply runs, it plans against the last written state and says so), write
# the plan as Markdown and post it as a PR comment, save the plan for the apply job, and
# fail the check when the plan would disrupt a VM without the "disruption-approved" label.
#   exit code of `plan --detailed-exitcode`: 0 no changes, 2 changes, 3 disruptive changes
# Needs XENFORM_PG_CONN_STR (or PGHOST/PGUSER/PGPASSWORD...) from the CI's secrets.
set -uo pipefail
dir="${1:-.}"
xenform() { node "$(dirname "$0")/../../bin/xenform.js" --chdir "$dir" "$@"; }

xenform init > /dev/null || exit 1 # checks the backend; its schema is created once
xenform plan --out plan.xfplan --detailed-exitcode > /dev/null
status=$?
[ "$status" -le 3 ] && [ "$status" -ne 1 ] || { echo "plan failed"; exit 1; }
xenform show --markdown plan.xfplan > plan-comment.md
# On GitHub Actions: post the comment (keep plan.xfplan as an artifact for apply-saved.sh).
if [ -n "${PR_NUMBER:-}" ] && command -v gh > /dev/null; then
  gh pr comment "$PR_NUMBER" --body-file plan-comment.md
fi
case "$status" in
  0) echo "No changes." ;;
  2) echo "Changes without disruption." ;;
  3) echo "Disruptive changes: see plan-comment.md"
     [ "${DISRUPTION_APPROVED:-false}" = true ] || exit 3 ;;
esac
