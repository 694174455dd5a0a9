"""What a new user sees in the app: stopped summaries, refused actions, verdict rows, limits,
seeds in exports, titles, plot details and counts (each test reproduces a user's steps)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np

from study.config import StudyConfig
from study.folder.writer import StudyWriter
from study.protocol.events import EpochResult
from study.protocol.networks import NETWORKS


def dead_pid() -> int:
    """The pid of a process that has ended."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _accuracy(network: str, seed: int, epoch: int) -> float:
    return round(0.5 + 0.02 * NETWORKS.index(network) + 0.03 * epoch + 0.04 * seed, 4)


def write_cut_short_study(root: Path, state: str = "stopped", seeds=(0, 1, 2), epochs=8,
                          done=3, networks=NETWORKS, accuracy=_accuracy,
                          weights=False) -> Path:
    """A study of `seeds` planned for `epochs` that ended after `done` epochs, as `state`
    ("interrupted": status.json still says running and its writer is gone); `accuracy`
    (network, seed, epoch) gives each epoch's test accuracy; `weights`: conv1 weights per seed."""
    config = StudyConfig(networks=tuple(networks), epochs=epochs, seed=seeds[0],
                         seeds=tuple(seeds), mode="all-at-once")
    writer = StudyWriter.create(root, config)
    for network in networks:
        for seed in seeds:
            for epoch in range(1, done + 1):
                value = accuracy(network, seed, epoch)
                writer.append_epoch(network, EpochResult(epoch, 1.0, 1.0 - value, value,
                                                         1.5, 0.25), seed=seed)
        for seed in seeds if weights else ():
            # conv1 K1 row 1 col 1 holds the seed, so each seed's kernels can be told apart.
            initial = np.full((5, 5, 1, 4), 0.1, np.float32)
            initial[0, 0, 0, 0] = seed
            flat = {"conv1/kernel": initial, "conv1/bias": np.zeros(4, np.float32)}
            writer.save_weights(network, "initial", flat, seed=seed)
            writer.save_weights(network, "final", {**flat, "conv1/kernel": initial + 0.5},
                                seed=seed)
    writer.write_summary()
    if state == "interrupted":
        writer.write_status(state="running", pid=dead_pid(), host=socket.gethostname())
    else:
        writer.write_status(state=state, backend="jax", device="cpu")
    return writer.folder


def elided_cells(table) -> list[str]:
    """The columns (by title) too narrow for their cells or their title: Qt would elide them."""
    header = table.horizontalHeader()
    return [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())
            if header.sectionSize(c) < max(table.sizeHintForColumn(c), header.sectionSizeHint(c))]


# ----- 1: the summary after a stop or an interruption -------------------------------------------
def test_a_stopped_three_seed_summary_keeps_mean_and_half_width_readable(window, tmp_path):
    folder = write_cut_short_study(tmp_path / "studies", "stopped")
    assert window.open_study_folder(folder)
    table = window.summary
    rows = {row[0]: row for row in table.texts()}
    final = rows["NetA1-HF"][3]
    assert final.endswith(" % *") and "±" in final and "seed" not in final
    tip = table.item(0, 3).toolTip()
    assert "seed 0 (stopped at epoch 3 of 8)" in tip and "seed 2 (stopped at epoch 3 of 8)" in tip
    assert table.note.isVisible()
    assert "stopped at epoch 3 of 8: NetA1-HF, NetA1-HT" in table.note.text()
    assert elided_cells(table) == []


def test_a_killed_study_is_described_as_interrupted_not_stopped(window, tmp_path):
    folder = write_cut_short_study(tmp_path / "studies", "interrupted")
    assert window.open_study_folder(folder)
    assert window.model.state.state == "interrupted"
    note = window.summary.note.text()
    assert "interrupted at epoch 3 of 8" in note and "stopped" not in note
    assert "interrupted at epoch 3 of 8" in window.summary.item(0, 3).toolTip()


# ----- 2: a refused Resume, and a study that changed on disk -----------------------------------
def _finish_elsewhere(folder: Path) -> None:
    """What `main.py study --resume FOLDER` run to the end in a terminal leaves in status.json."""
    path = folder / "status.json"
    status = json.loads(path.read_text())
    status.update(state="finished", pid=None)
    path.write_text(json.dumps(status))


def test_a_resume_refused_because_it_finished_elsewhere_keeps_the_view(window, tmp_path,
                                                                        monkeypatch):
    import gui.worker

    started = []
    monkeypatch.setattr(gui.worker.StudyWorker, "start", lambda self: started.append(self))
    folder = write_cut_short_study(tmp_path / "studies", "interrupted", seeds=(0,), epochs=3,
                                   networks=("NetA1-HF",))
    assert window.open_study_folder(folder)
    assert window.resume_action.isEnabled()
    _finish_elsewhere(folder)
    assert window.resume_run() is False
    assert started == [] and window.worker is None
    assert window.last_message[0] == "Cannot resume" and "finished" in window.last_message[1]
    assert window.model.state.folder == folder and window.model.state.state == "finished"
    assert window.summary.rowCount() == 1
    assert "failed" not in window.progress.text().lower()
    assert not window.resume_action.isEnabled()


def test_a_resume_the_child_refuses_shows_the_study_again(qtbot, window, tmp_path, monkeypatch):
    import gui.worker

    # The child says no (as `study --resume` does for a study another process holds).
    monkeypatch.setattr(gui.worker, "resume_command", lambda folder: [
        sys.executable, "-c",
        "import sys; print('error: cannot resume: it is still running', file=sys.stderr); "
        "sys.exit(2)"])
    folder = write_cut_short_study(tmp_path / "studies", "stopped", seeds=(0,), epochs=3,
                                   networks=("NetA1-HF",))
    assert window.open_study_folder(folder)
    with qtbot.waitSignal(window.sig_run_finished, timeout=60_000):
        assert window.resume_run()
    assert window.model.state.folder == folder and window.summary.rowCount() == 1
    assert window.progress.text().startswith("Resume refused: ")
    assert "failed" not in window.progress.text().lower()
    assert "failed" not in window.statusBar().currentMessage().lower()
    assert window.last_message[0] == "Cannot resume"


def test_the_study_shown_follows_its_folder_when_it_changes_on_disk(window, tmp_path):
    folder = write_cut_short_study(tmp_path / "studies", "interrupted", seeds=(0,), epochs=3,
                                   networks=("NetA1-HF",))
    assert window.open_study_folder(folder)
    assert window.controller.follower.check() is False  # nothing changed yet
    _finish_elsewhere(folder)
    assert window.controller.follower.check() is True
    assert window.model.state.state == "finished"
    assert "changed on disk" in window.statusBar().currentMessage()
    assert window.controller.follower.timer.isActive()


# ----- 3: a compound claim's row shows the part that decides it --------------------------------
# NetA1 over three seeds: DT − HT = +3.23 pts with a wide interval (close to holding), HT − HF =
# −0.02 pts with a narrow one (nowhere near): "DT > HT > HF" is decided by HT > HF.
NETA1 = {"NetA1-HF": (0.50, 0.50, 0.50), "NetA1-HT": (0.505, 0.495, 0.4994),
         "NetA1-DT": (0.515, 0.555, 0.5263)}


def _compound_accuracy(network: str, seed: int, epoch: int) -> float:
    return NETA1[network][seed] if network in NETA1 else 0.6 + 0.01 * NETWORKS.index(network)


def test_a_compound_claim_shows_its_deciding_part_in_the_app_and_the_csv(window, tmp_path):
    from study.analysis.conclusions import (
        conclusion_part_rows,
        conclusion_rows,
        study_conclusions,
    )
    from study.state import open_study

    folder = write_cut_short_study(tmp_path / "studies", "finished", epochs=3, done=3,
                                   accuracy=_compound_accuracy)
    assert window.open_study_folder(folder)
    table = window.compare_panel.conclusions_table
    row = next(r for r in range(table.rowCount())
               if table.item(r, 0).text().startswith("NetA1: DT > HT > HF in peak"))
    assert table.item(row, 0).text().endswith("decided by: NetA1-HT > NetA1-HF")
    assert table.item(row, 1).text() == "not resolved"
    assert table.item(row, 3).text() == "-0.02 pts"
    assert window.compare_panel.verdicts()["NetA1: DT > HT > HF in peak test accuracy"] == \
        "not resolved"

    conclusions = study_conclusions(open_study(folder))
    csv_row = next(r for r in conclusion_rows(conclusions)
                   if r["key"] == "order-NetA1" and r["measure"] == "peak_test_accuracy")
    assert csv_row["part"] == "NetA1-HT > NetA1-HF"
    assert round(100 * csv_row["difference_mean"], 2) == -0.02
    parts = [r["part"] for r in conclusion_part_rows(conclusions)
             if r["key"] == "order-NetA1" and r["measure"] == "peak_test_accuracy"]
    assert parts == ["NetA1-DT > NetA1-HT (peak test accuracy)",
                     "NetA1-HT > NetA1-HF (peak test accuracy)"]


# ----- 4: a one-seed verdict is muted -------------------------------------------------------------
def test_a_one_seed_verdict_says_so_in_a_muted_colour(window, tmp_path):
    from PySide6.QtGui import QColor

    from gui.colors import (
        DOES_NOT_HOLD_COLOR,
        DOES_NOT_HOLD_ONE_SEED_COLOR,
        HOLDS_COLOR,
        MUTED_TEXT_COLOR,
    )

    # One seed, one epoch: NetA2-HF is 0.20 points below NetA1-HF (2 images of 1,000).
    def accuracy(network, seed, epoch):
        return {"NetA1-HF": 0.802, "NetA2-HF": 0.800}.get(network, 0.7)

    folder = write_cut_short_study(tmp_path / "studies", "finished", seeds=(0,), epochs=1,
                                   done=1, accuracy=accuracy)
    assert window.open_study_folder(folder)
    table = window.compare_panel.conclusions_table
    shown = {table.item(r, 0).text().split("\n")[0]: table.item(r, 1)
             for r in range(table.rowCount())}
    refuted = shown["HF: NetA2 beats NetA1 in peak test accuracy"]
    assert refuted.text() == "does not hold (1 seed)"
    assert refuted.background().color() == QColor(DOES_NOT_HOLD_ONE_SEED_COLOR)
    assert refuted.foreground().color() == QColor(MUTED_TEXT_COLOR)
    full = {QColor(HOLDS_COLOR).name(), QColor(DOES_NOT_HOLD_COLOR).name()}
    assert not any(item.background().color().name() in full for item in shown.values())
    assert all(item.text().endswith("(1 seed)") for item in shown.values()
               if item.text().startswith(("holds", "does not hold")))
    assert window.compare_panel.verdicts()[
        "HF: NetA2 beats NetA1 in peak test accuracy"] == "does not hold"


# ----- 5: a limit above the data size is refused as you type -----------------------------------
def test_a_train_limit_above_the_dataset_is_refused_as_you_type(window, synthetic_data_dir,
                                                                 monkeypatch):
    import gui.panels.setup.limits
    import study.data

    monkeypatch.setattr(gui.panels.setup.limits, "_SIZES", {})
    # The system copy (data field empty) is the synthetic set: 512 training, 256 test images.
    monkeypatch.setattr(study.data, "candidate_dirs", lambda: [Path(synthetic_data_dir)])
    setup = window.setup
    setup.data_edit.setText("")
    setup.train_limit_edit.setText("70000")
    label = setup.error_labels["train_limit"]
    assert label.isVisible()
    assert "Fashion-MNIST has 512 training images" in label.text()
    assert not window.run_action.isEnabled() and not setup.run_button.isEnabled()
    assert not window.start_run()
    setup.train_limit_edit.setText("512")
    setup.test_limit_edit.setText("300")
    assert not label.isVisible() and window.setup.error_labels["test_limit"].isVisible()
    assert "256 test images" in setup.error_labels["test_limit"].text()
    setup.test_limit_edit.setText("256")
    assert window.run_action.isEnabled()
    # A folder of IDX files is named by its path.
    setup.data_edit.setText(str(synthetic_data_dir))
    setup.train_limit_edit.setText("513")
    assert f"IDX files in {synthetic_data_dir} has 512 training images" in label.text()


# ----- 6: kernel views and exports name the seed, which the user picks -------------------------
def test_kernel_views_and_exports_name_the_seed_picked(window, tmp_path, monkeypatch):
    import csv

    import gui.figures.kernels

    folder = write_cut_short_study(tmp_path / "studies", "finished", epochs=3, done=3,
                                   networks=("NetA1-HF", "NetA1-DT"), weights=True)
    assert window.open_study_folder(folder)
    panel = window.kernel_panel
    window.tabs.setCurrentWidget(panel)
    assert panel.seed_combo.isVisible()
    assert [panel.seed_combo.itemText(i) for i in range(panel.seed_combo.count())] == \
        ["0", "1", "2"]
    panel.select_seed(1)
    panel.select_network("NetA1-DT")
    assert panel.viewer.grid.title.startswith("NetA1-DT · seed 1 · conv1")
    assert panel.overview.grid.title.endswith("· seed 1")
    assert panel.status_label.text().startswith("seed 1:")
    assert panel.viewer.grid.cells[0][0].values[0, 0] == 1.0  # seed 1's own weights

    titles = []
    monkeypatch.setattr(gui.figures.kernels, "render_grid_png",
                        lambda grid, size: titles.append(grid.title) or b"png")
    out = tmp_path / "kernels-out"
    panel.export_to(out)
    assert "NetA1-DT · seed 1 · conv1 (four 5×5 kernels)" in titles
    assert all("seed 1" in title for title in titles)
    with open(out / "kernels.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0])[:2] == ["network", "seed"]
    corner = {row["seed"]: float(row["initial"]) for row in rows
              if row["network"] == "NetA1-DT" and row["kernel"] == "K1"
              and row["row"] == "1" and row["col"] == "1"}
    assert corner == {"0": 0.0, "1": 1.0, "2": 2.0}


def test_file_export_draws_the_kernels_of_the_seed_picked(window, tmp_path, monkeypatch, capsys):
    import gui.figures.kernels
    from gui.processes import ProcessJob
    from main import main

    folder = write_cut_short_study(tmp_path / "studies", "finished", epochs=3, done=3,
                                   networks=("NetA1-HF", "NetA1-DT"), weights=True)
    assert window.open_study_folder(folder)
    commands = []
    monkeypatch.setattr(ProcessJob, "start", lambda job: commands.append(job.command))
    assert window.export_study_to(tmp_path / "first")
    assert "--kernel-seed" not in [str(part) for part in commands[-1]]  # the first seed
    window.export_job = None
    window.kernel_panel.select_seed(2)
    assert window.export_study_to(tmp_path / "picked")
    command = [str(part) for part in commands[-1]]
    assert command[command.index("--kernel-seed") + 1] == "2"

    # What the child runs: the kernel PNGs of seed 2, every one named so.
    titles = []
    monkeypatch.setattr(gui.figures.kernels, "render_grid_png",
                        lambda grid, size: titles.append(grid.title) or b"png")
    assert main(["export", str(folder), "--out", str(tmp_path / "out"), "--kernel-seed", "2"]) == 0
    assert titles and all("seed 2" in title for title in titles)
    assert main(["export", str(folder), "--out", str(tmp_path / "bad"), "--kernel-seed", "7"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1] == f"error: --kernel-seed 7 is not a seed of {folder.name} (its seeds: 0, 1, 2)"
    assert not (tmp_path / "bad").exists()


# ----- 7: Export makes a new folder, names what it exports, follows the Studies tab ----------
def _answer_export_dialog(monkeypatch, name: str) -> list[tuple[str, Path]]:
    """Answer the export dialog by typing `name`, a folder that does not exist yet; returns
    (title, folder answered) of each dialog."""
    from PySide6.QtWidgets import QFileDialog

    asked = []

    def exec_(dialog):
        assert dialog.acceptMode() == QFileDialog.AcceptMode.AcceptSave  # a new name is fine
        dialog.selectFile(name)
        asked.append((dialog.windowTitle(), Path(dialog.directory().absolutePath()) / name))
        return QFileDialog.DialogCode.Accepted

    monkeypatch.setattr(QFileDialog, "exec", exec_)
    return asked


def test_export_makes_a_new_folder_and_names_the_study(qtbot, window, tmp_path, monkeypatch):
    folder = write_cut_short_study(tmp_path / "studies", "finished", seeds=(0,), epochs=3,
                                   networks=("NetA1-HF",))
    assert window.open_study_folder(folder)
    asked = _answer_export_dialog(monkeypatch, "my-export")
    window.export_dialog()
    ((title, target),) = asked
    assert title == f"Export {folder.name} into a folder"
    assert not target.exists()
    qtbot.waitUntil(lambda: window.export_job is None, timeout=120_000)
    assert (target / "summary.csv").is_file(), window.statusBar().currentMessage()
    assert str(target) in window.statusBar().currentMessage()


def test_export_on_the_studies_tab_exports_the_comparison_shown(window, tmp_path, monkeypatch):
    from study.analysis.multi_compare import MARKER

    studies = [write_cut_short_study(tmp_path / "studies" / name, "finished", seeds=(0,),
                                     epochs=3, networks=("NetA1-HF",)) for name in "ab"]
    panel = window.studies_panel
    window.tabs.setCurrentWidget(panel)
    assert panel.compare_paths([str(s) for s in studies])
    asked = _answer_export_dialog(monkeypatch, "comparison-out")
    window.export_dialog()
    ((title, target),) = asked
    assert title == (f"Export the comparison of {', '.join(panel.comparison.labels)} into a "
                     "folder")
    marker = json.loads((target / MARKER).read_text())
    assert marker["studies"] == [str(s.resolve()) for s in studies]
    assert (target / "overlay_NetA1-HF.png").is_file()
    assert "Exported the comparison" in window.statusBar().currentMessage()


# ----- 8: one application name in the title, which follows Stop at once --------------------------
def platform_title(title: str, display_name: str = "Kernel Lab") -> str:
    """The title the desktop shows: Qt appends " — display name" unless the title ends with it
    (QPlatformWindow::formatWindowTitle)."""
    return title if title.endswith(display_name) else f"{title} — {display_name}"


def test_the_title_names_the_app_once_and_follows_stop_at_once(qtbot, window, tmp_path):
    from study.protocol.events import BatchProgress, StudyFinished
    from tests.gui.test_app_window import write_stored_study
    from tests.gui.test_window_conveniences import start_fake_run

    folder = write_stored_study(tmp_path / "studies")
    worker = start_fake_run(window, folder)
    worker.sig_event.emit(BatchProgress("NetA1-HF", 2, 4, 10, 3.0))
    shown = platform_title(window.windowTitle())
    assert shown == f"23 % · {folder.name} — Kernel Lab"
    assert shown.count("Kernel Lab") == 1
    window.stop_run()
    assert window.windowTitle() == f"stopping · {folder.name} — Kernel Lab"
    # The run has ended (its last event came) while its process is still exiting.
    worker.sig_event.emit(StudyFinished(str(folder), "stopped"))
    assert window.is_running()
    assert platform_title(window.windowTitle()) == "Kernel Lab"
    worker.exit_with(0)
    assert window.windowTitle() == "Kernel Lab"


# ----- 9: plot details and field names -------------------------------------------------------
def test_the_hover_box_goes_when_the_pointer_leaves_the_plot(qtbot, window, tmp_path):
    from PySide6.QtCore import QEvent, QPointF
    from PySide6.QtWidgets import QApplication

    from tests.gui.test_app_window import write_stored_study

    assert window.open_study_folder(write_stored_study(tmp_path / "studies"))
    plots = window.plots
    plots.redraw()
    plot = plots.plots["test_accuracy"]
    view = plot.getPlotItem().getViewBox()
    qtbot.wait(50)
    plots.hover_at("test_accuracy", view.mapViewToScene(QPointF(2.0, 70.0)))  # NetA1-HF, epoch 2
    assert plots.hovered == ("NetA1-HF", "test_accuracy", 2)
    assert plots._hover_texts["test_accuracy"].isVisible()
    QApplication.sendEvent(plot, QEvent(QEvent.Type.Leave))
    assert plots.hovered is None and plots.hover_label.text() == ""
    assert not any(text.isVisible() for text in plots._hover_texts.values())


def test_an_empty_accuracy_plot_reads_0_to_100_percent(window):
    view = window.plots.plots["test_accuracy"].getPlotItem().getViewBox()
    low, high = view.viewRange()[1]
    assert low <= 0.0 and high >= 100.0 and high < 110.0
    assert view.autoRangeEnabled()[1]  # the first points take over


def test_a_one_epoch_study_shows_epoch_1_alone(window, tmp_path):
    folder = write_cut_short_study(tmp_path / "studies", "finished", seeds=(0,), epochs=1,
                                   done=1, networks=("NetA1-HF", "NetA2-DT"))
    assert window.open_study_folder(folder)
    window.plots.redraw()
    for plot in window.plots.plots.values():
        low, high = plot.getPlotItem().getViewBox().viewRange()[0]
        assert 0.0 <= low < 1.0 < high <= 2.0


def test_the_legend_does_not_cover_the_curves_in_a_small_window(qtbot, window, tmp_path):
    window.resize(1000, 650)
    folder = write_cut_short_study(tmp_path / "studies", "finished", seeds=(0,), epochs=3,
                                   done=3)
    assert window.open_study_folder(folder)
    plots = window.plots
    qtbot.waitUntil(lambda: plots.legend_view.isVisible())
    qtbot.wait(50)
    assert [label.text for _sample, label in plots.legend.items] == list(NETWORKS)
    for plot in plots.plots.values():
        assert plot.getPlotItem().legend is None
        assert not plots.legend_view.geometry().intersects(plot.geometry())
    assert plots.legend.boundingRect().width() <= plots.legend_view.width()
    assert plots.legend.boundingRect().height() <= plots.legend_view.height()


def test_field_messages_name_the_label_not_the_internal_field(window, synthetic_data_dir):
    setup = window.setup
    setup.batch_size_edit.setText("0")
    setup.data_edit.setText(str(synthetic_data_dir / "missing"))
    assert setup.error_labels["batch_size"].text().startswith("Batch size must")
    assert setup.error_labels["data_dir"].text().startswith("Dataset: ")
    shown = " ".join([*(label.text() for label in setup.error_labels.values()),
                      setup.run_reason.text()])
    assert "batch_size" not in shown and "data_dir" not in shown


# ----- 10: the Studies tab's count matches the rows shown ---------------------------------------
def test_the_studies_count_matches_the_rows_the_filter_shows(qtbot, window, tmp_path):
    # Two studies in the save folder (names made unique by the writer).
    for _ in range(2):
        write_cut_short_study(tmp_path / "studies", "finished", seeds=(0,), epochs=3,
                              networks=("NetA1-HF",))
    panel = window.studies_panel
    with qtbot.waitSignal(panel.sig_listed, timeout=30_000):
        panel.refresh()
    assert len(panel.shown_names()) == 2 and panel.count_label.text() == "2 studies"
    panel.filter_edit.setText(max(panel.shown_names()))  # the name ending "-2"
    assert len(panel.shown_names()) == 1
    assert panel.count_label.text() == "1 of 2 studies"
    panel.filter_edit.setText("no such study")
    assert panel.count_label.text() == "0 of 2 studies"
    panel.filter_edit.clear()
    assert panel.count_label.text() == "2 studies"
