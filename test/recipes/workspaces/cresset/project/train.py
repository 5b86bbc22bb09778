"""Trains for the configured epochs on data/values.txt and writes a small report to --out."""
import argparse
import os
import shutil
import sys

import r2d_cext  # compiled from its sdist in r2d's builder stage
import r2d_hello  # from dependencies/requirements.txt

parser = argparse.ArgumentParser()
parser.add_argument("--data", default="data")
parser.add_argument("--out", default="outputs")
args = parser.parse_args()
settings = open(os.path.join(sys.prefix, "etc", "train-settings")).read().strip()  # written by postBuild
values = [float(v) for v in open(os.path.join(args.data, "values.txt"))]
with open(os.path.join(args.out, "report.txt"), "w") as f:
    f.write(f"{settings}\nn={r2d_cext.add(len(values), 0)}\njq: {shutil.which('jq')}\ngcc: {shutil.which('gcc')}\n{r2d_hello.hello('cresset')}\n")
print("report written to", args.out)
