#!/usr/bin/env bash
# Installs what building and testing need, only where it is missing:
# on macOS Homebrew's hdf5 and pkg-config; on Debian the packages libhdf5-dev, libopenblas-dev, zlib1g-dev, pkg-config, and dataset-fashion-mnist
# (the zoo's Fashion-MNIST model and classifier); Python h5py and numpy. (`make test` also fetches the full MNIST into data/mnist.)
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

