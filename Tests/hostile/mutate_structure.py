#!/usr/bin/env python3
"""Structural mutations of a GAN Zoo checkpoint, for FuzzTests.

    mutate_structure.py SEED.h5 OUTDIR COUNT RNG_SEED SECRET

Writes OUTDIR/mutant-NNNN.h5, each SEED.h5 changed by one to three structural operations:
attribute types, sizes and dataspaces; dataset types, shapes, layouts (contiguous, compact,
odd chunks, external storage on SECRET, virtual); filter pipelines; links (soft, dangling,
external, duplicated hard links, removed); and byte flips inside object headers. Prints one line
per file naming its operations. Value flips are FuzzTests' own byte mutator; this is the rest.
"""
import os
import random
import shutil
import sys
import warnings

import h5py
import numpy as np


def vlen_ints():
    """One variable-length sequence of integers (an HDF5 vlen type that is not a string)."""
    values = np.empty(1, dtype=object)
    values[0] = np.arange(3, dtype="i4")
    return values


def objects(f):
    names = ["/"]
    f.visit(lambda name: names.append("/" + name))
    return names


def datasets(f):
    return [name for name in objects(f) if isinstance(f[name], h5py.Dataset)]


def attribute_type(f, rng, secret):
    name = rng.choice(objects(f))
    attrs = f[name].attrs
    keys = list(attrs.keys()) or ["format"]
    key = rng.choice(keys)
    choice = rng.randrange(11)
    if key in attrs:
        del attrs[key]
    if choice == 0:
        attrs[key] = rng.choice([0, -1, 2**63 - 1, -(2**63), 10**9])
    elif choice == 1:
        attrs[key] = rng.choice([0.5, float("nan"), float("inf"), -1e308])
    elif choice == 2:
        size = rng.choice([1, 7, 1000, 60000])
        attrs.create(key, np.bytes_(b"{" * size), dtype=h5py.string_dtype("ascii", size))
    elif choice == 3:
        attrs[key] = rng.choice(["", "{}", "[", "gan-zoo-weights", "x" * 5000])
    elif choice == 4:
        attrs[key] = np.arange(rng.choice([0, 1, 2, 5000]), dtype=rng.choice(["i8", "u1", "f4"]))
    elif choice == 5:
        attrs.create(key, np.array([["a", "b"], ["c", "d"]], dtype=object), dtype=h5py.string_dtype())
    elif choice == 6:
        attrs.create(key, h5py.Empty(rng.choice(["f8", "i8", "S1"])))
    elif choice == 7:
        attrs[key] = np.array((1, 2.0), dtype=[("a", "i4"), ("b", "f8")])
    elif choice == 8:
        attrs.create(key, vlen_ints(), dtype=h5py.vlen_dtype("i4"))
    elif choice == 9:
        attrs[key] = [str(i) for i in range(rng.choice([0, 1, 5000]))]
    return f"attribute {name}:{key} type {choice}"


def dataset_layout(f, rng, secret):
    name = rng.choice(datasets(f))
    data = f[name][()]
    del f[name]
    choice = rng.randrange(9)
    if choice == 0:
        f.create_dataset(name, data=data)
    elif choice == 1 and data.nbytes < 60000:
        properties = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        properties.set_layout(h5py.h5d.COMPACT)
        space = h5py.h5s.create_simple(data.shape) if data.ndim else h5py.h5s.create(h5py.h5s.SCALAR)
        dataset = h5py.h5d.create(f.id, name.encode(), h5py.h5t.py_create(data.dtype), space, dcpl=properties)
        dataset.write(h5py.h5s.ALL, h5py.h5s.ALL, np.ascontiguousarray(data))
    elif choice == 2 and data.ndim > 0 and data.size > 0:
        f.create_dataset(name, data=data, chunks=tuple(max(1, s // 2) for s in data.shape))
    elif choice == 3:
        f.create_dataset(name, shape=data.shape, dtype=data.dtype, external=[(secret, 0, h5py.h5f.UNLIMITED)])
    elif choice == 4:
        f.create_dataset(name, data=data.astype(rng.choice(["f8", "f2", "i4", "u8", "i1"])))
    elif choice == 5:
        f.create_dataset(name, data=data.reshape(-1) if data.ndim != 1 else data.reshape(1, -1))
    elif choice == 6:
        f.create_dataset(name, shape=(0,) + data.shape[1:], dtype=data.dtype)
    elif choice == 7 and data.ndim > 0:
        layout = h5py.VirtualLayout(shape=data.shape, dtype=data.dtype)
        layout[...] = h5py.VirtualSource(".", name + "_source", shape=data.shape)
        f.create_dataset(name + "_source", data=data)
        f.create_virtual_dataset(name, layout)
    else:
        f.create_dataset(name, data=data.T if data.ndim == 2 else data, maxshape=(None,) * data.ndim if data.ndim else None,
                         chunks=True if data.ndim else None)
    return f"layout {name} {choice}"


def filters(f, rng, secret):
    name = rng.choice([d for d in datasets(f) if f[d].ndim > 0] or datasets(f))
    data = f[name][()]
    del f[name]
    options = rng.choice([dict(compression="gzip", compression_opts=rng.randrange(10)), dict(compression="lzf"),
                          dict(shuffle=True, fletcher32=True), dict(scaleoffset=2) if data.dtype.kind == "f" else dict(shuffle=True),
                          dict(compression="gzip", shuffle=True, fletcher32=True)])
    f.create_dataset(name, data=data, chunks=data.shape if data.ndim and data.size else True, **options)
    return f"filters {name} {sorted(options)}"


def links(f, rng, secret):
    names = objects(f)[1:]
    name = rng.choice(names)
    choice = rng.randrange(6)
    if choice == 0:
        del f[name]
        f[name] = h5py.SoftLink(rng.choice(objects(f)))
    elif choice == 1:
        del f[name]
        f[name] = h5py.SoftLink("/nowhere/" + os.path.basename(name))
    elif choice == 2:
        del f[name]
        f[name] = h5py.ExternalLink(secret, "/")
    elif choice == 3:
        target = rng.choice(names)
        if target != name and not target.startswith(name + "/") and target in f:
            parent = f[name].parent
            base = os.path.basename(name)
            del f[name]
            parent[base] = f[target]  # a second hard link to another object
    elif choice == 4:
        del f[name]
    else:
        f[name].parent[os.path.basename(name) + "_extra"] = h5py.SoftLink(name)
    return f"link {name} {choice}"


def header_addresses(f):
    return [h5py.h5o.get_info(f[name].id).addr for name in objects(f)]


OPERATIONS = [attribute_type, dataset_layout, filters, links]


def main():
    warnings.simplefilter("ignore")  # numpy's overflow warnings on purposeful casts
    seed, outdir, count, rng_seed, secret = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    rng = random.Random(rng_seed)
    os.makedirs(outdir, exist_ok=True)
    for index in range(count):
        path = os.path.join(outdir, f"mutant-{index:04d}.h5")
        shutil.copyfile(seed, path)
        done = []
        flip_headers = rng.random() < 0.25
        with h5py.File(path, "r+") as f:
            for _ in range(rng.randrange(1, 4)):
                operation = rng.choice(OPERATIONS)
                try:
                    done.append(operation(f, rng, secret))
                except Exception as error:  # an operation that does not apply to this file: skipped
                    done.append(f"{operation.__name__} skipped ({type(error).__name__})")
            addresses = header_addresses(f) if flip_headers else []
        if addresses:
            data = bytearray(open(path, "rb").read())
            address = rng.choice(addresses)
            for _ in range(rng.randrange(1, 6)):
                offset = address + rng.randrange(64)
                if offset < len(data):
                    data[offset] ^= 1 << rng.randrange(8)
            open(path, "wb").write(bytes(data))
            done.append(f"object header bytes at {address}")
        print(os.path.basename(path), "; ".join(done))


if __name__ == "__main__":
    main()
