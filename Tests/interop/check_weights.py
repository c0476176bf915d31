#!/usr/bin/env python3
"""Reads a GAN Zoo weights file with h5py and numpy only, and checks it against Swift.

    check_weights.py WEIGHTS.h5 NOISE.npy SAMPLES.npy [GRID.png]

Walks /generator's `layer_names`, applies each layer by its `type` attribute to the noise, and
compares with the samples Swift wrote (tolerance 1e-5). With GRID.png, decodes the PNG (zlib
only) and checks its pixels against the same samples. Prints one line per check; exits 1 on
any mismatch.
"""
import json
import struct
import sys
import zlib

import h5py
import numpy as np

TOLERANCE = 1e-5


def text(value):
    """A string attribute: fixed-length ones (written since 2026-11) come back as bytes."""
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def generator_forward(group, x):
    for name in group.attrs["layer_names"]:
        layer = group[text(name)]
        kind = text(layer.attrs["type"])
        if kind == "dense":
            x = x @ layer["kernel"][()] + layer["bias"][()]
        elif kind == "relu":
            x = np.maximum(x, 0)
        elif kind == "leaky_relu":
            x = np.where(x > 0, x, layer.attrs["alpha"] * x)
        elif kind == "sigmoid":
            x = 1 / (1 + np.exp(-x))
        elif kind == "tanh":
            x = np.tanh(x)
        elif kind == "dropout":
            pass  # inverted dropout is the identity at inference
        else:
            raise SystemExit(f"{name}: unknown layer type {kind}")
    return x


def read_png_gray(path):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "PNG signature"
    offset, idat, width = 8, b"", 0
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset:offset + 4])
        kind = data[offset + 4:offset + 8]
        body = data[offset + 8:offset + 8 + length]
        (crc,) = struct.unpack(">I", data[offset + 8 + length:offset + 12 + length])
        assert zlib.crc32(kind + body) & 0xFFFFFFFF == crc, f"CRC of {kind}"
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert (depth, colour) == (8, 0), "8-bit grayscale"
        elif kind == b"IDAT":
            idat += body
        offset += 12 + length
    raw = np.frombuffer(zlib.decompress(idat), np.uint8).reshape(height, width + 1)
    assert (raw[:, 0] == 0).all(), "filter type none"
    return raw[:, 1:]


def main():
    weights, noise_path, samples_path = sys.argv[1:4]
    f = h5py.File(weights, "r")
    assert text(f.attrs["format"]) == "gan-zoo-weights", "format attribute"
    problem = json.loads(text(f.attrs["problem"]))
    noise = np.load(noise_path).astype(np.float64)
    swift = np.load(samples_path).reshape(len(noise), -1)
    numpy_out = generator_forward(f["generator"], noise)
    error = float(np.abs(numpy_out - swift).max())
    ok = error <= TOLERANCE
    print(f"generator: numpy vs swift max abs difference {error:.2e} over {swift.size} values "
          f"({'ok' if ok else 'MISMATCH'})")
    shape = problem["sampleShape"]
    if len(sys.argv) > 4:
        grid = read_png_gray(sys.argv[4])
        height, width = shape
        columns = int(np.ceil(np.sqrt(len(swift))))
        worst = 0
        for index, sample in enumerate(swift):
            top = 1 + (index // columns) * (height + 1)
            left = 1 + (index % columns) * (width + 1)
            tile = grid[top:top + height, left:left + width].astype(int)
            expected = np.round(np.clip(sample.reshape(height, width), 0, 1) * 255).astype(int)
            worst = max(worst, int(np.abs(tile - expected).max()))
        png_ok = worst <= 1
        print(f"png grid: {grid.shape[1]}x{grid.shape[0]}, largest pixel difference {worst} ({'ok' if png_ok else 'MISMATCH'})")
        ok = ok and png_ok
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
