"""A Synapse-style model: reads every file in --input-dir, writes predictions.csv to --output-dir."""
import argparse
import csv
import os

import r2d_greet


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--input-dir", default="/input")
    parser.add_argument("--output-dir", default="/output")
    args = parser.parse_args()
    rows = []
    for name in sorted(os.listdir(args.input_dir)):
        with open(os.path.join(args.input_dir, name), encoding="utf-8") as f:
            rows.append((name, len(f.read().split())))
    out = os.path.join(args.output_dir, "predictions.csv")
    with open(out, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["file", "words"])
        writer.writerows(rows)
    print(f"{r2d_greet.__name__}: wrote {len(rows)} predictions to {out}")


if __name__ == "__main__":
    main()
