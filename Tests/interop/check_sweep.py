#!/usr/bin/env python3
"""scripts/sweep.py on a real local Ray instance that this script starts once for every case.

    python3 Tests/interop/check_sweep.py GAN_BINARY

Cases (each prints `ok: NAME` or `FAILED: NAME: why`; the exit status is the number failed):
  bad-grid      an unknown plugin, an unknown recipe field, a bad value in a later cell, bad --set
                syntax, a field the sweep owns, a bad seed or epoch count, an address where no Ray
                listens, a device as the results file: one `Error:` line each, before any task
                starts (no shared dir, no results file)
  tiny-sweep    a 2 x 2 grid (mlp, mlp-batchnorm x non-saturating, hinge) with a --set field, a few
                steps each on data/mnist-subset, run by the command line as a second driver with
                --address: the rows, the scores, the table in a README copy; then the same command
                again reuses the finished cells, and another --epochs on that folder is refused
  bad-address   a port where a non-Ray server listens: refused at once
  estimate-inputs  --estimate's file and count checks, the script's executable mode, ablation.py's flags
  shared-folder another recipe's weights.h5 in a cell folder, a symlinked cell folder or recipe.json, a
                second sweep on a locked folder, a smaller grid over the default results file: refused
  interrupted   Ctrl-C on a running driver: one line, exit status 130
  kill-resume   a sweep cell whose Ray worker is SIGKILLed after its first checkpoint: Ray runs the
                task again, it resumes from the newest checkpoint, and its weights file holds
                exactly the bytes of an uninterrupted `gan train` of the same recipe (every dataset)
"""
import json
import math
import os
import signal
import subprocess
import sys
import atexit
import shutil
import tempfile
import threading
import time

import h5py
import numpy

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import ablation  # noqa: E402
import sweep  # noqa: E402

GAN = os.path.abspath(sys.argv[1])
SCRIPT = os.path.join(ROOT, "scripts", "sweep.py")
# Every case's folder lives under one folder for this run, removed at exit (GAN_KEEP_TEST_FILES=1
# keeps it), so repeated `make test` runs do not fill the temporary directory.
SCRATCH = tempfile.mkdtemp(prefix="sweep-check-")
if not os.environ.get("GAN_KEEP_TEST_FILES"):
    atexit.register(shutil.rmtree, SCRATCH, ignore_errors=True)
    # A timeout stops this script with SIGTERM: exit through atexit, so the folder goes too.
    signal.signal(signal.SIGTERM, lambda number, frame: sys.exit(128 + number))
SMALL = '{"generatorHiddenSizes":[64],"discriminatorHiddenSizes":[32]}'
# Digit 4 of the shipped subset: 334 training images after the held-out sixth, 21 steps an epoch.
TINY = ["--data", "mnist-subset", "--validation-split", "per-label", "--set", "digits=[4]", "--threads", "1",
        "--eval-count", "500", "--gan", GAN]
failures = []


def case(function):
    started = time.monotonic()
    try:
        function()
        print(f"ok: {function.__name__.replace('_', '-')} ({time.monotonic() - started:.1f} s)", flush=True)
    except Exception as error:  # noqa: BLE001 (every failure is reported and counted)
        failures.append(function.__name__)
        print(f"FAILED: {function.__name__.replace('_', '-')}: {type(error).__name__}: {error}", flush=True)


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def command_line(arguments, address):
    extra = [] if "--address" in arguments or address is None else ["--address", address]
    return subprocess.run([sys.executable, SCRIPT, *arguments, *extra], capture_output=True, text=True, cwd=ROOT, timeout=600)


def refused(completed, expected, what):
    """One `Error:` line containing expected, exit status 1, no traceback."""
    lines = completed.stderr.strip().splitlines()
    check(completed.returncode == 1, f"{what}: exit status {completed.returncode}: {completed.stderr[-2000:]}")
    check(len(lines) == 1 and lines[0].startswith("Error: ") and expected in lines[0],
          f"{what}: expected one Error line containing {expected!r}, got {completed.stderr[-2000:]!r}")


def bad_grid():
    folder = tempfile.mkdtemp(prefix="sweep-bad-", dir=SCRATCH)
    shared, results = os.path.join(folder, "shared"), os.path.join(folder, "results.json")
    base = ["--arch", "mlp", "--loss", "hinge", "--epochs", "1", "--shared-dir", shared, "--results", results] + TINY
    cases = [
        (["--arch", "mlp,nope"], "--arch nope: no such plugin (known: mlp, mlp-batchnorm, maxout-dropout"),
        (["--loss", "hinge,softmax"], "--loss softmax: no such plugin"),
        (["--set", "generatorOptimizer.learningrate=0.1"], "learningrate"),
        (["--set", "batchSize=16,0"], "--set batchSize=0: gan train refused it"),
        (["--set", "batchSize"], "--set batchSize: expected PATH=VALUE"),
        (["--set", "seed=1,2"], "--set seed=1,2: seed is set by the sweep's --seed"),
        (["--set", "problem.latentSize=[4"], "unbalanced brackets"),
        (["--seed", "1,x"], "--seed x: not an unsigned 64-bit integer"),
        (["--epochs", "0"], "--epochs 0: must lie in 1...1000000"),
        (["--address", "127.0.0.1:1"], "--address 127.0.0.1:1: nothing answers there"),
        (["--results", "/dev/null"], "--results /dev/null: exists and is not a regular file"),
        # review 8: what gan train would refuse at run time, caught before any folder or task
        (["--data", "/nonexistent"], "--data /nonexistent: neither a dataset of `gan data list`"),
        (["--checkpoint-every", "99999999999999999999"], "--checkpoint-every 99999999999999999999: expected N"),
        # review 5: two cells sharing one folder
        (["--arch", "mlp,mlp"], "--arch: mlp is given twice"),
        (["--seed", "1,01"], "--seed: 1 is given twice"),
        (["--set", "batchSize=16,16"], "--set batchSize: 16 is given twice"),
        (["--set", "batchSize=16,16.0"], "resolve to the same recipe (a value given twice)"),
        # review 17: the scratch recipe file of a --set is not named (it is deleted by then)
        (["--set", "batchSize=0"], "gan train refused it: the --set values: batch size"),
    ]
    for extra, expected in cases:
        completed = command_line(base + extra, ADDRESS)  # a repeated --arch or --loss replaces base's
        refused(completed, expected, extra)
        check("/sweep-" not in completed.stderr, f"{extra}: names a scratch file: {completed.stderr}")
        check(not os.path.exists(shared), f"{extra}: the shared dir was created, so work began before the refusal")
        check(not os.path.exists(results), f"{extra}: a results file was written")
    # review 6: more threads than the local instance's CPUs would wait forever; refused up front
    refused(command_line(base + ["--threads", "3", "--num-cpus", "2"], None), "--threads 3: more than the 2 CPUs", "--threads 3")
    check(not os.path.exists(shared), "--threads 3: the shared dir was created")
    # review 11: a shared dir that cannot be made is an Error line, not a traceback
    refused(command_line(base[:-len(TINY)] + TINY + ["--shared-dir", "/proc/sweep"], ADDRESS), "/proc/sweep", "/proc/sweep")


def bad_address():
    """review 7: a port where something other than a Ray head listens is refused at once."""
    import socket
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]

    def answer():
        for _ in range(2):
            connection, _ = listener.accept()
            with connection:
                connection.sendall(b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n")
    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    folder = tempfile.mkdtemp(prefix="sweep-address-", dir=SCRATCH)
    started = time.monotonic()
    completed = command_line(["--arch", "mlp", "--loss", "hinge", "--epochs", "1", "--shared-dir", os.path.join(folder, "s"),
                              "--address", f"127.0.0.1:{port}"] + TINY, None)
    refused(completed, f"--address 127.0.0.1:{port}: something listens there but it is not a Ray head", "non-Ray port")
    check(time.monotonic() - started < 30, "the refusal took more than 30 s")
    listener.close()


def estimate_inputs():
    """review 10, 3: --estimate checks its file and counts (the script run as the README runs it)."""
    check(os.access(SCRIPT, os.X_OK), f"{SCRIPT} is not executable")
    folder = tempfile.mkdtemp(prefix="sweep-estimate-", dir=SCRATCH)
    text, empty, good = (os.path.join(folder, name) for name in ("text.json", "empty.json", "good.json"))
    open(text, "w").write("not json")
    open(empty, "w").write('{"rows": []}')
    json.dump({"rows": [{"architecture": "mlp", "loss": "hinge", "trainSeconds": 60, "threads": 1}] * 3}, open(good, "w"))
    cases = [([os.path.join(folder, "missing.json")], "not a file"), ([folder], "not a file"),
             ([text], "not a results file"), ([empty], "holds no rows"),
             ([good, "--nodes", "999999"], "--nodes 999999: not a count from 1 to 100,000"),
             ([good, "--cpus-per-node", "1000000"], "--cpus-per-node 1000000: must lie in 1...4096")]
    for extra, expected in cases:
        refused(subprocess.run([SCRIPT, "--estimate", *extra], capture_output=True, text=True, timeout=60), expected, extra)
    started = time.monotonic()
    fine = subprocess.run([SCRIPT, "--estimate", good, "--nodes", "1,100000", "--cpus-per-node", "4096"],
                          capture_output=True, text=True, timeout=60)
    check(fine.returncode == 0 and "| 1 | 4096 | 1.0 min |" in fine.stdout and "| 100000 | 409600000 | 1.0 min |" in fine.stdout,
          f"estimate at the limits: {fine.stdout} {fine.stderr}")
    check(time.monotonic() - started < 10, "the estimate at the limits took more than 10 s")
    # review 12: ablation.py names the flags the user typed; one epoch is "1 epoch"
    completed = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "ablation.py"), "--jobs", "1024", "--threads", "1024"],
                               capture_output=True, text=True, timeout=60)
    refused(completed, "--jobs 1024 x --threads 1024: 1048576 CPUs", "ablation --jobs 1024 --threads 1024")
    check(ablation.epochs_text(1) == "1 epoch" and ablation.epochs_text(2) == "2 epochs", "epochs_text")


def shared_folder():
    """review 1, 2, 5, 17: what an existing shared folder may hold, refused before Ray runs anything."""
    folder = tempfile.mkdtemp(prefix="sweep-shared-", dir=SCRATCH)
    shared, results = os.path.join(folder, "shared"), os.path.join(folder, "results.json")
    arguments = ["--arch", "mlp", "--loss", "non-saturating", "--epochs", "2", "--shared-dir", shared, "--results", results] + TINY
    cell = os.path.join(shared, "mlp--non-saturating--seed1--digits=_4-" + sweep.cell_name("", "", 0, [("digits", [4])])[-8:])
    os.makedirs(cell)
    # Someone else's weights (the zoo's digit-4 model, trained for 40 epochs) and no recipe.json.
    foreign = os.path.join(ROOT, "models", "mlp-digit4", "weights.h5")
    with open(foreign, "rb") as source, open(os.path.join(cell, "weights.h5"), "wb") as target:
        target.write(source.read())
    refused(command_line(arguments, ADDRESS), "weights.h5 was not trained with this cell's recipe (its stored recipe differs in",
            "foreign weights")
    check(sorted(os.listdir(cell)) == ["weights.h5"] and not os.path.exists(results), f"foreign weights: {os.listdir(cell)}")
    os.unlink(os.path.join(cell, "weights.h5"))
    # A cell folder or its recipe.json as a symlink: refused, nothing written into the other folder.
    elsewhere = tempfile.mkdtemp(prefix="sweep-elsewhere-", dir=SCRATCH)
    os.rmdir(cell)
    os.symlink(elsewhere, cell)
    refused(command_line(arguments, ADDRESS), "is a symlink or not a folder", "symlinked cell folder")
    check(os.listdir(elsewhere) == [], f"written through the symlink: {os.listdir(elsewhere)}")
    os.unlink(cell)
    os.makedirs(cell)
    os.symlink(os.path.join(elsewhere, "recipe.json"), os.path.join(cell, "recipe.json"))
    refused(command_line(arguments, ADDRESS), "recipe.json is a symlink", "symlinked recipe.json")
    check(os.listdir(elsewhere) == [], f"written through the symlink: {os.listdir(elsewhere)}")
    os.unlink(os.path.join(cell, "recipe.json"))
    # A second sweep on a folder that another one holds (its lock) is refused, naming the lock.
    lock = sweep.lock_shared_dir(shared)
    try:
        refused(command_line(arguments, ADDRESS), f"another sweep is running on this folder (it holds {shared}/.sweep.lock)",
                "a second sweep")
    finally:
        os.close(lock)
    # The default results file keeps rows of cells this grid does not have.
    default = os.path.join(shared, "results.json")
    json.dump({"rows": [{"folder": "mlp--hinge--seed1"}]}, open(default, "w"))
    refused(command_line(arguments[:-2 - len(TINY)] + TINY, ADDRESS), "holds rows of 1 cell(s) not in this grid", "default results")
    check(json.load(open(default)) == {"rows": [{"folder": "mlp--hinge--seed1"}]}, "the default results file was changed")
    # review 6, on a cluster: no node has --threads CPUs.
    refused(command_line(arguments + ["--threads", "3"], ADDRESS), "--threads 3: no node of the cluster", "--threads 3 on a cluster")
    check(not os.path.exists(results), "a results file was written")


def tiny_sweep():
    folder = tempfile.mkdtemp(prefix="sweep-tiny-", dir=SCRATCH)
    shared, results, readme = os.path.join(folder, "shared"), os.path.join(folder, "ablation.json"), os.path.join(folder, "README.md")
    with open(readme, "w") as handle:
        handle.write(f"# a copy\n\nbefore\n\n{ablation.BEGIN}\nold table\n{ablation.END}\n\nafter\n")
    arguments = ["--arch", "mlp,mlp-batchnorm", "--loss", "non-saturating,hinge", "--epochs", "2",
                 "--set", f"architectureConfiguration={SMALL}", "--shared-dir", shared, "--results", results,
                 "--readme", readme, "--checkpoint-every", "10steps"] + TINY
    # review 2: a symlink planted where a cell writes its log is replaced, its target untouched.
    chosen = [(path, values[0]) for path, values in sweep.parse_sets([f"architectureConfiguration={SMALL}", "digits=[4]"])]
    planted = os.path.join(shared, sweep.cell_name("mlp", "hinge", 1, chosen))
    precious = os.path.join(folder, "precious.txt")
    open(precious, "w").write("keep me\n")
    os.makedirs(planted)
    os.symlink(precious, os.path.join(planted, "train-1.log"))
    # review 1: scores left without weights are not this cell's: they are measured again
    json.dump({"distance": -1.0, "classShares": [0.1] * 10}, open(os.path.join(planted, "frechet.json"), "w"))
    completed = command_line(arguments, ADDRESS)
    check(completed.returncode == 0, f"sweep failed: {completed.stderr[-3000:]}")
    written = json.load(open(results))
    rows = written["rows"]
    check([(row["architecture"], row["loss"]) for row in rows]
          == [("mlp", "non-saturating"), ("mlp", "hinge"), ("mlp-batchnorm", "non-saturating"), ("mlp-batchnorm", "hinge")],
          f"rows out of grid order: {[(row['architecture'], row['loss']) for row in rows]}")
    for row in rows:
        name = f"{row['architecture']} x {row['loss']}"
        check("failed" not in row, f"{name} failed: {row.get('failed')}")
        check(math.isfinite(row["parzen"]["mean"]) and row["parzen"]["samples"] == 500, f"{name}: parzen {row['parzen']}")
        check(math.isfinite(row["frechet"]["distance"]) and len(row["frechet"]["classShares"]) == 10, f"{name}: frechet")
        check("architectureConfiguration" in row["settings"] and "(--set)" in row["settings"], f"{name}: settings {row['settings']}")
        check(row["attempts"] == 1 and "resumedFrom" not in row, f"{name}: {row['attempts']} attempts")
        weights = os.path.join(shared, row["folder"], "weights.h5")
        inspected = json.loads(subprocess.run([GAN, "inspect", weights, "--json"], capture_output=True, text=True, check=True).stdout)[0]
        text = json.dumps(inspected)
        check(row["steps"] == 42 and '"step": 42' in text.replace('"step" : 42', '"step": 42'),
              f"{name}: steps {row['steps']}, inspect: {text[:1500]}")
        with h5py.File(weights, "r") as handle:
            recipe = json.loads(handle.attrs["training"])
        check(recipe["architectureConfiguration"]["generatorHiddenSizes"] == [64] and recipe["digits"] == [4]
              and recipe["seed"] == 1 and recipe["loss"] == row["loss"], f"{name}: trained recipe {recipe}")
        check(len([f for f in os.listdir(os.path.join(shared, row["folder"], "checkpoints")) if f.startswith("step-")]) >= 1,
              f"{name}: no checkpoint in the shared dir")
    check(open(precious).read() == "keep me\n", "the planted symlink's target was written")
    check(not os.path.islink(os.path.join(planted, "train-1.log")) and "wrote" in open(os.path.join(planted, "train-1.log")).read(),
          "train-1.log is not the run's own log")
    check(rows[1]["frechet"]["distance"] > 0, f"a planted frechet.json was taken as the score: {rows[1]['frechet']}")
    check(written["runsAtATime"] == 2 and written["grid"] == "2 architecture(s) x 2 loss(es)",
          f"header fields: {written['runsAtATime']}, {written['grid']}")
    text = open(readme).read()
    block = ablation.render(written, raw=results)  # a results file outside the checkout: its absolute path
    check(text == f"# a copy\n\nbefore\n\n{block}\n\nafter\n", "the README copy does not hold the rendered table in place")
    check(len([line for line in block.splitlines() if line.startswith("| `mlp")]) == 4, f"table rows: {block}")
    check("`mlp-batchnorm` | `hinge` |" in block and "2 runs at a time" in block, block)

    # The same command again: every cell is finished, so nothing trains or evaluates again.
    again = command_line(arguments, ADDRESS)
    check(again.returncode == 0, f"second run failed: {again.stderr[-3000:]}")
    second = json.load(open(results))["rows"]
    for before, after in zip(rows, second):
        check(after["attempts"] == 2 and after["parzen"] == before["parzen"], f"{after['folder']}: not reused")
        check(not os.path.exists(os.path.join(shared, after["folder"], "train-2.log")), f"{after['folder']} trained again")
    # Another recipe in the same folder is refused before anything runs.
    other = command_line([a if a != "2" else "3" for a in arguments], ADDRESS)
    check(other.returncode == 1 and "holds a run of another recipe (differs in epochs)" in other.stderr,
          f"another --epochs on the same shared dir: {other.returncode} {other.stderr[-2000:]}")


def kill_resume():
    folder = tempfile.mkdtemp(prefix="sweep-kill-", dir=SCRATCH)
    shared = os.path.join(folder, "shared")
    arguments = ["--arch", "mlp", "--loss", "non-saturating", "--seed", "7", "--epochs", "60", "--shared-dir", shared,
                 "--checkpoint-every", "20steps", "--metrics", "frechet"] + TINY
    args = sweep.parser().parse_args(arguments)
    args.results = os.path.join(folder, "results.json")
    outcome = {}

    def driver():
        try:
            outcome["results"] = sweep.run(args, "kill-resume")
        except BaseException as error:  # noqa: BLE001 (reported by the main thread)
            outcome["error"] = error

    thread = threading.Thread(target=driver)
    thread.start()
    # The cell's folder: its name, the seed and the --set values, with a hash of the latter.
    cell = os.path.join(shared, "mlp--non-saturating--seed7--digits=_4-" + sweep.cell_name("", "", 0, [("digits", [4])])[-8:])
    attempts, checkpoints = os.path.join(cell, "attempts.jsonl"), os.path.join(cell, "checkpoints")
    deadline, killed = time.monotonic() + 300, None
    while time.monotonic() < deadline and thread.is_alive():
        if os.path.exists(attempts) and sweep.newest_checkpoint(checkpoints):
            first = json.loads(open(attempts).readline())
            check(not os.path.exists(os.path.join(cell, "weights.h5")), "the run finished before the kill; make it longer")
            os.kill(first["pid"], signal.SIGKILL)
            killed = first
            break
        time.sleep(0.02)
    check(killed is not None, f"no checkpoint appeared to kill after: {outcome}")
    # review 4: attempt 2's gan child (not its worker) killed by SIGKILL, as the OOM killer does:
    # Ray retries the task, and attempt 3 resumes from a later checkpoint.
    gan_killed = None
    while time.monotonic() < deadline and thread.is_alive():
        records = [json.loads(line) for line in open(attempts) if line.strip()]
        newest = sweep.newest_checkpoint(checkpoints)
        if len(records) == 2 and records[1]["resumeFrom"] and newest and newest > records[1]["resumeFrom"]:
            check(not os.path.exists(os.path.join(cell, "weights.h5")), "attempt 2 finished before the kill; make it longer")
            pid = records[1]["pid"]
            children = open(f"/proc/{pid}/task/{pid}/children").read().split()
            check(len(children) == 1, f"worker {pid} has children {children}")
            os.kill(int(children[0]), signal.SIGKILL)
            gan_killed = int(children[0])
            break
        time.sleep(0.02)
    check(gan_killed is not None, f"attempt 2 wrote no later checkpoint to kill its gan after: {outcome}")
    # The uninterrupted reference: the cell's own recipe, trained straight through, meanwhile.
    reference = os.path.join(folder, "reference.h5")
    straight = subprocess.run([GAN, "train", "--recipe", os.path.join(cell, "recipe.json"), "--out", reference],
                              capture_output=True, text=True)
    check(straight.returncode == 0, f"reference run: {straight.stderr[-2000:]}")
    thread.join(600)
    check(os.path.isdir(cell), f"no cell folder {cell}: {os.listdir(shared)}")
    check("error" not in outcome and "results" in outcome, f"the sweep failed: {outcome.get('error')}")
    row = outcome["results"]["rows"][0]
    records = [json.loads(line) for line in open(attempts)]
    check(len(records) == 3 and row["attempts"] == 3, f"expected two retries, got {records}")
    check(records[1]["pid"] != killed["pid"], "the retry ran in the killed worker")
    check("failed" not in row, f"the killed gan made a failed row: {row.get('failed')}")
    resumed = [record["resumeFrom"] for record in records[1:]]
    check(all(path and os.path.basename(path).startswith("step-") for path in resumed) and resumed[1] > resumed[0]
          and row["resumedFrom"] == [os.path.basename(path) for path in resumed],
          f"the retries did not resume from later checkpoints: {records[1:]}, row {row.get('resumedFrom')}")
    for number, path in ((2, resumed[0]), (3, resumed[1])):
        step = int(os.path.basename(path)[5:14])
        log = open(os.path.join(cell, f"train-{number}.log")).read()
        check(f"step {step}" in log and step > 0, f"train-{number}.log does not say it resumed at step {step}: {log[:600]}")
    check(math.isfinite(row["frechet"]["distance"]), f"frechet {row['frechet']}")
    compared = same_datasets(os.path.join(cell, "weights.h5"), reference)
    print(f"  killed worker {killed['pid']} after its checkpoint, then attempt 2's gan {gan_killed}; attempt 3 resumed from step {step}; "
          f"{compared} datasets bit-identical to the uninterrupted run", flush=True)


def default_sigint():
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGINT])


def interrupted():
    """review 11: Ctrl-C on a running sweep's driver is one line and exit status 130."""
    folder = tempfile.mkdtemp(prefix="sweep-interrupt-", dir=SCRATCH)
    process = subprocess.Popen([SCRIPT, "--arch", "mlp", "--loss", "hinge", "--epochs", "300", "--metrics", "frechet",
                                "--shared-dir", os.path.join(folder, "s"), "--address", ADDRESS] + TINY,
                               stderr=subprocess.PIPE, text=True, cwd=ROOT,
                               # a terminal's Ctrl-C: SIGINT at its default and unblocked even where this test's
                               # parent (swift test) ignores or blocks it
                               preexec_fn=default_sigint)
    lines = []
    for line in process.stderr:
        lines.append(line)
        if " cells on Ray (" in line:
            break
    time.sleep(1)
    process.send_signal(signal.SIGINT)
    rest = process.stderr.read()
    status = process.wait(60)
    check(status == 130 and "Traceback" not in rest and rest.strip().splitlines()[-1:] == [
          "Interrupted; the same command resumes the sweep (finished cells are kept)"],
          f"Ctrl-C: exit status {status}: {''.join(lines)}{rest[-3000:]}")


CLOCK_COLUMNS = {"samples_per_second", "seconds"}  # the per-epoch history's wall-clock columns


def same_datasets(path, reference):
    """Every dataset of the two files (weights, optimizer and random states, data order, epoch
    sums, history) holds the same bytes, and so does every root attribute (recipe, position);
    of the per-epoch history only the wall-clock columns may differ. Returns how many datasets
    were compared."""
    def datasets(handle):
        found = {}
        handle.visititems(lambda name, item: found.__setitem__(name, item[()]) if isinstance(item, h5py.Dataset) else None)
        return found
    with h5py.File(path, "r") as ours, h5py.File(reference, "r") as theirs:
        a, b = datasets(ours), datasets(theirs)
        columns = [name.decode() if isinstance(name, bytes) else str(name) for name in ours["state"].attrs["history_columns"]]
        check(sorted(ours.attrs) == sorted(theirs.attrs), "different root attributes")
        for name in ours.attrs:
            check(numpy.array_equal(numpy.asarray(ours.attrs[name]), numpy.asarray(theirs.attrs[name])), f"attribute {name} differs")
    check(sorted(a) == sorted(b), f"different datasets: {sorted(set(a) ^ set(b))}")
    check(any(name.startswith("generator/") for name in a) and any(name.startswith("discriminator/") for name in a)
          and any(name.startswith("optimizer/") for name in a), f"no network weights or optimizer state among {sorted(a)[:20]}")
    kept = [index for index, column in enumerate(columns) if column not in CLOCK_COLUMNS]
    check(len(kept) == len(columns) - len(CLOCK_COLUMNS), f"history columns {columns}")
    for name in a:
        x, y = numpy.asarray(a[name]), numpy.asarray(b[name])
        if name == "state/history":
            x, y = numpy.ascontiguousarray(x[:, kept]), numpy.ascontiguousarray(y[:, kept])
        check(x.dtype == y.dtype and x.shape == y.shape and x.tobytes() == y.tobytes(), f"dataset {name} differs")
    return len(a)


if __name__ == "__main__":
    ray = sweep.connect(num_cpus=2)
    ADDRESS = ray.get_runtime_context().gcs_address
    try:
        tests = (bad_grid, bad_address, estimate_inputs, shared_folder, tiny_sweep, interrupted, kill_resume)
        for test in tests:
            case(test)
    finally:
        ray.shutdown()
    print(f"{len(tests) - len(failures)} passed, {len(failures)} failed")
    sys.exit(len(failures))
