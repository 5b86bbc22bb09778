import urllib.request

print("downloading the model weights ...", flush=True)
weights = urllib.request.urlopen("https://weights.example.org/model.bin", timeout=10).read()
with open("/output/predictions.csv", "w") as f:
    f.write(f"weights,{len(weights)}\n")
