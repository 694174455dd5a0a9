"""Export all: every CSV of study.analysis.export, one PNG per comparison, kernels.csv and the
kernel grid PNGs; the writers `main.py export` plugs in (the app runs it in a child process)."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QObject, QProcess, Signal

from gui.child_process import child_environment, main_command, start_qprocess
from gui.plot_style import (
    comparison_figure,
    comparison_png_name,
    ensure_qapplication,
    save_figures,
)
from study.analysis.comparisons import COMPARISONS
from study.analysis.export import ExportResult, export_study
from study.state import CI, StudyState


def as_state(stored) -> StudyState:
    """The StudyState the figures are drawn from."""
    return stored


def write_comparison_pngs(stored, folder) -> list[Path]:
    """One PNG per comparison (accuracy and loss curves) into `folder`; returns the paths."""
    state = as_state(stored)
    return save_figures(((comparison_png_name(comparison.key),
                          lambda comparison=comparison: comparison_figure(state, comparison))
                         for comparison in COMPARISONS), folder)


def kernel_grid_writer():
    """gui.kernel_export.export_kernel_grids if that module exists, else None."""
    try:
        from gui.kernel_export import export_kernel_grids
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


def export_writers(smoothing: float = 0.0, own_difference_scale: bool = False,
                   spread: str = CI, seed_lines: bool = False) -> list:
    """The writers Export all adds to the CSVs: one PNG per comparison, the three training plots
    (smoothed with `smoothing`, with the band `spread` and the seeds' lines when `seed_lines`,
    as the window shows them), each confusion matrix, kernels.csv and the kernel grid PNGs (the
    difference on its own colour scale when `own_difference_scale`)."""
    from gui.figure_export import write_confusion_pngs, write_training_pngs

    ensure_qapplication()
    grids = kernel_grid_writer()

    def training_pngs(stored, folder):
        return write_training_pngs(stored, folder, smoothing, spread, seed_lines)

    def kernel_pngs(stored, folder):
        return grids(stored, folder, own_difference_scale=own_difference_scale)

    writers = [write_comparison_pngs, training_pngs, write_confusion_pngs, kernel_csv_writer(),
               kernel_pngs if grids is not None else None]
    return [w for w in writers if w is not None]


def export_all(stored, out_dir=None, force: bool = False, smoothing: float = 0.0,
               own_difference_scale: bool = False, spread: str = CI,
               seed_lines: bool = False) -> ExportResult:
    """Export all: every CSV and the figures of export_writers."""
    return export_study(stored, out_dir, force=force, extra_writers=export_writers(
        smoothing, own_difference_scale, spread, seed_lines))


class ExportJob(QObject):
    """Export all in a child process (`main.py export`), so the window never freezes."""

    sig_finished = Signal(bool, str)  # succeeded, one-line message

    def __init__(self, study_folder, out_dir, force: bool = False, parent=None,
                 smoothing: float = 0.0, own_difference_scale: bool = False,
                 spread: str = CI, seed_lines: bool = False):
        super().__init__(parent)
        self.study_folder = Path(study_folder)
        self.out_dir = Path(out_dir)
        self.force = force
        # What the window shows: the training plots' smoothing, the kernels' colour scales.
        self.smoothing = smoothing
        self.own_difference_scale = own_difference_scale
        # ... and the training plots' band and single-seed lines.
        self.spread = spread
        self.seed_lines = seed_lines
        self.process = QProcess(self)
        self.process.finished.connect(self._on_finished)
        self.process.errorOccurred.connect(self._on_error)
        self._done = False

    def start(self) -> None:
        """Start the export; sig_finished reports how it ended."""
        arguments = ["export", self.study_folder, "--out", self.out_dir]
        if self.force:
            arguments.append("--force")
        if self.smoothing:
            arguments += ["--smoothing", f"{self.smoothing:g}"]
        if self.own_difference_scale:
            arguments.append("--own-difference-scale")
        if self.spread != CI:
            arguments += ["--band", self.spread]
        if self.seed_lines:
            arguments.append("--seed-lines")
        # The child only renders into files; it needs no screen even when the app has one.
        start_qprocess(self.process, main_command(*arguments), child_environment(offscreen=True))

    def is_running(self) -> bool:
        """Whether the child process is still exporting."""
        return self.process.state() != QProcess.ProcessState.NotRunning

    def _report(self, succeeded: bool, message: str) -> None:
        if not self._done:
            self._done = True
            self.sig_finished.emit(succeeded, message)

    def _on_finished(self, exit_code: int, _status) -> None:
        out = bytes(self.process.readAllStandardOutput()).decode("utf-8", "replace")
        err = bytes(self.process.readAllStandardError()).decode("utf-8", "replace")
        if exit_code == 0:
            self._report(True, out.splitlines()[0].rstrip(":") if out else str(self.out_dir))
            return
        errors = [line for line in err.splitlines() if line.startswith("error: ")]
        if errors:
            reason = errors[-1][len("error: "):]
        else:
            lines = err.strip().splitlines()
            reason = lines[-1] if lines else f"the export process ended with status {exit_code}"
        self._report(False, reason)

    def _on_error(self, error) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            self._report(False, f"could not start {sys.executable}: {self.process.errorString()}")
