"""The setup's words and parsing: what each head and mode means, which field a problem is
about, a device's label, and the Seeds field ("3", "0, 7, 42")."""

from __future__ import annotations

import re

from PySide6.QtWidgets import (
    QComboBox,
)

from study.config import MAX_SEEDS, StudyConfig
from study.protocol.backends import DeviceInfo
from study.protocol.status import ISOLATED_ROUND_BATCHES, ISOLATED_TIMING_ROUNDS

HEAD_TEXT = {
    "softmax": "Correct head: logits, softmax over the 10 classes, cross-entropy from logits",
    "report": "The report's flawed head: ReLU after linear1, then softmax over the batch axis "
              "(reproduces its numbers for comparison)",
}
MODE_TEXT = {
    "sequential": "Train the networks one after another; each network's time per epoch is "
                  "measured",
    "all-at-once": "Train the selected networks as branches of one Keras model, in one fit: the "
                   "same batches and the same results as sequential, much faster on JAX and "
                   "TensorFlow. The networks share every step, so their times per epoch are "
                   "isolated-timing estimates (each network timed alone, in "
                   f"{ISOLATED_TIMING_ROUNDS} rounds of {ISOLATED_ROUND_BATCHES} batches, after "
                   "the first epoch); the shared wall time is shown beside them",
}
_FIELD_RE = re.compile(r"^([a-z_]+)")


def problem_field(message: str) -> str:
    """The StudyConfig field a problem message is about (its first word)."""
    match = _FIELD_RE.match(message)
    return match.group(1) if match else ""


# What the setup panel calls each field: a message shown to the user names the label, not the
# StudyConfig field ("Batch size must…", not "batch_size must…").
FIELD_LABELS = {"networks": "Networks", "epochs": "Epochs", "batch_size": "Batch size",
                "learning_rate": "Learning rate", "seed": "Seed", "seeds": "Seeds",
                "head": "Head", "mode": "Mode", "backend": "Backend", "device": "Device",
                "data_dir": "Dataset", "train_limit": "Train images",
                "test_limit": "Test images", "studies_root": "Save in", "kernels": "Kernels",
                "kernel_bank": "Kernel bank", "timing_rounds": "Timing rounds"}


def field_message(message: str) -> str:
    """A problem message as the user reads it: its leading field name replaced by its label."""
    field = problem_field(message)
    label = FIELD_LABELS.get(field)
    return f"{label}{message[len(field):]}" if label else message


def device_label(device: DeviceInfo) -> str:
    """What the device combobox shows: "CPU", "GPU 0: NVIDIA H200"."""
    if device.name == "cpu":
        return "CPU"
    index = device.name.partition(":")[2] or "0"
    return f"GPU {index}: {device.description}"


SEEDS_TIP = ("How many seeds train every network: a count N (seeds Seed … Seed+N−1, "
             f"1–{MAX_SEEDS}) or a list of distinct seeds such as 0,3,7. Each seed is the "
             "one-seed study with that seed; the curves, tables and verdicts then show means "
             "with 95 % intervals")


def parse_seeds(text: str, seed) -> tuple[tuple[int, ...] | None, str]:
    """The Seeds field as StudyConfig.seeds, and a problem naming the field ('' when none).

    Empty or "1": None (just `seed`); a count N: seed … seed+N−1; a comma-separated list: those
    seeds. Range and duplicates are left to StudyConfig.problems().
    """
    text = text.strip()
    if not text:
        return None, ""
    if "," in text:
        parts = [part.strip() for part in text.split(",")]
        if parts and parts[-1] == "":
            parts = parts[:-1]  # "7," is the list of seed 7
        try:
            seeds = tuple(int(part) for part in parts)
        except ValueError:
            return None, (f"seeds must be a count or a list of whole numbers such as 0,3,7, "
                          f"got {text!r}")
        return seeds, ""
    try:
        count = int(text)
    except ValueError:
        return None, f"seeds must be a count (1–{MAX_SEEDS}) or a list such as 0,3,7, got {text!r}"
    if not 1 <= count <= MAX_SEEDS:
        return None, f"seeds: the count must be from 1 to {MAX_SEEDS}, got {count}"
    if count == 1:
        return None, ""
    if not isinstance(seed, int):
        return None, ""  # the Seed field's own problem says why
    return tuple(range(seed, seed + count)), ""


def seeds_text(config: StudyConfig) -> str:
    """What the Seeds field shows for a config: "1", a count "5" or a list "0,3,7"."""
    seeds = config.seeds
    if not seeds:
        return "1"
    if tuple(seeds) == tuple(range(config.seed, config.seed + len(seeds))):
        return str(len(seeds))
    return ",".join(str(s) for s in seeds) + ("," if len(seeds) == 1 else "")


def _number(text: str, kind):
    """`text` as an int/float, or the stripped text itself so problems() can name it."""
    text = text.strip()
    try:
        return kind(text)
    except ValueError:
        return text


def _select_data(combo: QComboBox, value) -> None:
    index = combo.findData(value)
    if index >= 0:
        combo.setCurrentIndex(index)
