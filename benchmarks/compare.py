#!/usr/bin/env python3
"""Runs `gan bench` and benchmarks/pytorch_reference.py side by side and prints the ratios.

    python3 benchmarks/compare.py [--batch-size 100 ...] [--threads 1 2] [--repeats 5] [--json out.json]

Needs a release build (swift build -c release) and PyTorch (pip install torch). Both sides run
on this machine in one invocation, one after the other, so the ratios compare like with like.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODELS = {"paper": "maxout-dropout", "seed-mlp": "seed-mlp"}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch-size", type=int, nargs="+", default=[64, 100, 256])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=1.0)
    parser.add_argument("--json")
    args = parser.parse_args()
    gan = os.path.join(ROOT, ".build", "release", "gan")
    if not os.access(gan, os.X_OK):
        sys.exit("build first: swift build -c release")

    rows = []
    for model, arch in MODELS.items():
        for batch in args.batch_size:
            ours, theirs = {}, {}
            for threads in args.threads:
                with tempfile.NamedTemporaryFile(suffix=".json") as out:
                    subprocess.run([gan, "bench", "--arch", arch, "--batch-size", str(batch), "--threads", str(threads),
                                    "--repeats", str(args.repeats), "--seconds", str(args.seconds), "--json", out.name],
                                   check=True, stdout=subprocess.DEVNULL)
                    ours[threads] = json.load(open(out.name))[0]
                with tempfile.NamedTemporaryFile(suffix=".json") as out:
                    subprocess.run([sys.executable, os.path.join(ROOT, "benchmarks", "pytorch_reference.py"), "--model", model,
                                    "--batch-size", str(batch), "--threads", str(threads), "--repeats", str(args.repeats),
                                    "--seconds", str(args.seconds), "--json", out.name], check=True, stdout=subprocess.DEVNULL)
                    theirs[threads] = json.load(open(out.name))
            best_theirs = max(r["iterationsPerSecond"] for r in theirs.values())
            best_ours = max(r["iterationsPerSecond"] for r in ours.values())
            best_samples_theirs = max(r["samplesPerSecond"] for r in theirs.values())
            best_samples_ours = max(r["samplesPerSecond"] for r in ours.values())
            row = {"model": model, "batchSize": batch,
                   "ours": {t: r["iterationsPerSecond"] for t, r in ours.items()},
                   "pytorch": {t: r["iterationsPerSecond"] for t, r in theirs.items()},
                   "fractionOfBLASLimit": {t: r["fractionOfBLASLimit"] for t, r in ours.items()},
                   "ratioBest": best_ours / best_theirs,
                   "samplesRatioBest": best_samples_ours / best_samples_theirs}
            rows.append(row)
            cells = "  ".join(f"{t}T ours {row['ours'][t]:7.1f} pytorch {row['pytorch'][t]:7.1f}" for t in args.threads)
            print(f"{model:8s} batch {batch:4d}  {cells}  best/best {row['ratioBest']:.2f}x  "
                  f"sampling {row['samplesRatioBest']:.2f}x", flush=True)
    if args.json:
        json.dump(rows, open(args.json, "w"), indent=2)


if __name__ == "__main__":
    main()
