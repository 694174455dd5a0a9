"""The setup's start and labels: "The report's study (60 epochs)" or "Quick try" filling the
fields, the study's name and notes, and the expected duration of the settings, shown before Run.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QSize
from PySide6.QtWidgets import (
    QButtonGroup,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
)

from gui.colors import HINT_STYLE
from study.analysis.duration import duration_words, estimate_seconds
from study.config import MAX_NAME, ConfigError, StudyConfig
from study.run.quick import quick_config, quick_description

REPORT_TEXT = "The report's study (60 epochs)"
QUICK_TEXT = "Quick try (under a minute)"
# The last study's rate is read from the studies folder at most this often (s): listing a large
# folder on every keystroke would slow the form.
MEASURED_CACHE_SECONDS = 30.0


class NoteEdit(QPlainTextEdit):
    """The notes box: as wide as the column allows, never widening it (a text edit's own size
    hint is 256 pixels)."""

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(120, 60)


class StartMixin:
    """The "Start from" choice, the name and notes, and the expected duration (mixed into
    SetupPanel)."""

    def _start_group(self) -> QGroupBox:
        group = QGroupBox("Start from")
        layout = QVBoxLayout(group)
        self.report_radio = QRadioButton(REPORT_TEXT)
        self.report_radio.setToolTip("Every network for 60 epochs on all 60,000 training "
                                     "images, as the report did (minutes to half an hour)")
        self.quick_radio = QRadioButton(QUICK_TEXT)
        self.quick_radio.setToolTip("3 epochs on the first 6,000 training and 1,000 test "
                                    "images, all networks at once, on the fastest backend "
                                    "installed: a first look")
        self.start_buttons = QButtonGroup(group)
        for radio in (self.report_radio, self.quick_radio):
            self.start_buttons.addButton(radio)
            layout.addWidget(radio)
        self.report_radio.setChecked(True)
        self.report_radio.clicked.connect(self.use_report_study)
        self.quick_radio.clicked.connect(self.use_quick_try)
        self.start_note = QLabel()
        self.start_note.setWordWrap(True)
        self.start_note.setStyleSheet(HINT_STYLE)
        self.start_note.hide()
        layout.addWidget(self.start_note)
        return group

    def _label_group(self) -> QGroupBox:
        group = QGroupBox("Name and notes")
        form = QFormLayout(group)
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("name")
        self.name_edit.setMaxLength(MAX_NAME)
        self.name_edit.setPlaceholderText("optional")
        self.name_edit.setToolTip("A name for the study, shown in the Studies tab and by "
                                  "`main.py list` (the folder keeps its date name)")
        self.name_edit.textChanged.connect(self._changed)
        form.addRow("Name", self.name_edit)
        form.addRow(self._error_label("name"))
        self.note_edit = NoteEdit()
        self.note_edit.setObjectName("note")
        self.note_edit.setPlaceholderText("optional: why this run, what changed")
        self.note_edit.setToolTip("Kept in the study's config.json; shown in the Studies tab")
        self.note_edit.setFixedHeight(60)
        self.note_edit.textChanged.connect(self._changed)
        form.addRow("Notes", self.note_edit)
        form.addRow(self._error_label("note"))
        return group

    def _duration_label(self) -> QLabel:
        self.duration_label = QLabel()
        self.duration_label.setObjectName("expected_duration")
        self.duration_label.setWordWrap(True)
        self.duration_label.setStyleSheet(HINT_STYLE)
        self._measured_cache: dict = {}
        return self.duration_label

    # ----- the start choice -------------------------------------------------------------------
    def use_report_study(self) -> None:
        """Fill the fields with the report's study (the data folder and save folder kept)."""
        self.set_config(StudyConfig(data_dir=self.data_dir(), backend=self.backend()))
        self.start_note.hide()
        self.report_radio.setChecked(True)

    def use_quick_try(self) -> None:
        """Fill the fields with the quick try, and say what it chose."""
        try:
            config = quick_config(StudyConfig(data_dir=self.data_dir()))
        except ConfigError as exc:
            self.start_note.setText(str(exc))
            self.start_note.show()
            return
        self.set_config(config)
        self.quick_radio.setChecked(True)
        self.start_note.setText(quick_description(config))
        self.start_note.show()

    # ----- name, notes and duration -----------------------------------------------------------
    def study_name(self) -> str:
        """The name typed for the study ("" for none)."""
        return self.name_edit.text().strip()

    def study_note(self) -> str:
        """The notes typed for the study ("" for none)."""
        return self.note_edit.toPlainText().strip()

    def update_duration(self, config: StudyConfig | None) -> None:
        """Say how long `config` should take (nothing while the settings cannot run)."""
        if config is None:
            self.duration_label.setText("")
            return
        roots = [self.studies_root()]
        key = (config.backend, config.mode, config.device, str(roots[0]))
        cached = self._measured_cache.get(key)
        if cached is None or time.monotonic() - cached[0] > MEASURED_CACHE_SECONDS:
            from study.analysis.duration import measured_rate

            cached = (time.monotonic(), measured_rate(config, roots))
            self._measured_cache[key] = cached
        measured = cached[1]
        seconds, source = estimate_seconds(config, measured=measured)
        self.duration_label.setText(f"Expected duration: {duration_words(seconds)} "
                                    f"(an estimate from {source})")
