"""The environment record: its keys, no failure without nvidia-smi or git, nvidia-smi parsed."""

from __future__ import annotations

import json
import os
import stat

from study.folder import environment
from study.folder.environment import environment_lines, environment_record, read_environment

KEYS = {"python", "python_executable", "platform", "keras", "backend", "backend_version",
        "numpy", "cpu", "cpu_count", "gpus", "kernel_lab", "git_commit"}


def test_the_record_has_every_key_and_is_plain_json():
    record = environment_record("jax")
    assert set(record) == KEYS
    assert json.loads(json.dumps(record)) == record
    assert record["backend"] == "jax" and record["backend_version"]
    assert record["keras"] and record["numpy"] and record["cpu"]
    assert record["kernel_lab"]


def test_a_checkout_records_its_commit():
    commit = environment.git_commit()
    assert commit is None or len(commit.removesuffix("-dirty")) == 40


def test_outside_a_checkout_there_is_no_commit(tmp_path):
    assert environment.git_commit(tmp_path) is None


def _fake_command(folder, name, script):
    path = folder / name
    path.write_text("#!/bin/sh\n" + script + "\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


def test_gpus_come_from_nvidia_smi_and_its_failure_is_no_gpu(tmp_path, monkeypatch):
    _fake_command(tmp_path, "nvidia-smi", 'echo "NVIDIA H100 80GB HBM3, 550.54.15"')
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    assert environment.gpus() == [{"name": "NVIDIA H100 80GB HBM3", "driver": "550.54.15"}]
    _fake_command(tmp_path, "nvidia-smi", "exit 9")
    assert environment.gpus() == []


def test_a_hung_command_is_cut_off(tmp_path, monkeypatch):
    _fake_command(tmp_path, "nvidia-smi", "sleep 30")
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr(environment, "COMMAND_TIMEOUT", 0.2)
    assert environment.gpus() == []


def test_the_lines_for_a_person_and_reading_it_back():
    record = environment_record("jax")
    record["gpus"] = [{"name": "NVIDIA H100", "driver": "550"}]
    lines = environment_lines(record)
    assert lines[0].startswith(f"Python {record['python']}, Keras {record['keras']}, jax ")
    assert "GPU: NVIDIA H100 (driver 550)" in lines
    assert environment_lines(None) == []
    assert read_environment({"environment": record}) == record
    assert read_environment({"state": "finished"}) is None
