"""Predicts a 'genre' for each track: the longest word in its file, lower-cased."""
import os
import sys

import r2d_hello  # from requirements.txt: the dependencies are in the image

test_dir, output_path = sys.argv[1], sys.argv[2]
with open(output_path, "w") as out:
    out.write("track,genre\n")
    for name in sorted(os.listdir(test_dir)):
        with open(os.path.join(test_dir, name)) as f:
            words = f.read().split()
        out.write(f"{name},{max(words, key=len).lower()}\n")
print(r2d_hello.hello("crowdai"))
