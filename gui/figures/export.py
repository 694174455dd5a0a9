"""Export all: every CSV of study.analysis.export, one PNG per comparison, the training plots,
each confusion matrix, kernels.csv and the kernel grid PNGs."""

from __future__ import annotations

from pathlib import Path

from gui.figures.confusion import write_confusion_pngs
from gui.figures.style import (
    as_state,
    comparison_figure,
    comparison_png_name,
    ensure_qapplication,
    save_figures,
)
from gui.figures.training import write_training_pngs
from study.analysis.compare import COMPARISONS
from study.analysis.export import ExportResult, export_study
from study.state import CI


def write_comparison_pngs(stored, folder) -> list[Path]:
    """One PNG per comparison (accuracy and loss curves) into `folder`; returns the paths."""
    state = as_state(stored)
    return save_figures(((comparison_png_name(comparison.key),
                          lambda comparison=comparison: comparison_figure(state, comparison))
                         for comparison in COMPARISONS), folder)


def kernel_grid_writer():
    """gui.figures.kernels.export_kernel_grids if that module exists, else None."""
    try:
        from gui.figures.kernels import export_kernel_grids
    except ImportError:
        return None
    return export_kernel_grids


def kernel_csv_writer():
    """A writer of kernels.csv (every kernel value) if study.analysis.kernels exists, else None."""
    try:
        from study.analysis.kernels import kernel_csv_text
    except ImportError:
        return None

    def write_kernel_values(stored, folder) -> list[Path]:
        from study.analysis.export import write_export_file

        path = Path(folder) / "kernels.csv"
        write_export_file(path, kernel_csv_text(stored))
        return [path]

    return write_kernel_values


def export_all(stored, out_dir=None, force: bool = False, smoothing: float = 0.0,
               own_difference_scale: bool = False, spread: str = CI,
               seed_lines: bool = False) -> ExportResult:
    """Export all: every CSV, one PNG per comparison, the three training plots (smoothed with
    `smoothing`, with the band `spread` and the seeds' lines when `seed_lines`, as the window
    shows them), each confusion matrix, kernels.csv and the kernel grid PNGs (the difference on
    its own colour scale when `own_difference_scale`)."""
    ensure_qapplication()
    grids = kernel_grid_writer()

    def training_pngs(stored, folder):
        return write_training_pngs(stored, folder, smoothing, spread, seed_lines)

    def kernel_pngs(stored, folder):
        return grids(stored, folder, own_difference_scale=own_difference_scale)

    writers = [write_comparison_pngs, training_pngs, write_confusion_pngs, kernel_csv_writer(),
               kernel_pngs if grids is not None else None]
    return export_study(stored, out_dir, force=force,
                        extra_writers=[w for w in writers if w is not None])
