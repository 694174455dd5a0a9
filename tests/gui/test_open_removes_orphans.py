"""Opening a study in the app removes what a killed writer left behind:
its temp files and disk reserve; a study whose writer is alive keeps them."""

from __future__ import annotations

from pathlib import Path

from tests.library_studies import INTERRUPTED, RUNNING, SOFTMAX, snapshot, write_library


def _plant(folder):
    planted = [folder / ".metrics.csv.k2j4.tmp", folder / ".reserve",
               folder / "weights" / ".NetA1-HF.final.npz.x8f1.tmp"]
    (folder / "weights").mkdir(exist_ok=True)
    for path in planted:
        path.write_bytes(b"left by a killed run")
    return planted


def test_opening_an_interrupted_study_removes_its_orphans_and_nothing_else(window, tmp_path):
    folders = write_library(tmp_path / "library")
    for name in (INTERRUPTED, SOFTMAX):
        folder = folders[name]
        before = {k: v for k, v in snapshot(folder).items()
                  if len(v) == 2 and not Path(k).name.startswith(".")}
        planted = _plant(folder)
        assert window.open_study_folder(folder)
        assert not any(p.exists() for p in planted)
        assert "temp file(s) a killed run left" in window.statusBar().currentMessage()
        after = snapshot(folder)
        assert before and all(after[key][1] == value[1] for key, value in before.items())


def test_a_running_study_keeps_its_temp_files(window, tmp_path):
    folders = write_library(tmp_path / "library")
    planted = _plant(folders[RUNNING])
    assert window.open_study_folder(folders[RUNNING])
    assert all(p.exists() for p in planted)
    assert "removed" not in window.statusBar().currentMessage()
