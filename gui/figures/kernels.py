"""PNG images of kernel grids, drawn by pyqtgraph's own ImageExporter; works without a display
(QT_QPA_PLATFORM=offscreen), so `main.py export-kernels` runs headless.

Files for a study (see planned_files): NET-conv1.png per network (initial | final | difference),
NET-conv2.png per NetA2 network, all-networks-conv1.png; the CLI adds kernels.csv.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt

from gui.figures.style import collect_outside_qt, ensure_qapplication
from study.analysis.kernels import NetworkKernels, stored_kernels
from study.folder.csvio import StoreError, atomic_write_bytes
from study.state import StudyState

NETWORK_IMAGE_SIZE = (760, 860)
CONV2_IMAGE_SIZE = (1400, 1300)
OVERVIEW_IMAGE_SIZE = (1500, 900)
OVERVIEW_FILE = "all-networks-conv1.png"
CSV_FILE = "kernels.csv"


def render_grid_png(grid, size: tuple[int, int]) -> bytes:
    """A KernelGrid drawn at `size` (width, height) pixels, as PNG bytes."""
    with collect_outside_qt():
        return _render_grid_png(grid, size)


def _render_grid_png(grid, size: tuple[int, int]) -> bytes:
    """render_grid_png's drawing, with the garbage collector paused (collect_outside_qt)."""
    import pyqtgraph.exporters

    from gui.kernel_view import KernelGridView

    app = ensure_qapplication()
    view = KernelGridView()
    # Laid out and painted like a shown widget, but never put on a screen.
    view.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
    view.resize(*size)
    view.show_grid(grid)
    view.show()
    app.processEvents()
    try:
        exporter = pyqtgraph.exporters.ImageExporter(view.scene())
        exporter.parameters()["width"] = size[0]
        exporter.parameters()["height"] = size[1]
        image = exporter.export(toBytes=True)
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")
        buffer.close()
        return bytes(data.data())
    finally:
        view.close()
        view.deleteLater()


def export_grids(networks: Sequence[str], kernels: dict[str, NetworkKernels], out_dir,
                 current_name: str = "Final",
                 own_difference_scale: bool = False) -> list[Path]:
    """Write the kernel PNGs of `kernels` into `out_dir` (created if needed); return their paths.

    `own_difference_scale` is the Kernels tab's "Difference on its own colour scale": the
    difference then gets its own colour scale and bar, as the viewer shows it.
    """
    from gui.kernel_view import conv2_grid, network_grid, overview_grid

    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"could not create {out_dir}: {exc.strerror or exc}") from exc
    written = []

    def write(name, grid, size):
        path = out_dir / name
        atomic_write_bytes(path, render_grid_png(grid, size))
        written.append(path)

    for network in networks:
        found = kernels.get(network)
        if found is None:
            continue
        write(f"{network}-conv1.png", network_grid(found, current_name, own_difference_scale),
              NETWORK_IMAGE_SIZE)
        if found.initial_conv2 is not None:
            states = ("initial", "current", "difference") if found.current_conv2 is not None \
                else ("initial",)
            write(f"{network}-conv2.png",
                  conv2_grid(found, states, current_name, own_difference_scale),
                  CONV2_IMAGE_SIZE)
    if kernels:
        write(OVERVIEW_FILE, overview_grid(list(networks), kernels, current_name,
                                           own_difference_scale), OVERVIEW_IMAGE_SIZE)
    return written


def planned_files(stored: StudyState) -> list[str]:
    """Names of the PNG files export_kernel_grids writes for `stored`."""
    kernels = stored_kernels(stored)
    names = []
    for network, found in kernels.items():
        names.append(f"{network}-conv1.png")
        if found.initial_conv2 is not None:
            names.append(f"{network}-conv2.png")
    if kernels:
        names.append(OVERVIEW_FILE)
    return names


def export_kernel_grids(stored: StudyState, out_dir, own_difference_scale: bool = False,
                        seed: int | None = None) -> list[Path]:
    """Write PNGs of a stored study's kernel grids (initial, final, difference) into `out_dir`,
    those of `seed` (None: the study's first seed).

    One NET-conv1.png per network with stored weights, NET-conv2.png per NetA2 network and
    all-networks-conv1.png; existing files are replaced. StoreError if a file cannot be written.
    """
    return export_grids(list(stored.config.networks), stored_kernels(stored, seed), out_dir,
                        "Final", own_difference_scale)
