#!/usr/bin/env python3
"""Compares gan's product splitter (Sources/CGEMM) with the threading of OpenBLAS (pthread and
OpenMP builds) and BLIS (pthread and OpenMP builds) on the models' real product shapes.

    python3 benchmarks/gemm_split.py [--threads 2] [--repeats 5] [--json out.json]

Debian packages: libopenblas0-pthread, libopenblas0-openmp, libblis4-pthread, libblis4-openmp
(a missing library is skipped). Builds benchmarks/gemm_split.c with cc and runs each library and
mode in its own process, one after the other. Figures: the summed time of one training
iteration's products, as iterations per second (the BLAS limit each configuration allows).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LIB = "/usr/lib/x86_64-linux-gnu"
LIBRARIES = {
    "OpenBLAS pthread": f"{LIB}/openblas-pthread/libopenblas.so.0",
    "OpenBLAS OpenMP": f"{LIB}/openblas-openmp/libopenblas.so.0",
    "BLIS pthread": f"{LIB}/blis-pthread/libblis.so.4",
    "BLIS OpenMP": f"{LIB}/blis-openmp/libblis.so.4",
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--json")
    args = parser.parse_args()
    binary = os.path.join(tempfile.mkdtemp(), "gemm_split")
    subprocess.run(["cc", "-O2", "-o", binary, os.path.join(ROOT, "benchmarks", "gemm_split.c"),
                    os.path.join(ROOT, "Sources", "CGEMM", "parallel_gemm.c"),
                    "-I" + os.path.join(ROOT, "Sources", "CGEMM", "include"), "-ldl", "-lpthread"], check=True)
    t = args.threads
    runs = [("OpenBLAS pthread", "lib", 1), ("OpenBLAS pthread", "split", t), ("OpenBLAS pthread", "lib", t),
            ("OpenBLAS OpenMP", "lib", t), ("BLIS pthread", "lib", 1), ("BLIS pthread", "split", t),
            ("BLIS pthread", "lib", t), ("BLIS OpenMP", "lib", t)]
    results = {}
    for name, mode, threads in runs:
        path = LIBRARIES[name]
        if not os.path.exists(path):
            print(f"skipped {name}: {path} is not installed", file=sys.stderr)
            continue
        label = f"{name}, {'1 thread' if threads == 1 else f'{threads} threads'}" + (", gan's split" if mode == "split" else "")
        environment = dict(os.environ, OMP_NUM_THREADS=str(threads), BLIS_NUM_THREADS=str(threads),
                           OPENBLAS_NUM_THREADS=str(threads))
        output = subprocess.run([binary, path, mode, str(threads), str(args.repeats)], check=True, env=environment,
                                capture_output=True, text=True).stdout
        for line in output.splitlines():
            model, batch, seconds, rate, gflops = line.split()
            results.setdefault((model, int(batch)), {})[label] = {"iterationsPerSecond": float(rate),
                                                                    "gflops": float(gflops)}
        print(f"{label}: done", file=sys.stderr, flush=True)
    labels = list(dict.fromkeys(label for row in results.values() for label in row))
    print("| model | batch | " + " | ".join(labels) + " |")
    print("|---|---|" + "---|" * len(labels))
    for (model, batch), row in results.items():
        print(f"| {model} | {batch} | " + " | ".join(f"{row[l]['iterationsPerSecond']:.1f}" if l in row else "-"
                                                  for l in labels) + " |")
    if args.json:
        with open(args.json, "w") as handle:
            json.dump([{"model": m, "batchSize": b, "results": r} for (m, b), r in results.items()], handle, indent=2)


if __name__ == "__main__":
    main()
