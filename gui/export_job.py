"""Export all in a child process (`main.py export`), so the window never freezes."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot

from gui.processes import ProcessJob, child_environment, main_command
from study.protocol.exit_codes import EXIT_OK
from study.state import CI


class ExportJob(QObject):
    """Export all in a child process (`main.py export`), so the window never freezes."""

    sig_finished = Signal(bool, str)  # succeeded, one-line message

    def __init__(self, study_folder, out_dir, force: bool = False, parent=None,
                 smoothing: float = 0.0, own_difference_scale: bool = False,
                 spread: str = CI, seed_lines: bool = False, kernel_seed: int | None = None):
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
        # ... and the seed whose kernels the Kernels tab shows.
        self.kernel_seed = kernel_seed
        self.process: ProcessJob | None = None
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
        if self.kernel_seed is not None:
            arguments += ["--kernel-seed", str(self.kernel_seed)]
        # The child only renders into files; it needs no screen even when the app has one.
        self.process = ProcessJob(main_command(*arguments), child_environment(offscreen=True),
                                  self)
        self.process.sig_finished.connect(self._on_finished)
        self.process.sig_failed_to_start.connect(self._on_failed_to_start)
        self.process.start()

    def is_running(self) -> bool:
        """Whether the child process is still exporting."""
        return self.process is not None and self.process.is_running()

    def cancel(self) -> None:
        """Kill the export's child (the window closes); nothing is reported."""
        if self.process is not None:
            self.process.cancel()

    def _report(self, succeeded: bool, message: str) -> None:
        if not self._done:
            self._done = True
            self.sig_finished.emit(succeeded, message)

    @Slot(int, str, str)
    def _on_finished(self, exit_code: int, out: str, err: str) -> None:
        if exit_code == EXIT_OK:
            self._report(True, out.splitlines()[0].rstrip(":") if out else str(self.out_dir))
            return
        errors = [line for line in err.splitlines() if line.startswith("error: ")]
        if errors:
            reason = errors[-1][len("error: "):]
        else:
            lines = err.strip().splitlines()
            reason = lines[-1] if lines else f"the export process ended with status {exit_code}"
        self._report(False, reason)

    @Slot(str)
    def _on_failed_to_start(self, reason: str) -> None:
        self._report(False, f"could not start {sys.executable}: {reason}")
