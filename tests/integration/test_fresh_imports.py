"""The import contract in fresh processes: importing a module loads nothing it should not."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.unit.test_layering import KERAS_AND_BACKENDS, QT, ROOT


@pytest.mark.parametrize(
    ("module", "absent"),
    [
        ("gui.main_window", (*KERAS_AND_BACKENDS, "keras_models")),
        ("study.protocol.events", (*KERAS_AND_BACKENDS, *QT, "keras_models")),
        ("study.folder.reader", (*KERAS_AND_BACKENDS, *QT)),
        ("study.analysis.conclusions", (*KERAS_AND_BACKENDS, *QT)),
        ("study.state", (*KERAS_AND_BACKENDS, *QT, "keras_models")),
        ("study.analysis.timing", (*KERAS_AND_BACKENDS, *QT, "keras_models")),
        ("gui.study_model", (*KERAS_AND_BACKENDS, "keras_models")),
        ("gui.run_controller", (*KERAS_AND_BACKENDS, "keras_models")),
        ("gui.processes", (*KERAS_AND_BACKENDS, "keras_models")),
        ("gui.figures.export", (*KERAS_AND_BACKENDS, "keras_models")),
    ],
)
def test_a_fresh_import_loads_nothing_it_should_not(module, absent):
    code = (f"import sys, {module}\n"
            f"print(sorted(m for m in {absent!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"},
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
