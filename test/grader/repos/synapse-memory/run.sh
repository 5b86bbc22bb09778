#!/bin/bash
set -euo pipefail
exec python3 -c '
big = bytearray(400 * 1024 * 1024)
for i in range(0, len(big), 4096):
    big[i] = 1
open("/output/predictions.csv", "w").write("ok\n")
'
