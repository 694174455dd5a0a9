"""Kernel PNG export (pyqtgraph's ImageExporter) and `main.py export-kernels`, headless."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtGui import QImage

from gui.figures.kernels import (
    CONV2_IMAGE_SIZE,
    NETWORK_IMAGE_SIZE,
    OVERVIEW_FILE,
    OVERVIEW_IMAGE_SIZE,
    export_kernel_grids,
)
from gui.panels.kernels import KernelPanel
from study.protocol.networks import NETWORKS
from tests.kernel_study import write_kernel_study

ROOT = Path(__file__).resolve().parents[2]


def pixels(path: Path) -> np.ndarray:
    """The PNG's pixels as a (height, width, 4) uint8 array."""
    image = QImage(str(path)).convertToFormat(QImage.Format.Format_RGBA8888)
    assert not image.isNull(), f"{path} is not an image"
    data = np.frombuffer(image.constBits(), np.uint8, image.sizeInBytes())
    rows = data.reshape(image.height(), image.bytesPerLine())[:, :image.width() * 4]
    # Copy: the buffer belongs to `image`, which is freed when this function returns.
    return rows.reshape(image.height(), image.width(), 4).copy()


@pytest.fixture(scope="module")
def six_network_study(tmp_path_factory):
    return write_kernel_study(tmp_path_factory.mktemp("kernel-export"), epochs=1)


def test_export_kernel_grids_writes_sized_non_blank_pngs(qapp, six_network_study, tmp_path):
    paths = export_kernel_grids(six_network_study, tmp_path / "out")
    names = {p.name for p in paths}
    expected = {f"{n}-conv1.png" for n in NETWORKS} | {f"{n}-conv2.png" for n in NETWORKS
                                                       if n.startswith("NetA2")}
    assert names == expected | {OVERVIEW_FILE}
    sizes = {"conv1": NETWORK_IMAGE_SIZE, "conv2": CONV2_IMAGE_SIZE}
    for path in paths:
        assert path.is_file()
        image = pixels(path)
        size = OVERVIEW_IMAGE_SIZE if path.name == OVERVIEW_FILE else \
            sizes[path.stem.rsplit("-", 1)[1]]
        assert (image.shape[1], image.shape[0]) == size, path.name
        assert image[..., :3].astype(float).var() > 0, f"{path.name} is blank"
        # The diverging map's reds and blues are there, not just text on white.
        red = (image[..., 0] > 150) & (image[..., 2] < 90)
        assert red.sum() > 100, f"{path.name} shows no kernel colours"


def test_panel_export_writes_pngs_and_the_kernel_csv(qtbot, six_network_study, tmp_path):
    panel = KernelPanel()
    qtbot.addWidget(panel)
    panel.set_study(six_network_study)
    paths = panel.export_to(tmp_path)
    assert tmp_path / "kernels.csv" in paths
    with open(tmp_path / "kernels.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert sum(r["layer"] == "conv1" for r in rows) == 600
    assert (tmp_path / "NetA1-HF-conv1.png").is_file()


def run_cli(*args, env_changes=None):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "QT_QPA_PLATFORM",
                                                             "WAYLAND_DISPLAY")}
    env.update(env_changes or {})
    return subprocess.run([sys.executable, "main.py", *map(str, args)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
