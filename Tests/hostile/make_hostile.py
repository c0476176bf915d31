#!/usr/bin/env python3
"""Builds one hostile variant of a GAN Zoo weights file or checkpoint, for the tests.

    make_hostile.py SEED.h5 OUT.h5 KIND [ARG]

Copies SEED.h5 to OUT.h5 and changes its structure as KIND says (see KINDS below). ARG is a
path (the outside file that a leak would read, or a second HDF5 file) or a number, as the kind
needs. Built at test time so that the fixtures stay small and the corpus never goes stale.
"""
import json
import shutil
import sys
import zlib

import h5py
import numpy as np


def vlen_ints():
    """One variable-length sequence of integers (an HDF5 vlen type that is not a string)."""
    values = np.empty(1, dtype=object)
    values[0] = np.arange(3, dtype="i4")
    return values

KERNEL = "/generator/dense_0/kernel"


def replace(f, path, **create):
    """Deletes a dataset and creates another under the same name, with the same shape and type."""
    old = f[path]
    shape, dtype = old.shape, old.dtype
    del f[path]
    return f.create_dataset(path, shape=shape, dtype=dtype, **create)


def external_storage(f, arg):
    # Raw values of the kernel come from any local file: /etc/hostname, a FIFO, a secret.
    replace(f, KERNEL, external=[(arg, 0, h5py.h5f.UNLIMITED)])


def external_link(f, arg):
    del f[KERNEL]
    f[KERNEL] = h5py.ExternalLink(arg, KERNEL)


def external_group_link(f, arg):
    del f["/generator"]
    f["/generator"] = h5py.ExternalLink(arg, "/generator")


def soft_link(f, arg):
    del f[KERNEL]
    f[KERNEL] = h5py.SoftLink("/optimizer/generator/velocity/dense_0/kernel")


def virtual(f, arg):
    shape = f[KERNEL].shape
    layout = h5py.VirtualLayout(shape=shape, dtype="f4")
    layout[...] = h5py.VirtualSource(arg, KERNEL, shape=shape)
    del f[KERNEL]
    f.create_virtual_dataset(KERNEL, layout, fillvalue=0)


def deflate_bomb(f, arg):
    # ARG is "bytes[:path]": the right shape, one chunk, but the stored stream inflates to that
    # many bytes of zeros.
    size, _, path = arg.partition(":")
    path = path or KERNEL
    shape = f[path].shape
    del f[path]
    dataset = f.create_dataset(path, shape=shape, dtype="f4", chunks=shape, compression="gzip")
    dataset.id.write_direct_chunk((0,) * len(shape), deflated_zeros(int(size)))


def deflated_zeros(size):
    """zlib of `size` zero bytes, compressed 1 MiB at a time (a 1 GB bomb is about 1 MB)."""
    compressor = zlib.compressobj(9)
    block = bytes(1 << 20)
    parts = []
    while size > 0:
        parts.append(compressor.compress(block[:min(size, len(block))]))
        size -= len(block)
    parts.append(compressor.flush())
    return b"".join(parts)


def gzip_idx_bomb(out, arg):
    """An IDX images file, gzip: a header for ARG's shape "n,h,w[:MiB]" then that many MiB of
    zeros (1 GiB unless given)."""
    import gzip
    import struct
    dims, _, mib = arg.partition(":")
    shape = [int(x) for x in dims.split(",")]
    with gzip.open(out, "wb", compresslevel=9) as f:
        f.write(bytes([0, 0, 8, len(shape)]) + struct.pack(">" + "I" * len(shape), *shape))
        block = bytes(1 << 20)
        for _ in range(int(mib or 1024)):
            f.write(block)


def huge_shape(f, arg):
    # A 40 GB dataset that stores nothing (chunks are allocated lazily): the shape alone is hostile.
    del f[KERNEL]
    f.create_dataset(KERNEL, shape=(100_000, 100_000), dtype="f4", chunks=(1000, 1000))


def huge_order(f, arg):
    # /state/order declaring 2^27 uint64 (1 GiB) that stores nothing: one lazily allocated chunk.
    del f["/state/order"]
    f.create_dataset("/state/order", shape=(1 << 27,), dtype="u8", chunks=(1 << 27,))


def set_attributes(f, arg):
    # ARG is "path:name=json,name=json,...": several attributes at once (see set_attribute).
    path, assignments = arg.split(":", 1)
    for assignment in assignments.split(","):
        name, value = assignment.split("=", 1)
        set_attribute(f, f"{path}:{name}:{value}")


def many_chunks(f, arg):
    replace(f, KERNEL, chunks=(1, 1))


def scaleoffset_filter(f, arg):
    data = f[KERNEL][()]
    del f[KERNEL]
    f.create_dataset(KERNEL, data=data, chunks=data.shape, scaleoffset=3)


def contiguous(f, arg):
    data = f[KERNEL][()]
    del f[KERNEL]
    f.create_dataset(KERNEL, data=data)  # contiguous, unfiltered: still a valid weights dataset


def set_attribute(f, arg):
    # ARG is "path:name:json": the attribute set to that JSON value (strings as vlen str).
    path, name, value = arg.split(":", 2)
    value = json.loads(value)
    f[path].attrs[name] = np.array(value) if isinstance(value, list) and value and not isinstance(value[0], str) else value


def set_json_field(f, arg):
    # ARG is "attribute:dotted.field:json": a field inside a JSON attribute of the root.
    name, field, value = arg.split(":", 2)
    document = json.loads(f.attrs[name])
    target = document
    keys = field.split(".")
    for key in keys[:-1]:
        target = target.setdefault(key, {})
    target[keys[-1]] = json.loads(value)
    f.attrs[name] = json.dumps(document)


def set_raw_json(f, arg):
    # ARG is "attribute:text": the attribute replaced by raw text (duplicate keys, big numbers).
    name, text = arg.split(":", 1)
    f.attrs[name] = text


def set_dataset(f, arg):
    # ARG is "path:json": the dataset's values replaced (same type; same shape when the count
    # agrees, else the value's own shape).
    path, value = arg.split(":", 1)
    old = f[path]
    data = np.array(json.loads(value), dtype=old.dtype)
    data = data.reshape(old.shape) if data.size == old.size else data  # else the value's own shape
    del f[path]
    f.create_dataset(path, data=data)


def attribute_type(f, arg):
    # ARG is "path:name:kind": the attribute rewritten with another HDF5 type.
    path, name, kind = arg.split(":", 2)
    attrs = f[path].attrs
    if kind == "int-array":
        attrs[name] = np.arange(5_000, dtype="i8")
    elif kind == "float":
        attrs[name] = 1.5
    elif kind == "string":
        attrs[name] = "1"
    elif kind == "big-fixed-string":
        attrs.create(name, np.bytes_(b"x" * 60_000), dtype=h5py.string_dtype("ascii", 60_000))
    elif kind == "vlen-int":
        attrs.create(name, vlen_ints(), dtype=h5py.vlen_dtype("i4"))
    elif kind == "compound":
        attrs[name] = np.array((1, 2.0), dtype=[("a", "i4"), ("b", "f8")])
    elif kind == "2d-strings":
        attrs.create(name, np.array([["a", "b"], ["c", "d"]], dtype=object), dtype=h5py.string_dtype())
    elif kind == "empty":
        attrs.create(name, h5py.Empty("f8"))
    else:
        raise SystemExit(f"unknown attribute kind {kind}")


KINDS = {
    "external-storage": external_storage,
    "external-link": external_link,
    "external-group-link": external_group_link,
    "soft-link": soft_link,
    "virtual": virtual,
    "deflate-bomb": deflate_bomb,
    "huge-shape": huge_shape,
    "huge-order": huge_order,
    "many-chunks": many_chunks,
    "scaleoffset-filter": scaleoffset_filter,
    "contiguous": contiguous,
    "set-attribute": set_attribute,
    "set-attributes": set_attributes,
    "set-json-field": set_json_field,
    "set-raw-json": set_raw_json,
    "set-dataset": set_dataset,
    "attribute-type": attribute_type,
}


def main():
    if len(sys.argv) not in (4, 5) or sys.argv[3] not in list(KINDS) + ["gzip-idx-bomb"]:
        raise SystemExit(__doc__ + "\nkinds: " + ", ".join(KINDS))
    seed, out, kind = sys.argv[1:4]
    arg = sys.argv[4] if len(sys.argv) == 5 else ""
    if kind == "gzip-idx-bomb":  # not an HDF5 file: SEED is ignored
        gzip_idx_bomb(out, arg)
        return
    shutil.copyfile(seed, out)
    with h5py.File(out, "r+") as f:
        KINDS[kind](f, arg)


if __name__ == "__main__":
    main()
