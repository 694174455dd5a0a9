"""Break points for long values without spaces (a bank's spec, a path) in word-wrapped labels."""

from __future__ import annotations

import re

_AFTER = re.compile(r"([,/])(?=\S)")


def wrappable(text: str) -> str:
    """`text` with a zero-width space after each comma or slash that no space follows, so a
    word-wrapped QLabel can break "gabor:orientations=6,size=5" or a long path."""
    return _AFTER.sub("\\1\u200b", text)
