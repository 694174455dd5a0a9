"""The ByHand kernel editor: four 5×5 grids of 0/1 cells toggled by click, live validation,
JSON load/save, and a reset to the report's kernels."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from study.protocol import byhand

CELL_SIZE = 30
ONE_STYLE = "background:#303030; color:white; font-weight:bold; border:1px solid #606060;"
ZERO_STYLE = "background:white; color:#a0a0a0; border:1px solid #c0c0c0;"
BAD_STYLE = "background:#ffb74d; color:black; font-weight:bold; border:2px solid #e65100;"
OK_STYLE = "color:#1b5e20; font-weight:bold;"
PROBLEM_STYLE = "color:#b71c1c; font-weight:bold;"


class ByHandEditor(QWidget):
    """Edits the four ByHand conv1 kernels; the next Run uses them (see current_kernels)."""

    sig_kernels_changed = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self._kernels = byhand.REPORT_KERNELS.astype(np.float64)
        self._study_kernels_path: Path | None = None
        self.last_error = ""
        self.error_box: QMessageBox | None = None
        self._cells: dict[tuple[int, int, int], QPushButton] = {}
        self._ones_labels: list[QLabel] = []

        intro = QLabel(
            "Click a cell to switch it between 0 and 1. The next Run starts conv1 of the HF and "
            "HT networks from these kernels, and the study folder records them (byhand.json, "
            "config.json). Rules: only 0 and 1, four different kernels, none all zeros."
        )
        intro.setWordWrap(True)

        grids = QHBoxLayout()
        for k in range(byhand.KERNEL_COUNT):
            box = QGroupBox(f"K{k + 1}")
            grid = QGridLayout(box)
            grid.setSpacing(2)
            for r in range(byhand.KERNEL_SIZE):
                for c in range(byhand.KERNEL_SIZE):
                    cell = QPushButton()
                    cell.setFixedSize(QSize(CELL_SIZE, CELL_SIZE))
                    cell.setFocusPolicy(Qt.FocusPolicy.TabFocus)
                    cell.clicked.connect(lambda _=False, k=k, r=r, c=c: self.toggle(k, r, c))
                    grid.addWidget(cell, r, c)
                    self._cells[k, r, c] = cell
            ones = QLabel()
            ones.setAlignment(Qt.AlignmentFlag.AlignCenter)
            grid.addWidget(ones, byhand.KERNEL_SIZE, 0, 1, byhand.KERNEL_SIZE)
            self._ones_labels.append(ones)
            box.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
            grids.addWidget(box)
        grids.addStretch(1)

        self.validation_label = QLabel()
        self.validation_label.setWordWrap(True)
        self.validation_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.load_button = QPushButton("Load…")
        self.load_button.setToolTip("Read a ByHand kernel JSON file")
        self.save_button = QPushButton("Save…")
        self.save_button.setToolTip("Write these kernels to a JSON file (only when valid)")
        self.reset_button = QPushButton("Reset to the report's kernels")
        self.study_button = QPushButton("Use the opened study's kernels")
        self.study_button.setToolTip("Load byhand.json of the study shown in the viewer")
        self.study_button.setEnabled(False)
        self.load_button.clicked.connect(self._on_load_clicked)
        self.save_button.clicked.connect(self._on_save_clicked)
        self.reset_button.clicked.connect(self.reset_to_report)
        self.study_button.clicked.connect(self._on_study_clicked)
        buttons = QHBoxLayout()
        for button in (self.load_button, self.save_button, self.reset_button, self.study_button):
            buttons.addWidget(button)
        buttons.addStretch(1)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(grids)
        layout.addWidget(self.validation_label)
        layout.addLayout(buttons)
        layout.addStretch(1)
        self._refresh()

    # --- the kernels -----------------------------------------------------------------------

    def current_kernels(self) -> np.ndarray:
        """The kernels as shown, float32 (4, 5, 5) (check kernels_problem before using them)."""
        return self._kernels.astype(np.float32)

    def kernels_problem(self) -> str:
        """'' when the kernels are a valid ByHand set, else every reason, joined by "; "."""
        return "; ".join(byhand.kernel_problems(self._kernels))

    def set_kernels(self, kernels) -> None:
        """Show `kernels` (any numbers, shape (4, 5, 5)); invalid values are shown and reported.

        KernelError when the shape is wrong, since such a set cannot be shown in the grid.
        """
        try:
            arr = np.asarray(kernels, dtype=np.float64)
        except (TypeError, ValueError):
            raise byhand.KernelError("kernels must be a 4×5×5 array of numbers") from None
        expected = (byhand.KERNEL_COUNT, byhand.KERNEL_SIZE, byhand.KERNEL_SIZE)
        if arr.shape != expected:
            raise byhand.KernelError(f"kernels must have shape 4×5×5, got {arr.shape}")
        self._kernels = arr.copy()
        self._changed()

    def toggle(self, kernel: int, row: int, col: int) -> None:
        """Switch one cell: 1 becomes 0, anything else becomes 1."""
        value = self._kernels[kernel, row, col]
        self._kernels[kernel, row, col] = 0.0 if value == 1.0 else 1.0
        self._changed()

    def reset_to_report(self) -> None:
        """Show the report's kernels again (docs/study.md#networks)."""
        self.set_kernels(byhand.REPORT_KERNELS)

    def cell_button(self, kernel: int, row: int, col: int) -> QPushButton:
        """The button of one cell (0-based indices)."""
        return self._cells[kernel, row, col]

    def ones_text(self, kernel: int) -> str:
        """The ones-count line under one kernel."""
        return self._ones_labels[kernel].text()

    def _changed(self) -> None:
        self._refresh()
        self.sig_kernels_changed.emit()

    def _refresh(self) -> None:
        for (k, r, c), cell in self._cells.items():
            value = self._kernels[k, r, c]
            if value == 1.0:
                cell.setText("1")
                cell.setStyleSheet(ONE_STYLE)
            elif value == 0.0:
                cell.setText("0")
                cell.setStyleSheet(ZERO_STYLE)
            else:
                cell.setText(f"{value:.2g}")
                cell.setStyleSheet(BAD_STYLE)
            cell.setToolTip(f"K{k + 1} row {r + 1} column {c + 1}: {value:g} (click to toggle)")
        for k, label in enumerate(self._ones_labels):
            ones = int(np.count_nonzero(self._kernels[k] == 1.0))
            label.setText(f"{ones} ones of 25")
        problems = byhand.kernel_problems(self._kernels)
        if problems:
            self.validation_label.setText("Cannot run with these kernels: " + "; ".join(problems))
            self.validation_label.setStyleSheet(PROBLEM_STYLE)
        else:
            self.validation_label.setText("Valid: four different 0/1 kernels, none all zeros.")
            self.validation_label.setStyleSheet(OK_STYLE)
        self.save_button.setEnabled(not problems)

    # --- files -----------------------------------------------------------------------------

    def load_from_file(self, path) -> bool:
        """Load a kernel JSON file; on a bad file show why and keep the kernels unchanged."""
        try:
            kernels = byhand.load_kernels(path)
        except byhand.KernelError as exc:
            self._show_error("Cannot load kernels", str(exc))
            return False
        self.set_kernels(kernels)
        return True

    def save_to_file(self, path) -> bool:
        """Save the kernels as JSON; refused (with the reason shown) when they are invalid."""
        try:
            byhand.save_kernels(path, self._kernels)
        except byhand.KernelError as exc:
            self._show_error("Cannot save kernels", str(exc))
            return False
        return True

    def set_study_kernels_file(self, path) -> None:
        """The byhand.json of the study shown in the viewer (None: no study), for its button."""
        self._study_kernels_path = Path(path) if path else None
        self.study_button.setEnabled(
            self._study_kernels_path is not None and self._study_kernels_path.is_file()
        )

    def _on_load_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Load ByHand kernels", "",
                                              "Kernel files (*.json);;All files (*)")
        if path:
            self.load_from_file(path)

    def _on_save_clicked(self) -> None:
        problem = self.kernels_problem()
        if problem:
            self._show_error("Cannot save kernels", problem)
            return
        path, _ = QFileDialog.getSaveFileName(self, "Save ByHand kernels", "byhand.json",
                                              "Kernel files (*.json)")
        if path:
            if not path.lower().endswith(".json"):
                path += ".json"
            self.save_to_file(path)

    def _on_study_clicked(self) -> None:
        if self._study_kernels_path is not None:
            self.load_from_file(self._study_kernels_path)

    def _show_error(self, title: str, text: str) -> None:
        # open() rather than exec(): window-modal without blocking the event loop (or a test).
        self.last_error = text
        if self.error_box is not None:
            self.error_box.close()
            self.error_box.deleteLater()
        self.error_box = QMessageBox(QMessageBox.Icon.Warning, title, text,
                                     QMessageBox.StandardButton.Ok, self)
        self.error_box.open()
