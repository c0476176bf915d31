#!/usr/bin/env python3
"""Runs the README's numpy reader (block `numpy-generate`) on a GAN Zoo weights file.

    check_readme_numpy.py README.md WEIGHTS.h5 NOISE.npy SAMPLES.npy [--inputs X.npy --logits L.npy]

Compares forward(path, z) with the samples `gan sample --save-noise` wrote (and, with --inputs,
forward(path, x, "discriminator") with Swift's logits), tolerance 1e-5; then checks that the
reader raises ValueError on a copy of the file whose first generator layer has an unknown type.
Prints one line per check; exits 1 on any failure.
"""
import argparse
import os
import shutil
import sys
import tempfile

import h5py
import numpy as np

from readme_snippets import load

TOLERANCE = 1e-5


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("readme")
    parser.add_argument("weights")
    parser.add_argument("noise")
    parser.add_argument("samples")
    parser.add_argument("--inputs")
    parser.add_argument("--logits")
    args = parser.parse_args()
    reader = load(args.readme, "numpy-generate")
    failed = False

    def compare(label, got, expected):
        nonlocal failed
        got = np.asarray(got).reshape(len(expected), -1)
        expected = expected.reshape(len(expected), -1)
        error = float(np.abs(got - expected).max())
        ok = got.shape == expected.shape and error <= TOLERANCE
        failed |= not ok
        print(f"numpy {label}: max abs difference {error:.2e} over {expected.size} values ({'ok' if ok else 'MISMATCH'})")

    noise = np.load(args.noise)
    compare("generator", reader["forward"](args.weights, noise), np.load(args.samples))
    if args.inputs:
        compare("discriminator", reader["forward"](args.weights, np.load(args.inputs), "discriminator"), np.load(args.logits))

    with tempfile.TemporaryDirectory() as folder:
        copy = os.path.join(folder, "unknown.h5")
        shutil.copyfile(args.weights, copy)
        with h5py.File(copy, "r+") as f:
            g = f["generator"]
            first = g.attrs["layer_names"][0]
            first = first.decode() if isinstance(first, bytes) else first
            del g[first].attrs["type"]
            g[first].attrs["type"] = "conv3d"
        try:
            reader["forward"](copy, noise)
            print("numpy unknown layer type: no error (MISMATCH)")
            failed = True
        except ValueError as error:
            ok = "conv3d" in str(error)
            failed |= not ok
            print(f"numpy unknown layer type: ValueError ({'ok' if ok else 'MISMATCH'}): {error}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
