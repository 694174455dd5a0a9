"""Export a stored study into one folder of CSV files (PNG writers plug in from gui/).

Everything is written into a hidden temporary sibling of the destination and moved into place
only when every file was written, so a failed export (unwritable folder, full disk) leaves an
earlier export exactly as it was. The folder holds export.json, which marks it as an export that
a later export may replace (with force); a non-empty folder without it is never replaced.
"""

from __future__ import annotations

import errno
import json
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from study.analysis.comparisons import COMPARISONS, TABLE_COLUMNS, comparison_tables
from study.analysis.conclusions import (
    CONCLUSION_COLUMNS,
    CONCLUSION_PART_COLUMNS,
    conclusion_part_rows,
    conclusion_rows,
    study_conclusions,
)
from study.analysis.confusion import per_class_accuracy_rows, study_confusions
from study.analysis.identity import IDENTITY_TABLE_COLUMNS, identity_table
from study.analysis.statistics import AGGREGATE_COLUMNS, aggregate_rows
from study.analysis.summary import METRICS_COLUMNS, SUMMARY_COLUMNS
from study.analysis.timing import TIMING_COLUMN, is_isolated_estimate, study_timing
from study.folder.csvio import StoreError, csv_text
from study.folder.staging import PARTIAL, final_path, fresh_sibling, move_into_place
from study.protocol.jsonfile import load_json_limited
from study.protocol.status import StudyStatus
from study.state import StudyState

MARKER = "export.json"
MARKER_FORMAT = "kernel-lab/export"

# A writer adds files to the export folder being built and returns their paths.
ExtraWriter = Callable[[StudyState, Path], Iterable[Path]]


class ExportError(RuntimeError):
    """An export that cannot be made; the message says why and what happened to earlier files."""


@dataclass
class ExportResult:
    """Where an export went and the files in it (relative names, sorted)."""

    folder: Path
    files: list[str] = field(default_factory=list)
    replaced: bool = False


def comparison_csv_name(key: str) -> str:
    """File name of a comparison's table (e.g. comparison_inset-NetA1.csv)."""
    return f"comparison_{key}.csv"


def confusion_csv_name(network: str) -> str:
    """File name of a network's confusion matrix with per-class accuracy."""
    return f"confusion_{network}.csv"


def default_export_folder(study_folder) -> Path:
    """Where an export goes when no folder is named: STUDY_DIR/export."""
    return Path(study_folder) / "export"


def export_folder_for(study_folder, chosen) -> Path:
    """Where to export when a person picks folder `chosen` (a dialog's answer).

    The study folder itself means STUDY_DIR/export; an empty folder or an earlier export is used
    as it is; any other folder gets a new STUDYNAME-export inside it, so nothing of theirs mixes
    with the export.
    """
    study_folder, chosen = Path(study_folder), Path(chosen)
    if chosen.resolve() == study_folder.resolve():
        return default_export_folder(study_folder)
    if not chosen.is_dir() or not any(chosen.iterdir()) or is_export_folder(chosen):
        return chosen
    return chosen / f"{study_folder.name}-export"


def is_export_folder(folder: Path) -> bool:
    """True if `folder` holds the marker of a Kernel Lab export."""
    marker = Path(folder) / MARKER
    try:
        return load_json_limited(marker).get("format") == MARKER_FORMAT
    except (OSError, ValueError, AttributeError):
        return False


def check_destination(out_dir, force: bool = False) -> bool:
    """Raise ExportError if `out_dir` may not be written; True if an earlier export is there."""
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise ExportError(f"{out_dir} exists and is not a folder; choose another export folder")
    if not out_dir.is_dir() or not any(out_dir.iterdir()):
        return False
    if not is_export_folder(out_dir):
        raise ExportError(
            f"{out_dir} is not empty and is not a Kernel Lab export (it has no {MARKER}); "
            "choose an empty or new folder"
        )
    if not force:
        raise ExportError(
            f"{out_dir} already holds an export; use --force to replace it, or choose another "
            "folder"
        )
    return True


def write_export_file(path: Path, text: str) -> None:
    """Write one file of an export (UTF-8, newline as written); OSError passes up."""
    # No fsync per file: the folder only appears under its name once complete, and a full
    # disk is reported by write() or close() all the same.
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(text)


# Beside each summary row: the epochs it has, and "(stopped at epoch k of N)" when it ended early.
SUMMARY_NOTE_COLUMNS = ("epochs_done", "note")


def write_csv_files(state: StudyState, folder: Path) -> list[Path]:
    """Every CSV of an export into `folder`: metrics, summary (one row per network and seed),
    aggregate (mean and 95 % interval over the seeds), comparisons, conclusions (one row per
    conclusion and measure, see docs/study.md#statistics) and their parts, …"""
    folder = Path(folder)
    written = []

    def put(name: str, columns, rows) -> None:
        path = folder / name
        write_export_file(path, csv_text(columns, rows))
        written.append(path)

    put("metrics.csv", METRICS_COLUMNS, state.recorded_epochs)
    # The study as the app shows it: the same model says which networks stopped early.
    summary = state.summary
    # An all-at-once study's seconds are isolated-timing estimates, not measured epochs: its
    # tables say so in an extra last column (measured studies keep their columns unchanged).
    timing = study_timing(state.status)
    extra = (TIMING_COLUMN,) if is_isolated_estimate(state.status) else ()
    put("summary.csv", (*SUMMARY_COLUMNS, *SUMMARY_NOTE_COLUMNS, *extra),
        [{**row.as_dict(), "epochs_done": state.epochs_done(row.network, row.seed),
          "note": state.incomplete_note(row.network, row.seed), TIMING_COLUMN: timing}
         for row in summary])
    put("aggregate.csv", AGGREGATE_COLUMNS, aggregate_rows(summary, state.config.networks))
    # Comparisons: one row per network, its means over the seeds with n_seeds, the seeds and the
    # 95 % intervals of the accuracies and the time per epoch (empty with one seed).
    tables = comparison_tables(state)
    for comparison in COMPARISONS:
        put(comparison_csv_name(comparison.key), (*TABLE_COLUMNS, *extra),
            [_blank_none({**row, TIMING_COLUMN: timing}) for row in tables[comparison.key]])
    conclusions = study_conclusions(state)
    put("conclusions.csv", CONCLUSION_COLUMNS, conclusion_rows(conclusions))
    put("conclusion_parts.csv", CONCLUSION_PART_COLUMNS, conclusion_part_rows(conclusions))
    put("init_identity.csv", IDENTITY_TABLE_COLUMNS, identity_table(state))
    # Confusion matrices pool every seed's test predictions (their CSVs then carry n_seeds and
    # seeds); per-class accuracy is then the mean over the seeds.
    confusions = study_confusions(state)
    for network, confusion in confusions.items():
        put(confusion_csv_name(network), confusion.csv_columns(), confusion.csv_rows())
    if confusions:
        put("per_class_accuracy.csv", ("class", *confusions), per_class_accuracy_rows(confusions))
    return written


def _blank_none(row: dict) -> dict:
    return {key: "" if value is None else value for key, value in row.items()}


def export_study(state, out_dir=None, *, force: bool = False,
                 extra_writers: Iterable[ExtraWriter] = ()) -> ExportResult:
    """Export a StudyState (or a study folder) into `out_dir` (default STUDY_DIR/export).

    Raises ExportError when the destination holds an export and `force` is off, when it holds
    anything else, or when writing fails; in every case an earlier export is left intact.
    """
    if not isinstance(state, StudyState):
        try:
            state = StudyState.from_folder(state)
        except StoreError as exc:
            raise ExportError(str(exc)) from None
    out_dir = Path(out_dir) if out_dir is not None else default_export_folder(state.folder)
    replacing = check_destination(out_dir, force)
    parent = out_dir.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = fresh_sibling(out_dir, PARTIAL)
        staging.mkdir()
    except OSError as exc:
        raise ExportError(_explain_failure(parent, exc, replacing, out_dir)) from exc
    try:
        files = write_csv_files(state, staging)
        for writer in extra_writers:
            files.extend(Path(p) for p in writer(state, staging))
        names = sorted(str(Path(p).relative_to(staging)) for p in files)
        marker = {"format": MARKER_FORMAT, "version": 1, "study": str(state.folder.resolve()),
                  "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "files": names,
                  "timing": study_timing(state.status),
                  # The study's state as a reader sees it ("interrupted" when the process
                  # that ran it is gone), and why it ended so where status.json says.
                  "state": state.status.get("state", StudyStatus.UNKNOWN.value)}
        for key in ("error", "diverged"):
            if state.status.get(key):
                marker[key] = state.status[key]
        if is_isolated_estimate(state.status):
            marker.update({key: state.status.get(key) for key in (
                "shared_wall_seconds", "shared_epoch_seconds", "shared_eval_seconds")})
        write_export_file(staging / MARKER, json.dumps(marker, indent=2) + "\n")
        move_into_place(staging, out_dir, replacing)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        where = final_path(exc.filename, staging, out_dir)
        raise ExportError(_explain_failure(where, exc, replacing, out_dir)) from exc
    except Exception as exc:
        shutil.rmtree(staging, ignore_errors=True)
        # A StoreError already says which file and why; anything else is named by its type.
        reason = str(exc) if isinstance(exc, StoreError) else f"{type(exc).__name__}: {exc}"
        raise ExportError(f"export failed: {reason.rstrip('.')}.{_kept(replacing, out_dir)}") \
            from exc
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return ExportResult(out_dir, sorted([*names, MARKER]), replacing)


def _explain_failure(where: Path, exc: OSError, replacing: bool, out_dir: Path) -> str:
    reason = exc.strerror or str(exc)
    if exc.errno == errno.ENOSPC:
        hint = " Free some disk space and export again."
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        hint = " Choose a folder you can write to."
    else:
        hint = ""
    return f"export failed: could not write {where}: {reason}.{hint}{_kept(replacing, out_dir)}"


def _kept(replacing: bool, out_dir: Path) -> str:
    if replacing:
        return f" The earlier export in {out_dir} is intact."
    return f" Nothing was written to {out_dir}."
