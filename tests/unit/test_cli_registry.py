"""The command registry, the typed study job and the shared stop signals: no process, no
training."""

from __future__ import annotations

import re
import signal
import threading
from pathlib import Path

import pytest

import main
from study.cli import COMMANDS, figures
from study.protocol.jobs import JobError, StudyJob
from study.run.signals import install_stop_signals, restore_signals

ROOT = Path(__file__).resolve().parents[2]


def test_main_parser_has_exactly_the_registered_commands():
    parser = main.build_parser()
    (subparsers,) = [a for a in parser._actions if a.dest == "command"]
    names = [command.NAME for command in COMMANDS]
    assert list(subparsers.choices) == names
    assert names == ["study", "export", "export-kernels", "list", "compare", "sweep", "evaluate"]
    for command in COMMANDS:
        assert command.HELP and callable(command.add_arguments) and callable(command.run)


def test_no_command_handler_lives_in_gui():
    handlers = [f"{path.relative_to(ROOT)}: {match}" for path in (ROOT / "gui").rglob("*.py")
                for match in re.findall(r"def (run_\w*command)\(", path.read_text("utf-8"))]
    assert handlers == []


def test_a_study_job_round_trips_through_json():
    job = StudyJob(config={"epochs": 2}, out="x", events="json", tensorboard=True)
    assert StudyJob.from_json(job.to_json()) == job
    assert "\n" not in job.to_json()
    assert StudyJob.from_json(StudyJob(resume="s/study-1").to_json()).resume == "s/study-1"


@pytest.mark.parametrize("make", [
    lambda: StudyJob(),
    lambda: StudyJob(config={}, resume="x"),
    lambda: StudyJob(resume="x", events="xml"),
    lambda: StudyJob(config=[1]),
    lambda: StudyJob.from_json('{"resume": "x"}'),
    lambda: StudyJob.from_json('{"format": "kernel-lab/study-job", "resume": "x", "what": 1}'),
    lambda: StudyJob.from_json("not json"),
])
def test_a_bad_study_job_is_one_line(make):
    with pytest.raises(JobError) as caught:
        make()
    assert "\n" not in str(caught.value)


def _deliver(signum):
    signal.getsignal(signum)(signum, None)


def test_ctrl_c_stops_then_aborts_and_the_handlers_are_restored(capsys):
    before = signal.getsignal(signal.SIGINT)
    stop, terminated = threading.Event(), threading.Event()
    previous = install_stop_signals(stop, terminated, "stopping", "terminated")
    try:
        _deliver(signal.SIGINT)
        assert stop.is_set() and not terminated.is_set()
        assert capsys.readouterr().err == "stopping\n"
        with pytest.raises(KeyboardInterrupt):
            _deliver(signal.SIGINT)
    finally:
        restore_signals(previous)
    assert signal.getsignal(signal.SIGINT) is before


def test_sigterm_with_its_own_message_aborts_only_on_a_second_sigterm(capsys):
    stop, terminated = threading.Event(), threading.Event()
    previous = install_stop_signals(stop, terminated, None, "terminated")
    try:
        _deliver(signal.SIGINT)
        assert capsys.readouterr().err == ""  # a quiet Ctrl-C (JSON events)
        _deliver(signal.SIGTERM)
        assert terminated.is_set() and capsys.readouterr().err == "terminated\n"
        with pytest.raises(KeyboardInterrupt):
            _deliver(signal.SIGTERM)
    finally:
        restore_signals(previous)


def test_sigterm_without_its_own_message_is_a_ctrl_c(capsys):
    stop, terminated = threading.Event(), threading.Event()
    previous = install_stop_signals(stop, terminated, "stopping")
    try:
        _deliver(signal.SIGTERM)
        assert stop.is_set() and terminated.is_set()
        assert capsys.readouterr().err == "stopping\n"
        with pytest.raises(KeyboardInterrupt):
            _deliver(signal.SIGINT)
    finally:
        restore_signals(previous)


def test_commands_that_draw_say_so_when_no_figures_are_installed(monkeypatch):
    monkeypatch.setattr(figures, "_provider", None)
    with pytest.raises(figures.FiguresMissing, match="main.py"):
        figures.figure_writers()


def test_the_sweep_table_formats_as_everywhere_else(monkeypatch, tmp_path):
    from study.analysis.formats import MISSING
    from study.config import StudyConfig
    from study.protocol.status import StudyStatus
    from study.sweep.command import sweep_table
    from study.sweep.folder import PENDING, Sweep
    from study.sweep.grid import grid_points

    grid = {"lr": [0.001, 0.003]}
    sweep = Sweep(tmp_path, grid, StudyConfig(networks=("NetA1-HF",)), grid_points(grid))
    done = {"lr": 0.001, "network": "NetA1-HF", "n_seeds": 2, "state": StudyStatus.FINISHED,
            "peak_test_accuracy_mean": 0.81, "peak_test_accuracy_ci_low": 0.80,
            "peak_test_accuracy_ci_high": 0.82, "final_test_accuracy_mean": 0.8,
            "final_test_accuracy_ci_low": "", "final_test_accuracy_ci_high": ""}
    pending = {**{key: "" for key in done}, "lr": 0.003, "network": "NetA1-HF",
               "state": PENDING}
    monkeypatch.setattr(Sweep, "rows", lambda self: [done, pending])
    lines = sweep_table(sweep).splitlines()
    assert lines[1].split() == ["0.001", "NetA1-HF", "2", "81.00", "±", "1.00", "80.00",
                                "finished"]
    assert lines[2].split() == ["0.003", "NetA1-HF", MISSING, MISSING, "pending"]
