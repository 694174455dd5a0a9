"""A study whose writer process died (a real, ended child gives the pid) shows as interrupted,
never running."""

from __future__ import annotations

from tests.known_study import write_known_study

NETWORKS = ("NetA1-HF", "NetA2-DT")


def test_a_study_whose_process_died_shows_as_interrupted_never_running(qtbot, window, tmp_path):
    import json
    import subprocess
    import sys

    folder = write_known_study(tmp_path / "studies", networks=NETWORKS)
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    status = json.loads((folder / "status.json").read_text())
    status.update(state="running", pid=child.pid)
    (folder / "status.json").write_text(json.dumps(status))

    assert window.open_study_folder(folder)
    assert window.state.state == "interrupted"
    assert "(interrupted, 6 epoch rows)" in window.progress.format()
    assert "running" not in window.progress.format()
