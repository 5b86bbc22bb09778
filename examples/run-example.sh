#!/usr/bin/env bash
# Sets up this machine (Docker engine, local base images, local package index) and packages the
# bundled Synapse-style model with r2d, then runs it the way Synapse does:
# no network, /input read-only, /output writable.
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund
bash test/infra/setup.sh
# shellcheck disable=SC1091
. .r2d-infra/env

npx r2d examples/synapse-model \
  --image-name r2d-example/synapse-model:latest \
  --base-image "$R2D_TEST_BASE_PYTHON" \
  --build-network host \
  --pip-index-url "$R2D_TEST_PIP_INDEX" \
  --no-run

out=$(mktemp -d)
chmod 777 "$out"
trap 'rm -rf "$out"' EXIT
"$R2D_TEST_DOCKER" run --rm --network none \
  -v "$PWD/examples/synapse-model/sample_data:/input:ro" \
  -v "$out:/output" \
  r2d-example/synapse-model:latest
echo "--- /output/predictions.csv"
cat "$out/predictions.csv"
