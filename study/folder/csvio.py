"""Writing a study folder's files safely: atomic writes, CSV text, and the one error type."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from study.protocol.files import replace_atomically


class StoreError(RuntimeError):
    """A study folder that cannot be written or read; says which file and why."""


def explain(path: Path, exc: OSError) -> str:
    """One line for a failed write of `path`, with what to do about it."""
    reason = exc.strerror or str(exc)
    hint = ""
    if getattr(exc, "errno", None) == 28:
        hint = " Free some disk space; what was already written is kept."
    elif getattr(exc, "errno", None) in (13, 30):
        hint = " Choose a folder you can write to (--out DIR)."
    return f"could not write {path}: {reason}.{hint}"


def reason(exc: BaseException) -> str:
    """One short line for an exception: its message, or its type when it has none."""
    text = " ".join(str(exc).split())
    return text if text else type(exc).__name__


def atomic_write_bytes(path: Path, payload: bytes) -> None:
    """Write `payload` to `path` via an exclusive temp file and rename (never through a planted
    link); StoreError on failure."""
    try:
        replace_atomically(path, payload)
    except OSError as exc:
        raise StoreError(explain(path, exc)) from exc


def atomic_write_text(path: Path, text: str) -> None:
    """Text version of atomic_write_bytes (UTF-8)."""
    atomic_write_bytes(path, text.encode("utf-8"))


def csv_text(columns, rows) -> str:
    """CSV of dict rows with the given columns; floats keep full precision."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: _cell(row[key]) for key in columns})
    return buffer.getvalue()


def _cell(value):
    if isinstance(value, float):
        return repr(value)
    return value
