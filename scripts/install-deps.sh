#!/usr/bin/env bash
# Installs what building and testing need, only where it is missing:
# Debian packages libhdf5-dev, libopenblas-dev, zlib1g-dev, pkg-config, and dataset-fashion-mnist
# (the zoo's Fashion-MNIST model and classifier); Python h5py and numpy, and tensorboard (whose
# event reader checks `gan train --tensorboard`). (`make test` also fetches the full MNIST into data/mnist.)
set -euo pipefail

missing=()
for package in libhdf5-dev libopenblas-dev zlib1g-dev pkg-config dataset-fashion-mnist; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
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
