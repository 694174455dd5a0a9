"""A study whose writer process is gone reads as "interrupted", never "running" (a real, ended
child process gives the dead pid)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys

from study.folder import layout
from study.folder.liveness import truthful_status, writer_gone
from study.state import StudyState, open_study
from tests.unit.test_truthful_state import _epoch, _rewrite_status, _writer


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_study_whose_process_is_gone_reads_as_interrupted(tmp_path):
    writer = _writer(tmp_path)
    writer.append_epoch("NetA1-HF", _epoch(1))
    pid = _dead_pid()
    _rewrite_status(writer.folder, pid=pid)

    stored = open_study(writer.folder)
    assert stored.status["state"] == "interrupted"
    assert f"pid {pid}" in stored.status["error"]
    state = StudyState.from_folder(writer.folder)
    assert state.state == "interrupted" and not state.running
    assert [r["epoch"] for r in state.epochs] == [1]


def test_an_old_status_without_a_writer_is_taken_at_its_word():
    assert not writer_gone({"state": "running"})
    assert truthful_status({"state": "running"}) == {"state": "running"}
    assert not writer_gone({"state": "finished", "pid": _dead_pid(),
                            "host": socket.gethostname()})


def test_ended_studies_keep_their_state_and_leave_no_reserve(tmp_path):
    writer = _writer(tmp_path)
    assert (writer.folder / layout.RESERVE_NAME).stat().st_size == layout.RESERVE_BYTES
    writer.write_status(state="stopped")
    _rewrite_status(writer.folder, pid=_dead_pid())
    assert open_study(writer.folder).status["state"] == "stopped"
    assert not (writer.folder / layout.RESERVE_NAME).exists()


def test_export_records_an_interrupted_study_as_interrupted(tmp_path):
    from study.analysis.export import export_study
    from tests.known_study import write_known_study

    folder = write_known_study(tmp_path / "studies", networks=("NetA1-HF", "NetA2-DT"))
    _rewrite_status(folder, state="running", pid=_dead_pid(), host=socket.gethostname())
    result = export_study(open_study(folder), tmp_path / "export")
    marker = json.loads((result.folder / "export.json").read_text())
    assert marker["state"] == "interrupted"
    assert "ended without finishing it" in marker["error"]
