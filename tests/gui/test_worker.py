"""The thread boundary: how a child's exit is put into words, and the device probe."""

from __future__ import annotations

from gui.worker import DeviceProbe, RunOutcome, study_command


def test_outcome_states_and_messages():
    assert RunOutcome(0).state == "finished" and RunOutcome(0).error_text() == ""
    assert RunOutcome(130, stop_requested=True).state == "stopped"
    assert RunOutcome(None, stop_requested=True, killed=True).state == "stopped"

    usage = RunOutcome(2, stderr_tail="Using torch\nerror: data_dir /x does not exist")
    assert usage.error_text() == "The study could not start: data_dir /x does not exist"

    failed = RunOutcome(1, stderr_tail="Traceback …", failed_message="ValueError while "
                        "training NetA1-HF: nan loss", folder="/s/study-1")
    text = failed.error_text()
    assert text.startswith("Training failed: ValueError while training NetA1-HF: nan loss")
    assert "kept in /s/study-1" in text and "Traceback …" in text

    segfault = RunOutcome(-11).error_text()
    assert segfault.startswith("The training process crashed (SIGSEGV).")
    assert "out of memory" in RunOutcome(-9).error_text()
    assert RunOutcome(3).error_text().startswith("The training process ended with exit status 3")
    assert "could not be started: no python" in RunOutcome(
        None, start_error="no python").error_text()


def test_study_command_asks_for_json_events_and_stdin_stop():
    command = study_command("/tmp/c.json", "/tmp/studies")
    # The installed (or checkout's) entry as a module, never a path into a checkout.
    assert command[1:4] == ["-m", "main", "study"]
    assert command[command.index("--config") + 1] == "/tmp/c.json"
    assert command[command.index("--events") + 1] == "json"
    assert "--stop-on-stdin" in command
    assert command[command.index("--out") + 1] == "/tmp/studies"


def test_device_probe_lists_the_cpu_first(qtbot):
    probe = DeviceProbe("torch")
    with qtbot.waitSignal(probe.sig_devices, timeout=120_000) as blocker:
        probe.start()
    backend, devices = blocker.args
    assert backend == "torch"
    assert devices[0].name == "cpu" and devices[0].description == "CPU"
    assert all(d.name.startswith("gpu:") for d in devices[1:])


def test_device_probe_reports_a_backend_that_cannot_load(qtbot):
    probe = DeviceProbe("theano")
    with qtbot.waitSignal(probe.sig_failed, timeout=60_000) as blocker:
        probe.start()
    backend, message = blocker.args
    assert backend == "theano"
    assert message.startswith("could not list the devices of theano: ")
    assert "unknown backend" in message
