"""File › Export's new PNGs: the three training plots (smoothed as shown, and saying so), each
confusion matrix, and kernel grids on the colour scales the Kernels tab shows."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from gui.colors import network_color
from gui.export_job import ExportJob
from gui.figures.confusion import confusion_figure, write_confusion_pngs
from gui.figures.export import export_all
from gui.figures.kernels import render_grid_png
from gui.figures.training import training_note, write_training_pngs
from gui.kernel_view import network_grid
from gui.processes import ProcessJob
from study.analysis.kernels import stored_kernels
from study.state import StudyState, open_study
from tests.gui.test_export_png import colour_count, pixels
from tests.known_study import write_known_seeded_study, write_known_study

TRAINING_PNGS = ["training_test_accuracy.png", "training_test_loss.png",
                 "training_train_loss.png"]
SIX = ("NetA1-HF", "NetA1-HT", "NetA1-DT", "NetA2-HF", "NetA2-HT", "NetA2-DT")


@pytest.fixture
def stored(tmp_path):
    return open_study(write_known_study(tmp_path / "studies", hf_conv1_moved=("NetA1-HF",)))


def test_export_writes_the_training_plots_and_the_confusion_matrices(stored, tmp_path, qapp):
    result = export_all(stored, tmp_path / "export")
    for name in [*TRAINING_PNGS, *(f"confusion_{n}.png" for n in SIX)]:
        assert name in result.files, name
        rgb = pixels(result.folder / name)
        assert rgb.shape[1] >= 900 and rgb.std() > 10, f"{name} looks blank"
    accuracy = pixels(result.folder / "training_test_accuracy.png")
    for network in SIX:
        assert colour_count(accuracy, network_color(network)) > 50, network
    # NetA1-HF takes every Shirt for a T-shirt: an off-diagonal cell is coloured.
    confusion = pixels(result.folder / "confusion_NetA1-HF.png")
    assert colour_count(confusion, "#1565c0", tolerance=20) > 2000


def test_training_pngs_are_smoothed_as_shown_and_say_so(stored, tmp_path, qapp):
    plain = tmp_path / "plain"
    smooth = tmp_path / "smooth"
    plain.mkdir()
    smooth.mkdir()
    assert [p.name for p in write_training_pngs(stored, plain)] == TRAINING_PNGS
    assert [p.name for p in write_training_pngs(stored, smooth, smoothing=0.8)] == TRAINING_PNGS
    for name in TRAINING_PNGS:
        assert (plain / name).read_bytes() != (smooth / name).read_bytes()
    state = stored
    assert training_note(state) == ""
    assert training_note(state, 0.8) == "smoothed: EMA 0.80 (faint points: raw values)"


def test_training_note_names_the_seeds_and_the_band(tmp_path):
    state = StudyState.from_folder(write_known_seeded_study(tmp_path / "studies"))
    note = training_note(state, 0.5)
    assert note.startswith(f"mean of {len(state.seeds)} seeds, shaded: 95 % CI of the mean")
    assert note.endswith("smoothed: EMA 0.50 (faint points: raw values)")


def test_a_study_without_predictions_has_no_confusion_pngs(tmp_path, qapp):
    stored = open_study(write_known_study(tmp_path / "studies", predictions=False))
    assert write_confusion_pngs(stored, tmp_path) == []


def test_the_confusion_figure_shows_each_true_class_share(stored, qapp):
    confusion = stored.confusions()["NetA1-HF"]
    widget = confusion_figure(confusion, "study-x")
    try:
        share = widget.image.image.T
        # Row "Shirt" (6): all predicted T-shirt/top (0).
        assert share[6, 0] == pytest.approx(1.0) and share[6, 6] == 0.0
        assert np.allclose(share.sum(axis=1), 1.0)
    finally:
        widget.deleteLater()


def test_kernel_pngs_follow_the_colour_scale_choice(stored, tmp_path, qapp):
    kernels = stored_kernels(stored)
    shared = export_all(stored, tmp_path / "shared")
    own = export_all(stored, tmp_path / "own", own_difference_scale=True)
    name = "NetA1-HF-conv1.png"
    assert (shared.folder / name).read_bytes() != (own.folder / name).read_bytes()
    assert (own.folder / name).read_bytes() == render_grid_png(
        network_grid(kernels["NetA1-HF"], "Final", True), (760, 860))
    assert (shared.folder / name).read_bytes() == render_grid_png(
        network_grid(kernels["NetA1-HF"], "Final", False), (760, 860))


def test_the_kernels_tab_export_uses_the_scale_shown(qtbot, stored, tmp_path):
    from gui.panels.kernels import KernelPanel

    panel = KernelPanel()
    qtbot.addWidget(panel)
    panel.model.set_state(stored)
    panel.own_scale_box.setChecked(True)
    paths = panel.export_to(tmp_path / "kernels")
    written = {Path(p).name: Path(p) for p in paths}
    kernels = stored_kernels(stored)
    assert written["NetA1-HF-conv1.png"].read_bytes() == render_grid_png(
        network_grid(kernels["NetA1-HF"], panel._current_name(), True), (760, 860))


def test_the_export_job_passes_what_the_window_shows(qtbot, tmp_path, monkeypatch):
    from tests.gui.test_app_window import make_window

    window = make_window(qtbot, tmp_path)
    assert window.open_study_folder(write_known_study(tmp_path / "studies"))
    window.plots.set_smoothing(0.6)
    window.kernel_panel.own_scale_box.setChecked(True)
    commands = []

    monkeypatch.setattr(ProcessJob, "start", lambda job: commands.append(job.command))
    assert window.export_study_to(tmp_path / "out")
    assert isinstance(window.export_job, ExportJob)
    command = [str(part) for part in commands[0]]
    assert command[command.index("--smoothing") + 1] == "0.6"
    assert "--own-difference-scale" in command


def test_export_command_refuses_a_smoothing_out_of_range(tmp_path, capsys):
    from main import main

    folder = write_known_study(tmp_path / "studies")
    assert main(["export", str(folder), "--smoothing", "1.5"]) == 2
    assert "--smoothing must be from 0 to 0.99" in capsys.readouterr().err


def test_training_pngs_draw_the_band_and_seed_lines_chosen(tmp_path, qapp):
    stored = open_study(write_known_seeded_study(tmp_path / "studies"))
    folders = {key: tmp_path / key for key in ("ci", "min-max", "lines")}
    for folder in folders.values():
        folder.mkdir()
    write_training_pngs(stored, folders["ci"])
    write_training_pngs(stored, folders["min-max"], spread="min-max")
    write_training_pngs(stored, folders["lines"], seed_lines=True)
    for name in TRAINING_PNGS:
        ci, min_max, lines = (pixels(folders[key] / name) for key in ("ci", "min-max", "lines"))
        assert not np.array_equal(ci, min_max), name
        assert not np.array_equal(ci, lines), name
    state = stored
    n = len(state.seeds)
    assert training_note(state, spread="min-max") == \
        f"mean of {n} seeds, shaded: min – max of the seeds"
    assert training_note(state, seed_lines=True).endswith(", faint lines: each seed")


def test_the_export_job_passes_the_band_and_seed_lines_shown(qtbot, tmp_path, monkeypatch):
    from tests.gui.test_app_window import make_window

    window = make_window(qtbot, tmp_path)
    assert window.open_study_folder(write_known_seeded_study(tmp_path / "studies"))
    commands = []
    monkeypatch.setattr(ProcessJob, "start", lambda job: commands.append(job.command))
    assert window.export_study_to(tmp_path / "plain")
    plain = [str(part) for part in commands[-1]]
    assert "--band" not in plain and "--seed-lines" not in plain
    window.export_job = None
    window.plots.set_spread("min-max")
    window.plots.set_seed_lines_shown(True)
    assert window.export_study_to(tmp_path / "chosen")
    chosen = [str(part) for part in commands[-1]]
    assert chosen[chosen.index("--band") + 1] == "min-max"
    assert "--seed-lines" in chosen
