#!/bin/bash
set -euo pipefail
ls "$TEST_DIRECTORY" | sed 's/$/,rock/' > "$HOME/output.csv"
echo "Output file written at $HOME/output.csv"
