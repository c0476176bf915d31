#!/usr/bin/env python3
"""A grid of `gan train` recipes run as Ray tasks, on this machine or on a Ray cluster.

The grid is architectures x losses x every `--set` field's values x seeds. Each cell is one Ray
task: `gan train` (checkpointing into the cell's folder under --shared-dir), then `gan evaluate
--json` for each metric, on whichever node runs it. A task whose worker dies (a killed process, a
lost node) is retried by Ray (--max-retries) and resumes with `gan train --resume` from the newest
checkpoint in the shared folder, so it ends with the same bits as a run that never stopped. The
rows gather into the JSON and README table format of scripts/ablation.py.

Every cell is resolved (`gan train --print-recipe --explain`) before Ray starts: an unknown
plugin, an unknown recipe field or a bad value is one `Error:` line and no task runs.

    scripts/sweep.py [--arch A,B] [--loss L,M] [--seed 1,2] [--set PATH=V1,V2 ...] [--epochs 10]
                     [--threads 1] [--data mnist] [--num-cpus N | --address HOST:PORT]
                     [--shared-dir out/sweep] [--results FILE.json] [--readme README.md]
    scripts/sweep.py --estimate models/ablation.json --nodes 1,2,4 --cpus-per-node 2
"""
import argparse
import concurrent.futures
import ctypes
import fcntl
import heapq
import hashlib
import itertools
import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time

SCRIPTS = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(SCRIPTS)
sys.path.insert(0, SCRIPTS)
import ablation  # noqa: E402  (the table code and the settings summary are shared)

# Stated limits of what flags may ask for (checked before anything is built or started).
MAXIMUM_CELLS = 10_000
MAXIMUM_EPOCHS = 1_000_000  # Limits.maximumEpochs
MAXIMUM_VALUES = 1_000
MAXIMUM_CPUS = 4_096
MAXIMUM_THREADS = 1_024
MAXIMUM_RETRIES = 100
MAXIMUM_SET_TEXT = 4_096
MAXIMUM_SAMPLES = 100_000  # gan evaluate --count (Limits.maximumSamples)
MAXIMUM_NODES = 100_000  # --estimate --nodes
MAXIMUM_ESTIMATE_BYTES = 64 * 1024 * 1024  # --estimate's results file
LOCK_NAME = ".sweep.lock"  # in --shared-dir: one sweep at a time on a folder
# Recipe fields the sweep sets with flags of its own (a --set of them would be overridden).
OWN_FIELDS = {"architecture": "--arch", "loss": "--loss", "seed": "--seed", "epochs": "--epochs",
              "threads": "--threads", "dataPath": "--data", "validationSplit": "--validation-split",
              "holdOutValidation": "(always on)"}
PAPER_SPLIT_TEXT = ("full MNIST with the paper's split (50,000 training images, train[50000:60000] held out to choose "
                    "sigma, the 10,000 test images)")


class GridError(Exception):
    """A bad flag or grid value: printed as one `Error:` line before any task starts."""


class GanKilled(Exception):
    """A `gan` child of a task ended by a signal (the OOM killer's SIGKILL, say) while its worker
    lived on: raised so that Ray retries the task (retry_exceptions), which resumes from the
    newest checkpoint."""


# ---------------------------------------------------------------------------------------------
# The grid


def split_values(text, flag):
    """'a,b' -> ['a', 'b']; commas inside [], {} or quotes do not split ('[1,2],[3]' is two)."""
    values, depth, quote, current = [], 0, None, ""
    for character in text:
        if quote:
            quote = None if character == quote else quote
        elif character in "\"'":
            quote = character
        elif character in "[{":
            depth += 1
        elif character in "]}":
            depth -= 1
        if character == "," and depth == 0 and not quote:
            values.append(current)
            current = ""
        else:
            current += character
    values.append(current)
    if depth != 0 or quote:
        raise GridError(f"{flag} {text}: unbalanced brackets or quotes")
    if any(not value.strip() for value in values):
        raise GridError(f"{flag} {text}: an empty value")
    if len(values) > MAXIMUM_VALUES:
        raise GridError(f"{flag}: {len(values)} values, more than the limit of {MAXIMUM_VALUES}")
    return [value.strip() for value in values]


def refuse_repeats(values, flag):
    """A value given twice would make two cells share one folder (and one run)."""
    seen = set()
    for value in values:
        key = json.dumps(value, sort_keys=True)
        if key in seen:
            raise GridError(f"{flag}: {key if not isinstance(value, str) else value} is given twice (each cell must be unique)")
        seen.add(key)
    return values


def parse_value(text):
    """A JSON value when it parses as one (0.1, true, [256,256], {"a":1}), else the text itself."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def parse_sets(items):
    """['generatorOptimizer.learningRate=0.1,0.01', ...] -> [(path, [0.1, 0.01]), ...]."""
    sets = []
    for item in items:
        if len(item) > MAXIMUM_SET_TEXT:
            raise GridError(f"--set: {len(item)} characters, more than the limit of {MAXIMUM_SET_TEXT}")
        path, equals, values = item.partition("=")
        if not equals or not path:
            raise GridError(f"--set {item}: expected PATH=VALUE[,VALUE...], e.g. batchSize=16,32")
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)*", path):
            raise GridError(f"--set {item}: {path!r} is not a recipe field path (names joined by dots, e.g. "
                            "generatorOptimizer.learningRate)")
        top = path.split(".")[0]
        if top in OWN_FIELDS:
            raise GridError(f"--set {item}: {top} is set by the sweep's {OWN_FIELDS[top]}, not by --set")
        if any(path == other or path.startswith(other + ".") or other.startswith(path + ".") for other, _ in sets):
            raise GridError(f"--set {item}: {path} overlaps another --set")
        sets.append((path, refuse_repeats([parse_value(value) for value in split_values(values, "--set " + path)],
                                          "--set " + path)))
    return sets


def nested(sets):
    """[('a.b', 1), ('c', 2)] -> {'a': {'b': 1}, 'c': 2}: a partial recipe."""
    recipe = {}
    for path, value in sets:
        node = recipe
        keys = path.split(".")
        for key in keys[:-1]:
            node = node.setdefault(key, {})
        node[keys[-1]] = value
    return recipe


def cell_name(arch, loss, seed, chosen):
    """A folder name, readable and unique: 'mlp--hinge--seed1', plus the --set values and a hash."""
    name = f"{arch}--{loss}--seed{seed}"
    if chosen:
        text = "--".join(f"{path}={json.dumps(value, separators=(',', ':'))}" for path, value in chosen)
        digest = hashlib.sha256(text.encode()).hexdigest()[:8]
        name += "--" + re.sub(r"[^A-Za-z0-9.=-]+", "_", text).strip("_")[:100] + "-" + digest
    return name


def grid(archs, losses, sets, seeds):
    """Every cell in table order: architecture, loss, then the --set values, then the seed."""
    count = len(archs) * len(losses) * len(seeds)
    for _, values in sets:
        count *= len(values)
    if count > MAXIMUM_CELLS:
        raise GridError(f"the grid has {count:,} cells, more than the limit of {MAXIMUM_CELLS:,}")
    paths = [path for path, _ in sets]
    cells = []
    for arch, loss in itertools.product(archs, losses):
        for values in itertools.product(*[values for _, values in sets]):
            for seed in seeds:
                chosen = list(zip(paths, values))
                cells.append({"architecture": arch, "loss": loss, "seed": seed, "set": chosen,
                              "name": cell_name(arch, loss, seed, chosen)})
    return cells


def check_plugins(gan, archs, losses):
    known_archs, known_losses = ablation.plugins(gan)
    for flag, names, known in (("--arch", archs, known_archs), ("--loss", losses, known_losses)):
        for name in names:
            if name not in known:
                raise GridError(f"{flag} {name}: no such plugin (known: {', '.join(known)}; see `gan list`)")


def gan_error(completed):
    """The `Error: ...` line of a failed gan command (else its last line)."""
    lines = (completed.stderr or completed.stdout or "").strip().splitlines()
    errors = [line for line in lines if line.startswith("Error:")]
    return (errors or lines or [f"exit status {completed.returncode}"])[-1]


def resolve(gan, cell, settings, scratch):
    """The cell's whole recipe and each field's source, from `gan train --print-recipe [--explain]`."""
    flags = ["--arch", cell["architecture"], "--loss", cell["loss"], "--seed", str(cell["seed"]),
             "--epochs", str(settings["epochs"]), "--threads", str(settings["threads"]), *settings["data"]]
    set_file = None
    if cell["set"]:
        set_file = os.path.join(scratch, cell["name"] + ".json")
        with open(set_file, "w") as handle:
            json.dump(nested(cell["set"]), handle)
        flags += ["--recipe", set_file]
    outputs = []
    for extra in ([], ["--explain"]):
        completed = subprocess.run([gan, "train", *flags, "--print-recipe", *extra], capture_output=True, text=True)
        if completed.returncode != 0:
            where = " ".join(f"--set {path}={json.dumps(value)}" for path, value in cell["set"])
            reason = gan_error(completed).removeprefix("Error: ")
            if set_file:  # the scratch file is gone by the time this is read: name what it held
                reason = reason.replace(f"recipe {set_file}", "the --set values").replace(set_file, "the --set values")
            raise GridError(f"cell {cell['architecture']} x {cell['loss']} seed {cell['seed']}{' ' + where if where else ''}: "
                            f"gan train refused it: {reason}")
        outputs.append(completed.stdout)
    recipe = json.loads(outputs[0])
    sources = {}
    for line in outputs[1].splitlines():
        match = re.match(r"(\S+) = .*\((.+)\)$", line.strip())
        if match:
            source = match.group(2)
            sources[match.group(1)] = "--set" if set_file and source == f"recipe {set_file}" else source
    return recipe, sources


def settings_text(cell, recipe, sources, several_seeds):
    """The table's settings column: the seed (when the grid has several), the --set values, then
    the plugins' reference settings as scripts/ablation.py summarises them."""
    parts = [f"seed {cell['seed']}"] if several_seeds else []
    if cell["set"]:
        parts.append(", ".join(f"{path} {json.dumps(value)}".replace("|", "\\|") for path, value in cell["set"]) + " (--set)")
    plugin_sources = {path: source for path, source in sources.items() if source != "--set"}
    summary = ablation.settings_summary(recipe, plugin_sources)
    parts.append("otherwise the global defaults" if parts and summary.startswith("global defaults") else summary)
    return "; ".join(parts)


def prepare(gan, cells, settings, log=None):
    """Resolves every cell (a few `gan` processes at a time, with progress on a large grid),
    refusing a bad one, in grid order, before anything starts. Cells that differ only in the
    seed are resolved once: the seed is a flag, the rest of their recipes is the same. (A seed
    above 2^53 is resolved on its own: gan reads the recipe's numbers as doubles and may round it.)"""
    several_seeds = len({cell["seed"] for cell in cells}) > 1

    def key(cell):
        return (cell["architecture"], cell["loss"], json.dumps(cell["set"]), cell["seed"] if cell["seed"] > 2 ** 53 else None)
    firsts = {}
    for cell in cells:
        firsts.setdefault(key(cell), cell)
    with tempfile.TemporaryDirectory(prefix="sweep-") as scratch:
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, min(8, os.cpu_count() or 1))) as pool:
            resolved = dict(zip(firsts, pool.map(lambda cell: resolve(gan, cell, settings, scratch), firsts.values())))
            for count, cell in enumerate(cells, 1):
                recipe, sources = resolved[key(cell)]
                cell["recipe"] = recipe if cell is firsts[key(cell)] else dict(recipe, seed=cell["seed"])
                cell["settings"] = settings_text(cell, cell["recipe"], sources, several_seeds)
                cell["sources"] = {path: source for path, source in sources.items() if source not in ("default", "flag")}
                if log and len(firsts) >= 200 and (count % 500 == 0 or count == len(cells)):
                    log(f"resolved {count:,} of {len(cells):,} cells")
    seen = {}
    for cell in cells:  # values that differ only in spelling (16 and 16.0) are one cell
        key = json.dumps(cell["recipe"], sort_keys=True)
        if key in seen:
            raise GridError(f"cells {seen[key]} and {cell['name']} resolve to the same recipe (a value given twice); "
                            "each cell must be unique")
        seen[key] = cell["name"]


def trained_recipe(gan, weights):
    """The recipe stored inside a weights file (`gan inspect --json`: gan.training), or None."""
    completed = subprocess.run([gan, "inspect", weights, "--json"], capture_output=True, text=True)
    try:
        return json.loads(completed.stdout)[0]["gan"]["training"] if completed.returncode == 0 else None
    except (ValueError, LookupError, TypeError):
        return None


def differing(stored, recipe):
    return ", ".join(sorted(key for key in set(stored) | set(recipe) if stored.get(key) != recipe.get(key))) or "its whole form"


def lock_shared_dir(shared_dir):
    """One sweep at a time on a shared folder: an flock on SHARED_DIR/.sweep.lock, held until this
    process ends (a second sweep is refused at once; a killed driver's lock goes with it)."""
    os.makedirs(shared_dir, exist_ok=True)
    path = os.path.join(shared_dir, LOCK_NAME)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(descriptor)
        raise GridError(f"--shared-dir {shared_dir}: another sweep is running on this folder (it holds {path}); "
                        "wait for it or use another --shared-dir")
    return descriptor


def check_folders(gan, cells, shared_dir):
    """A cell folder left in the shared dir by an earlier sweep is reused (its checkpoints resume,
    its weights are kept) only when it holds the same recipe: recipe.json, and the recipe stored
    inside its weights.h5. A symlink among them is refused (nothing is written through one)."""
    for cell in cells:
        folder = os.path.join(shared_dir, cell["name"])
        where = f"--shared-dir {shared_dir}: {cell['name']}"
        if not os.path.lexists(folder):
            continue
        if os.path.islink(folder) or not os.path.isdir(folder):
            raise GridError(f"{where} is a symlink or not a folder; remove it")
        for name in ("recipe.json", "weights.h5", "checkpoints", "attempts.jsonl", "parzen.json", "frechet.json"):
            if os.path.islink(os.path.join(folder, name)):
                raise GridError(f"{where}/{name} is a symlink; remove it")
        existing = os.path.join(folder, "recipe.json")
        if os.path.exists(existing):
            try:
                with open(existing) as handle:
                    stored = json.load(handle)
            except (OSError, ValueError) as error:
                raise GridError(f"--shared-dir {shared_dir}: {existing} cannot be read ({error}); remove the folder")
            if not isinstance(stored, dict) or stored != cell["recipe"]:
                fields = differing(stored, cell["recipe"]) if isinstance(stored, dict) else "its whole form"
                raise GridError(f"{where} holds a run of another recipe "
                                f"(differs in {fields}); use another --shared-dir or remove that folder")
        weights = os.path.join(folder, "weights.h5")
        if os.path.exists(weights):
            stored = trained_recipe(gan, weights)
            if stored != cell["recipe"]:
                fields = differing(stored, cell["recipe"]) if isinstance(stored, dict) else "unreadable"
                raise GridError(f"{where}/weights.h5 was not trained with this cell's recipe (its stored recipe "
                                f"{'differs in ' + fields if stored is not None else 'cannot be read'}); remove that file")


def create_folders(cells, shared_dir):
    """Each cell's folder in the shared dir, with its whole recipe (what its task trains)."""
    for cell in cells:
        folder = os.path.join(shared_dir, cell["name"])
        try:
            os.mkdir(folder)
        except FileExistsError:
            pass
        if os.path.islink(folder) or not os.path.isdir(folder):
            raise GridError(f"--shared-dir {shared_dir}: {cell['name']} is a symlink or not a folder; remove it")
        cell["folder"] = os.path.abspath(folder)
        write_json(os.path.join(folder, "recipe.json"), cell["recipe"])


def check_output(path, flag):
    """An output file: a folder, device or FIFO where it should be is refused before any work
    (its missing folders are created when it is written)."""
    if os.path.lexists(path) and not os.path.isfile(path):
        raise GridError(f"{flag} {path}: exists and is not a regular file")
    parent = os.path.dirname(os.path.abspath(path))
    while not os.path.exists(parent):
        parent = os.path.dirname(parent)
    if not os.path.isdir(parent):
        raise GridError(f"{flag} {path}: {parent} is not a folder")


def write_json(path, value):
    """Atomically: a temporary file in the same folder, then a rename."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    write_text(path, json.dumps(value, indent=2, sort_keys=True) + "\n")


def create_new(path, flags=os.O_WRONLY):
    """A new file, created exclusively and never through a symlink (a planted link is an error)."""
    return os.open(path, flags | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)


def write_text(path, text):
    """Atomically: a new temporary file in the same folder (exclusive, no symlink followed), then
    a rename over the path (which replaces a symlink there rather than writing through it)."""
    temporary = f"{path}.tmp-{os.getpid()}-{time.monotonic_ns()}"
    with os.fdopen(create_new(temporary), "w") as handle:
        try:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        except BaseException:
            os.unlink(temporary)
            raise
    os.replace(temporary, path)


# ---------------------------------------------------------------------------------------------
# One cell, on whatever node Ray runs it


def newest_checkpoint(folder):
    names = sorted(name for name in os.listdir(folder) if re.fullmatch(r"step-\d{9}\.h5", name)) if os.path.isdir(folder) else []
    return os.path.join(folder, names[-1]) if names else None


def die_with_parent():
    """Runs in the child before exec: on Linux the kernel kills gan when the worker that started
    it dies, so a retried task never finds a stray run holding the cell's checkpoint lock. (Ray's
    raylet also kills a dead worker's children by default; this does not depend on that setting.)"""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_DEATHSIG


def run_logged(command, log):
    """Runs a gan command into a new log file (an old one, or a symlink planted there, is removed,
    never written through). A gan ended by a signal raises GanKilled: Ray runs the task again."""
    if os.path.lexists(log):
        os.unlink(log)
    with os.fdopen(create_new(log), "w") as handle:
        status = subprocess.run(command, stdout=handle, stderr=subprocess.STDOUT, preexec_fn=die_with_parent).returncode
    if status < 0:
        name = signal.Signals(-status).name if -status in signal.Signals._value2member_map_ else str(-status)
        raise GanKilled(f"{os.path.basename(command[0])} {command[1]} was killed by {name} (see {log}); Ray retries the task")
    return status


def record_attempt(folder):
    """Appends this attempt (its number, worker PID, node, the checkpoint it resumes from) to the
    cell's attempts.jsonl, which the tests read to find the worker to kill."""
    path = os.path.join(folder, "attempts.jsonl")
    previous = sum(1 for line in open(path) if line.strip()) if os.path.exists(path) else 0
    weights = os.path.join(folder, "weights.h5")
    attempt = {"attempt": previous + 1, "pid": os.getpid(), "node": socket.gethostname(), "started": time.time(),
               "resumeFrom": None if os.path.exists(weights) else newest_checkpoint(os.path.join(folder, "checkpoints"))}
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    with os.fdopen(descriptor, "a") as handle:
        handle.write(json.dumps(attempt) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    return attempt


def run_cell(cell, job):
    """`gan train` (resuming from the cell's newest checkpoint when an earlier attempt left one),
    then `gan evaluate --json` per metric; returns the cell's row of the table."""
    folder, gan = cell["folder"], job["gan"]
    if os.path.islink(folder) or not os.path.isdir(folder):
        raise RuntimeError(f"{folder}: the cell folder is a symlink or not a folder; nothing is written through it")
    attempt = record_attempt(folder)
    weights, checkpoints = os.path.join(folder, "weights.h5"), os.path.join(folder, "checkpoints")
    if os.path.islink(checkpoints) or os.path.islink(weights):
        raise RuntimeError(f"{folder}: its checkpoints or weights.h5 is a symlink; nothing is written through it")
    if os.path.exists(weights) and trained_recipe(gan, weights) != cell["recipe"]:
        raise RuntimeError(f"{weights}: not trained with this cell's recipe (its stored recipe differs); remove it")
    row = {"architecture": cell["architecture"], "loss": cell["loss"], "epochs": job["epochs"], "seed": cell["seed"],
           "threads": job["threads"], "settings": cell["settings"], "sources": cell["sources"],
           "set": {path: value for path, value in cell["set"]}, "steps": None, "node": attempt["node"],
           "machine": ablation.machine(), "attempts": attempt["attempt"], "folder": cell["name"]}
    resumed = [record["resumeFrom"] for record in map(json.loads, open(os.path.join(folder, "attempts.jsonl")))
               if record.get("resumeFrom")]
    if resumed:
        row["resumedFrom"] = [os.path.basename(path) for path in resumed]
    log = os.path.join(folder, f"train-{attempt['attempt']}.log")
    start = time.monotonic()
    if not os.path.exists(weights):  # the final file is written atomically once training has finished
        # --epochs also ends a run whose last checkpoint is its last step (killed before the final write).
        command = [gan, "train", "--recipe", os.path.join(folder, "recipe.json"), "--epochs", str(job["epochs"]),
                   "--out", weights, "--checkpoint-dir", checkpoints, "--checkpoint-every", job["checkpointEvery"]]
        if attempt["resumeFrom"]:
            command += ["--resume", attempt["resumeFrom"]]
        for metric in ("parzen", "frechet"):  # scores found before the weights exist are of no weights of this cell
            if os.path.lexists(os.path.join(folder, f"{metric}.json")):
                os.unlink(os.path.join(folder, f"{metric}.json"))
        status = run_logged(command, log)
        row["wallSeconds"] = round(time.monotonic() - start, 2)
        text = open(log).read()
        if status != 0:
            row["failed"] = (text.strip().splitlines() or [f"exit status {status}"])[-1]
            return row
    logs = sorted((name for name in os.listdir(folder) if re.fullmatch(r"train-\d+\.log", name)),
                  key=lambda name: int(name[6:-4]))
    text = open(os.path.join(folder, logs[-1])).read() if logs else ""
    trained, per_epoch = re.search(r"after \d+ epochs in ([0-9.]+) s", text), re.search(r", (\d+) steps per epoch", text)
    row["trainSeconds"] = float(trained.group(1)) if trained else None
    row["steps"] = int(per_epoch.group(1)) * job["epochs"] if per_epoch else None
    row.setdefault("wallSeconds", None)
    for metric in job["metrics"]:
        result = os.path.join(folder, f"{metric}.json")
        if not os.path.exists(result):
            command = [gan, "evaluate", "--weights", weights, "--metric", metric, "--threads", str(job["threads"]),
                       "--json", result] + (["--count", str(job["evalCount"])] if job["evalCount"] else [])
            evaluation_log = os.path.join(folder, f"{metric}.log")
            if run_logged(command, evaluation_log) != 0:
                last = (open(evaluation_log).read().strip().splitlines() or ["no output"])[-1]
                raise RuntimeError(f"{cell['name']}: gan evaluate --metric {metric} failed: {last} (see {evaluation_log})")
        row[metric] = json.load(open(result))
        row[metric]["weights"] = os.path.join(cell["name"], "weights.h5")
    return row


# ---------------------------------------------------------------------------------------------
# The driver


def reachable(address, seconds=10):
    """Refuses a HOST:PORT where nothing listens at once: ray.init would retry it for minutes."""
    host, colon, port = address.rpartition(":")
    if address == "auto" or "://" in address or not colon or not port.isdigit():
        return
    try:
        connection = socket.create_connection((host.strip("[]"), int(port)), timeout=seconds)
    except OSError as error:
        raise GridError(f"--address {address}: nothing answers there ({error.strerror or error}); "
                        "start the head with `ray start --head`")
    if os.environ.get("RAY_USE_TLS", "0").lower() in ("1", "true"):
        connection.close()
        return
    # Ray's head (GCS) speaks gRPC, that is HTTP/2: to a client's preface and empty SETTINGS frame
    # it answers with a SETTINGS frame (type 4). Any other listener would leave ray.init waiting.
    try:
        with connection:
            connection.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + bytes([0, 0, 0, 4, 0, 0, 0, 0, 0]))
            answer = b""
            while len(answer) < 9:
                chunk = connection.recv(9 - len(answer))
                if not chunk:
                    break
                answer += chunk
    except OSError:
        answer = b""
    if len(answer) < 9 or answer[3] != 4:
        raise GridError(f"--address {address}: something listens there but it is not a Ray head (no gRPC answer "
                        f"within {seconds} s); give the head's GCS port (`ray start --head --port 6379`)")


def connect(address=None, num_cpus=None):
    """ray.init: a local instance with num_cpus CPUs, or the cluster at address. Reuses a Ray
    this process already started (the tests start one for all their cases)."""
    if address:
        # Clusters that `ray start` makes check a token: the head's ~/.ray/auth_token, copied to
        # each node and to this machine, or $RAY_AUTH_TOKEN. Ray reads the mode when imported.
        token = os.environ.get("RAY_AUTH_TOKEN_PATH", os.path.expanduser("~/.ray/auth_token"))
        if "RAY_AUTH_TOKEN" in os.environ or os.path.exists(token):
            os.environ.setdefault("RAY_AUTH_MODE", "token")
    import ray
    if not ray.is_initialized():
        if address:
            reachable(address)
            try:
                ray.init(address=address, logging_level="WARNING")
            except (ConnectionError, RuntimeError, ValueError) as error:
                raise GridError(f"--address {address}: no Ray cluster could be joined there "
                                f"({str(error).strip().splitlines()[-1]})")
        else:
            # The tasks pass only small rows: a small object store (Ray's least is 75 MiB).
            # address "local": a new instance even where `ray start` left a cluster running.
            ray.init(address="local", num_cpus=num_cpus, include_dashboard=False, logging_level="WARNING",
                     object_store_memory=100 * 1024 * 1024)
    # Workers import nothing from this checkout: the task's code travels by value.
    if __name__ != "__main__":
        ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])
    ray.cloudpickle.register_pickle_by_value(ablation)
    return ray


def sweep(cells, job, retries, log=print, costs=None):
    """Runs every prepared cell as a Ray task (num_cpus = threads, max_retries = retries) and
    returns the rows in grid order and the sweep's wall time. With costs (seconds by
    (architecture, loss), from an earlier results file) the costliest cells are submitted first."""
    import ray
    task = ray.remote(run_cell).options(num_cpus=job["threads"], max_retries=retries, retry_exceptions=[GanKilled])
    order = list(range(len(cells)))
    if costs:
        order.sort(key=lambda i: -costs.get((cells[i]["architecture"], cells[i]["loss"]), 0))
    start = time.monotonic()
    pending = {task.remote(cells[index], job): index for index in order}
    rows, errors = [None] * len(cells), []
    while pending:
        done, _ = ray.wait(list(pending), num_returns=1)
        index = pending.pop(done[0])
        try:
            row = rows[index] = ray.get(done[0])
        except (ray.exceptions.RayTaskError, ray.exceptions.RayError) as error:
            errors.append(f"{cells[index]['name']}: {str(error).strip().splitlines()[-1]}")
            continue
        retried = f", attempt {row['attempts']}, resumed from {row['resumedFrom'][-1]}" if row.get("resumedFrom") else ""
        if "failed" in row:
            log(f"{cells[index]['name']}: training failed: {row['failed']}{retried}")
        else:
            log(f"{cells[index]['name']}: " + ", ".join(score_text(row, metric) for metric in job["metrics"])
                + f", {row['trainSeconds']} s on {row['node']}{retried}")
    if errors:
        raise GridError("; ".join(errors))
    return rows, round(time.monotonic() - start, 2)


def score_text(row, metric):
    result = row[metric]
    return (f"parzen {result['mean']:.1f} +/- {result['standardError']:.1f}" if metric == "parzen"
            else f"frechet {result['distance']:.1f}")


def data_flags(data, split):
    return ["--data", data, "--validation-split", split, "--hold-out-validation"]


def data_text(data, split):
    if data == "mnist" and split == "last-rows":
        return PAPER_SPLIT_TEXT
    return f"`{data}` (validation split {split}, held out to choose sigma)"


def results_of(rows, cells, job, command, cluster, wall, runs):
    sets = sorted({path for cell in cells for path, _ in cell["set"]})
    settings = ("each cell's resolved reference settings (`--arch A --loss L` and nothing else: "
                "flag > recipe > loss plugin > architecture plugin > default)")
    if sets:
        settings = settings.replace("and nothing else", "and the --set fields " + ", ".join(sets))
    machines = sorted({row["machine"] for row in rows})
    return {"command": command, "data": job["dataText"], "settings": settings + ", seed " +
            ", ".join(str(seed) for seed in sorted({cell["seed"] for cell in cells})),
            "machine": machines[0] if len(machines) == 1 else "; ".join(machines),
            "nodes": sorted({row["node"] for row in rows}), "ray": cluster, "runsAtATime": runs,
            "wallSeconds": wall, "rows": rows}


def check_checkpoint_every(text):
    """What `gan train --checkpoint-every` accepts: N, Nepoch(s) or Nstep(s), N from 1 to 2^63 - 1."""
    match = re.fullmatch(r"(\d{1,19})(epochs?|steps?)?", text)
    if not match or not 1 <= int(match.group(1)) < 2 ** 63:
        raise GridError(f"--checkpoint-every {text}: expected N (epochs) or Nsteps, N from 1 to {2 ** 63 - 1}")


def check_data(gan, data):
    """--data: a dataset name of `gan data list` or an existing folder (checked here, on the
    driver: the same path must hold it on every node)."""
    if os.path.isdir(data):
        return
    listed = subprocess.run([gan, "data", "list"], capture_output=True, text=True)
    names = [line.split()[0] for line in listed.stdout.splitlines() if line[:1].strip() and line.split()]
    if data not in names:
        raise GridError(f"--data {data}: neither a dataset of `gan data list` ({', '.join(names) or 'none'}) "
                        "nor an existing folder")


def check_shared_dir(shared_dir):
    if os.path.lexists(shared_dir) and not os.path.isdir(shared_dir):
        raise GridError(f"--shared-dir {shared_dir}: exists and is not a folder")


def check_default_results(path, cells):
    """The default results file (SHARED_DIR/results.json) is not overwritten by a smaller grid's
    rows: that would lose the other cells' rows. Name another --results for a part of the grid."""
    if not os.path.isfile(path):
        return
    try:
        with open(path) as handle:
            folders = {row.get("folder") for row in json.load(handle).get("rows", [])}
    except (OSError, ValueError, AttributeError):
        raise GridError(f"--results {path}: exists and is not a results file; remove it or name another --results")
    missing = sorted(str(folder) for folder in folders - {cell["name"] for cell in cells})
    if missing:
        raise GridError(f"--results {path}: holds rows of {len(missing)} cell(s) not in this grid ({missing[0]}, ...); "
                        "name another --results to keep them")


def run(args, command):
    """The whole sweep: check, prepare, connect, run, write. Returns the results."""
    gan = os.path.abspath(args.gan)
    if not os.access(gan, os.X_OK):
        raise GridError(f"--gan {args.gan}: not an executable (run `swift build -c release` first)")
    for flag, value, limit in (("--epochs", args.epochs, MAXIMUM_EPOCHS), ("--threads", args.threads, MAXIMUM_THREADS),
                               ("--num-cpus", args.num_cpus, MAXIMUM_CPUS),
                               ("--max-retries", args.max_retries, MAXIMUM_RETRIES)):
        low = 0 if flag == "--max-retries" else 1
        if value is not None and not low <= value <= limit:
            raise GridError(f"{flag} {value}: must lie in {low}...{limit}")
    if args.address and args.num_cpus:
        raise GridError("--num-cpus sizes a local Ray instance; a cluster (--address) brings its own CPUs")
    if not args.address:
        local = args.num_cpus or os.cpu_count() or 1
        if args.threads > local:
            raise GridError(f"--threads {args.threads}: more than the {local} CPUs of the local Ray instance "
                            f"({'--num-cpus' if args.num_cpus else 'the cores of this machine'}): no task could start")
    check_checkpoint_every(args.checkpoint_every)
    check_data(gan, args.data)
    archs = refuse_repeats(split_values(args.arch, "--arch"), "--arch") if args.arch else None
    losses = refuse_repeats(split_values(args.loss, "--loss"), "--loss") if args.loss else None
    if archs is None or losses is None:
        known_archs, known_losses = ablation.plugins(gan)
        archs, losses = archs or known_archs, losses or known_losses
    check_plugins(gan, archs, losses)
    seeds = []
    for text in split_values(args.seed, "--seed"):
        if not re.fullmatch(r"\d{1,19}", text) or int(text) >= 2 ** 64:
            raise GridError(f"--seed {text}: not an unsigned 64-bit integer")
        seeds.append(int(text))
    refuse_repeats(seeds, "--seed")
    metrics = split_values(args.metrics, "--metrics")
    for metric in metrics:
        if metric not in ("parzen", "frechet"):
            raise GridError(f"--metrics {metric}: not a metric (parzen, frechet)")
    sets = parse_sets(args.set)
    cells = grid(archs, losses, sets, seeds)
    if args.eval_count is not None and not 1 <= args.eval_count <= MAXIMUM_SAMPLES:
        raise GridError(f"--eval-count {args.eval_count}: must lie in 1...{MAXIMUM_SAMPLES}")
    check_output(args.results, "--results")
    if args.readme:
        ablation.check_readme(args.readme)
    job = {"gan": gan, "epochs": args.epochs, "threads": args.threads, "checkpointEvery": args.checkpoint_every,
           "metrics": metrics, "evalCount": args.eval_count, "data": data_flags(args.data, args.validation_split),
           "dataText": data_text(args.data, args.validation_split)}
    costs = None
    if args.costs:
        try:
            costs = {(arch, loss): seconds for arch, loss, seconds, _ in cell_costs(json.load(open(args.costs)))}
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise GridError(f"--costs {args.costs}: not a results file of this script or scripts/ablation.py ({error})")
    if args.address:
        reachable(args.address)  # before the (long) resolution of a large grid
    log = lambda line: print(line, file=sys.stderr)  # noqa: E731
    prepare(gan, cells, job, log=log)
    check_shared_dir(args.shared_dir)
    lock = lock_shared_dir(args.shared_dir)  # noqa: F841 (held while this process runs)
    check_folders(gan, cells, args.shared_dir)
    if getattr(args, "default_results", False):
        check_default_results(args.results, cells)
    ray = connect(args.address, args.num_cpus)
    if args.address:
        largest = max((node.get("Resources", {}).get("CPU", 0) for node in ray.nodes() if node.get("Alive")), default=0)
        if args.threads > largest:
            raise GridError(f"--threads {args.threads}: no node of the cluster at {args.address} has that many CPUs "
                            f"(the largest has {largest:g}): no task could start")
    create_folders(cells, args.shared_dir)
    resources = ray.cluster_resources()
    cpus = int(resources.get("CPU", 0))
    nodes = len([node for node in ray.nodes() if node.get("Alive")])
    cluster = f"{nodes} node{'s' if nodes != 1 else ''}, {cpus} CPUs" + (f" at {args.address}" if args.address else " (local)")
    print(f"{len(cells)} cells on Ray ({cluster}), {args.threads} thread(s) each; shared dir {args.shared_dir}", file=sys.stderr)
    rows, wall = sweep(cells, job, args.max_retries, log=log, costs=costs)
    results = results_of(rows, cells, job, command, cluster, wall, max(1, cpus // args.threads))
    every = not args.arch and not args.loss and not sets
    varied = [f"{len(values)} values of {path}" for path, values in sets if len(values) > 1]
    results["grid"] = ("Every architecture x loss" if every else
                       " x ".join([f"{len(archs)} architecture(s)", f"{len(losses)} loss(es)"] + varied))
    write_json(args.results, results)
    if args.readme:
        inside = os.path.abspath(args.results).startswith(ROOT + os.sep)
        raw = os.path.relpath(args.results, ROOT) if inside else os.path.abspath(args.results)
        ablation.write_readme(ablation.render(results, raw=raw), args.readme)
    print(f"{len(rows)} cells in {wall:.1f} s; results: {args.results}" + (f", table: {args.readme}" if args.readme else ""),
          file=sys.stderr)
    return results


# ---------------------------------------------------------------------------------------------
# The full ablation's expected time on N nodes


def cell_costs(results):
    """Each row's measured cost in seconds: training wall time plus its evaluations."""
    costs = []
    for row in results["rows"]:
        seconds = row.get("wallSeconds") or row.get("trainSeconds") or 0
        seconds += sum(row[metric].get("seconds", 0) for metric in ("parzen", "frechet") if metric in row)
        costs.append((row["architecture"], row["loss"], seconds, row.get("threads", 1)))
    return costs


def makespan(costs, slots):
    """Ray starts queued tasks in submission order on the first free slot: list scheduling (more
    slots than cells change nothing)."""
    free = [0.0] * max(1, min(slots, len(costs)))
    for _, _, seconds, _ in costs:
        heapq.heapreplace(free, free[0] + seconds)
    return max(free)


def estimate(path, nodes, cpus_per_node):
    """A markdown table: the expected wall time of these results' cells on N nodes, in grid order
    and costliest first (--costs), with the lower bound max(longest cell, work / slots)."""
    if not 1 <= cpus_per_node <= MAXIMUM_CPUS:
        raise GridError(f"--cpus-per-node {cpus_per_node}: must lie in 1...{MAXIMUM_CPUS}")
    try:
        if not os.path.isfile(path):
            raise GridError(f"--estimate {path}: not a file")
        if os.path.getsize(path) > MAXIMUM_ESTIMATE_BYTES:
            raise GridError(f"--estimate {path}: larger than the limit of {MAXIMUM_ESTIMATE_BYTES:,} bytes")
        with open(path) as handle:
            costs = cell_costs(json.load(handle))
        if not costs:
            raise GridError(f"--estimate {path}: holds no rows")
        if not all(isinstance(cost, (int, float)) and 0 <= cost < float("inf") and isinstance(threads, int) and threads >= 1
                   for _, _, cost, threads in costs):
            raise ValueError("a row's seconds or threads is not a non-negative number")
    except (OSError, UnicodeDecodeError) as error:
        raise GridError(f"--estimate {path}: cannot be read ({error.strerror or error})")
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise GridError(f"--estimate {path}: not a results file of this script or scripts/ablation.py ({error})")
    threads = max(threads for _, _, _, threads in costs)
    if cpus_per_node < threads:
        raise GridError(f"--cpus-per-node {cpus_per_node}: fewer than the {threads} threads of a cell")
    seconds = [cost for _, _, cost, _ in costs]
    total, longest = sum(seconds), max(seconds)
    ordered = sorted(costs, key=lambda cost: -cost[2])
    lines = [f"{len(costs)} cells from {path}: {total:,.0f} s of work in all, the longest cell {longest:,.0f} s "
             f"({threads} thread(s) per cell, {cpus_per_node // threads} cells at a time per node)", "",
             "| nodes | cells at a time | grid order | costliest first (`--costs`) | lower bound |", "|---|---|---|---|---|"]
    for count in nodes:
        slots = count * (cpus_per_node // threads)
        lines.append(f"| {count} | {slots} | {makespan(costs, slots) / 60:.1f} min | {makespan(ordered, slots) / 60:.1f} min "
                     f"| {max(longest, total / slots) / 60:.1f} min |")
    return "\n".join(lines)


def positive_list(text, flag):
    values = []
    for item in split_values(text, flag):
        if not re.fullmatch(r"\d{1,6}", item) or not 1 <= int(item) <= MAXIMUM_NODES:
            raise GridError(f"{flag} {item}: not a count from 1 to {MAXIMUM_NODES:,}")
        values.append(int(item))
    return values


def parser():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    grid_flags = parser.add_argument_group("the grid")
    grid_flags.add_argument("--arch", help="architecture plugins, comma-separated (default: all, `gan list`)")
    grid_flags.add_argument("--loss", help="loss plugins, comma-separated (default: all)")
    grid_flags.add_argument("--seed", default="1", help="seeds, comma-separated (default: 1)")
    grid_flags.add_argument("--set", action="append", default=[], metavar="PATH=V1,V2",
                            help="a recipe field and its values, e.g. generatorOptimizer.learningRate=0.1,0.01 or "
                                 "architectureConfiguration.generatorHiddenSizes=[256],[512,512]; repeatable")
    grid_flags.add_argument("--epochs", type=int, default=10, help="epochs of every cell (default: 10, as the ablation)")
    grid_flags.add_argument("--threads", type=int, default=1, help="BLAS threads of each cell (and the CPUs its task asks Ray for)")
    grid_flags.add_argument("--data", default="mnist", help="dataset name or IDX folder, the same on every node")
    grid_flags.add_argument("--validation-split", default="last-rows", choices=["last-rows", "per-label"],
                            help="the held-out images (always held out): last-rows for MNIST, per-label for the subset")
    grid_flags.add_argument("--metrics", default="parzen,frechet", help="gan evaluate metrics, comma-separated")
    grid_flags.add_argument("--eval-count", type=int, help="samples per evaluation (default: gan evaluate's 10,000)")
    ray_flags = parser.add_argument_group("Ray")
    ray_flags.add_argument("--num-cpus", type=int, help="CPUs of a local Ray instance (default: all)")
    ray_flags.add_argument("--address", help="a running Ray cluster (HOST:PORT, or auto) instead of a local instance")
    ray_flags.add_argument("--max-retries", type=int, default=3, help="retries of a task whose worker or node died")
    ray_flags.add_argument("--shared-dir", default=os.path.join(ROOT, "out", "sweep"),
                           help="a folder every node sees at this path: each cell's recipe, checkpoints, logs, weights")
    ray_flags.add_argument("--costs", metavar="RESULTS.json",
                           help="submit the costliest cells first, by the times an earlier results file records")
    ray_flags.add_argument("--checkpoint-every", default="1", help="gan train --checkpoint-every: N epochs or Nsteps")
    ray_flags.add_argument("--gan", default=os.path.join(ROOT, ".build", "release", "gan"),
                           help="the gan binary, at this path on every node")
    output = parser.add_argument_group("output")
    output.add_argument("--results", help="the rows as JSON, in models/ablation.json's format (default: SHARED_DIR/results.json)")
    output.add_argument("--readme", help="also render the table between the ablation markers of this README")
    output.add_argument("--estimate", metavar="RESULTS.json", help="only print the expected wall time of these results' cells")
    output.add_argument("--nodes", default="1,2,4,6", help="with --estimate: node counts")
    output.add_argument("--cpus-per-node", type=int, default=2, help="with --estimate: CPUs of each node")
    return parser


def main(argv=None, command=None):
    args = parser().parse_args(argv)
    try:
        if args.estimate:
            print(estimate(args.estimate, positive_list(args.nodes, "--nodes"), args.cpus_per_node))
            return
        args.default_results = not args.results
        args.results = args.results or os.path.join(args.shared_dir, "results.json")
        run(args, command or "scripts/sweep.py " + shlex.join(sys.argv[1:] if argv is None else argv))
    except GridError as error:
        raise SystemExit(f"Error: {error}")
    except OSError as error:
        raise SystemExit(f"Error: {error.filename + ': ' if error.filename else ''}{error.strerror or error}")
    except KeyboardInterrupt:
        print("\nInterrupted; the same command resumes the sweep (finished cells are kept)", file=sys.stderr)
        raise SystemExit(130)


if __name__ == "__main__":
    main()
