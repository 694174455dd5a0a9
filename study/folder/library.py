"""The study library: every study folder under one or more folders, one row each — no Qt, no Keras.

Listing only reads: config.json, status.json and metrics.csv of each study, as a StudyState
without its weights (study.folder.reader's safe readers: regular files inside the folder, never
through a link out of it). Nothing is written,
so browsing a folder of studies never changes them. A damaged or half-written study is listed
all the same, with the state its status.json gives (or "damaged") and a one-line problem note.

A folder that is not a study itself but holds study folders (a sweep) is looked into one level
down; its studies are named PARENT/STUDY.
"""

from __future__ import annotations

import math
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from study.folder.csvio import StoreError
from study.folder.layout import DEFAULT_ROOT
from study.folder.reader import read_status
from study.protocol.bank_names import bank_label
from study.protocol.status import StudyStatus
from study.state import StudyState

# Files that make a folder a study folder (StudyWriter writes config.json first).
STUDY_FILES = ("config.json", "metrics.csv", "status.json")
DAMAGED = "damaged"
UNKNOWN = StudyStatus.UNKNOWN.value
# The columns `main.py list` prints and the Studies tab shows, in order.
COLUMNS = ("name", "study_name", "state", "backend", "device", "mode", "head", "bank",
           "epochs", "seeds", "dataset", "data", "best_peak", "date", "duration", "note",
           "problem")
COLUMN_TITLES = {"name": "study", "study_name": "name", "note": "note", "state": "state",
                 "backend": "backend", "device": "device",
                 "mode": "mode", "head": "head", "bank": "kernels",
                 "epochs": "epochs", "seeds": "seeds",
                 "dataset": "dataset", "data": "data (train/test)",
                 "best_peak": "best peak acc", "date": "date",
                 "duration": "duration", "problem": "problem"}
_SIZES = re.compile(r"([\d,]+) train / ([\d,]+) test")
PROBLEM_LENGTH = 160
# A note is shown in a table cell as its first characters, on one line.
NOTE_LENGTH = 40


@dataclass
class LibraryRow:
    """One study as the library lists it; numbers are None where the study does not say."""

    name: str
    path: Path
    state: str = UNKNOWN
    backend: str = ""
    device: str = ""
    mode: str = ""
    head: str = ""
    epochs_planned: int = 0
    # Fewest and most epochs done over the study's (network, seed) runs.
    epochs_min: int = 0
    epochs_max: int = 0
    seeds: tuple[int, ...] = ()
    train_size: int | None = None
    test_size: int | None = None
    best_peak: float | None = None
    best_network: str = ""
    date: str = ""
    duration_seconds: float | None = None
    problem: str = ""
    networks: tuple[str, ...] = field(default_factory=tuple)
    # The name and note a person gave the study (--name, --note, the app's setup).
    study_name: str = ""
    note: str = ""
    # conv1's bank (StudyConfig.kernel_bank_text): its spec, "byhand" (the report's kernels, and
    # every study from before banks), "byhand (edited)" or "edited (N k×k)"; "" when unknown.
    bank: str = ""
    # The dataset setting (a known name or the user's path) and the fingerprint of its arrays.
    dataset: str = ""
    data_fingerprint: str = ""

    @property
    def epochs_text(self) -> str:
        """"60/60", or "12–60/60" when some runs got further than others; "" when unknown."""
        if not self.epochs_planned:
            return ""
        done = (str(self.epochs_min) if self.epochs_min == self.epochs_max
                else f"{self.epochs_min}–{self.epochs_max}")
        return f"{done}/{self.epochs_planned}"

    @property
    def epochs_fraction(self) -> float:
        """How far the study got: the fewest epochs done over those planned (for sorting)."""
        return self.epochs_min / self.epochs_planned if self.epochs_planned else 0.0

    @property
    def seeds_text(self) -> str:
        """"1" or "5 (0–4)" / "3 (0,3,7)"."""
        if not self.seeds:
            return ""
        if len(self.seeds) == 1:
            return "1"
        listed = (f"{self.seeds[0]}–{self.seeds[-1]}"
                  if list(self.seeds) == list(range(self.seeds[0], self.seeds[-1] + 1))
                  else ",".join(str(s) for s in self.seeds))
        return f"{len(self.seeds)} ({listed})"

    @property
    def data_text(self) -> str:
        """"60,000/10,000", or "" when unknown."""
        if self.train_size is None or self.test_size is None:
            return ""
        return f"{self.train_size:,}/{self.test_size:,}"

    @property
    def best_peak_text(self) -> str:
        """"91.23 % (NetA2-DT)", or ""."""
        if self.best_peak is None:
            return ""
        return f"{100 * self.best_peak:.2f} % ({self.best_network})"

    @property
    def duration_text(self) -> str:
        """"1:02:03" or "2:03" (training and evaluation time), or ""."""
        if self.duration_seconds is None:
            return ""
        seconds = int(round(self.duration_seconds))
        hours, rest = divmod(seconds, 3600)
        minutes, seconds = divmod(rest, 60)
        return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"

    def text(self, column: str) -> str:
        """The cell of `column` (one of COLUMNS) as shown."""
        special = {"epochs": self.epochs_text, "seeds": self.seeds_text, "data": self.data_text,
                   "dataset": dataset_label(self.dataset),
                   "best_peak": self.best_peak_text, "duration": self.duration_text,
                   "note": _short(self.note, NOTE_LENGTH),
                   "bank": bank_label(self.bank) if self.bank else ""}
        if column in special:
            return special[column]
        return str(getattr(self, column))

    def sort_value(self, column: str):
        """What `column` sorts by: numbers where the column holds one."""
        numbers = {"epochs": self.epochs_fraction, "seeds": len(self.seeds),
                   "data": self.train_size if self.train_size is not None else -1,
                   "best_peak": self.best_peak if self.best_peak is not None else -1.0,
                   "duration": self.duration_seconds if self.duration_seconds is not None
                   else -1.0}
        return numbers.get(column, self.text(column).lower())


def is_study_folder(folder: Path) -> bool:
    """Whether `folder` looks like a study folder (it has one of STUDY_FILES)."""
    return any(os.path.lexists(folder / name) for name in STUDY_FILES)


def find_study_folders(root) -> list[tuple[str, Path]]:
    """(name, folder) of every study folder in `root`, and one level down in folders that hold
    studies (sweeps); sorted by name. A `root` that is itself a study is listed alone."""
    root = Path(root)
    if not root.is_dir():
        return []
    if is_study_folder(root):
        return [(root.name, root)]
    found = []
    for child in _subfolders(root):
        if is_study_folder(child):
            found.append((child.name, child))
            continue
        for grandchild in _subfolders(child):
            if is_study_folder(grandchild):
                found.append((f"{child.name}/{grandchild.name}", grandchild))
    return sorted(found, key=lambda item: item[0])


def _subfolders(folder: Path) -> list[Path]:
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    # Hidden folders are an export's or a writer's temporaries, never a study.
    return [Path(e.path) for e in entries
            if not e.name.startswith(".") and _is_dir(e)]


def _is_dir(entry) -> bool:
    try:
        return entry.is_dir(follow_symlinks=False)
    except OSError:
        return False


def list_studies(folders=(DEFAULT_ROOT,)) -> list[LibraryRow]:
    """One LibraryRow per study folder under each of `folders` (see find_study_folders); a
    folder listed twice (or under two roots) appears once."""
    rows, seen = [], set()
    for root in folders:
        for name, folder in find_study_folders(root):
            key = os.path.realpath(folder)
            if key in seen:
                continue
            seen.add(key)
            rows.append(study_row(folder, name))
    return rows


def study_row(folder, name: str | None = None) -> LibraryRow:
    """The library row of one study folder; never raises for a damaged study (see `problem`)."""
    folder = Path(folder)
    row = LibraryRow(name=name or folder.name, path=folder)
    missing = [f for f in ("config.json", "metrics.csv") if not os.path.lexists(folder / f)]
    if missing:
        return _damaged_row(row, f"half-written: no {' and no '.join(missing)}")
    try:
        state = StudyState.from_folder(folder, strict=False, weights=False)
    except StoreError as exc:
        return _damaged_row(row, str(exc))
    except Exception as exc:  # noqa: BLE001 - one row says what is wrong, never a traceback
        return _damaged_row(row, f"{type(exc).__name__}: {exc}")
    try:
        _fill_row(row, state)
    except Exception as exc:  # noqa: BLE001
        row.problem = _short(f"{type(exc).__name__}: {exc}")
    return row


def _damaged_row(row: LibraryRow, problem: str) -> LibraryRow:
    """A study that could not be read: what status.json still says, and why."""
    row.problem = _short(problem.replace(str(row.path) + os.sep, "").replace(str(row.path), ""))
    damage: list[str] = []
    status = read_status(row.path, damage)
    if damage or not os.path.lexists(row.path / "status.json"):
        status = None
    if status is not None:
        row.state = str(status.get("state", UNKNOWN))
    else:
        row.state = DAMAGED if os.path.lexists(row.path / "status.json") else UNKNOWN
    row.backend = str(status.get("backend", "")) if status else ""
    row.device = str(status.get("device", "")) if status else ""
    row.date = _date(status or {}, row.path)
    return row


def _fill_row(row: LibraryRow, state: StudyState) -> None:
    config, status = state.config, state.recorded_status
    row.state = str(status.get("state", UNKNOWN))
    row.backend = str(status.get("backend", config.backend))
    row.device = str(status.get("device", config.device))
    row.mode = str(status.get("mode", config.mode))
    row.head = config.head
    row.bank = config.kernel_bank_text()
    row.study_name, row.note = config.name, config.note
    row.dataset = str(config.dataset)
    row.data_fingerprint = str(status.get("data_fingerprint", ""))
    row.epochs_planned = config.epochs
    row.seeds = tuple(config.seed_list)
    row.networks = tuple(config.networks)
    counts: dict[tuple[str, int], int] = {(n, s): 0 for n in config.networks for s in row.seeds}
    for epoch in state.recorded_epochs:
        key = (epoch["network"], epoch["seed"])
        counts[key] = counts.get(key, 0) + 1
    row.epochs_min = min(counts.values(), default=0)
    row.epochs_max = max(counts.values(), default=0)
    row.train_size, row.test_size = _data_sizes(status, config)
    row.best_peak, row.best_network = best_peak(state)
    row.date = _date(status, state.folder)
    row.duration_seconds = _duration(state)
    problems = list(state.problems)
    if row.state == StudyStatus.FAILED and status.get("error"):
        problems.append(str(status["error"]))
    elif row.state == StudyStatus.INTERRUPTED:
        problems.append(str(status.get("error", "its process ended without finishing it")))
    elif row.state == UNKNOWN and not problems:
        problems.append("status.json is missing: half-written or not started")
    row.problem = _short("; ".join(p.replace(str(state.folder) + os.sep, "")
                                   for p in problems))


def dataset_label(dataset: str) -> str:
    """A dataset setting as a table shows it: a known name as it is, a path by its last part."""
    return "" if not dataset else dataset if "/" not in dataset else Path(dataset).name


def best_peak(state: StudyState) -> tuple[float | None, str]:
    """The highest peak test accuracy over the networks (each network's mean over its seeds),
    and that network; (None, "") before any epoch."""
    by_network: dict[str, list[float]] = {}
    for summary in state.summary:
        by_network.setdefault(summary.network, []).append(summary.peak_test_accuracy)
    best, network = None, ""
    for name, values in by_network.items():
        mean = sum(values) / len(values)
        if math.isfinite(mean) and (best is None or mean > best):
            best, network = mean, name
    return best, network


def _data_sizes(status: dict, config) -> tuple[int | None, int | None]:
    match = _SIZES.search(str(status.get("dataset", "")))
    if match:
        return (int(match.group(1).replace(",", "")), int(match.group(2).replace(",", "")))
    # Before the data was loaded only the limits are known.
    return config.train_limit, config.test_limit


def _date(status: dict, folder: Path) -> str:
    started = status.get("started")
    if isinstance(started, str) and len(started) >= 16:
        return started[:10] + " " + started[11:16]
    match = re.search(r"(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})", folder.name)
    if match:
        return "{}-{}-{} {}:{}".format(*match.groups())
    try:
        return time.strftime("%Y-%m-%d %H:%M", time.localtime(folder.stat().st_mtime))
    except OSError:
        return ""


def _duration(state: StudyState) -> float | None:
    """Seconds spent training and evaluating: the shared epochs of an all-at-once study, else
    the sum over the metrics rows."""
    status = state.recorded_status
    if status.get("shared_wall_seconds") is not None:
        try:
            return float(status["shared_wall_seconds"]) + float(
                status.get("shared_eval_seconds") or 0.0)
        except (TypeError, ValueError):
            pass
    if not state.recorded_epochs:
        return None
    total = sum(r["train_seconds"] + r["eval_seconds"] for r in state.recorded_epochs)
    return total if math.isfinite(total) else None


def _short(text: str, length: int = PROBLEM_LENGTH) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= length else text[:length - 1] + "…"


def library_table(rows: list[LibraryRow], columns=COLUMNS) -> str:
    """The rows as aligned text (the problem column last and unpadded)."""
    if not rows:
        return "No studies found."
    titles = [COLUMN_TITLES[c] for c in columns]
    cells = [[row.text(c) for c in columns] for row in rows]
    widths = [max(len(t), *(len(r[i]) for r in cells)) for i, t in enumerate(titles)]
    lines = []
    for values in [titles, *cells]:
        parts = [v.ljust(w) for v, w in zip(values[:-1], widths[:-1], strict=True)]
        lines.append("  ".join([*parts, values[-1]]).rstrip())
    return "\n".join(lines)
