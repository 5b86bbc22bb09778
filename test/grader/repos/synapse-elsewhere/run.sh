#!/bin/bash
set -euo pipefail
python3 - <<'PY'
import os
with open(os.path.expanduser("~/predictions.csv"), "w") as f:
    f.write("file,count\nx.csv,1\n")
print("done")
PY
