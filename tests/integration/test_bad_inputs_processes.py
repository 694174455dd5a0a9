"""A few bad inputs of the corpus (tests/unit/test_bad_inputs.py) as a real `main.py` process:
what a person at a terminal sees, exit 2 and one line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.unit.test_bad_inputs import SUBPROCESS_CASES, _check_refusal, _prepare, _snapshot

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("case", SUBPROCESS_CASES, ids=[c.__name__ for c in SUBPROCESS_CASES])
def test_a_bad_input_is_refused_the_same_in_a_real_process(case, tmp_path):
    argv, expected, scratch = _prepare(case, tmp_path)
    before = _snapshot(scratch)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, "main.py", *argv], cwd=ROOT, capture_output=True,
                          text=True, env=env, timeout=300)
    _check_refusal(done.returncode, done.stderr, argv, expected, scratch, before, tmp_path)
