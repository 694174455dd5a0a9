"""Export all: every CSV of study.analysis.export, one PNG per comparison, kernels.csv and the
kernel grid
PNGs; and the `main.py export` command that runs it (the app runs it in a child process)."""

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
from study.analysis.compare import COMPARISONS
from study.analysis.export import ExportError, ExportResult, export_study
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


def export_all(stored, out_dir=None, force: bool = False, smoothing: float = 0.0,
               own_difference_scale: bool = False, spread: str = CI,
               seed_lines: bool = False) -> ExportResult:
    """Export all: every CSV, one PNG per comparison, the three training plots (smoothed with
    `smoothing`, with the band `spread` and the seeds' lines when `seed_lines`, as the window
    shows them), each confusion matrix, kernels.csv and the kernel grid PNGs (the difference on
    its own colour scale when `own_difference_scale`)."""
    from gui.figure_export import write_confusion_pngs, write_training_pngs

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


def run_export_command(args) -> int:
    """`main.py export STUDY_DIR [--out DIR] [--force]`: exit 0, or 2 with one error line."""
    from study.analysis.export import check_destination, default_export_folder
    from study.folder.csvio import StoreError
    from study.state import open_study

    smoothing = getattr(args, "smoothing", 0.0) or 0.0
    if not 0.0 <= smoothing <= 0.99:
        print(f"error: --smoothing must be from 0 to 0.99, got {smoothing:g}", file=sys.stderr)
        return 2
    try:
        stored = open_study(args.study_dir)
        out_dir = Path(args.out) if args.out else default_export_folder(stored.folder)
        check_destination(out_dir, args.force)
        result = export_all(stored, out_dir, force=args.force,
                            smoothing=smoothing,
                            own_difference_scale=getattr(args, "own_difference_scale", False),
                            spread=getattr(args, "band", CI) or CI,
                            seed_lines=getattr(args, "seed_lines", False))
    except (StoreError, ExportError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - one line, never a traceback
        print(f"error: export of {args.study_dir} failed: {type(exc).__name__}: {exc}",
              file=sys.stderr)
        return 1
    verb = "Replaced" if result.replaced else "Wrote"
    print(f"{verb} {result.folder} ({len(result.files)} files):")
    for name in result.files:
        print(f"  {name}")
    return 0


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
