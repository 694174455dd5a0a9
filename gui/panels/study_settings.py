"""The settings of the study shown, read-only, above the setup fields of the next run.

An opened (or just-run) study's settings are its own, not the setup panel's: this box lists them
(its name and notes, head, shuffle, epochs, data sizes, kernel bank, backend, device, mode, seeds,
and the environment it ran in), and "Use these settings" copies them into the fields of a new
run.
"""

from __future__ import annotations

import json

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFormLayout, QGroupBox, QLabel, QPushButton

from gui.colors import READ_ONLY_STYLE
from gui.kernel_view import kernel_words
from gui.text_wrap import wrappable
from study.folder.environment import environment_lines, read_environment
from study.protocol import banks
from study.protocol.byhand import KernelError
from study.protocol.status import StudyStatus
from study.state import StudyState

HEAD_WORDS = {"softmax": "softmax (correct head)", "report": "report (the report's flawed head)"}


def settings_rows(state: StudyState) -> list[tuple[str, str]]:
    """(label, text) of every setting the box shows for a study (its folder comes first)."""
    config = state.config
    status = state.status

    def limit(value, full):
        return f"first {value:,}" if value is not None else f"all {full}"

    kernels = bank_words(config)
    seeds = ", ".join(str(s) for s in state.seeds) or str(config.seed)
    return [
        ("Networks", ", ".join(config.networks)),
        ("Epochs", str(config.epochs)),
        ("Batch size", str(config.batch_size)),
        ("Learning rate", f"{config.learning_rate:g}"),
        ("Seeds" if len(state.seeds) > 1 else "Seed", seeds),
        ("Shuffle", "yes (seeded)" if config.shuffle else "no (stored order)"),
        ("Head", HEAD_WORDS.get(config.head, config.head)),
        ("Mode", config.mode),
        ("Train images", limit(config.train_limit, "60,000")),
        ("Test images", limit(config.test_limit, "10,000")),
        ("Data", status.get("dataset") or config.data_dir or "Fashion-MNIST (system copy)"),
        ("Kernel bank", kernels),
        ("Backend", status.get("backend") or config.backend),
        ("Device", status.get("device") or config.device),
    ]


def bank_words(config) -> str:
    """The study's kernel bank with its size: "sobel:size=3,norm=l2 (four 3×3 kernels)",
    "byhand (the report's)", "byhand (edited; see the study's byhand.json)"."""
    text = config.kernel_bank_text()
    if text == banks.DEFAULT_SPEC:
        return f"{text} (the report's)"
    if config.kernel_bank is None:
        return f"{text}; see the study's byhand.json"
    try:
        return f"{text} ({kernel_words(config.byhand_kernels())})"
    except KernelError:
        return text


def label_rows(config) -> list[tuple[str, str]]:
    """The study's name and notes, where it has them."""
    return [(label, text) for label, text in (("Name", config.name), ("Notes", config.note))
            if text]


def environment_rows(state: StudyState) -> list[tuple[str, str]]:
    """The environment the study ran in (status.json), one row; none for an older study."""
    record = read_environment(state.recorded_status)
    if record is None and state.folder is not None and state.state != StudyStatus.RUNNING:
        # A study just run: its state holds the events, the folder the record (never read
        # while it runs: the live views come from the events alone).
        try:
            record = read_environment(json.loads((state.folder / "status.json").read_text(
                encoding="utf-8")))
        except (OSError, ValueError, RecursionError):
            record = None
    lines = environment_lines(record)
    return [("Environment", "\n".join(lines))] if lines else []


class StudySettingsBox(QGroupBox):
    """Read-only settings of the study shown, with "Use these settings"."""

    sig_use_settings = Signal(object)  # the study's StudyConfig

    def __init__(self, parent=None):
        super().__init__("Study shown", parent)
        self.setStyleSheet(READ_ONLY_STYLE)
        self.form = QFormLayout(self)
        self.use_button = QPushButton("Use these settings")
        self.use_button.setToolTip("Copy this study's settings into the fields below for a new run")
        self.use_button.clicked.connect(self._on_use)
        self.form.addRow(self.use_button)
        self._config = None
        self.labels: dict[str, QLabel] = {}
        self.hide()

    def show_state(self, state: StudyState | None) -> None:
        """Show a study's settings (hidden when there is no study or it has no config)."""
        while self.form.rowCount() > 1:
            self.form.removeRow(0)
        self.labels = {}
        self._config = state.config if state is not None else None
        if self._config is None or state.folder is None or state.config_guessed:
            self.hide()
            return
        rows = [("Study", f"{state.folder.name} ({state.state})"), *label_rows(state.config),
                *settings_rows(state), *environment_rows(state)]
        for row, (label, text) in enumerate(rows):
            value = QLabel(wrappable(text))
            value.setWordWrap(True)
            # Long values (the dataset) wrap instead of widening the setup column.
            value.setMinimumWidth(40)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.labels[label] = value
            self.form.insertRow(row, label, value)
        self.show()

    def texts(self) -> dict[str, str]:
        """{label: text} as shown (without the break points added for wrapping)."""
        return {label: value.text().replace("\u200b", "") for label, value in self.labels.items()}

    def _on_use(self) -> None:
        if self._config is not None:
            self.sig_use_settings.emit(self._config)
