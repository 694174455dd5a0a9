"""Truthful state: status.json names its writer (pid, host, heartbeat), and a
study whose writer is gone reads as "interrupted", never "running"; a full disk's cut metrics
row is taken back off, and the reserve gives room for the last files."""

from __future__ import annotations

import errno
import json
import os
import socket
import time

import pytest

from study.config import StudyConfig
from study.folder import liveness
from study.folder.csvio import StoreError
from study.folder.writer import StudyWriter
from study.protocol.events import EpochResult
from study.state import StudyState, open_study


def _writer(tmp_path) -> StudyWriter:
    return StudyWriter.create(tmp_path, StudyConfig(networks=("NetA1-HF",), epochs=3))


def _epoch(epoch):
    return EpochResult(epoch, 1.0 / epoch, 1.2 / epoch, 0.5 + epoch / 10, 1.0, 0.1)


def _status(folder):
    return json.loads((folder / "status.json").read_text())


def _rewrite_status(folder, **changes):
    status = {**_status(folder), **changes}
    (folder / "status.json").write_text(json.dumps(status))


def test_status_names_its_writer_and_a_heartbeat(tmp_path):
    before = time.time()
    writer = _writer(tmp_path)
    status = _status(writer.folder)
    assert status["state"] == "running"
    assert status["pid"] == os.getpid()
    assert status["host"] == socket.gethostname()
    assert before <= status["heartbeat"] <= time.time()


def test_the_heartbeat_is_written_at_most_every_few_seconds(tmp_path):
    writer = _writer(tmp_path)
    first = _status(writer.folder)["heartbeat"]
    writer.append_epoch("NetA1-HF", _epoch(1))
    writer.heartbeat()
    assert _status(writer.folder)["heartbeat"] == first
    writer._last_beat -= liveness.HEARTBEAT_SECONDS + 1
    writer.append_epoch("NetA1-HF", _epoch(2))  # an epoch's end beats when it is due
    assert _status(writer.folder)["heartbeat"] > first


def test_a_running_study_of_a_live_process_reads_as_running(tmp_path):
    writer = _writer(tmp_path)
    writer.append_epoch("NetA1-HF", _epoch(1))
    assert open_study(writer.folder).status["state"] == "running"
    assert StudyState.from_folder(writer.folder).state == "running"


@pytest.mark.parametrize("age,expected", [(liveness.STALE_SECONDS + 60, "interrupted"),
                                          (5, "running")])
def test_a_study_from_another_host_is_judged_by_its_heartbeat(tmp_path, age, expected):
    writer = _writer(tmp_path)
    _rewrite_status(writer.folder, host="elsewhere.example", pid=1,
                    heartbeat=time.time() - age)
    assert open_study(writer.folder).status["state"] == expected


def test_a_row_cut_by_a_full_disk_is_taken_back_off(tmp_path, monkeypatch):
    writer = _writer(tmp_path)
    writer.append_epoch("NetA1-HF", _epoch(1))
    good = writer.metrics_path.read_bytes()

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(liveness.os, "fsync", full)
    with pytest.raises(StoreError, match="No space left on device"):
        writer.append_epoch("NetA1-HF", _epoch(2))
    assert writer.metrics_path.read_bytes() == good


def test_a_line_cut_short_is_read_without_it(tmp_path):
    writer = _writer(tmp_path)
    writer.append_epoch("NetA1-HF", _epoch(1))
    with open(writer.metrics_path, "a") as fh:
        fh.write("NetA1-HF,0,2,0.5,0.")
    assert [r["epoch"] for r in open_study(writer.folder).epochs] == [1]


def test_a_live_pid_with_an_hour_old_heartbeat_was_reused(tmp_path):
    writer = _writer(tmp_path)
    _rewrite_status(writer.folder, pid=1, heartbeat=time.time() - liveness.REUSED_PID_SECONDS - 1)
    assert open_study(writer.folder).status["state"] == "interrupted"
