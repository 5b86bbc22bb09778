#!/usr/bin/env bash
# Stops the index servers that test/infra/setup.sh started for this state directory
# (.r2d-infra, or R2D_INFRA_DIR). Leaves dockerd and the base images alone: other
# checkouts and sessions on the machine may be using them.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
STATE="${R2D_INFRA_DIR:-$ROOT/.r2d-infra}"

for name in pypi cran; do
  pidfile="$STATE/$name.pid"
  pid=$(cat "$pidfile" 2>/dev/null || true)
  # Only a pid whose command line is our server for this directory (pids get reused).
  if [[ -n "$pid" && -r "/proc/$pid/cmdline" ]] &&
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "http.server --bind 127.0.0.1 [0-9]* --directory $STATE/$name"; then
    kill "$pid" # timeout(1) passes the TERM on to the server
    for _ in $(seq 1 25); do
      [[ -d "/proc/$pid" ]] || break
      sleep 0.2
    done
    echo "[r2d-infra] stopped the $name server (pid $pid)"
  else
    echo "[r2d-infra] no $name server of ours is running"
  fi
  rm -f "$pidfile" "$STATE/$name.port"
done
