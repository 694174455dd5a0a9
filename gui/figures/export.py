"""Export all: every CSV of study.analysis.export, one PNG per comparison, the training plots,
each confusion matrix, kernels.csv and the kernel grid PNGs."""

from __future__ import annotations

from pathlib import Path

from gui.figures.confusion import write_confusion_pngs
from gui.figures.kernels import export_kernel_grids
from gui.figures.style import (
    comparison_figure,
    comparison_png_name,
    ensure_qapplication,
    save_figures,
)
from gui.figures.training import write_training_pngs
from study.analysis.comparisons import COMPARISONS
from study.analysis.export import ExportResult, export_study, write_export_file
from study.analysis.kernels import kernel_csv_text
from study.state import CI


def write_comparison_pngs(state, folder) -> list[Path]:
    """One PNG per comparison (accuracy and loss curves) into `folder`; returns the paths."""
    return save_figures(((comparison_png_name(comparison.key),
                          lambda comparison=comparison: comparison_figure(state, comparison))
                         for comparison in COMPARISONS), folder)


def write_kernel_values(state, folder) -> list[Path]:
    """kernels.csv: every kernel value of every network."""
    path = Path(folder) / "kernels.csv"
    write_export_file(path, kernel_csv_text(state))
    return [path]


def export_writers(smoothing: float = 0.0, own_difference_scale: bool = False,
                   spread: str = CI, seed_lines: bool = False,
                   kernel_seed: int | None = None) -> list:
    """The writers Export all adds to the CSVs: one PNG per comparison, the three training plots
    (smoothed with `smoothing`, with the band `spread` and the seeds' lines when `seed_lines`,
    as the window shows them), each confusion matrix, kernels.csv and the kernel grid PNGs (the
    difference on its own colour scale when `own_difference_scale`; the kernels of `kernel_seed`,
    None for the first seed)."""
    ensure_qapplication()

    def training_pngs(state, folder):
        return write_training_pngs(state, folder, smoothing, spread, seed_lines)

    def kernel_pngs(state, folder):
        return export_kernel_grids(state, folder, own_difference_scale=own_difference_scale,
                                   seed=kernel_seed)

    return [write_comparison_pngs, training_pngs, write_confusion_pngs, write_kernel_values,
            kernel_pngs]


def export_all(state, out_dir=None, force: bool = False, smoothing: float = 0.0,
               own_difference_scale: bool = False, spread: str = CI,
               seed_lines: bool = False) -> ExportResult:
    """Export all: every CSV and the figures of export_writers."""
    return export_study(state, out_dir, force=force, extra_writers=export_writers(
        smoothing, own_difference_scale, spread, seed_lines))
