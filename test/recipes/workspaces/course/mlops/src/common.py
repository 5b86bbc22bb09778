"""Code both images share: reading the numbers of a CSV file."""
import csv


def read_numbers(path):
    with open(path) as f:
        return [float(v) for row in csv.reader(f) for v in row if v.strip()]
