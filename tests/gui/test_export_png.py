"""Comparison PNGs via pyqtgraph's ImageExporter, Export all, and `main.py export` headless."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtGui import QColor, QImage

from gui.colors import network_color
from gui.figures.export import export_all, write_comparison_pngs
from gui.figures.style import FIGURE_SIZE
from study.analysis.export import ExportError
from study.state import open_study
from tests.known_study import write_known_study

REPO = Path(__file__).resolve().parents[2]
COMPARISON_PNGS = [f"comparison_{key}.png" for key in (
    "inset-NetA1", "inset-NetA2", "architecture-HF", "architecture-HT", "architecture-DT",
    "recovery")]


def pixels(path) -> np.ndarray:
    """(height, width, 3) RGB array of a PNG."""
    image = QImage(str(path)).convertToFormat(QImage.Format.Format_RGB888)
    assert not image.isNull(), f"{path} is not a readable image"
    row_bytes = image.bytesPerLine()
    raw = np.frombuffer(image.constBits(), np.uint8, count=row_bytes * image.height())
    # Copy: the buffer belongs to the QImage, which is gone once this function returns.
    return raw.reshape(image.height(), row_bytes)[:, : image.width() * 3].reshape(
        image.height(), image.width(), 3).copy()


def colour_count(rgb: np.ndarray, color: str, tolerance: int = 12) -> int:
    """How many pixels are within `tolerance` of a colour in every channel."""
    target = QColor(color)
    wanted = np.array([target.red(), target.green(), target.blue()])
    return int(np.all(np.abs(rgb.astype(int) - wanted) <= tolerance, axis=2).sum())


@pytest.fixture
def stored(tmp_path):
    return open_study(write_known_study(tmp_path / "studies"))


def test_one_png_per_comparison_of_sensible_size_and_not_blank(stored, tmp_path, qapp):
    paths = write_comparison_pngs(stored, tmp_path)
    assert sorted(p.name for p in paths) == sorted(COMPARISON_PNGS)
    for path in paths:
        rgb = pixels(path)
        assert (rgb.shape[1], rgb.shape[0]) == FIGURE_SIZE
        assert path.stat().st_size > 20_000
        assert rgb.std() > 20, f"{path.name} looks blank"
        # Mostly white background: a figure for documents.
        assert colour_count(rgb, "#ffffff", 2) > rgb.shape[0] * rgb.shape[1] // 2


def test_curves_are_drawn_in_the_network_colours(stored, tmp_path, qapp):
    write_comparison_pngs(stored, tmp_path)
    inset = pixels(tmp_path / "comparison_inset-NetA1.png")
    for network in ("NetA1-HF", "NetA1-HT", "NetA1-DT"):
        assert colour_count(inset, network_color(network)) > 500, network
    assert colour_count(inset, network_color("NetA2-DT")) < 50
    architecture = pixels(tmp_path / "comparison_architecture-HF.png")
    for network in ("NetA1-HF", "NetA2-HF"):
        assert colour_count(architecture, network_color(network)) > 500, network
    assert colour_count(architecture, network_color("NetA1-DT")) < 50


def test_export_all_adds_the_pngs_to_the_csv_files(stored, tmp_path, qapp):
    result = export_all(stored, tmp_path / "export")
    assert set(COMPARISON_PNGS) <= set(result.files)
    assert {"metrics.csv", "summary.csv", "conclusions.csv", "export.json"} <= set(result.files)
    for name in result.files:
        assert (result.folder / name).is_file(), name
    assert "all-networks-conv1.png" in result.files
    assert "NetA1-HF-conv1.png" in result.files
    header = (result.folder / "kernels.csv").read_text().splitlines()[0]
    assert header.startswith("network,seed,layer,kernel,")


def test_a_png_that_cannot_be_written_keeps_the_earlier_export(stored, tmp_path, qapp,
                                                               monkeypatch):
    first = export_all(stored, tmp_path / "export")
    before = {p.name: p.read_bytes() for p in first.folder.iterdir()}

    def disk_full(widget, path):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    import gui.figures.style as plot_style_module

    monkeypatch.setattr(plot_style_module, "save_widget_png", disk_full)
    with pytest.raises(ExportError, match="No space left on device.*earlier export .* intact"):
        export_all(stored, first.folder, force=True)
    assert {p.name: p.read_bytes() for p in first.folder.iterdir()} == before


def run_cli(*args):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    return subprocess.run([sys.executable, "main.py", "export", *map(str, args)], cwd=REPO,
                          env=env, capture_output=True, text=True, timeout=300)
