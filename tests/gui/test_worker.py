"""The thread boundary: how a child's exit is put into words, and the device probe."""

from __future__ import annotations

from gui.worker import RunOutcome, study_command


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
