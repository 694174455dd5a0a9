"""StudyState against a real run and a fresh process: a live study equals its folder opened
afterwards, and `import study.state` loads neither Qt nor Keras."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from study.state import StudyState

ROOT = Path(__file__).resolve().parents[2]


def test_importing_the_state_loads_neither_qt_nor_keras():
    code = ("import sys, study.state; bad = [m for m in sys.modules if m.split('.')[0] in "
            "('PySide6', 'pyqtgraph', 'keras', 'torch', 'tensorflow', 'jax')]; print(bad)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.backend
@pytest.mark.parametrize("mode", ["sequential", "all-at-once"])
def test_a_live_study_equals_its_folder_opened_afterwards(small_config, backend_name, tmp_path,
                                                          mode):
    from study.run.runner import run_study

    config = small_config.replace(networks=("NetA1-HF", "NetA2-DT"), train_limit=128,
                                  test_limit=64, seed=7, mode=mode)
    live = StudyState.for_run(config)
    changes = []
    folder = run_study(config, emit=lambda e: changes.append(live.apply(e)),
                       out_root=tmp_path / "studies")

    stored = StudyState.from_folder(folder)
    assert live.snapshot() == stored.snapshot()
    assert live == stored
    # The live state holds what the app shows, keyed by (network, config seed).
    assert live.state == "finished" and live.status["backend"] == backend_name
    assert sorted(live.rows) == [("NetA1-HF", 7), ("NetA2-DT", 7)]
    assert [r.network for r in live.summary_rows()] == ["NetA1-HF", "NetA2-DT"]
    assert live.kernels_of("NetA2-DT").epoch == 2
    assert live.kernels_of("NetA1-HF").conv1_frozen
    assert any("after training" in check for check, _ in live.init_identity)
    if mode == "all-at-once":
        assert live.isolated and len(live.status["shared_epoch_seconds"]) == 2
    assert all(changes)
    # Predictions are read from the folder once the study is no longer running.
    assert set(stored.confusions()) == {"NetA1-HF", "NetA2-DT"}
