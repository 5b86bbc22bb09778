#!/bin/bash
exec python3 run_model.py --input-dir /input --output-dir /output
