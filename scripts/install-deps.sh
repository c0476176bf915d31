#!/usr/bin/env bash
# Installs what building and testing need, only where it is missing:
# on macOS Homebrew's hdf5 and pkg-config; on Debian the packages libhdf5-dev, libopenblas-dev,
# zlib1g-dev, pkg-config, and dataset-fashion-mnist (the zoo's Fashion-MNIST model and
# classifier); Python h5py and numpy, tensorboard (whose event reader checks `gan train
# --tensorboard`), and torch, onnx, onnxruntime, safetensors and keras (the consumers that load
# `gan export`'s files), and ray (scripts/sweep.py's engine). (`make test` also fetches the full
# MNIST into data/mnist.)
set -euo pipefail

missing=()
if [[ "$(uname -s)" == Darwin ]]; then
    # macOS (written for it, not tested there: CI runs Linux): Homebrew's HDF5 and pkg-config;
    # BLAS is Apple's Accelerate, zlib the system's. Fashion-MNIST has no Homebrew package.
    for formula in hdf5 pkg-config; do
        brew list --formula "$formula" >/dev/null 2>&1 || { echo "installing $formula"; brew install "$formula"; }
    done
else
    for package in libhdf5-dev libopenblas-dev zlib1g-dev pkg-config dataset-fashion-mnist; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
    done
fi
if ((${#missing[@]})); then
    echo "installing ${missing[*]}"
    sudo=""
    [[ $(id -u) -ne 0 ]] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! python3 -c "import h5py, numpy" 2>/dev/null; then
    echo "installing h5py and numpy (for the interop tests)"
    python3 -m pip install -q h5py numpy
fi

if ! python3 -c "import tensorboard.backend.event_processing.event_accumulator" 2>/dev/null; then
    echo "installing tensorboard (for the TensorBoard event file test)"
    python3 -m pip install -q tensorboard
fi

# The export tests load `gan export`'s files in their real consumers (PyTorch, and Keras with
# the torch backend).
if ! python3 -c "import torch" 2>/dev/null; then
    echo "installing torch (for the export tests and benchmarks/compare.py)"
    python3 -m pip install -q torch
fi
if ! KERAS_BACKEND=torch python3 -c "import onnx, onnxruntime, safetensors, keras" 2>/dev/null; then
    echo "installing onnx, onnxruntime, safetensors and keras (for the export tests)"
    python3 -m pip install -q onnx onnxruntime safetensors keras
fi

# scripts/sweep.py runs recipe grids (and scripts/ablation.py) as Ray tasks; SweepTests runs it.
if ! python3 -c "import ray" 2>/dev/null; then
    echo "installing ray (for scripts/sweep.py and its tests)"
    python3 -m pip install -q ray
fi
