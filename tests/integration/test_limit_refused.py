"""`main.py study` refuses a train limit above the data: one line, exit 2, no study folder."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from study.protocol.exit_codes import EXIT_USAGE

ROOT = Path(__file__).resolve().parents[2]


def test_a_train_limit_above_the_data_ends_with_one_line_and_no_folder(synthetic_data_dir,
                                                                       tmp_path):
    out = tmp_path / "studies"
    result = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "study", "--backend", "jax", "--epochs", "1",
         "--data", str(synthetic_data_dir), "--train-limit", "600", "--out", str(out)],
        capture_output=True, text=True, timeout=300)
    assert result.returncode == EXIT_USAGE
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines == ["error: IDX files in "
                     f"{synthetic_data_dir} has 512 training images, fewer than the train limit "
                     "600: use at most 512, or no limit for all of them"]
    assert not out.exists() or not any(out.iterdir())
