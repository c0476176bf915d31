#!/usr/bin/env python3
"""Loads `gan export` files in the real consumers and compares them with Swift.

    check_export.py README.md --noise Z.npy --samples S.npy [--inputs X.npy --logits L.npy]
        [--onnx G.onnx] [--onnx-discriminator D.onnx] [--safetensors F.safetensors] [--keras F.weights.h5]

- ONNX: `onnx.checker` (full check), opset >= 13, then onnxruntime on the CPU: the generator
  (input z) on the noise against the samples, the discriminator (input x) on X against the logits.
- safetensors: the header (8-byte length, JSON, contiguous offsets, `__metadata__`), then the
  README's PyTorch block (`torch-load`) builds torch modules and `load_state_dict`s the tensors.
- Keras: the README's Keras block (`keras-load`) builds the models and calls `load_weights`
  (KERAS_BACKEND=torch); Keras's own `save_weights` of those models must write the same groups,
  names and shapes as the export.

Tolerance 1e-5. Prints one line per comparison with the largest absolute difference; exits 1
on any failure.
"""
import argparse
import json
import os
import struct
import sys
import tempfile

os.environ["KERAS_BACKEND"] = "torch"  # before Keras is imported

import numpy as np

from readme_snippets import load

TOLERANCE = 1e-5
failures = []


def compare(label, got, expected):
    got = np.asarray(got, np.float64)
    expected = np.asarray(expected, np.float64).reshape(len(expected), -1)
    if got.shape != expected.shape:
        failures.append(label)
        print(f"{label}: shape {got.shape}, expected {expected.shape} (MISMATCH)")
        return
    error = float(np.abs(got - expected).max())
    ok = error <= TOLERANCE
    if not ok:
        failures.append(label)
    print(f"{label}: max abs difference {error:.2e} over {expected.size} values up to {np.abs(expected).max():.3g} "
          f"({'ok' if ok else 'MISMATCH'})")


def check(condition, label):
    if not condition:
        failures.append(label)
        print(f"{label} (MISMATCH)")


def check_onnx(path, role, feed, expected):
    import onnx
    import onnxruntime

    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    opset = max(o.version for o in model.opset_import if o.domain in ("", "ai.onnx"))
    check(opset >= 13, f"onnx {role}: opset {opset} >= 13")
    ops = {node.op_type for node in model.graph.node}
    if any("maxout" in node.name for node in model.graph.node):
        check({"MatMul", "Reshape", "ReduceMax"} <= ops, f"onnx {role}: maxout as MatMul + Reshape + ReduceMax, got {sorted(ops)}")
    kinds = {node.name.split("/")[0].rsplit("_", 1)[0] for node in model.graph.node}
    for kind, op in (("conv2d", "Conv"), ("conv2d_transpose", "ConvTranspose"), ("batch_normalization2d", "BatchNormalization")):
        if kind in kinds:
            check(op in ops and "Transpose" in ops, f"onnx {role}: {kind} as {op} on channels-first images, got {sorted(ops)}")
    facts = {p.key: p.value for p in model.metadata_props}
    check(f"{role}_layers" in facts, f"onnx {role}: metadata_props carry {role}_layers")
    session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
    inputs, outputs = session.get_inputs(), session.get_outputs()
    input_name, output_name = ("z", "x") if role == "generator" else ("x", "logit")
    check([i.name for i in inputs] == [input_name] and [o.name for o in outputs] == [output_name],
          f"onnx {role}: input {input_name}, output {output_name}")
    check(isinstance(inputs[0].shape[0], str), f"onnx {role}: dynamic batch dimension, got {inputs[0].shape}")
    (result,) = session.run([output_name], {input_name: feed.astype(np.float32)})
    compare(f"onnx {role} (onnxruntime {onnxruntime.__version__}, opset {opset})", result, expected)


def safetensors_header(path):
    with open(path, "rb") as f:
        data = f.read()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + length])
    payload = len(data) - 8 - length
    spans = sorted(tuple(entry["data_offsets"]) for name, entry in header.items() if name != "__metadata__")
    contiguous = all(a[1] == b[0] for a, b in zip(spans, spans[1:])) and spans[0][0] == 0 and spans[-1][1] == payload
    check(contiguous, "safetensors: offsets contiguous and covering the data")
    check((8 + length) % 8 == 0, "safetensors: data 8-byte aligned")
    check(header["__metadata__"].get("format") == "pt", "safetensors: __metadata__ format = pt")
    return header


def check_safetensors(path, readme, args):
    import torch

    header = safetensors_header(path)
    snippet = load(readme, "torch-load")
    generator = snippet["load_torch"](path, "generator")
    linear = next(m for m in generator.modules() if isinstance(m, torch.nn.Linear))
    name = next(n for n, m in generator.named_modules() if m is linear)
    check(header[f"generator.{name}.weight"]["shape"] == [linear.out_features, linear.in_features],
          "safetensors: weights in torch.nn.Linear's [out, in] order")
    with torch.no_grad():
        compare(f"safetensors + torch {torch.__version__} generator", generator(torch.from_numpy(args.noise_values)).numpy(),
                args.samples_values)
        if "discriminator_layers" in header["__metadata__"] and args.inputs:
            discriminator = snippet["load_torch"](path, "discriminator")
            compare(f"safetensors + torch {torch.__version__} discriminator",
                    discriminator(torch.from_numpy(args.inputs_values)).numpy(), args.logits_values)


def keras_tree(path):
    """Every group and dataset below the root: path -> (shape or None, `name` attribute)."""
    import h5py

    tree = {}
    with h5py.File(path, "r") as f:
        def visit(name, item):
            label = item.attrs.get("name")
            label = label.decode() if isinstance(label, bytes) else label
            tree[name] = (getattr(item, "shape", None), label)
        f.visititems(visit)
    return tree


def check_keras(path, readme, args):
    import keras

    snippet = load(readme, "keras-load")
    networks = snippet["load_keras"](path)
    generator = networks["generator"]
    compare(f"keras {keras.__version__} ({keras.backend.backend()}) generator",
            keras.ops.convert_to_numpy(generator(args.noise_values, training=False)), args.samples_values)
    if "discriminator" in networks and args.inputs:
        compare(f"keras {keras.__version__} ({keras.backend.backend()}) discriminator",
                keras.ops.convert_to_numpy(networks["discriminator"](args.inputs_values, training=False)), args.logits_values)
    models = list(networks.values())
    model = models[0] if len(models) == 1 else keras.Sequential(models, name="gan")
    with tempfile.TemporaryDirectory() as folder:
        own = os.path.join(folder, "keras.weights.h5")
        model.save_weights(own)
        ours, theirs = keras_tree(path), keras_tree(own)
    check(ours == theirs, f"keras: same layout as Keras's own save_weights\n  ours:   {sorted(ours.items())}\n  keras's: {sorted(theirs.items())}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("readme")
    parser.add_argument("--noise", required=True)
    parser.add_argument("--samples", required=True)
    parser.add_argument("--inputs")
    parser.add_argument("--logits")
    parser.add_argument("--onnx")
    parser.add_argument("--onnx-discriminator")
    parser.add_argument("--safetensors")
    parser.add_argument("--keras")
    args = parser.parse_args()
    args.noise_values = np.load(args.noise).astype(np.float32)
    args.samples_values = np.load(args.samples).reshape(len(args.noise_values), -1)
    if args.inputs:
        args.inputs_values = np.load(args.inputs).astype(np.float32)
        args.logits_values = np.load(args.logits)
    if args.onnx:
        check_onnx(args.onnx, "generator", args.noise_values, args.samples_values)
    if args.onnx_discriminator:
        check_onnx(args.onnx_discriminator, "discriminator", args.inputs_values, args.logits_values)
    if args.safetensors:
        check_safetensors(args.safetensors, args.readme, args)
    if args.keras:
        check_keras(args.keras, args.readme, args)
    if failures:
        print(f"{len(failures)} check(s) failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
