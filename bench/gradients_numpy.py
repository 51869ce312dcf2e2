"""Batched gradients of a relu-mlp network with numpy (the BLAS-backed reference for
bench/gradients.ts): forward pass keeping the ReLU masks, backward pass as masked matrix products,
exactly the computation of src/network/batch.ts. Prints gradients per second as JSON: `mean` over
the whole run and `best`, from the fastest single batch (the figure least disturbed by other load).

usage: python3 bench/gradients_numpy.py NETWORK.json BATCH SECONDS [float64|float32]
"""
import json
import sys
import time

import numpy as np


def main():
    doc = json.load(open(sys.argv[1]))
    batch = int(sys.argv[2])
    seconds = float(sys.argv[3])
    dtype = np.dtype(sys.argv[4] if len(sys.argv) > 4 else "float64")
    layers = [(np.array(l["weights"], dtype=dtype), np.array(l["biases"], dtype=dtype)) for l in doc["layers"]]
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, doc["inputDim"])).astype(dtype)

    def gradients(x):
        masks = []
        h = x
        for w, b in layers[:-1]:
            z = h @ w.T + b
            m = z > 0
            masks.append(m)
            h = np.where(m, z, dtype.type(0))
        g = np.broadcast_to(layers[-1][0][0], (x.shape[0], layers[-1][0].shape[1]))
        for (w, _), m in zip(reversed(layers[:-1]), reversed(masks)):
            g = (g * m) @ w
        return g

    gradients(x)  # warm up
    gradients(x)
    count = 0
    fastest = float("inf")
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        t0 = time.perf_counter()
        gradients(x)
        fastest = min(fastest, time.perf_counter() - t0)
        count += batch
    elapsed = time.perf_counter() - start
    print(json.dumps({"mean": count / elapsed, "best": batch / fastest, "dtype": dtype.name, "numpy": np.__version__, "python": sys.executable, "blas": loaded_blas()}))


def loaded_blas():
    """The BLAS library actually loaded (Debian's libblas.so.3 is an alternative: OpenBLAS or the reference)."""
    try:
        import os
        paths = {line.split()[-1] for line in open("/proc/self/maps") if "blas" in line.lower() and "/" in line}
        return ", ".join(sorted({os.path.basename(os.path.realpath(p)) for p in paths})) or None
    except OSError:
        return None


main()
