"""Export in child processes: the app's export job (also from File › Export in the window) and
`main.py export` headless, and its refusal of a folder that is not a study."""

from __future__ import annotations

from tests.gui import test_export_png as export_png_tests
from tests.gui.test_export_png import pixels, run_cli

stored = export_png_tests.stored  # the fixture, shared

COMPARISON_PNGS = [f"comparison_{key}.png" for key in (
    "inset-NetA1", "inset-NetA2", "architecture-HF", "architecture-HT", "architecture-DT",
    "recovery")]


def test_cli_export_runs_without_a_display(stored):
    done = run_cli(stored.folder)
    assert done.returncode == 0, done.stderr
    out = stored.folder / "export"
    assert done.stdout.startswith(f"Wrote {out} (")
    assert "  comparison_recovery.png" in done.stdout.splitlines()
    for name in [*COMPARISON_PNGS, "metrics.csv", "conclusions.csv", "init_identity.csv",
                 "confusion_NetA1-HF.csv"]:
        assert (out / name).is_file(), name
    assert pixels(out / "comparison_recovery.png").std() > 20

    again = run_cli(stored.folder)
    assert again.returncode == 2 and again.stdout == ""
    assert again.stderr.strip().splitlines() == [
        f"error: {out} already holds an export; use --force to replace it, or choose another "
        "folder"]
    forced = run_cli(stored.folder, "--force")
    assert forced.returncode == 0 and forced.stdout.startswith(f"Replaced {out} (")


def test_cli_export_refuses_a_folder_that_is_not_a_study(tmp_path):
    done = run_cli(tmp_path, "--out", tmp_path / "out")
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {tmp_path} is not a Kernel Lab study")
    assert not (tmp_path / "out").exists()


def test_export_job_runs_in_a_child_process_and_reports(stored, tmp_path, qtbot):
    from gui.export_job import ExportJob

    job = ExportJob(stored.folder, tmp_path / "exported")
    with qtbot.waitSignal(job.sig_finished, timeout=120_000) as finished:
        job.start()
    succeeded, message = finished.args
    assert succeeded, message
    files = len(list((tmp_path / "exported").iterdir()))
    assert message == f"Wrote {tmp_path / 'exported'} ({files} files)"
    assert (tmp_path / "exported" / "comparison_inset-NetA1.png").is_file()

    refused = ExportJob(stored.folder, tmp_path / "exported")
    with qtbot.waitSignal(refused.sig_finished, timeout=120_000) as finished:
        refused.start()
    assert finished.args == [False, f"{tmp_path / 'exported'} already holds an export; use "
                                    "--force to replace it, or choose another folder"]


def test_file_export_in_the_main_window(stored, tmp_path, qtbot, monkeypatch):
    from PySide6.QtCore import QSettings

    from gui.main_window import MainWindow

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings=settings, studies_root=str(tmp_path / "studies"),
                        probe_devices=False)
    qtbot.addWidget(window)
    assert window.export_action.shortcut().toString() == "Ctrl+E"
    assert window.export_action in window.file_menu.actions()
    window.export_dialog()  # no study yet: says what to do instead of asking for a folder
    assert window.last_message[0] == "Nothing to export"

    assert window.open_study_folder(stored.folder)
    with qtbot.waitSignal(window.statusBar().messageChanged, timeout=120_000,
                          check_params_cb=lambda text: text.startswith("Wrote ")):
        assert window.export_study_to(stored.folder)  # the study folder: STUDY_DIR/export
    out = stored.folder / "export"
    assert (out / "comparison_recovery.png").is_file()
    assert window.export_action.isEnabled()

    before = (out / "export.json").read_bytes()
    asked = []
    monkeypatch.setattr(window, "confirm_replace_export", lambda target: asked.append(target))
    assert not window.export_study_to(out)  # declined: nothing is touched
    assert asked == [out] and (out / "export.json").read_bytes() == before
    monkeypatch.setattr(window, "confirm_replace_export", lambda target: True)
    with qtbot.waitSignal(window.statusBar().messageChanged, timeout=120_000,
                          check_params_cb=lambda text: text.startswith("Replaced ")):
        assert window.export_study_to(out)
