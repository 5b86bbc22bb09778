#!/bin/bash
set -euo pipefail
echo "user=$(whoami) pwd=$(pwd)"
python3 predict.py "$TEST_DIRECTORY" "$OUTPUT_PATH"
echo "Output file written at $OUTPUT_PATH"
