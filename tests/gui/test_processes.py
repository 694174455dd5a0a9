"""The one child-process helper: lines streamed, stderr kept as a tail, a child that will not
leave killed and reaped, and a job run to its end off the GUI thread."""

from __future__ import annotations

import sys

from gui.processes import ChildProcess, ProcessJob, child_environment


def _python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def test_a_child_streams_its_lines_and_keeps_the_tail_of_stderr():
    child = ChildProcess.start(_python(
        "import sys\n"
        "for i in range(30): print(f'err {i}', file=sys.stderr)\n"
        "print('one'); print(); print('two')\n"), child_environment(), tail_lines=3)
    assert list(child.lines()) == ["one", "two"]
    assert child.finish() == 0
    assert list(child.stderr_tail) == ["err 27", "err 28", "err 29"]
    assert not child.running()


def test_a_child_that_ignores_its_stdin_is_killed_after_the_grace_and_reaped():
    child = ChildProcess.start(_python(
        "import signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "print('up', flush=True)\ntime.sleep(60)\n"), child_environment())
    assert child.readline().strip() == "up"
    assert child.end(grace_seconds=0.2) < 0
    assert not child.running()
    assert not child.write_line("stop")


def test_a_job_reports_its_exit_status_output_and_error_lines(qtbot):
    job = ProcessJob(_python("import sys; print('done'); print('error: no', file=sys.stderr); "
                             "sys.exit(2)"), child_environment())
    with qtbot.waitSignal(job.sig_finished, timeout=30_000) as finished:
        job.start()
    assert finished.args == [2, "done\n", "error: no"]
    assert not job.is_running()


def test_a_job_that_cannot_start_says_why(qtbot):
    job = ProcessJob(["/nonexistent/python"], child_environment())
    with qtbot.waitSignal(job.sig_failed_to_start, timeout=10_000) as failed:
        job.start()
    assert "nonexistent" in failed.args[0]
