"""One guarded JSON reader: a file or text too large or nested too deeply is refused in one line."""

from __future__ import annotations

import json
from pathlib import Path

MAX_BYTES = 16 * 1024 * 1024
MAX_DEPTH = 64


class JsonLimitError(ValueError):
    """A JSON document that cannot be read, is too large or nested too deeply; one line."""


def nesting_depth(text: str) -> int:
    """The deepest nesting of [ and { in a JSON text, strings skipped (no recursion)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def loads_limited(text: str, what: str = "JSON", max_bytes: int = MAX_BYTES,
                  max_depth: int = MAX_DEPTH):
    """Parse `text` as JSON unless it is larger than max_bytes or nested deeper than max_depth."""
    if len(text) > max_bytes:
        raise JsonLimitError(f"{what} is too large ({len(text):,} characters; at most "
                             f"{max_bytes:,})")
    if nesting_depth(text) > max_depth:
        raise JsonLimitError(f"{what} is nested too deeply (more than {max_depth} levels)")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise JsonLimitError(f"{what} is not valid JSON (line {exc.lineno}: {exc.msg})") from None
    except (ValueError, RecursionError) as exc:
        # e.g. an integer of over 4,300 digits, which Python refuses to convert
        raise JsonLimitError(f"{what} is not a usable JSON document ({exc})") from None


def load_json_limited(path, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH,
                      what: str | None = None):
    """Read the JSON file `path`, refusing a missing, unreadable, oversized or too deep one."""
    path = Path(path)
    what = what or f"file {path}"
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise JsonLimitError(f"{what} does not exist") from None
    except OSError as exc:
        raise JsonLimitError(f"{what} cannot be read: {exc.strerror or exc}") from None
    if size > max_bytes:
        raise JsonLimitError(f"{what} is too large ({size:,} bytes; at most {max_bytes:,})")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise JsonLimitError(f"{what} cannot be read: {exc}") from None
    return loads_limited(text, what, max_bytes, max_depth)
