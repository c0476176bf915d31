#!/usr/bin/env python3
"""Runs gan and the same work in PyTorch side by side on this machine and prints the ratios.

    python3 benchmarks/compare.py [--batch-size 64 100 256] [--threads 1 2] [--models dcgan ...] [--repeats 5] [--json out.json]
                                  [--upgrade-torch] [--skip-jobs] [--job-threads T] [--max-peak-mb 130] [--max-help-ms 30]

Needs a release build (swift build -c release), PyTorch (pip install torch; --upgrade-torch first
upgrades it to the newest release with pip) and the full MNIST in data/mnist for the whole-job
figures. Everything runs in one invocation, one thing at a time, so the ratios compare like with
like; the machine's load average is printed at the start and the end, since a busy machine
slows both sides, and two-thread figures most. Parts:

1. training iterations/s (`gan bench` against benchmarks/pytorch_reference.py) for the paper model,
   the seed MLP and the DCGAN at each batch size and thread count, our fraction of the BLAS limit, and
   10,000 samples from each generator;
2. whole jobs on the most threads given (or --job-threads), start-up and data loading included: one epoch of the
   paper recipe on the full MNIST training split (50,000 images), the paper's Parzen protocol
   (10,000 samples, sigma chosen on 1,000 validation images, all 10,000 test images), and the
   Fréchet evaluation (PyTorch has no equivalent here: ours only);
3. guards: the peak memory of training the paper model on the shipped 5,000-image subset (the
   full MNIST's own size dominates the epoch's figure, which is printed too) and the `gan --help`
   latency (fastest of 10); the script exits 1 when one is over its limit.

--markdown prints the tables in the README's format.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GAN = os.path.join(ROOT, ".build", "release", "gan")
REFERENCE = os.path.join(ROOT, "benchmarks", "pytorch_reference.py")
MODELS = {"paper": "maxout-dropout", "seed-mlp": "seed-mlp", "dcgan": "dcgan"}


def timed(command, **options):
    """Runs `command`; returns (wall seconds, stdout). Exits on failure."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, **options)
    output, errors = process.communicate()
    seconds = time.perf_counter() - start
    if process.returncode != 0:
        raise SystemExit(f"Error: {' '.join(command)} exited {process.returncode}: {errors.strip()[-500:]}")
    return seconds, output


def peak_mb(command):
    """Wall seconds and peak resident memory (MB) of one run of `command`."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    errors = process.stderr.read().decode(errors="replace")
    process.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"Error: {' '.join(command)} failed: {errors.strip()[-500:]}")
    return seconds, usage.ru_maxrss / 1024


def versions():
    torch_version = subprocess.run([sys.executable, "-c", "import torch; print(torch.__version__)"], check=True,
                                   capture_output=True, text=True).stdout.strip()
    gan_version = subprocess.run([GAN, "--version"], check=True, capture_output=True, text=True).stdout.strip()
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    return {"pytorch": torch_version, "gan": gan_version, "cpu": cpu, "cores": os.cpu_count()}


def iterations(args):
    rows = []
    for model, arch in MODELS.items():
        if model not in args.models:
            continue
        for batch in args.batch_size:
            ours, theirs = {}, {}
            for threads in args.threads:
                with tempfile.NamedTemporaryFile(suffix=".json") as out:
                    timed([GAN, "bench", "--arch", arch, "--batch-size", str(batch), "--threads", str(threads),
                           "--repeats", str(args.repeats), "--seconds", str(args.seconds), "--json", out.name])
                    ours[threads] = json.load(open(out.name))[0]
                with tempfile.NamedTemporaryFile(suffix=".json") as out:
                    timed([sys.executable, REFERENCE, "--model", model, "--batch-size", str(batch), "--threads",
                           str(threads), "--repeats", str(args.repeats), "--seconds", str(args.seconds), "--json", out.name])
                    theirs[threads] = json.load(open(out.name))
            best = lambda results, key: max(r[key] for r in results.values())
            row = {"model": model, "batchSize": batch,
                   "ours": {t: r["iterationsPerSecond"] for t, r in ours.items()},
                   "pytorch": {t: r["iterationsPerSecond"] for t, r in theirs.items()},
                   "fractionOfBLASLimit": {t: r["fractionOfBLASLimit"] for t, r in ours.items()},
                   "samplesOurs": {t: r["samplesPerSecond"] for t, r in ours.items()},
                   "samplesPyTorch": {t: r["samplesPerSecond"] for t, r in theirs.items()},
                   "ratioBest": best(ours, "iterationsPerSecond") / best(theirs, "iterationsPerSecond"),
                   "samplesRatioBest": best(ours, "samplesPerSecond") / best(theirs, "samplesPerSecond")}
            rows.append(row)
            cells = "  ".join(f"{t}T ours {row['ours'][t]:7.1f} ({row['fractionOfBLASLimit'][t]:4.0%} of BLAS limit) "
                              f"pytorch {row['pytorch'][t]:7.1f}" for t in args.threads)
            print(f"{model:8s} batch {batch:4d}  {cells}  best/best {row['ratioBest']:.2f}x  "
                  f"sampling {row['samplesRatioBest']:.2f}x", flush=True)
    return rows


def jobs(args, folder):
    threads = str(args.job_threads or max(args.threads))
    weights = os.path.join(folder, "paper.h5")
    data = os.path.join(ROOT, "data", "mnist")
    results = {}
    seconds, peak = peak_mb([GAN, "train", "--recipe", os.path.join(ROOT, "models", "paper-mnist", "recipe.json"),
                             "--data", data, "--epochs", "1", "--threads", threads, "--out", weights])
    torch_seconds, torch_peak = peak_mb([sys.executable, REFERENCE, "--quality", "--epochs", "1", "--no-test",
                                         "--validate-every", "100000", "--threads", threads, "--data", data])
    results["epoch"] = {"ours": seconds, "pytorch": torch_seconds, "oursPeakMB": peak, "pytorchPeakMB": torch_peak}
    # The guarded figure: the paper model trained on the shipped 5,000-image subset (the data
    # itself is most of the full-MNIST run's memory).
    _, results["subsetPeakMB"] = peak_mb([GAN, "train", "--arch", "maxout-dropout", "--epochs", "2", "--threads", threads,
                                          "--out", os.path.join(folder, "subset.h5")])
    print(f"peak memory training the paper model on the shipped subset: {results['subsetPeakMB']:.0f} MB", flush=True)
    print(f"one epoch, paper recipe, full MNIST ({threads} threads, start-up and loading included): ours {seconds:.1f} s "
          f"(peak {peak:.0f} MB), pytorch {torch_seconds:.1f} s (peak {torch_peak:.0f} MB), "
          f"{torch_seconds / seconds:.2f}x", flush=True)
    with tempfile.TemporaryDirectory() as scratch:
        seconds, _ = timed([GAN, "evaluate", "--weights", weights, "--metric", "parzen", "--threads", threads,
                            "--json", os.path.join(scratch, "parzen.json")])
    torch_seconds, _ = timed([sys.executable, REFERENCE, "--parzen", "--threads", threads, "--data", data])
    results["parzen"] = {"ours": seconds, "pytorch": torch_seconds}
    print(f"Parzen protocol (10,000 samples, 10,000 test images): ours {seconds:.1f} s, pytorch {torch_seconds:.1f} s, "
          f"{torch_seconds / seconds:.2f}x", flush=True)
    with tempfile.TemporaryDirectory() as scratch:
        seconds, _ = timed([GAN, "evaluate", "--weights", weights, "--metric", "frechet", "--threads", threads,
                            "--json", os.path.join(scratch, "frechet.json")])
    results["frechet"] = {"ours": seconds}
    print(f"Frechet evaluation (10,000 samples, classifier features, KID, precision/recall): ours {seconds:.1f} s "
          "(no PyTorch equivalent)", flush=True)
    return results


def help_latency():
    runs = []
    for _ in range(10):
        start = time.perf_counter()
        subprocess.run([GAN, "--help"], check=True, stdout=subprocess.DEVNULL)
        runs.append(time.perf_counter() - start)
    return min(runs) * 1000


def markdown(report, threads):
    v = report["versions"]
    print(f"\nVersions: {' / '.join(v['gan'].splitlines())}; PyTorch {v['pytorch']}; {v['cpu']}, {v['cores']} cores; "
          f"load average {report['loadStart']:.1f} at the start, {report['loadEnd']:.1f} at the end.\n")
    head = " | ".join(f"ours, {t}T | PyTorch, {t}T" for t in threads)
    print(f"| model | batch | {head} | best vs best | of BLAS limit ({max(threads)}T) | sampling 10,000, ours vs PyTorch |")
    print("|---|---|" + "---|---|" * len(threads) + "---|---|---|")
    for row in report["iterations"]:
        cells = " | ".join(f"{row['ours'][t]:.1f} | {row['pytorch'][t]:.1f}" for t in threads)
        print(f"| {row['model']} | {row['batchSize']} | {cells} | {row['ratioBest']:.2f}x | "
              f"{row['fractionOfBLASLimit'][max(threads)]:.0%} | {row['samplesRatioBest']:.2f}x |")
    if "jobs" in report:
        j = report["jobs"]
        print("\n| whole job | ours | PyTorch | ratio |\n|---|---|---|---|")
        print(f"| one epoch, paper recipe, full MNIST | {j['epoch']['ours']:.1f} s | {j['epoch']['pytorch']:.1f} s | "
              f"{j['epoch']['pytorch'] / j['epoch']['ours']:.2f}x |")
        print(f"| Parzen evaluation | {j['parzen']['ours']:.1f} s | {j['parzen']['pytorch']:.1f} s | "
              f"{j['parzen']['pytorch'] / j['parzen']['ours']:.2f}x |")
        print(f"| Fréchet evaluation | {j['frechet']['ours']:.1f} s | - | - |")
        print(f"| peak memory, that epoch | {j['epoch']['oursPeakMB']:.0f} MB | {j['epoch']['pytorchPeakMB']:.0f} MB | |")
        print(f"| peak memory, paper model on the shipped subset (guarded) | {j['subsetPeakMB']:.0f} MB | | |")
    print(f"| `gan --help` | {report['helpMilliseconds']:.0f} ms | | |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch-size", type=int, nargs="+", default=[64, 100, 256])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--models", nargs="+", choices=sorted(MODELS), default=sorted(MODELS),
                        help="the models of the iteration figures (default: all)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=1.0)
    parser.add_argument("--json")
    parser.add_argument("--markdown", action="store_true", help="print the README's tables")
    parser.add_argument("--upgrade-torch", action="store_true", help="pip install --upgrade torch first")
    parser.add_argument("--skip-jobs", action="store_true", help="only the iteration and sampling figures")
    parser.add_argument("--job-threads", type=int, help="threads for the whole jobs (default: the most of --threads)")
    parser.add_argument("--max-peak-mb", type=float, default=130, help="guard: training's peak memory (MB)")
    parser.add_argument("--max-help-ms", type=float, default=30, help="guard: gan --help latency (ms)")
    args = parser.parse_args()
    if not os.access(GAN, os.X_OK):
        sys.exit("build first: swift build -c release")
    if args.upgrade_torch:
        subprocess.run([sys.executable, "-m", "pip", "install", "--upgrade", "torch"], check=True)
    report = {"versions": versions(), "loadStart": os.getloadavg()[0]}
    print(f"gan: {' / '.join(report['versions']['gan'].splitlines())}\npytorch {report['versions']['pytorch']}, "
          f"{report['versions']['cpu']}, {report['versions']['cores']} cores, load average {report['loadStart']:.1f}",
          flush=True)
    report["iterations"] = iterations(args)
    failures = []
    if not args.skip_jobs:
        with tempfile.TemporaryDirectory() as folder:
            report["jobs"] = jobs(args, folder)
        if report["jobs"]["subsetPeakMB"] > args.max_peak_mb:
            failures.append(f"training's peak memory {report['jobs']['subsetPeakMB']:.0f} MB > {args.max_peak_mb:g} MB")
    report["helpMilliseconds"] = help_latency()
    print(f"gan --help: {report['helpMilliseconds']:.0f} ms (fastest of 10)")
    if report["helpMilliseconds"] > args.max_help_ms:
        failures.append(f"gan --help took {report['helpMilliseconds']:.0f} ms > {args.max_help_ms:g} ms")
    report["loadEnd"] = os.getloadavg()[0]
    print(f"load average at the end {report['loadEnd']:.1f}")
    if args.markdown:
        markdown(report, args.threads)
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(report, handle, indent=2)
    for failure in failures:
        print(f"Error: guard: {failure}", file=sys.stderr)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
