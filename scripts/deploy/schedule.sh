#!/usr/bin/env bash
# Schedule one incremental newsbite crawl on Scrapyd (called hourly by cron or a systemd timer).
#
#   scripts/deploy/schedule.sh SPIDER [name=value ...]      # extra spider args, e.g. topics=isis,newspoll
#
# Environment: SCRAPYD_URL (default http://127.0.0.1:6800), NEWSBITE_HOME (default
# /var/lib/newsbite: state.sqlite, jobs/<spider>/ JOBDIR), SCRAPYD_AUTH ("user:password", optional).
# Skips (exit 0) when a job of this spider is still pending or running: two crawls never share
# a JOBDIR, and a long run is simply followed by the next hour's.
set -euo pipefail

spider="${1:?usage: schedule.sh SPIDER [name=value ...]}"
shift
url="${SCRAPYD_URL:-http://127.0.0.1:6800}"
home="${NEWSBITE_HOME:-/var/lib/newsbite}"
project="${NEWSBITE_PROJECT:-newsbite}"
auth=()
[[ -n "${SCRAPYD_AUTH:-}" ]] && auth=(--user "$SCRAPYD_AUTH")

busy=$(curl -fsS "${auth[@]}" "$url/listjobs.json?project=$project" | python3 -c '
import json, sys
jobs = json.load(sys.stdin)
spider = sys.argv[1]
print(sum(j["spider"] == spider for state in ("pending", "running") for j in jobs.get(state, [])))
' "$spider")
if [[ "$busy" != "0" ]]; then
  echo "newsbite: $spider still has a pending or running job; not scheduling another" >&2
  exit 0
fi

args=()
for kv in "$@"; do args+=(-d "$kv"); done
curl -fsS "${auth[@]}" "$url/schedule.json" \
  -d project="$project" -d spider="$spider" \
  -d setting=NEWSBITE_INCREMENTAL=true \
  -d setting="NEWSBITE_STATE_URI=$home/state.sqlite" \
  -d setting="JOBDIR=$home/jobs/$spider" \
  "${args[@]}"
echo
