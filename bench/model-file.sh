#!/usr/bin/env bash
# A repository that holds a 300 MB model file: rebuild after a one-line code change, r2d sending
# the build to the daemon's API (its default with a Docker < 23 client on a local socket: the
# context by file sync) beside r2d with the docker client building (R2D_DOCKER_API=0: the context
# as a tar, whole, every time). Interleaved, RUNS rounds (default 5), medians and ranges.
#
#   bash bench/model-file.sh [RUNS]
#
# Needs: dist/ built (npm run build) and the test infrastructure (bash test/infra/setup.sh).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
runs="${1:-5}"
infra="${R2D_INFRA_DIR:-.r2d-infra}/env"
base=$(sed -n 's/^R2D_TEST_BASE_PYTHON=//p' "$infra")
repo=$(mktemp -d /tmp/r2d-bench-model-XXXXXX)
trap 'rm -rf "$repo"; docker image rm r2d-bench/model:api r2d-bench/model:client >/dev/null 2>&1 || true' EXIT
mkdir -p "$repo/models"
printf 'print(1)\n' > "$repo/main.py"
head -c 300000000 /dev/urandom > "$repo/models/weights.bin"
build() { R2D_DOCKER_API=$1 node dist/bin/r2d.js "$repo" --no-run --base-image "$base" --image-name "r2d-bench/model:$2" >/dev/null 2>&1; }
build 1 api && build 0 client # first builds: not timed
for i in $(seq 1 "$runs"); do
  for way in "1 api" "0 client"; do
    set -- $way
    echo "STEP = $i$2" >> "$repo/main.py"
    start=$(date +%s%N); build "$1" "$2"; end=$(date +%s%N)
    echo "$2 $(( (end - start) / 1000000 ))"
  done
done | node -e '
  const rows = require("fs").readFileSync(0, "utf8").trim().split("\n").map((l) => l.split(" "));
  const med = (v) => { const s = [...v].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
  for (const [way, label] of [["api", "the daemon API (default)"], ["client", "the docker client (R2D_DOCKER_API=0)"]]) {
    const v = rows.filter((r) => r[0] === way).map((r) => Number(r[1]));
    console.log(`rebuild, ${label}: median ${med(v)} ms, range ${Math.min(...v)}-${Math.max(...v)} ms (${v.length} runs)`);
  }'
