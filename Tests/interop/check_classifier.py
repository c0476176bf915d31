#!/usr/bin/env python3
"""Reads a GAN Zoo classifier file with h5py and numpy only, and checks it against Swift.

    check_classifier.py CLASSIFIER.h5 IMAGES.npy FEATURES.npy LOGITS.npy

Walks /classifier's `layer_names` and applies each layer by its `type` and settings (conv2d:
`kernel` [kh, kw, in, out] as Keras stores it, `strides`, `padding`; max_pooling2d; flatten;
dense; relu) to the images, channels-last. Compares the input of the last dense layer (the
features) and the logits with what Swift wrote (tolerance 1e-3 relative). Exits 1 on a mismatch.
"""
import sys

import h5py
import numpy as np


def conv2d(x, layer):
    kernel, bias = layer["kernel"][()], layer["bias"][()]
    stride, pad = int(layer.attrs["strides"]), int(layer.attrs["padding"])
    kh, kw, _, filters = kernel.shape
    x = np.pad(x, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    out_h, out_w = (x.shape[1] - kh) // stride + 1, (x.shape[2] - kw) // stride + 1
    out = np.zeros((x.shape[0], out_h, out_w, filters), dtype=np.float64)
    for ky in range(kh):
        for kx in range(kw):
            patch = x[:, ky:ky + stride * out_h:stride, kx:kx + stride * out_w:stride, :]
            out += patch @ kernel[ky, kx]
    return out + bias


def max_pool(x, layer):
    size, stride = int(layer.attrs["kernel_height"]), int(layer.attrs["strides"])
    assert int(layer.attrs["padding"]) == 0 and int(layer.attrs["kernel_width"]) == size
    out_h, out_w = (x.shape[1] - size) // stride + 1, (x.shape[2] - size) // stride + 1
    out = np.full((x.shape[0], out_h, out_w, x.shape[3]), -np.inf)
    for ky in range(size):
        for kx in range(size):
            out = np.maximum(out, x[:, ky:ky + stride * out_h:stride, kx:kx + stride * out_w:stride, :])
    return out


def forward(group, images, height, width):
    x = images.reshape(-1, height, width, 1).astype(np.float64)
    names = list(group.attrs["layer_names"])
    features = None
    for index, name in enumerate(names):
        layer = group[name]
        kind = layer.attrs["type"]
        if index == len(names) - 1:
            features = x
        if kind == "conv2d":
            x = conv2d(x, layer)
        elif kind == "max_pooling2d":
            x = max_pool(x, layer)
        elif kind == "flatten":
            x = x.reshape(x.shape[0], -1)
        elif kind == "dense":
            x = x @ layer["kernel"][()] + layer["bias"][()]
        elif kind == "relu":
            x = np.maximum(x, 0)
        else:
            raise SystemExit(f"{name}: unknown layer type {kind}")
    return features, x


def main():
    path, images, features, logits = sys.argv[1:5]
    with h5py.File(path, "r") as file:
        height, width = int(file.attrs["height"]), int(file.attrs["width"])
        ours_features, ours_logits = forward(file["classifier"], np.load(images), height, width)
    failed = False
    for label, ours, theirs in [("features", ours_features, np.load(features)), ("logits", ours_logits, np.load(logits))]:
        theirs = theirs.reshape(ours.shape)
        error = np.max(np.abs(ours - theirs)) / max(np.max(np.abs(ours)), 1e-6)
        ok = error < 1e-3
        failed |= not ok
        print(f"{label}: {ours.shape}, largest relative difference {error:.2e}: {'ok' if ok else 'MISMATCH'}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
