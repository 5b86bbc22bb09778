#!/bin/bash
set -euo pipefail
exec python3 run_model.py
