#!/usr/bin/env python3
"""Writes eigen_numpy.json: numpy.linalg.eigh (LAPACK) results that SymmetricEigen and PCA are
checked against (Tests/QNNTests/EigenNumpyTests.swift).

    python3 Tests/Fixtures/make_eigen_numpy.py   # numpy only; reads data/mnist5000.csv.gz

* `random`: a 30x30 symmetric matrix with N(0,1) entries (seed 20261204), full spectrum.
* `degenerate`: Q diag(5,5,5,2,2,0,0,0,-1,...) Q^T, n = 16: repeated eigenvalues, whose
  eigenvectors are not unique, so only the values are compared (and A v = λ v in Swift).
* `mnist`: the covariance qnncut's PCA builds for MNIST 0 vs 1 rows: rows 0-399 and 500-899 of
  data/mnist5000.csv.gz, every pixel of the central 14x14 crop (rows/cols 7..20, 196 features),
  standardised per feature with the population std (std 0 -> scale 1), covariance with divisor
  m - 1. Top 16 eigenvalues, the trace, and the first 3 eigenvectors with qnncut's sign
  convention (the largest-magnitude component positive).
"""
import gzip
import json
import os

import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(os.path.dirname(here))

rng = np.random.default_rng(20261204)
a = rng.normal(size=(30, 30))
a = (a + a.T) / 2
random_values = np.linalg.eigvalsh(a)[::-1]

q, _ = np.linalg.qr(rng.normal(size=(16, 16)))
spectrum = np.array([5, 5, 5, 2, 2, 0, 0, 0, -1, -1, -1, -1, 3, 3, 0.5, 0.5], dtype=float)
b = q @ np.diag(spectrum) @ q.T
b = (b + b.T) / 2

with gzip.open(os.path.join(root, "data", "mnist5000.csv.gz"), "rt") as f:
    lines = f.read().splitlines()[1:]
rows = np.array([[float(v) for v in line.split(",")[:-1]] for i, line in enumerate(lines)
                 if i < 400 or 500 <= i < 900])
crop = [28 * r + c for r in range(7, 21) for c in range(7, 21)]
x = rows[:, crop]
mean = x.mean(axis=0)
var = ((x - mean) ** 2).mean(axis=0)
scale = np.where(var > 1e-24, 1 / np.sqrt(np.where(var > 0, var, 1)), 1.0)
z = (x - mean) * scale
zc = z - z.mean(axis=0)
cov = zc.T @ zc / (len(z) - 1)
values, vectors = np.linalg.eigh(cov)
values, vectors = values[::-1], vectors[:, ::-1]
top_vectors = []
for k in range(3):
    v = vectors[:, k]
    if v[np.argmax(np.abs(v))] < 0:
        v = -v
    top_vectors.append(v.tolist())

out = {
    "generator": "Tests/Fixtures/make_eigen_numpy.py",
    "numpy": np.__version__,
    "random": {"matrix": a.tolist(), "values": random_values.tolist()},
    "degenerate": {"matrix": b.tolist(), "values": sorted(spectrum.tolist(), reverse=True)},
    "mnist": {"rows": "0-399,500-899", "crop": "rows 7..20, cols 7..20", "features": len(crop),
              "values": values[:16].tolist(), "trace": float(np.trace(cov)), "vectors": top_vectors},
}
with open(os.path.join(here, "eigen_numpy.json"), "w") as f:
    json.dump(out, f, separators=(",", ":"))
    f.write("\n")
print("wrote eigen_numpy.json:", len(crop), "MNIST features, top value", values[0])
