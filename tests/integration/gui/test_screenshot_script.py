"""make_screenshot.py --open grabs a stored study's window: a PNG of the set size, not blank."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QImage

from tests.known_study import write_known_seeded_study

ROOT = Path(__file__).resolve().parents[3]


def test_screenshot_of_a_stored_study_is_not_blank(qtbot, tmp_path):
    study = write_known_seeded_study(tmp_path / "studies")
    out = tmp_path / "shot.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "KERNEL_LAB_WARM_WORKER": "off"}
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_screenshot.py"), "--open", str(study),
         "--out", str(out), "--size", "1000x700", "--timeout", "60"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1000, 700)
    colours = {image.pixel(x, y) for x in range(0, 1000, 7) for y in range(0, 700, 7)}
    assert len(colours) > 50, f"only {len(colours)} colours: a blank window?"
