"""Trains the 'model' (the mean of the training numbers) from /data, writes it to /models."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from common import read_numbers  # noqa: E402

data_dir = os.environ.get("DATA_DIR", "/data")
model_dir = os.environ.get("MODEL_DIR", "/models")
values = read_numbers(os.path.join(data_dir, "train.csv"))
with open(os.path.join(model_dir, "model.txt"), "w") as f:
    f.write(f"{sum(values) / len(values)}\n")
print(f"trained on {len(values)} values")
