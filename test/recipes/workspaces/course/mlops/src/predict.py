"""Predicts with the model from /models for each number of /data/test.csv, into /predictions."""
import os
import sys

import r2d_hello  # from requirements.txt

sys.path.insert(0, os.path.dirname(__file__))
from common import read_numbers  # noqa: E402

data_dir = os.environ.get("DATA_DIR", "/data")
model_dir = os.environ.get("MODEL_DIR", "/models")
out_dir = os.environ.get("PREDICTIONS_DIR", "/predictions")
with open(os.path.join(model_dir, "model.txt")) as f:
    mean = float(f.read())
with open(os.path.join(out_dir, "predictions.csv"), "w") as f:
    f.write("value,above_mean\n")
    for v in read_numbers(os.path.join(data_dir, "test.csv")):
        f.write(f"{v},{v > mean}\n")
print(r2d_hello.hello("course"), "- predictions written")
