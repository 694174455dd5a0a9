"""All-at-once mode in the app: the Mode setting, shared progress, isolated-timing labels in the
summary, the Compare tab and the exports, and one real all-at-once run through the window."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from gui.figures.style import comparison_figure
from gui.main_window import MainWindow
from gui.panels.progress import TrainingProgress
from gui.panels.setup import SetupPanel
from study.analysis.comparisons import COMPARISONS, TABLE_COLUMNS
from study.analysis.export import export_study
from study.analysis.summary import SUMMARY_COLUMNS
from study.config import MODES, StudyConfig
from study.protocol.events import (
    BatchProgress,
    EpochEnded,
    NetworkFinished,
    NetworkStarted,
    SharedEpochTimed,
    StudyStarted,
)
from study.state import open_study
from tests.gui.test_app_window import make_window
from tests.known_study import write_known_study

SIX = ["NetA1-HF", "NetA1-HT", "NetA1-DT", "NetA2-HF", "NetA2-HT", "NetA2-DT"]
SHARED_NOTE = ("Networks trained together: shared wall time 00:12.50 (4.17 s per epoch); "
               "per-network times are isolated-timing estimates.")


def write_all_at_once_study(root: Path) -> Path:
    """The known six-network study, marked as trained all-at-once with a shared wall time."""
    folder = write_known_study(root)
    status_path = folder / "status.json"
    status = json.loads(status_path.read_text())
    status.update(mode="all-at-once", timing="isolated-estimate", shared_wall_seconds=12.5,
                  shared_epoch_seconds=[4.0, 4.25, 4.25], shared_eval_seconds=0.75)
    status_path.write_text(json.dumps(status))
    return folder


def read_csv(path: Path):
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return tuple(reader.fieldnames), list(reader)


def test_mode_combo_offers_both_modes_and_explains_all_at_once(qtbot):
    panel = SetupPanel(probe_devices=False)
    qtbot.addWidget(panel)
    combo = panel.mode_combo
    assert [combo.itemData(i) for i in range(combo.count())] == list(MODES)
    assert list(MODES) == ["sequential", "all-at-once"]
    assert combo.isEnabled()
    tip = combo.toolTip()
    assert "branches of one Keras model" in tip and "same batches" in tip
    assert "JAX and TensorFlow" in tip and "isolated-timing estimates" in tip
    combo.setCurrentIndex(combo.findData("all-at-once"))
    assert panel.config().mode == "all-at-once"


def test_the_chosen_mode_is_saved_and_restored(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path)
    window.setup.mode_combo.setCurrentIndex(window.setup.mode_combo.findData("all-at-once"))
    window.save_settings()
    window.close()

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    again = MainWindow(settings=settings, studies_root=str(tmp_path / "studies"),
                       probe_devices=False)
    qtbot.addWidget(again)
    assert again.setup.mode_combo.currentData() == "all-at-once"
    assert again.setup.config().mode == "all-at-once"


def test_progress_counts_shared_epochs_when_networks_train_together(qtbot):
    bar = TrainingProgress()
    qtbot.addWidget(bar)
    bar.start(StudyStarted("f", "jax", "cpu", SIX, 2, 640, 100, 10), together=True)
    assert "as one model" in bar.text()
    for index, name in enumerate(SIX):
        bar.network_started(NetworkStarted(name, index, 6))
    # Every network has started, yet nothing has trained: the bar must not read 5/6 done.
    assert bar.value() == 0
    assert "timing each network alone" in bar.text()

    for name in SIX:
        bar.batch_done(BatchProgress(name, 1, 5, 10, 2.0))
    # 5 of the 20 shared batches; 15 left at 0.4 s.
    assert bar.value() == 250
    text = bar.text()
    assert "all 6 networks together" in text and "epoch 1/2" in text and "batch 5/10" in text
    assert "NetA2-DT (6/6)" not in text
    assert bar.eta_seconds() == pytest.approx(6.0) and "ETA 0:06" in text

    for name in SIX:
        bar.epoch_done(EpochEnded(name, 1, 1.0, 1.0, 0.5, 0.9, 0.5))
    assert bar.value() == 500
    for name in SIX:
        bar.batch_done(BatchProgress(name, 2, 5, 10, 2.0))
    assert bar.value() == 750
    # 5 batches at 0.4 s plus this epoch's shared evaluation (6 × 0.5 s).
    assert bar.eta_seconds() == pytest.approx(5.0)
    assert "epoch 2/2" in bar.text() and "ETA 0:05" in bar.text()


def test_sequential_progress_is_unchanged_by_the_together_mode(qtbot):
    bar = TrainingProgress()
    qtbot.addWidget(bar)
    bar.start(StudyStarted("f", "torch", "cpu", SIX[:2], 1, 64, 16, 8))
    bar.network_started(NetworkStarted("NetA1-HF", 0, 2))
    bar.network_started(NetworkStarted("NetA1-HT", 1, 2))
    assert bar.value() == 500 and "NetA1-HT (2/2)" in bar.text()


def test_opened_all_at_once_study_labels_times_as_isolated_estimates(qtbot, window, tmp_path):
    folder = write_all_at_once_study(tmp_path / "stored")
    assert window.open_study_folder(folder)

    headers = window.summary.headers()
    assert headers[4] == "Time / epoch\n(isolated est.)"
    assert headers[5] == "Total\n(isolated est.)"
    assert "isolated-timing estimate" in window.summary.horizontalHeaderItem(4).toolTip()
    assert window.summary.note.isVisible() and window.summary.note.text() == SHARED_NOTE
    # The figures themselves are the stored (estimated) ones.
    assert window.summary.texts()[0][4] == "1.50 s"

    compare = window.compare_panel
    titles = [compare.comparison_table.horizontalHeaderItem(c).text()
              for c in range(compare.comparison_table.columnCount())]
    assert titles[5] == "Time / epoch\n(isolated est.)"
    assert titles[6] == "Total\n(isolated est.)"
    assert titles[8] == "Report: s / epoch"
    assert compare.timing_label.text() == SHARED_NOTE
    compare.show_comparison("recovery")
    assert compare.comparison_table.horizontalHeaderItem(5).text().endswith("(isolated est.)")

    # A measured (sequential) study brings the plain titles back and hides the note.
    assert window.open_study_folder(write_known_study(tmp_path / "measured"))
    assert window.summary.headers()[4:6] == ["Time / epoch", "Total (mm:ss.ss)"]
    assert not window.summary.note.isVisible() and window.summary.note.text() == ""
    assert compare.comparison_table.horizontalHeaderItem(5).text() == "Time / epoch"
    assert not compare.timing_label.isVisible()


def test_live_all_at_once_run_labels_the_summary_from_the_run_config(qtbot, window, tmp_path):
    # No child process: the events of an all-at-once run arrive as the worker would deliver them.
    window.setup.mode_combo.setCurrentIndex(window.setup.mode_combo.findData("all-at-once"))
    # What start_run does before the child's first event: the run's state from its config.
    window.model.start_run(StudyConfig(networks=SIX[:2], epochs=3, mode="all-at-once"))
    folder = write_all_at_once_study(tmp_path / "live")
    window._on_event(StudyStarted(str(folder), "jax", "cpu", SIX[:2], 3, 640, 100, 10))
    assert window.summary.headers()[4] == "Time / epoch\n(isolated est.)"
    for index, name in enumerate(SIX[:2]):
        window._on_event(NetworkStarted(name, index, 2))
    window._on_event(BatchProgress("NetA1-HF", 1, 4, 10, 1.0))
    window._on_event(BatchProgress("NetA1-HT", 1, 4, 10, 1.0))
    assert "all 2 networks together" in window.progress.text()
    assert window.summary.note.text().startswith("Networks trained together (all-at-once)")
    # The shared wall time comes with the run's events, never from its status.json.
    (folder / "status.json").unlink()
    for epoch, seconds in enumerate((4.0, 4.25, 4.25), start=1):
        window._on_event(SharedEpochTimed(epoch, seconds, 0.25))
    window._on_event(NetworkFinished("NetA1-HF", 3, 0.6, 2, 0.55, 1.5, 4.5))
    assert window.summary.note.text() == SHARED_NOTE
    assert window.summary.texts()[0][4:] == ["1.50 s", "00:04.50"]


def test_export_of_an_all_at_once_study_carries_the_timing(tmp_path):
    folder = write_all_at_once_study(tmp_path / "studies")
    out = export_study(folder, tmp_path / "out").folder

    columns, rows = read_csv(out / "summary.csv")
    assert columns == (*SUMMARY_COLUMNS, "epochs_done", "note", "timing")
    assert {r["timing"] for r in rows} == {"isolated-estimate"} and len(rows) == 6
    for comparison in COMPARISONS:
        columns, rows = read_csv(out / f"comparison_{comparison.key}.csv")
        assert columns == (*TABLE_COLUMNS, "timing")
        assert {r["timing"] for r in rows} == {"isolated-estimate"}
    marker = json.loads((out / "export.json").read_text())
    assert marker["timing"] == "isolated-estimate"
    assert marker["shared_wall_seconds"] == 12.5
    assert marker["shared_epoch_seconds"] == [4.0, 4.25, 4.25]

    measured = export_study(write_known_study(tmp_path / "seq"), tmp_path / "seq-out").folder
    assert read_csv(measured / "summary.csv")[0] == (*SUMMARY_COLUMNS, "epochs_done", "note")
    assert json.loads((measured / "export.json").read_text())["timing"] == "measured"


def test_comparison_png_names_the_shared_wall_time(qtbot, tmp_path):
    stored = open_study(write_all_at_once_study(tmp_path / "studies"))
    widget = comparison_figure(stored, COMPARISONS[0])
    texts = [item.text for item in widget.ci.items if hasattr(item, "text")]
    widget.deleteLater()
    assert SHARED_NOTE in texts

    measured = open_study(write_known_study(tmp_path / "seq"))
    widget = comparison_figure(measured, COMPARISONS[0])
    texts = [item.text for item in widget.ci.items if hasattr(item, "text")]
    widget.deleteLater()
    assert not any("shared wall time" in str(text) for text in texts)
