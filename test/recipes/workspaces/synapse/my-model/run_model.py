"""Sums the numbers of each CSV in the input folder; one prediction row per file."""
import argparse
import csv
import os

import r2d_hello  # installed from requirements.txt: proves the dependencies are in the image


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--input-dir", default="/input")
    parser.add_argument("--output-dir", default="/output")
    args = parser.parse_args()
    rows = []
    for name in sorted(os.listdir(args.input_dir)):
        if not name.endswith(".csv"):
            continue
        with open(os.path.join(args.input_dir, name)) as f:
            values = [float(v) for line in f for v in line.strip().split(",") if v]
        rows.append((name, len(values), sum(values)))
    with open(os.path.join(args.output_dir, "predictions.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["file", "count", "sum"])
        for name, n, s in rows:
            w.writerow([name, n, f"{s:.2f}"])
    print(r2d_hello.hello("synapse"), f"- wrote {len(rows)} prediction(s)")


if __name__ == "__main__":
    main()
