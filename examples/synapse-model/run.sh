#!/bin/bash
# The image's default command (r2d uses run.sh when the repository has one).
set -euo pipefail
exec python "$(dirname "$0")/run_model.py" --input-dir "${INPUT_DIR:-/input}" --output-dir "${OUTPUT_DIR:-/output}"
