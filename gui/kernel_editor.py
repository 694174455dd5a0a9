"""The Kernel editor: N kernels of k×k cells, in the report's 0/1 style (a click toggles a cell)
or real values (a number typed in each cell), with live validation, JSON load/save in the
format `--kernels FILE.json` reads, and a reset to the report's four 5×5 kernels.

The next Run uses these kernels while the setup's kernel bank is "byhand"."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from gui.kernel_cells import (
    binary_problems,
    is_binary,
    page_size,
    real_problems,
    resized,
    shape_problem,
)
from gui.kernel_view import kernel_words
from study.protocol import banks, byhand

CELL_SIZE = 30
REAL_CELL_WIDTH = 58
BOXES_PER_ROW = 4
# Real-value kernels side by side in this width at most (wider cells: fewer per row).
REAL_ROW_WIDTH = 700
ONE_STYLE = "background:#303030; color:white; font-weight:bold; border:1px solid #606060;"
ZERO_STYLE = "background:white; color:#a0a0a0; border:1px solid #c0c0c0;"
BAD_STYLE = "background:#ffb74d; color:black; font-weight:bold; border:2px solid #e65100;"
OK_STYLE = "color:#1b5e20; font-weight:bold;"
PROBLEM_STYLE = "color:#b71c1c; font-weight:bold;"
BINARY_INTRO = ("Click a cell to switch it between 0 and 1 (the report's style). Rules: only 0 "
                "and 1, every kernel different, none all zeros.")
REAL_INTRO = ("Type a value in a cell and press Enter (any finite number). Values are used as "
              "they are, without normalisation.")


class KernelEditor(QWidget):
    """Edits conv1's kernels; the next Run uses them while the bank is byhand."""

    sig_kernels_changed = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self._kernels = byhand.REPORT_KERNELS.astype(np.float64)
        self.real_mode = False
        self._first = 0  # the first kernel of the page shown
        self._study_kernels_path: Path | None = None
        self.last_error = ""
        self.error_box: QMessageBox | None = None
        self._cells: dict[tuple[int, int, int], QPushButton | QLineEdit] = {}
        self._footers: dict[int, QLabel] = {}

        self.intro = QLabel()
        self.intro.setWordWrap(True)
        usage = QLabel("The next Run starts conv1 of the HF and HT networks from these kernels "
                       "while the setup's kernel bank is byhand; the study folder records them "
                       "(byhand.json, config.json).")
        usage.setWordWrap(True)
        self.binary_radio = QRadioButton("0/1 (click to toggle)")
        self.real_radio = QRadioButton("Real values")
        self.binary_radio.setChecked(True)
        self._mode_group = QButtonGroup(self)
        for radio in (self.binary_radio, self.real_radio):
            self._mode_group.addButton(radio)
        self.count_spin = QSpinBox()
        self.count_spin.setRange(1, banks.MAX_KERNELS)
        self.count_spin.setToolTip("How many kernels conv1 has (its output channels)")
        self.size_spin = QSpinBox()
        self.size_spin.setRange(1, banks.largest_kernel_size())
        self.size_spin.setSingleStep(2)
        self.size_spin.setToolTip("Each kernel's size (odd: a kernel has a centre); a smaller "
                                  "size keeps the centre, a larger one pads with zeros")
        shape_row = QHBoxLayout()
        for widget in (QLabel("Values:"), self.binary_radio, self.real_radio, QLabel("Kernels:"),
                       self.count_spin, QLabel("Size:"), self.size_spin):
            shape_row.addWidget(widget)
        shape_row.addStretch(1)
        self.previous_button = QPushButton("◀")
        self.next_button = QPushButton("▶")
        self.page_label = QLabel()
        page_row = QHBoxLayout()
        for widget in (self.previous_button, self.page_label, self.next_button):
            page_row.addWidget(widget)
        page_row.addStretch(1)
        self._page_row = QWidget()
        self._page_row.setLayout(page_row)
        self._grids_widget = QWidget()
        self._grids = QGridLayout(self._grids_widget)
        self._grids.setContentsMargins(0, 0, 0, 0)

        self.validation_label = QLabel()
        self.validation_label.setWordWrap(True)
        self.validation_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.load_button = QPushButton("Load…")
        self.load_button.setToolTip("Read a JSON kernel file (the format --kernels FILE.json "
                                    "reads)")
        self.save_button = QPushButton("Save…")
        self.save_button.setToolTip("Write these kernels to a JSON kernel file (only when valid)")
        self.reset_button = QPushButton("Reset to the report's kernels")
        self.study_button = QPushButton("Use the opened study's kernels")
        self.study_button.setToolTip("Load byhand.json of the study shown in the viewer")
        self.study_button.setEnabled(False)
        buttons = QHBoxLayout()
        for button in (self.load_button, self.save_button, self.reset_button, self.study_button):
            buttons.addWidget(button)
        buttons.addStretch(1)

        layout = QVBoxLayout(self)
        for item in (self.intro, usage):
            layout.addWidget(item)
        layout.addLayout(shape_row)
        layout.addWidget(self._page_row)
        layout.addWidget(self._grids_widget)
        layout.addWidget(self.validation_label)
        layout.addLayout(buttons)
        layout.addStretch(1)

        self.load_button.clicked.connect(self._on_load_clicked)
        self.save_button.clicked.connect(self._on_save_clicked)
        self.reset_button.clicked.connect(self.reset_to_report)
        self.study_button.clicked.connect(self._on_study_clicked)
        self.real_radio.toggled.connect(self.set_real_mode)
        self.count_spin.valueChanged.connect(self._on_shape_spin)
        self.size_spin.valueChanged.connect(self._on_shape_spin)
        self.previous_button.clicked.connect(lambda: self._turn_page(-1))
        self.next_button.clicked.connect(lambda: self._turn_page(1))
        self._rebuild()

    # --- the kernels -----------------------------------------------------------------------

    def current_kernels(self) -> np.ndarray:
        """The kernels as shown, float32 (N, k, k) (check kernels_problem before using them)."""
        return self._kernels.astype(np.float32)

    def problems(self) -> list[str]:
        """Every reason the kernels cannot be used, by the rules of the mode shown."""
        if self.real_mode:
            return real_problems(self._kernels)
        return binary_problems(self._kernels)

    def kernels_problem(self) -> str:
        """'' when the kernels are valid, else every reason, joined by "; "."""
        return "; ".join(self.problems())

    def set_kernels(self, kernels) -> None:
        """Show `kernels` (any numbers, shape N×k×k) in the mode shown: in 0/1 mode other values
        are shown and reported. KernelError when the shape cannot be shown."""
        try:
            arr = np.asarray(kernels, dtype=np.float64)
        except (TypeError, ValueError):
            raise byhand.KernelError("kernels must be an N×k×k array of numbers (like the "
                                     "report's 4×5×5)") from None
        problem = shape_problem(arr)
        if problem:
            raise byhand.KernelError(problem)
        reshaped = arr.shape != self._kernels.shape
        self._kernels = arr.copy()
        if reshaped:
            self._first = 0
            self._rebuild()
        self._changed()

    def show_kernels(self, kernels) -> None:
        """Show `kernels` in the mode their values call for: 0/1 kernels as toggles, others as
        real values."""
        self.set_real_mode(not is_binary(kernels), notify=False)
        self.set_kernels(kernels)

    def set_real_mode(self, real: bool, notify: bool = True) -> None:
        """Edit real values (a number per cell) or 0/1 values (a click toggles a cell)."""
        real = bool(real)
        self.real_radio.blockSignals(True)
        (self.real_radio if real else self.binary_radio).setChecked(True)
        self.real_radio.blockSignals(False)
        if real == self.real_mode:
            return
        self.real_mode = real
        self._rebuild()
        if notify:
            self._changed()

    def toggle(self, kernel: int, row: int, col: int) -> None:
        """Switch one cell: 1 becomes 0, anything else becomes 1."""
        value = self._kernels[kernel, row, col]
        self._kernels[kernel, row, col] = 0.0 if value == 1.0 else 1.0
        self._changed()

    def set_value(self, kernel: int, row: int, col: int, value: float) -> None:
        """Set one cell to `value`."""
        self._kernels[kernel, row, col] = float(value)
        self._changed()

    def reset_to_report(self) -> None:
        """Show the report's kernels again, as 0/1 toggles (docs/study.md#networks)."""
        self.show_kernels(byhand.REPORT_KERNELS)

    def cell_button(self, kernel: int, row: int, col: int) -> QPushButton | QLineEdit:
        """The widget of one cell (0-based indices): a button in 0/1 mode, an entry in real
        mode; its page is shown first."""
        self._show_page_of(kernel)
        return self._cells[kernel, row, col]

    cell_edit = cell_button

    def ones_text(self, kernel: int) -> str:
        """The line under one kernel: its count of ones (0/1), or its sum and norm (real)."""
        self._show_page_of(kernel)
        return self._footers[kernel].text()

    # --- drawing ---------------------------------------------------------------------------

    def _on_shape_spin(self, _value: int) -> None:
        size = self.size_spin.value()
        if size % 2 == 0:  # typed: the nearest odd size above
            size += 1
        count = self.count_spin.value()
        if (count, size) != self._kernels.shape[:2]:
            self.set_kernels(resized(self._kernels, count, size))

    def _turn_page(self, step: int) -> None:
        per_page = page_size(self._kernels.shape[1])
        last = (self._kernels.shape[0] - 1) // per_page * per_page
        self._first = min(max(0, self._first + step * per_page), last)
        self._rebuild()

    def _show_page_of(self, kernel: int) -> None:
        per_page = page_size(self._kernels.shape[1])
        first = kernel // per_page * per_page
        if first != self._first:
            self._first = first
            self._rebuild()

    def _rebuild(self) -> None:
        """Make the cells of the page shown (after a change of mode, shape or page)."""
        while self._grids.count():
            widget = self._grids.takeAt(0).widget()
            if widget is not None:  # gone now, not at the next turn of the event loop
                widget.hide()
                widget.setParent(None)
                widget.deleteLater()
        self._cells, self._footers = {}, {}
        count, size = self._kernels.shape[:2]
        per_page = page_size(size)
        shown = range(self._first, min(count, self._first + per_page))
        per_row = BOXES_PER_ROW
        if self.real_mode:
            per_row = max(1, min(per_row, REAL_ROW_WIDTH // (size * (REAL_CELL_WIDTH + 2) + 24)))
        for slot, k in enumerate(shown):
            self._grids.addWidget(self._kernel_box(k, size), slot // per_row, slot % per_row)
        self._grids.setColumnStretch(BOXES_PER_ROW, 1)
        self._page_row.setVisible(count > per_page)
        self.page_label.setText(f"Kernels {shown.start + 1}–{shown.stop} of {count}")
        self.previous_button.setEnabled(self._first > 0)
        self.next_button.setEnabled(shown.stop < count)
        self.intro.setText(REAL_INTRO if self.real_mode else BINARY_INTRO)
        for spin, value in ((self.count_spin, count), (self.size_spin, size)):
            spin.blockSignals(True)
            spin.setValue(value)
            spin.blockSignals(False)
        self._refresh()

    def _kernel_box(self, k: int, size: int) -> QGroupBox:
        box = QGroupBox(f"K{k + 1}")
        grid = QGridLayout(box)
        grid.setSpacing(2)
        for r in range(size):
            for c in range(size):
                if self.real_mode:
                    cell = QLineEdit()
                    cell.setFixedWidth(REAL_CELL_WIDTH)
                    cell.setAlignment(Qt.AlignmentFlag.AlignRight)
                    cell.editingFinished.connect(
                        lambda k=k, r=r, c=c, cell=cell: self._on_typed(k, r, c, cell))
                else:
                    cell = QPushButton()
                    cell.setFixedSize(QSize(CELL_SIZE, CELL_SIZE))
                    cell.clicked.connect(lambda _=False, k=k, r=r, c=c: self.toggle(k, r, c))
                cell.setFocusPolicy(Qt.FocusPolicy.StrongFocus if self.real_mode
                                    else Qt.FocusPolicy.TabFocus)
                grid.addWidget(cell, r, c)
                self._cells[k, r, c] = cell
        footer = QLabel()
        footer.setAlignment(Qt.AlignmentFlag.AlignCenter)
        grid.addWidget(footer, size, 0, 1, size)
        self._footers[k] = footer
        box.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        return box

    def _on_typed(self, k: int, r: int, c: int, cell: QLineEdit) -> None:
        text = cell.text().strip().replace(",", ".").replace("−", "-")
        try:
            value = float(text)
        except ValueError:
            value = float("nan")
        if not np.isfinite(value):
            # Not a number: the cell shows its value again and says why.
            cell.setText(f"{self._kernels[k, r, c]:.6g}")
            cell.setToolTip(f"{text!r} is not a finite number; the cell keeps "
                            f"{self._kernels[k, r, c]:.6g}")
            return
        if value != self._kernels[k, r, c]:
            self.set_value(k, r, c, value)

    def _changed(self) -> None:
        self._refresh()
        self.sig_kernels_changed.emit()

    def _refresh(self) -> None:
        size = self._kernels.shape[1]
        for (k, r, c), cell in self._cells.items():
            value = self._kernels[k, r, c]
            where = f"K{k + 1} row {r + 1} column {c + 1}: {value:.6g}"
            if self.real_mode:
                if cell.text() != f"{value:.6g}":
                    cell.setText(f"{value:.6g}")
                cell.setToolTip(f"{where} (type a number, then Enter)")
                continue
            if value in (0.0, 1.0):
                cell.setText(f"{value:.0f}")
                cell.setStyleSheet(ONE_STYLE if value == 1.0 else ZERO_STYLE)
            else:
                cell.setText(f"{value:.2g}")
                cell.setStyleSheet(BAD_STYLE)
            cell.setToolTip(f"{where} (click to toggle)")
        for k, label in self._footers.items():
            kernel = self._kernels[k]
            if self.real_mode:
                label.setText(f"sum {kernel.sum():.3g}, norm {np.sqrt((kernel ** 2).sum()):.3g}")
            else:
                label.setText(f"{int(np.count_nonzero(kernel == 1.0))} ones of {size * size}")
        problems = self.problems()
        if problems:
            self.validation_label.setText("Cannot run with these kernels: " + "; ".join(problems))
            self.validation_label.setStyleSheet(PROBLEM_STYLE)
        else:
            style = "real values" if self.real_mode else "0/1, all different, none all zeros"
            self.validation_label.setText(f"Valid: {kernel_words(self._kernels)}, {style}.")
            self.validation_label.setStyleSheet(OK_STYLE)
        self.save_button.setEnabled(not problems)

    # --- files -----------------------------------------------------------------------------

    def load_from_file(self, path) -> bool:
        """Load a JSON kernel file (any bank the command line reads), in 0/1 mode when its values
        are 0 and 1, else in real mode; on a bad file show why and keep the kernels."""
        try:
            kernels = banks.load_kernel_file(path)
        except byhand.KernelError as exc:
            self._show_error("Cannot load kernels", str(exc))
            return False
        self.show_kernels(kernels)
        return True

    def save_to_file(self, path) -> bool:
        """Save the kernels as a JSON kernel file; refused (the reason shown) when invalid."""
        problem = self.kernels_problem()
        try:
            if problem:
                raise byhand.KernelError(problem)
            byhand.save_kernels(path, self._kernels, any_bank=True)
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
        path, _ = QFileDialog.getOpenFileName(self, "Load kernels", "",
                                              "Kernel files (*.json);;All files (*)")
        if path:
            self.load_from_file(path)

    def _on_save_clicked(self) -> None:
        problem = self.kernels_problem()
        if problem:
            self._show_error("Cannot save kernels", problem)
            return
        path, _ = QFileDialog.getSaveFileName(self, "Save kernels", "kernels.json",
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


# The editor's name before it edited real values and any bank's shape.
ByHandEditor = KernelEditor
