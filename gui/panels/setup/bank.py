"""The setup's kernel bank: the kernels conv1 of HF and HT start from (docs/study.md, Kernel
banks).

A combo of the banks, a parameters field checked as you type by the command line's own parser
(study.protocol.banks), a JSON file or a finished study to learn from, and a preview of the
bank's kernels. "byhand" is the Kernel editor's kernels (the report's until edited). Resolving a
bank is numpy on small arrays; a `learned:` bank reads one stored weights file (no Keras), and
every resolution is cached, so typing stays quick.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QTabWidget,
    QToolButton,
    QWidget,
)

from gui.bank_preview import BankPreview
from gui.colors import HINT_STYLE
from gui.kernel_view import kernel_words
from gui.text_wrap import wrappable
from study.kernel_bank import DEFAULT_LEARNED_NETWORK, resolve_bank
from study.protocol import banks, byhand
from study.protocol.byhand import KernelError

EDITOR = "byhand"
FILE, LEARNED = "file", "learned"
CHOICES = (
    (EDITOR, "byhand (the Kernel editor's)",
     "The Kernels tab's editor: the report's four 5×5 0/1 kernels until you edit them"),
    ("sobel", "sobel", "Sobel derivatives in x, y and the two diagonals (4 kernels, 3×3)"),
    ("scharr", "scharr", "Scharr derivatives in x, y and the two diagonals (4 kernels, 3×3)"),
    ("prewitt", "prewitt", "Prewitt derivatives in x, y and the two diagonals (4 kernels, 3×3)"),
    ("laplacian", "laplacian", "The 4- and 8-neighbour Laplacians (2 kernels, 3×3)"),
    ("gabor", "gabor", "Cosine Gabor filters: orientations × wavelengths kernels"),
    ("dct", "dct", "The lowest 2-D DCT-II basis functions"),
    ("random-binary", "random-binary", "Random 0/1 kernels drawn from a seed"),
    ("random-normal", "random-normal", "Random standard-normal kernels drawn from a seed"),
    (FILE, "file…", "Kernels from a JSON kernel file (any N odd-sized real kernels)"),
    (LEARNED, "learned from a study…",
     "The final conv1 kernels and bias a network of a finished study learned"),
)
# A resolution is kept for these many (spec, seed) keys.
CACHE_SIZE = 16


def bank_problem(message: str) -> str:
    """A bank's KernelError as a setup problem naming the field: "kernel_bank gabor: …"."""
    prefix = "kernel bank"
    if message.startswith(prefix):
        return "kernel_bank" + message[len(prefix):]
    return f"kernel_bank: {message}"


def shown_params(spec: banks.BankSpec) -> str:
    """The parameters of a parsed bank that differ from its defaults ("orientations=6")."""
    defaults = banks.PARAMETERS[spec.name]
    return ",".join(f"{key}={format(value, 'g') if isinstance(value, float) else value}"
                    for key, value in spec.params.items()
                    if value is not None and value != defaults[key])


class BankMixin:
    """The kernel bank group of SetupPanel (mixed into it, with SetupForm)."""

    # ----- building ---------------------------------------------------------------------------
    def _bank_group(self) -> QGroupBox:
        group = QGroupBox("Kernel bank (conv1 of HF and HT)")
        group.setToolTip("The kernels HF and HT start conv1 from; DT is unchanged. The count and "
                         "size of the bank set conv1 and the layers after it size themselves")
        form = QFormLayout(group)
        self._bank_form = form
        self._bank_cache: dict = {}
        self._learned_studies: dict = {}
        self._editor_kernels = None
        self.bank_combo = QComboBox()
        self.bank_combo.setObjectName("bank")
        for name, text, tip in CHOICES:
            self.bank_combo.addItem(text, name)
            self.bank_combo.setItemData(self.bank_combo.count() - 1, tip,
                                        Qt.ItemDataRole.ToolTipRole)
        form.addRow("Bank", self.bank_combo)
        self.bank_params_edit = QLineEdit()
        self.bank_params_edit.setObjectName("kernel_bank")
        form.addRow("Parameters", self.bank_params_edit)
        self.bank_path_edit = QLineEdit()
        self.bank_browse = QToolButton()
        self.bank_browse.setText("…")
        path_row = _row((self.bank_path_edit, 1), self.bank_browse)
        self._bank_path_label = QLabel("File")
        form.addRow(self._bank_path_label, path_row)
        self._bank_path_row = path_row
        self.bank_network_combo = QComboBox()
        self.bank_network_combo.setToolTip("The network whose final conv1 is taken")
        self.bank_seed_combo = QComboBox()
        self.bank_seed_combo.setToolTip("The seed whose network is taken")
        learned_row = _row((self.bank_network_combo, 1), QLabel("seed"), self.bank_seed_combo)
        form.addRow("Network", learned_row)
        self._bank_learned_row = learned_row
        form.addRow(self._error_label("kernel_bank"))
        self.bank_preview = BankPreview()
        form.addRow(self.bank_preview)
        self.bank_summary = QLabel()
        self.bank_summary.setWordWrap(True)
        # A long spec or path must wrap in the panel, not widen it past its scroll area.
        self.bank_summary.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.bank_summary.setStyleSheet(HINT_STYLE)
        self.bank_preview.sig_hovered.connect(
            lambda text: self.bank_summary.setText(text or self._bank_summary_text))
        self._bank_summary_text = ""
        form.addRow(self.bank_summary)
        self.bank_edit_button = QPushButton("Edit a copy in the Kernel editor")
        self.bank_edit_button.setToolTip("Copy these kernels into the Kernels tab's editor and "
                                         "use the editor's kernels (bank byhand)")
        form.addRow(self.bank_edit_button)

        self.bank_combo.currentIndexChanged.connect(self._on_bank_chosen)
        for edit in (self.bank_params_edit, self.bank_path_edit):
            edit.textChanged.connect(self._changed)
        self.bank_path_edit.textChanged.connect(self._fill_learned_choices)
        self.bank_network_combo.currentIndexChanged.connect(self._changed)
        self.bank_seed_combo.currentIndexChanged.connect(self._changed)
        self.bank_browse.clicked.connect(self._pick_bank_path)
        self.bank_edit_button.clicked.connect(self._on_edit_copy)
        self._on_bank_chosen()
        return group

    # ----- values -----------------------------------------------------------------------------
    def bank_name(self) -> str:
        """The chosen entry: a bank's name, "file" or "learned"."""
        return self.bank_combo.currentData() or EDITOR

    def uses_editor(self) -> bool:
        """Whether the next run uses the Kernel editor's kernels (bank byhand)."""
        return self.bank_name() == EDITOR

    def bank_spec(self) -> str:
        """The bank as `--kernels SPEC` spells it, from the fields ("byhand": the editor's)."""
        name = self.bank_name()
        if name == FILE:
            return self.bank_path_edit.text().strip()
        if name == LEARNED:
            parts = [self.bank_path_edit.text().strip(), self.bank_network_combo.currentText(),
                     self.bank_seed_combo.currentText()]
            return "learned:" + ":".join(p for p in parts if p)
        params = self.bank_params_edit.text().strip() if name != EDITOR else ""
        return f"{name}:{params}" if params else name

    def set_bank_spec(self, spec: str | None) -> None:
        """Show a bank's SPEC in the fields (None: the editor's kernels)."""
        try:
            parsed = banks.parse_spec(spec or EDITOR)
        except KernelError:  # shown as typed, with its problem
            name, _, params = str(spec).partition(":")
            if name in banks.PARAMETERS and name != EDITOR:
                self.bank_combo.setCurrentIndex(self.bank_combo.findData(name))
                self.bank_params_edit.setText(params)
                return
            parsed = banks.BankSpec(EDITOR, {})
        if parsed.name == "byhand" and parsed.params.get("norm", "none") == "none":
            name, params, path = EDITOR, "", ""
        elif parsed.name == FILE:
            name, params, path = FILE, "", parsed.path
        elif parsed.name == LEARNED:
            name, params, path = LEARNED, "", parsed.path[0]
        else:
            name, params, path = parsed.name, shown_params(parsed), ""
        self.bank_combo.setCurrentIndex(max(0, self.bank_combo.findData(name)))
        self.bank_params_edit.setText(params)
        self.bank_path_edit.setText(path)
        if name == LEARNED:
            _folder, network, seed = parsed.path
            self._select_text(self.bank_network_combo, network or DEFAULT_LEARNED_NETWORK)
            if seed is not None:
                self._select_text(self.bank_seed_combo, str(seed))

    def set_editor_kernels(self, kernels) -> None:
        """The Kernel editor's kernels, previewed while bank byhand is chosen."""
        self._editor_kernels = None if kernels is None else np.array(kernels, dtype=np.float32)
        if self.uses_editor():
            self._refresh_bank()

    def bank_resolved(self, seed) -> tuple:
        """(canonical spec, kernels (N, k, k), bias or None) of the chosen bank (not the
        editor's), drawn with `seed`; KernelError says why it cannot be used."""
        spec = self.bank_spec()
        seed = seed if isinstance(seed, int) and not isinstance(seed, bool) else 0
        key = (spec, seed, self._learned_stamp(spec))
        found = self._bank_cache.get(key)
        if found is None:
            try:
                found = resolve_bank(spec, seed)
            except (KernelError, ValueError, OSError) as exc:
                found = KernelError(str(exc))
            if len(self._bank_cache) >= CACHE_SIZE:
                self._bank_cache.clear()
            self._bank_cache[key] = found
        if isinstance(found, KernelError):
            raise found
        return found

    def bank_fields(self, seed) -> dict:
        """StudyConfig's kernels, kernel_bank and kernel_bias for the chosen bank ({}: the editor's
        or a bank that cannot be used, see bank_problems)."""
        if self.uses_editor():
            return {}
        try:
            text, kernels, bias = self.bank_resolved(seed)
        except KernelError:
            return {}
        return {"kernels": kernels.tolist(), "kernel_bank": text,
                "kernel_bias": None if bias is None else bias.tolist()}

    def bank_problems(self, seed) -> list[str]:
        """Why the chosen bank cannot be used, as "kernel_bank …" problems ([] when it can)."""
        if self.uses_editor():
            return []
        if self.bank_name() == FILE and not self.bank_path_edit.text().strip():
            return ["kernel_bank: choose a JSON kernel file"]
        if self.bank_name() == LEARNED and not self.bank_path_edit.text().strip():
            return ["kernel_bank: choose the folder of a finished study"]
        try:
            self.bank_resolved(seed)
        except KernelError as exc:
            return [bank_problem(str(exc))]
        return []

    # ----- reacting ---------------------------------------------------------------------------
    def _on_bank_chosen(self, *_args) -> None:
        name = self.bank_name()
        form = self._bank_form
        takes = banks.PARAMETERS.get(name, {}) if name != EDITOR else {}
        form.setRowVisible(self.bank_params_edit, bool(takes))
        self.bank_params_edit.setPlaceholderText(", ".join(
            key if value is None else f"{key}={value}" for key, value in takes.items()))
        self.bank_params_edit.setToolTip(
            f"KEY=VALUE parameters of {name}, separated by commas (empty: the defaults shown); "
            "see docs/study.md#kernel-banks" if takes else "")
        form.setRowVisible(self._bank_path_row, name in (FILE, LEARNED))
        form.setRowVisible(self._bank_learned_row, name == LEARNED)
        self._bank_path_label.setText("Study" if name == LEARNED else "File")
        self.bank_path_edit.setPlaceholderText(
            "folder of a finished study" if name == LEARNED else "kernels.json")
        self.bank_browse.setToolTip("Choose the study folder" if name == LEARNED
                                    else "Choose a JSON kernel file")
        # The field a problem marks in red is the one shown.
        shown, other = ((self.bank_path_edit, self.bank_params_edit) if name in (FILE, LEARNED)
                        else (self.bank_params_edit, self.bank_path_edit))
        shown.setObjectName("kernel_bank")
        other.setObjectName("kernel_bank_other")
        other.setStyleSheet("")
        if name == LEARNED:
            self._fill_learned_choices()
        self._changed()

    def _refresh_bank(self) -> None:
        """The preview and summary of the chosen bank (called on every change of the form)."""
        if not hasattr(self, "bank_preview"):
            return
        if self.uses_editor():
            kernels = (self._editor_kernels if self._editor_kernels is not None
                       else byhand.REPORT_KERNELS)
            self._show_bank(kernels, "byhand", "the Kernel editor's kernels (Kernels tab)")
            self.bank_edit_button.setEnabled(False)
            return
        seed = getattr(self, "_bank_seed", lambda: 0)()
        try:
            text, kernels, bias = self.bank_resolved(seed)
        except KernelError:
            self._show_bank(None, "", "")
            self.bank_edit_button.setEnabled(False)
            return
        note = f"{text}" + (", with its conv1 bias" if bias is not None else "")
        self._show_bank(kernels, self.bank_name(), note)
        self.bank_edit_button.setEnabled(True)

    def _show_bank(self, kernels, name: str, note: str) -> None:
        self.bank_preview.show_kernels(kernels, name)
        self.bank_preview.setVisible(kernels is not None)
        if kernels is None:
            text = ""
        else:
            arr = np.asarray(kernels, dtype=np.float64)
            text = (f"{kernel_words(arr).capitalize()}, values {arr.min():.3g} … {arr.max():.3g}"
                    f" (white 0, red +, blue −): {note}")
        # Break points after the spec's commas and slashes (a spec has no spaces to wrap at).
        text = wrappable(text)
        self._bank_summary_text = text
        self.bank_summary.setText(text)
        self.bank_summary.setVisible(bool(text))

    def _on_edit_copy(self) -> None:
        try:
            _text, kernels, _bias = self.bank_resolved(getattr(self, "_bank_seed", lambda: 0)())
        except KernelError:
            return
        self.sig_edit_kernels.emit(np.asarray(kernels, dtype=np.float32))
        self.bank_combo.setCurrentIndex(self.bank_combo.findData(EDITOR))

    # ----- learned: the study's networks and seeds --------------------------------------------
    def _learned_stamp(self, spec: str) -> float:
        """When a learned study last changed (its status.json), so a re-run study is re-read."""
        if not spec.startswith("learned:"):
            return 0.0
        folder = spec.split(":")[1] if spec.count(":") else ""
        try:
            return os.stat(Path(folder).expanduser() / "status.json").st_mtime
        except (OSError, ValueError):
            return 0.0

    def _fill_learned_choices(self, *_args) -> None:
        if self.bank_name() != LEARNED:
            return
        folder = self.bank_path_edit.text().strip()
        networks, seeds = self._learned_study(folder)
        for combo, items, default in ((self.bank_network_combo, networks,
                                       DEFAULT_LEARNED_NETWORK),
                                      (self.bank_seed_combo, [str(s) for s in seeds], None)):
            previous = combo.currentText()
            combo.blockSignals(True)
            combo.clear()
            combo.addItems(items)
            pick = previous if previous in items else (default if default in items else None)
            combo.setCurrentIndex(items.index(pick) if pick in items else (0 if items else -1))
            combo.blockSignals(False)

    def _learned_study(self, folder: str) -> tuple[list[str], list[int]]:
        """The networks and seeds of a study folder ([], [] when it is not a readable study)."""
        if not folder or not os.path.isfile(os.path.join(os.path.expanduser(folder),
                                                         "config.json")):
            return [], []
        key = (folder, self._learned_stamp(f"learned:{folder}"))
        if key not in self._learned_studies:
            from study.folder.csvio import StoreError
            from study.state import StudyState

            try:
                config = StudyState.from_folder(Path(folder).expanduser()).config
                found = (list(config.networks), list(config.seed_list))
            except (StoreError, OSError, ValueError, AttributeError):
                found = ([], [])
            self._learned_studies = {key: found}
        return self._learned_studies[key]

    @staticmethod
    def _select_text(combo: QComboBox, text: str) -> None:
        index = combo.findText(text)
        if index >= 0:
            combo.setCurrentIndex(index)

    def _pick_bank_path(self) -> None:
        start = self.bank_path_edit.text().strip()
        if self.bank_name() == LEARNED:
            folder = QFileDialog.getExistingDirectory(self, "Learn conv1 from the study",
                                                      start or str(self.studies_root()))
            if folder:
                self.bank_path_edit.setText(folder)
            return
        path, _filter = QFileDialog.getOpenFileName(self, "Kernel bank file", start,
                                                    "Kernel files (*.json);;All files (*)")
        if path:
            self.bank_path_edit.setText(path)


def link_editor(setup, kernel_panel, on_change) -> None:
    """Tie the setup's bank to the Kernels tab's editor: the editor's kernels are previewed (and
    `on_change` called) as they change; "Edit a copy" puts a bank's kernels in the editor and
    shows it."""
    def editor_changed() -> None:
        setup.set_editor_kernels(kernel_panel.current_kernels())
        on_change()

    def edit(kernels) -> None:
        kernel_panel.edit_kernels(kernels)
        parent = kernel_panel.parentWidget()
        while parent is not None:  # the window's tabs: the page holding the panel
            if isinstance(parent, QTabWidget):
                for index in range(parent.count()):
                    page = parent.widget(index)
                    if page is kernel_panel or page.isAncestorOf(kernel_panel):
                        parent.setCurrentIndex(index)
            parent = parent.parentWidget()

    kernel_panel.sig_kernels_changed.connect(editor_changed)
    setup.sig_edit_kernels.connect(edit)
    setup.set_editor_kernels(kernel_panel.current_kernels())


def _row(*widgets) -> QWidget:
    """A widget holding `widgets` side by side with no margins; (widget, stretch) stretches."""
    holder = QWidget()
    row = QHBoxLayout(holder)
    row.setContentsMargins(0, 0, 0, 0)
    for item in widgets:
        widget, stretch = item if isinstance(item, tuple) else (item, 0)
        row.addWidget(widget, stretch)
    return holder
