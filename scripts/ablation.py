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

Both always rewrite models/ablation.json (training only) and the table in README.md: that is
this script's job. For other grids or files, use scripts/sweep.py with --results and --readme.

The runs are a local Ray sweep (scripts/sweep.py, which needs `pip install ray`): `--jobs N` runs
N cells at a time on a Ray instance of N x threads CPUs, and `--out` is its shared folder, where
an interrupted ablation resumes each cell from its last checkpoint when run again. For more
machines, run scripts/sweep.py with `--address` (see the README's "Sweeps on Ray").
"""
import argparse
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
    jobs = results.get("runsAtATime", jobs)
    return "one run" if jobs == 1 else f"{jobs} runs"


def time_text(row):
    if row.get("trainSeconds") is None:
        return "-"
    return f"{row['trainSeconds']:.1f} s" + (f" (attempt {row['attempts']} of a resumed run)" if row.get("resumedFrom") else "")


def epochs_text(epochs):
    return f"{epochs} epoch{'' if epochs == 1 else 's'}"


def render(results, raw="models/ablation.json"):
    seeds = sorted({row.get("seed", 1) for row in results["rows"]})
    lines = [BEGIN, "",
             f"{results.get('grid', 'Every architecture x loss')}, {epochs_text(results['rows'][0]['epochs'])}, "
             f"seed{'s' if len(seeds) > 1 else ''} {', '.join(map(str, seeds))}, on the {results['data']}, "
             f"with {results['settings']}. Generated by `{results['command']}` from `gan evaluate --json` "
             f"(raw results: `{raw}`), on {results.get('machine', 'this machine')}, "
             f"{runs_at_a_time(results)} at a time. Higher Parzen is better, lower Fréchet is better.", "",
             "| architecture | loss | settings beyond the global defaults (source) | steps | Parzen log-likelihood | Fréchet distance | largest class share | train time |",
             "|---|---|---|---|---|---|---|---|"]
    for row in results["rows"]:
        if "failed" in row:
            diverged = re.search(r"diverged at step (\d+)", row["failed"])
            reason = f"diverged at step {int(diverged.group(1)):,} (non-finite loss)" if diverged else "training failed"
            lines.append(f"| `{row['architecture']}` | `{row['loss']}` | {settings(row)} | {steps(row)} | {reason} | - | - | - |")
            continue
        parzen, frechet = row.get("parzen"), row.get("frechet")  # a sweep may measure one metric
        parzen_text = f"{parzen['mean']:.1f} ± {parzen['standardError']:.1f}" if parzen else "-"
        frechet_text, share_text = "-", "-"
        if frechet:
            shares = frechet["classShares"]
            top = max(range(len(shares)), key=lambda c: shares[c])
            frechet_text, share_text = f"{frechet['distance']:.1f}", f"{100 * shares[top]:.1f}% \"{top}\""
        lines.append(f"| `{row['architecture']}` | `{row['loss']}` | {settings(row)} | {steps(row)} | {parzen_text} "
                     f"| {frechet_text} | {share_text} | {time_text(row)} |")
    lines += ["", "The paper's Table 1 (MNIST, Parzen window log-likelihood):", "",
              "| model | Parzen log-likelihood |", "|---|---|"]
    lines += [f"| {model} | {value} |" for model, value in PAPER]
    lines += ["", END]
    return "\n".join(lines)


def check_readme(path=README):
    """The README's text, refused (before any work) when it has no ablation markers."""
    try:
        text = open(path).read()
    except (OSError, UnicodeDecodeError) as error:
        raise SystemExit(f"Error: {path}: cannot be read ({error})")
    if BEGIN not in text or END not in text:
        raise SystemExit(f"Error: {path} has no ablation markers ({BEGIN} ... {END})")
    return text


def write_readme(block, path=README):
    text = check_readme(path)
    start, stop = text.index(BEGIN), text.index(END) + len(END)
    # A new temporary file (exclusive, no symlink followed), renamed over the README.
    temporary = f"{path}.tmp-{os.getpid()}-{time.monotonic_ns()}"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    with os.fdopen(os.open(temporary, flags, 0o644), "w") as handle:
        handle.write(text[:start] + block + text[stop:])
    os.replace(temporary, path)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads of each run")
    parser.add_argument("--jobs", type=int, default=1, help="runs at a time: a local Ray instance of jobs x threads CPUs (train times are measured while they share the machine)")
    parser.add_argument("--gan", default=os.path.join(ROOT, ".build", "release", "gan"))
    parser.add_argument("--out", default=os.path.join(ROOT, "out", "ablation"))
    parser.add_argument("--render", action="store_true", help="only re-render README.md from models/ablation.json")
    args = parser.parse_args()
    if not args.render:
        if not 1 <= args.jobs <= 1024:
            raise SystemExit(f"Error: --jobs {args.jobs}: must lie in 1...1024")
        import sweep  # Ray is needed only to train
        if not 1 <= args.threads <= sweep.MAXIMUM_THREADS:
            raise SystemExit(f"Error: --threads {args.threads}: must lie in 1...{sweep.MAXIMUM_THREADS}")
        if args.jobs * args.threads > sweep.MAXIMUM_CPUS:
            raise SystemExit(f"Error: --jobs {args.jobs} x --threads {args.threads}: {args.jobs * args.threads} CPUs, "
                             f"more than the limit of {sweep.MAXIMUM_CPUS} (the local Ray instance has jobs x threads)")
        command = f"scripts/ablation.py --epochs {args.epochs} --threads {args.threads} --jobs {args.jobs}"
        sweep.main(["--epochs", str(args.epochs), "--threads", str(args.threads), "--num-cpus", str(args.jobs * args.threads),
                    "--shared-dir", args.out, "--gan", args.gan, "--results", RESULTS, "--readme", README], command=command)
        return
    write_readme(render(json.load(open(RESULTS))))


if __name__ == "__main__":
    main()
