"""Trains for the configured epochs and writes a small report to --out."""
import argparse
import os
import shutil

import r2d_hello  # from requirements.txt

parser = argparse.ArgumentParser()
parser.add_argument("--out", default="outputs")
args = parser.parse_args()
settings = open(os.path.expanduser("~/.train-settings")).read().strip()
with open(os.path.join(args.out, "report.txt"), "w") as f:
    f.write(f"{settings}\njq: {shutil.which('jq')}\n{r2d_hello.hello('cresset')}\n")
print("report written to", args.out)
