#!/usr/bin/env python3
"""The README's ablation table, generated from `gan evaluate --json` output.

Trains every architecture x loss combination listed by `gan list` by flags alone (`--arch A
--loss L`) on the same data (the full MNIST with the paper's split: train[0:50000], validation
train[50000:60000], test the 10,000 test images), epochs and seed. Each cell trains at its
resolved reference settings (flag > recipe > loss plugin > architecture plugin > default; see
`gan list --configurations`), and its row records which settings it used and where they came
from (`gan train --print-recipe --explain`). Each run is measured with `gan evaluate --metric
parzen` and `--metric frechet`. The results go to models/ablation.json; the table is rendered
from that file into README.md between the markers.

    scripts/ablation.py [--epochs 10] [--threads 1] [--jobs 2]    train, measure, render
    scripts/ablation.py --render                      re-render README.md from models/ablation.json
"""
import argparse
import concurrent.futures
import json
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(ROOT, "models", "ablation.json")
README = os.path.join(ROOT, "README.md")
BEGIN, END = "<!-- ablation:begin (scripts/ablation.py writes this table; do not edit by hand) -->", "<!-- ablation:end -->"

# The data of every cell: the full MNIST (`gan data fetch mnist`) with the paper's split.
DATA = ["--data", "mnist", "--validation-split", "last-rows", "--hold-out-validation"]

# The paper's Table 1, MNIST column (Parzen window log-likelihood, mean +/- standard error).
PAPER = [("Adversarial nets (the paper)", "225 ± 2"), ("Deep GSN", "214 ± 1.1"), ("DBN", "138 ± 2"),
         ("Stacked CAE", "121 ± 1.6")]


def plugins(gan):
    out = subprocess.run([gan, "list"], check=True, capture_output=True, text=True).stdout
    section, found = None, {"arch": [], "loss": []}
    for line in out.splitlines():
        if line.startswith("Architectures"):
            section = "arch"
        elif line.startswith("Losses"):
            section = "loss"
        elif line.startswith("  ") and not line.startswith("   ") and section:
            found[section].append(line.split()[0])
    return found["arch"], found["loss"]


def run(command, log):
    with open(log, "w") as handle:
        return subprocess.run(command, stdout=handle, stderr=subprocess.STDOUT, cwd=ROOT).returncode


def resolved_settings(gan, flags):
    """The recipe `gan train` resolves for these flags, and each value's source."""
    recipe = json.loads(subprocess.run([gan, "train", *flags, "--print-recipe"], check=True,
                                       capture_output=True, text=True).stdout)
    sources = {}
    for line in subprocess.run([gan, "train", *flags, "--print-recipe", "--explain"], check=True,
                               capture_output=True, text=True).stdout.splitlines():
        match = re.match(r"(\S+) = .*\((.+)\)$", line.strip())
        if match:
            sources[match.group(1)] = match.group(2)
    return recipe, sources


def optimizer_text(optimizer):
    kind = optimizer["kind"]
    text = f"{'SGD' if kind == 'sgd' else 'Adam'} {optimizer['learningRate']:g}"
    text += f" momentum {optimizer['momentum']:g}" if kind == "sgd" else f" beta1 {optimizer['beta1']:g}"
    schedule = optimizer.get("schedule", {})
    if schedule.get("learningRateDecay", 1) != 1:
        text += f", lr / {schedule['learningRateDecay']!r} per step"
    if schedule.get("finalMomentum") is not None:
        text += f", momentum to {schedule['finalMomentum']:g}"
    if optimizer.get("weightDecay", 0):
        text += f", decay {optimizer['weightDecay']:g}"
    return text


def settings_summary(recipe, sources):
    """'batch 100, SGD 0.1 ... (architecture maxout-dropout); Adam 0.0002 ... (loss least-squares)'."""
    by_source = {}
    for path, source in sources.items():
        if source in ("default", "flag"):
            continue
        top = path.split(".")[0]
        if path.startswith("problem.noise"):
            top = "noise"
        by_source.setdefault(source, set()).add(top)
    parts = []
    for source in sorted(by_source, key=lambda s: (not s.startswith("architecture"), s)):
        fields, texts = by_source[source], []
        if "batchSize" in fields:
            texts.append(f"batch {recipe['batchSize']}")
        if "mode" in fields:
            texts.append(recipe["mode"])
        if "discriminatorObjective" in fields:
            texts.append(f"D objective {recipe['discriminatorObjective']}")
        if "k" in fields:
            texts.append(f"k {recipe['k']}")
        if "generatorOptimizer" in fields or "discriminatorOptimizer" in fields:
            g, d = optimizer_text(recipe["generatorOptimizer"]), optimizer_text(recipe["discriminatorOptimizer"])
            texts.append(g if g == d else f"G {g}, D {d}")
        if "noise" in fields:
            noise = recipe["problem"]["noise"]
            texts.append(f"noise {noise['kind']} {noise['scale']:.4g}")
        if "architectureConfiguration" in fields:
            texts.append("configuration " + json.dumps(recipe.get("architectureConfiguration")))
        parts.append(", ".join(texts) + f" ({source})")
    return "; ".join(parts) if parts else "global defaults (batch 16, SGD 0.1 momentum 0.5, alternating, k 1)"


def measure_one(gan, arch, loss, epochs, threads, out):
    name = f"{arch}--{loss}"
    weights = os.path.join(out, name + ".h5")
    flags = ["--arch", arch, "--loss", loss, *DATA, "--epochs", str(epochs), "--seed", "1", "--threads", str(threads)]
    recipe, sources = resolved_settings(gan, flags)
    row = {"architecture": arch, "loss": loss, "epochs": epochs, "seed": 1, "threads": threads,
           "settings": settings_summary(recipe, sources),
           "sources": {path: source for path, source in sources.items() if source not in ("default", "flag")},
           "steps": None}
    start = time.monotonic()
    status = run([gan, "train", *flags, "--out", weights], os.path.join(out, name + ".log"))
    row["wallSeconds"] = round(time.monotonic() - start, 2)
    log = open(os.path.join(out, name + ".log")).read()
    trained = re.search(r"after \d+ epochs in ([0-9.]+) s", log)
    per_epoch = re.search(r", (\d+) steps per epoch", log)
    row["steps"] = int(per_epoch.group(1)) * epochs if per_epoch else None
    row["trainSeconds"] = float(trained.group(1)) if trained else None
    if status != 0:
        row["failed"] = (log.strip().splitlines() or ["exit status %d" % status])[-1]
        print(f"{name}: training failed: {row['failed']}", file=sys.stderr)
        return row
    for metric in ("parzen", "frechet"):
        result = os.path.join(out, f"{name}.{metric}.json")
        status = run([gan, "evaluate", "--weights", weights, "--metric", metric, "--threads", str(threads),
                      "--json", result], os.path.join(out, f"{name}.{metric}.log"))
        if status != 0:
            raise SystemExit(f"{name}: gan evaluate --metric {metric} failed; see {out}/{name}.{metric}.log")
        row[metric] = json.load(open(result))
        row[metric]["weights"] = os.path.relpath(weights, ROOT)
    print(f"{name}: parzen {row['parzen']['mean']:.1f} +/- {row['parzen']['standardError']:.1f}, "
          f"frechet {row['frechet']['distance']:.1f}, {row['trainSeconds']} s", file=sys.stderr)
    return row


def measure(gan, epochs, threads, jobs, out):
    archs, losses = plugins(gan)
    os.makedirs(out, exist_ok=True)
    pairs = [(arch, loss) for arch in archs for loss in losses]
    # Independent runs, `jobs` at a time (each on `threads` BLAS threads); rows keep the table's order.
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        rows = list(pool.map(lambda pair: measure_one(gan, *pair, epochs, threads, out), pairs))
    command = f"scripts/ablation.py --epochs {epochs} --threads {threads} --jobs {jobs}"
    return {"command": command,
            "data": "full MNIST with the paper's split (50,000 training images, train[50000:60000] held out "
                    "to choose sigma, the 10,000 test images)",
            "settings": "each cell's resolved reference settings (`--arch A --loss L` and nothing else: "
                        "flag > recipe > loss plugin > architecture plugin > default), seed 1",
            "machine": machine(),
            "rows": rows}


def machine():
    model = "CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"a {os.cpu_count()}-core {model}"


def settings(row):
    return row.get("settings", "defaults")


def steps(row):
    return f"{row['steps']:,}" if row.get("steps") else "-"


def runs_at_a_time(results):
    jobs = int(results["command"].split("--jobs ")[-1]) if "--jobs " in results["command"] else 1
    return "one run" if jobs == 1 else f"{jobs} runs"


def render(results):
    lines = [BEGIN, "",
             f"Every architecture x loss, {results['rows'][0]['epochs']} epochs, seed 1, on the {results['data']}, "
             f"with {results['settings']}. Generated by `{results['command']}` from `gan evaluate --json` "
             f"(raw results: `models/ablation.json`), on {results.get('machine', 'this machine')}, "
             f"{runs_at_a_time(results)} at a time. Higher Parzen is better, lower Fréchet is better.", "",
             "| architecture | loss | settings beyond the global defaults (source) | steps | Parzen log-likelihood | Fréchet distance | largest class share | train time |",
             "|---|---|---|---|---|---|---|---|"]
    for row in results["rows"]:
        time_text = f"{row['trainSeconds']:.1f} s" if row.get("trainSeconds") is not None else "-"
        if "failed" in row:
            diverged = re.search(r"diverged at step (\d+)", row["failed"])
            reason = f"diverged at step {int(diverged.group(1)):,} (non-finite loss)" if diverged else "training failed"
            lines.append(f"| `{row['architecture']}` | `{row['loss']}` | {settings(row)} | {steps(row)} | {reason} | - | - | - |")
            continue
        parzen, frechet = row["parzen"], row["frechet"]
        shares = frechet["classShares"]
        top = max(range(len(shares)), key=lambda c: shares[c])
        lines.append(f"| `{row['architecture']}` | `{row['loss']}` | {settings(row)} | {steps(row)} | {parzen['mean']:.1f} ± {parzen['standardError']:.1f} "
                     f"| {frechet['distance']:.1f} | {100 * shares[top]:.1f}% \"{top}\" | {time_text} |")
    lines += ["", "The paper's Table 1 (MNIST, Parzen window log-likelihood):", "",
              "| model | Parzen log-likelihood |", "|---|---|"]
    lines += [f"| {model} | {value} |" for model, value in PAPER]
    lines += ["", END]
    return "\n".join(lines)


def write_readme(block):
    text = open(README).read()
    if BEGIN not in text or END not in text:
        raise SystemExit(f"README.md has no ablation markers ({BEGIN} ... {END})")
    start, stop = text.index(BEGIN), text.index(END) + len(END)
    with open(README + ".tmp", "w") as handle:
        handle.write(text[:start] + block + text[stop:])
    os.replace(README + ".tmp", README)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads of each run")
    parser.add_argument("--jobs", type=int, default=1, help="runs at a time (train times are measured while they share the machine)")
    parser.add_argument("--gan", default=os.path.join(ROOT, ".build", "release", "gan"))
    parser.add_argument("--out", default=os.path.join(ROOT, "out", "ablation"))
    parser.add_argument("--render", action="store_true", help="only re-render README.md from models/ablation.json")
    args = parser.parse_args()
    if not args.render:
        if not os.access(args.gan, os.X_OK):
            raise SystemExit(f"{args.gan} is not built; run `swift build -c release` first")
        results = measure(args.gan, args.epochs, args.threads, args.jobs, args.out)
        with open(RESULTS + ".tmp", "w") as handle:
            json.dump(results, handle, indent=2, sort_keys=True)
            handle.write("\n")
        os.replace(RESULTS + ".tmp", RESULTS)
    write_readme(render(json.load(open(RESULTS))))


if __name__ == "__main__":
    main()
