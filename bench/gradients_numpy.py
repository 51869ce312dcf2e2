"""Batched gradients of a relu-mlp network with numpy (the BLAS-backed reference for
bench/gradients.ts): forward pass keeping the ReLU masks, backward pass as masked matrix products,
exactly the computation of src/network/batch.ts. Prints gradients per second as JSON.

usage: python3 bench/gradients_numpy.py NETWORK.json BATCH SECONDS
"""
import json
import sys
import time

import numpy as np


def main():
    doc = json.load(open(sys.argv[1]))
    batch = int(sys.argv[2])
    seconds = float(sys.argv[3])
    layers = [(np.array(l["weights"], dtype=np.float64), np.array(l["biases"], dtype=np.float64)) for l in doc["layers"]]
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, doc["inputDim"]))

    def gradients(x):
        masks = []
        h = x
        for w, b in layers[:-1]:
            z = h @ w.T + b
            m = z > 0
            masks.append(m)
            h = np.where(m, z, 0.0)
        g = np.broadcast_to(layers[-1][0][0], (x.shape[0], layers[-1][0].shape[1]))
        for (w, _), m in zip(reversed(layers[:-1]), reversed(masks)):
            g = (g * m) @ w
        return g

    gradients(x)  # warm up
    count = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        gradients(x)
        count += batch
    elapsed = time.perf_counter() - start
    print(json.dumps({"gradientsPerSecond": count / elapsed, "numpy": np.__version__, "python": sys.executable, "blas": loaded_blas()}))


def loaded_blas():
    """The BLAS library actually loaded (Debian's libblas.so.3 is an alternative: OpenBLAS or the reference)."""
    try:
        import os
        paths = {line.split()[-1] for line in open("/proc/self/maps") if "blas" in line.lower() and "/" in line}
        return ", ".join(sorted({os.path.basename(os.path.realpath(p)) for p in paths})) or None
    except OSError:
        return None


main()
