"""Reads a `gan train --tensorboard` folder with the tensorboard package and checks it against the
run's metrics log: every scalar tag, step and value (as float32) and the per-epoch sample images.

usage: check_tensorboard.py METRICS_LOG TENSORBOARD_DIR IMAGE_SIZE
Prints one line per check; exits non-zero on the first mismatch.
"""
import glob
import json
import os
import struct
import sys

import numpy as np
from tensorboard.backend.event_processing import event_accumulator
from tensorboard.compat.proto import event_pb2
from tensorboard.compat.tensorflow_stub import errors
from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import PyRecordReader_New

# The TensorBoard tag of each metrics log column (README, "TensorBoard").
TAGS = {
    "loss/discriminator": "discriminator_loss",
    "loss/generator": "generator_loss",
    "score/real": "real_score",
    "score/fake": "fake_score",
    "learning_rate/generator": "generator_learning_rate",
    "learning_rate/discriminator": "discriminator_learning_rate",
    "momentum/generator": "generator_momentum",
    "momentum/discriminator": "discriminator_momentum",
    "speed/samples_per_second": "samples_per_second",
}


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


def raw_events(path):
    """Every record of one file, with the reader's CRC checks (a bad CRC raises DataLossError)."""
    reader = PyRecordReader_New(path)
    events = []
    while True:
        try:
            reader.GetNext()
        except errors.OutOfRangeError:
            return events
        event = event_pb2.Event()
        event.ParseFromString(reader.record())
        events.append(event)


def main():
    log_path, folder, image_size = sys.argv[1], sys.argv[2], int(sys.argv[3])
    rows = [json.loads(line) for line in open(log_path)]
    files = sorted(glob.glob(os.path.join(folder, "events.out.tfevents.*")))
    if not files:
        fail("no event files in " + folder)
    for path in files:
        events = raw_events(path)
        if not events or events[0].file_version != "brain.Event:2":
            fail(path + ": the first event is not file_version brain.Event:2")
    print("files: %d, each starting with brain.Event:2, every CRC valid" % len(files))

    accumulator = event_accumulator.EventAccumulator(
        folder, size_guidance={event_accumulator.SCALARS: 0, event_accumulator.IMAGES: 0})
    accumulator.Reload()
    tags = accumulator.Tags()
    if sorted(tags["scalars"]) != sorted(TAGS):
        fail("scalar tags %s, expected %s" % (sorted(tags["scalars"]), sorted(TAGS)))
    for tag, column in TAGS.items():
        seen = [(event.step, event.value) for event in accumulator.Scalars(tag)]
        wanted = [(row["step"], float(np.float32(row[column]))) for row in rows]
        if seen != wanted:
            fail("%s: %s ... differs from the log's %s ..." % (tag, seen[:4], wanted[:4]))
    print("scalars: %d tags x %d steps equal the metrics log" % (len(TAGS), len(rows)))

    images = accumulator.Images("samples")
    ends = [row["step"] for row in rows if row["epoch_end"]]
    if [image.step for image in images] != ends:
        fail("sample images at steps %s, epochs ended at %s" % ([i.step for i in images], ends))
    for image in images:
        png = image.encoded_image_string
        if png[:8] != b"\x89PNG\r\n\x1a\n":
            fail("image at step %d is not a PNG" % image.step)
        width, height = struct.unpack(">II", png[16:24])
        if (image.width, image.height) != (width, height) or (width, height) != (image_size, image_size):
            fail("image at step %d: summary %dx%d, PNG %dx%d, expected %d" % (
                image.step, image.width, image.height, width, height, image_size))
    print("images: %d sample grids of %dx%d at the epochs' last steps" % (len(images), image_size, image_size))


main()
