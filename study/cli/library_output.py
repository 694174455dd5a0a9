"""What `main.py list` and `main.py compare` print: the study list as a table, CSV or JSON, and
a comparison's differences as an aligned table — no Qt, only formatting."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from study.analysis.formats import MISSING, interval_text, p_text, signed_text
from study.folder.environment import read_environment
from study.protocol.bank_names import BYHAND, bank_label
from study.protocol.jsonfile import load_json_limited

LIST_FORMATS = ("table", "csv", "json")
OPTIONAL_COLUMNS = ("study_name", "note")
# `list --format csv|json`: one record per study, these keys, in order (numbers as numbers).
RECORD_KEYS = ("study", "name", "note", "state", "backend", "device", "mode", "head", "bank",
               "dataset", "data_fingerprint", "epochs_planned", "epochs_min", "epochs_max",
               "seeds", "train_size", "test_size",
               "best_peak", "best_network", "date", "duration_seconds", "problem", "path")


def _status(folder: Path) -> dict:
    """The study's status.json as a dict ({} when it cannot be read: the row says why)."""
    try:
        status = load_json_limited(Path(folder) / "status.json")
    except (OSError, ValueError, RecursionError):
        return {}
    return status if isinstance(status, dict) else {}


def row_record(row) -> dict:
    """One library row (study.folder.library.LibraryRow) as a plain record (RECORD_KEYS)."""
    return {
        "study": row.name, "name": row.study_name, "note": row.note, "state": row.state,
        "backend": row.backend, "device": row.device, "mode": row.mode, "head": row.head,
        "bank": row.bank or None,
        "dataset": row.dataset, "data_fingerprint": row.data_fingerprint,
        "epochs_planned": row.epochs_planned, "epochs_min": row.epochs_min,
        "epochs_max": row.epochs_max, "seeds": list(row.seeds), "train_size": row.train_size,
        "test_size": row.test_size, "best_peak": row.best_peak, "best_network": row.best_network,
        "date": row.date, "duration_seconds": row.duration_seconds, "problem": row.problem,
        "path": str(row.path),
    }


def list_json(rows) -> str:
    """Every study's record and its environment (None for a study that did not record one)."""
    records = [{**row_record(row), "environment": read_environment(_status(row.path))}
               for row in rows]
    return json.dumps(records, indent=2, ensure_ascii=False)


def list_csv(rows) -> str:
    """One CSV line per study (RECORD_KEYS; seeds joined by spaces; unknown values empty)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(RECORD_KEYS)
    for row in rows:
        record = row_record(row)
        record["seeds"] = " ".join(str(s) for s in record["seeds"])
        writer.writerow(["" if record[key] is None else record[key] for key in RECORD_KEYS])
    return buffer.getvalue().rstrip("\n")


def list_output(rows, fmt: str = "table") -> str:
    """The study list in one of LIST_FORMATS."""
    if fmt == "json":
        return list_json(rows)
    if fmt == "csv":
        return list_csv(rows)
    from study.folder.library import COLUMNS, library_table

    # The name and note columns only when some study has one: most libraries name none.
    columns = [c for c in COLUMNS
               if c not in OPTIONAL_COLUMNS or any(row.text(c) for row in rows)]
    return library_table(rows, tuple(columns))


DIFFERENCE_TITLES = ("network", "measure", "study", "baseline acc", "difference (pts)",
                     "95 % interval", "method", "p", "caveat")


def _shows_bank(rows: list[dict]) -> bool:
    return any(row.get(key, BYHAND) != BYHAND for row in rows
               for key in ("baseline_bank", "study_bank"))


def _difference_cells(row: dict, bank: bool = False) -> list[str]:
    mean = row.get("baseline_mean")
    banks = [bank_label(row.get("study_bank"))] if bank else []
    return [row["network"], row["measure"].replace("_test_accuracy", ""), row["study"], *banks,
            MISSING if mean is None else f"{100 * mean:.2f} %",
            signed_text(row.get("difference"), scale=100),
            interval_text(row.get("ci_low"), row.get("ci_high"), scale=100),
            row.get("method") or MISSING, p_text(row.get("p_value")), row.get("caveat") or ""]


def differences_table(rows: list[dict]) -> str:
    """A comparison's difference rows (multi_compare.difference_rows) as aligned text: each
    study's mean minus the baseline's, in accuracy points, with its interval and method; a
    `bank` column (the study's bank) when a study's bank is not the report's."""
    if not rows:
        return "No differences: the studies share no network."
    bank = _shows_bank(rows)
    titles = list(DIFFERENCE_TITLES)
    if bank:
        titles.insert(titles.index("study") + 1, "bank")
    cells = [_difference_cells(row, bank) for row in rows]
    widths = [max(len(t), *(len(c[i]) for c in cells)) for i, t in enumerate(titles)]
    lines = []
    for values in [titles, *cells]:
        parts = [v.ljust(w) for v, w in zip(values[:-1], widths[:-1], strict=True)]
        lines.append("  ".join([*parts, values[-1]]).rstrip())
    return "\n".join(lines)
