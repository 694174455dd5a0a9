"""The setup panel's form: the groups of fields (networks, training, data, engine), their
error labels and browse buttons, and the file dialogs behind those buttons."""

from __future__ import annotations

import os

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QToolButton,
)

from gui.colors import ERROR_STYLE, HINT_STYLE
from gui.panels.setup.fields import (
    HEAD_TEXT,
    MODE_TEXT,
    SEEDS_TIP,
)
from study.config import HEADS, MAX_BATCH_SIZE, MAX_EPOCHS, MODES, StudyConfig
from study.data import SYSTEM_DIR
from study.datasets.known import KNOWN
from study.protocol.backends import available_backends
from study.protocol.networks import ARCHITECTURES, NETWORKS, SCHEME_TEXT, SCHEMES
from study.protocol.status import ISOLATED_TIMING_ROUNDS


class SetupForm:
    """The building half of SetupPanel (mixed into it, a QWidget)."""

    # ----- building ---------------------------------------------------------------------------
    def _error_label(self, field: str) -> QLabel:
        label = QLabel()
        label.setWordWrap(True)
        label.setStyleSheet(ERROR_STYLE)
        label.hide()
        label.setObjectName(f"error_{field}")
        self.error_labels[field] = label
        return label

    def _networks_group(self) -> QGroupBox:
        group = QGroupBox("Networks")
        grid = QGridLayout(group)
        grid.setHorizontalSpacing(10)
        self.network_boxes: dict[str, QCheckBox] = {}
        for column, scheme in enumerate(SCHEMES, start=1):
            header = QLabel(f"<b>{scheme}</b>")
            header.setToolTip(f"{scheme}: {SCHEME_TEXT[scheme]}")
            grid.addWidget(header, 0, column, Qt.AlignmentFlag.AlignCenter)
        for row, arch in enumerate(ARCHITECTURES, start=1):
            arch_label = QLabel(arch)
            arch_label.setToolTip("NetA1: conv1 → linear1" if arch == "NetA1"
                                  else "NetA2: conv1 → conv2 → linear1")
            grid.addWidget(arch_label, row, 0)
            for column, scheme in enumerate(SCHEMES, start=1):
                name = f"{arch}-{scheme}"
                box = QCheckBox()
                box.setChecked(True)
                box.setAccessibleName(name)
                box.setToolTip(f"{name} — {scheme}: {SCHEME_TEXT[scheme]}")
                box.toggled.connect(self._changed)
                self.network_boxes[name] = box
                grid.addWidget(box, row, column, Qt.AlignmentFlag.AlignCenter)
        buttons = QHBoxLayout()
        for text, names in (("All", NETWORKS), ("None", ())):
            button = QToolButton()
            button.setText(text)
            button.clicked.connect(lambda _=False, names=names: self.set_networks(names))
            buttons.addWidget(button)
        buttons.addStretch(1)
        grid.addLayout(buttons, len(ARCHITECTURES) + 1, 0, 1, len(SCHEMES) + 1)
        grid.addWidget(self._error_label("networks"), len(ARCHITECTURES) + 2, 0, 1,
                       len(SCHEMES) + 1)
        return group

    def _line(self, form: QFormLayout, field: str, label: str, tip: str,
              placeholder: str = "") -> QLineEdit:
        edit = QLineEdit()
        edit.setToolTip(tip)
        edit.setPlaceholderText(placeholder)
        edit.setObjectName(field)
        edit.textChanged.connect(self._changed)
        form.addRow(label, edit)
        form.addRow(self._error_label(field))
        return edit

    def _training_group(self) -> QGroupBox:
        group = QGroupBox("Training")
        form = QFormLayout(group)
        self.epochs_edit = self._line(form, "epochs", "Epochs",
                                      f"Passes over the training set (1–{MAX_EPOCHS}); "
                                      "the report used 60")
        self.batch_size_edit = self._line(form, "batch_size", "Batch size",
                                          f"Images per step (1–{MAX_BATCH_SIZE}); the report "
                                          "used 128")
        self.learning_rate_edit = self._line(form, "learning_rate", "Learning rate",
                                             "Adam learning rate; the report used 3.35e-4")
        self.seed_edit = self._line(form, "seed", "Seed",
                                    "Seeds the initial weights and the batch order; every "
                                    "network of a study sees the same batches")
        self.seeds_edit = self._line(form, "seeds", "Seeds", SEEDS_TIP, "1")
        self.shuffle_box = QCheckBox("Shuffle each epoch")
        self.shuffle_box.setToolTip("Seeded shuffle, the same order for every network; off keeps "
                                    "the stored order, as the report's loader did")
        self.shuffle_box.toggled.connect(self._changed)
        form.addRow("", self.shuffle_box)
        self.head_combo = QComboBox()
        for head in HEADS:
            self.head_combo.addItem(head, head)
            self.head_combo.setItemData(self.head_combo.count() - 1, HEAD_TEXT.get(head, ""),
                                        Qt.ItemDataRole.ToolTipRole)
        self.head_combo.setToolTip("softmax: " + HEAD_TEXT["softmax"] + "\nreport: "
                                   + HEAD_TEXT["report"])
        self.head_combo.currentIndexChanged.connect(self._changed)
        form.addRow("Head", self.head_combo)
        form.addRow(self._error_label("head"))
        self.mode_combo = QComboBox()
        for mode in MODES:
            self.mode_combo.addItem(mode, mode)
            # Rich text, so Qt wraps the long explanation instead of one screen-wide line.
            self.mode_combo.setItemData(self.mode_combo.count() - 1,
                                        f"<p>{MODE_TEXT.get(mode, '')}</p>",
                                        Qt.ItemDataRole.ToolTipRole)
        self.mode_combo.setEnabled(len(MODES) > 1)
        self.mode_combo.setToolTip("<p>How the selected networks are trained.</p>" + "".join(
            f"<p><b>{mode}</b>: {MODE_TEXT.get(mode, '')}</p>" for mode in MODES))
        self.mode_combo.currentIndexChanged.connect(self._changed)
        form.addRow("Mode", self.mode_combo)
        form.addRow(self._error_label("mode"))
        self.timing_rounds_edit = self._line(
            form, "timing_rounds", "Timing rounds",
            "All-at-once: how often each network is timed alone for its seconds per epoch and "
            "their 95 % interval, the sample of the claim \"HF is the fastest\" (0: no timing; "
            f"the claim is then not resolved). The report's networks: {ISOLATED_TIMING_ROUNDS}")
        self.mode_combo.currentIndexChanged.connect(self._show_timing_rounds)
        return group

    def _show_timing_rounds(self, *_args) -> None:
        """The timing rounds apply to all-at-once studies only."""
        self.timing_rounds_edit.setEnabled(self.mode_combo.currentData() == "all-at-once")

    def _path_row(self, form: QFormLayout, field: str, label: str, tip: str,
                  placeholder: str, pick) -> QLineEdit:
        edit = QLineEdit()
        edit.setToolTip(tip)
        edit.setPlaceholderText(placeholder)
        edit.setObjectName(field)
        edit.textChanged.connect(self._changed)
        browse = QToolButton()
        browse.setText("…")
        browse.setToolTip(f"Choose the {label.lower()}")
        self.browse_buttons[field] = browse
        if callable(pick):
            browse.clicked.connect(pick)
        else:  # a menu of choices ((text, slot), …)
            menu = QMenu(browse)
            for text, slot in pick:
                menu.addAction(text, slot)
            browse.setMenu(menu)
            browse.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
            # The menu's arrow would squeeze the "…" into a clipped "…,".
            browse.setStyleSheet("QToolButton::menu-indicator { image: none; width: 0px; }")
        row = QHBoxLayout()
        row.addWidget(edit, 1)
        row.addWidget(browse)
        form.addRow(label, row)
        form.addRow(self._error_label(field))
        return edit

    def _data_group(self) -> QGroupBox:
        group = QGroupBox("Data")
        form = QFormLayout(group)
        self.dataset_combo = QComboBox()
        for known in KNOWN.values():
            self.dataset_combo.addItem(known.title, known.name)
        self.dataset_combo.addItem("Own data (folder or .npz)", "")
        self.dataset_combo.setToolTip(
            "The dataset: Fashion-MNIST (offline), MNIST, KMNIST or CIFAR-10 once fetched with "
            "`main.py study --dataset NAME --download`, or your own folder of IDX files or "
            ".npz chosen below (docs/datasets.md)")
        form.addRow("Dataset", self.dataset_combo)
        form.addRow(self._error_label("dataset"))
        self.data_edit = self._path_row(
            form, "data_dir", "Files",
            "A folder of IDX files or an .npz file holding x_train, y_train, x_test, y_test: "
            "the chosen dataset's files, or your own data; empty: the dataset's usual place "
            f"(Fashion-MNIST: the system copy in {SYSTEM_DIR})",
            "system Fashion-MNIST",
            (("Folder of IDX files…", self._pick_data_dir), (".npz file…", self._pick_data_npz)),
        )
        self.data_browse = self.browse_buttons["data_dir"]
        self.dataset_combo.currentIndexChanged.connect(self._on_dataset_index)
        self.train_limit_edit = self._line(form, "train_limit", "Train images",
                                           "Use only the first N training images (empty: all "
                                           "60,000)", "all")
        self.test_limit_edit = self._line(form, "test_limit", "Test images",
                                          "Use only the first N test images (empty: all 10,000)",
                                          "all")
        self.studies_edit = self._path_row(
            form, "studies_root", "Save in", "Folder where each run makes its study folder",
            "studies", self._pick_studies_root,
        )
        return group

    def _engine_group(self) -> QGroupBox:
        group = QGroupBox("Engine")
        form = QFormLayout(group)
        self.backend_combo = QComboBox()
        self.backend_combo.setToolTip("Keras backend of the next run (each run is a new process, "
                                      "so it can change between runs)")
        self.backend_combo.currentIndexChanged.connect(self._on_backend_index)
        form.addRow("Backend", self.backend_combo)
        form.addRow(self._error_label("backend"))
        self.device_combo = QComboBox()
        self.device_combo.setToolTip("Device the next run trains on")
        self.device_combo.currentIndexChanged.connect(self._on_device_index)
        form.addRow("Device", self.device_combo)
        self.device_note = QLabel()
        self.device_note.setWordWrap(True)
        self.device_note.setStyleSheet(HINT_STYLE)
        form.addRow(self.device_note)
        form.addRow(self._error_label("device"))
        return group

    def _fill_backends(self) -> None:
        combo = self.backend_combo
        combo.blockSignals(True)
        model: QStandardItemModel = combo.model()
        for status in available_backends():
            combo.addItem(status.name if status.installed else f"{status.name} (not installed)",
                          status.name)
            item = model.item(combo.count() - 1)
            if not status.installed:
                item.setEnabled(False)
                item.setToolTip(status.reason)
            else:
                item.setToolTip(f"Keras on {status.name}")
        combo.setCurrentIndex(-1)
        combo.blockSignals(False)
        self.set_backend(StudyConfig.backend)

    def _on_dataset_index(self, _index: int) -> None:
        """Say in the files field what an empty one means for the chosen dataset."""
        name = self.dataset_combo.currentData()
        self.data_edit.setPlaceholderText(
            "choose your folder or .npz" if not name else "system Fashion-MNIST"
            if name == "fashion-mnist" else "the download cache")
        self._changed()

    # ----- dialogs ----------------------------------------------------------------------------
    def _pick_data_dir(self) -> None:
        start = self.data_dir() or (str(SYSTEM_DIR) if SYSTEM_DIR.is_dir() else "")
        if start and os.path.isfile(start):
            start = os.path.dirname(start)
        folder = QFileDialog.getExistingDirectory(self, "Dataset folder (four IDX files)", start)
        if folder:
            self.data_edit.setText(folder)

    def _pick_data_npz(self) -> None:
        start = self.data_dir() or ""
        path, _filter = QFileDialog.getOpenFileName(
            self, "Dataset .npz (x_train, y_train, x_test, y_test)", start,
            "NumPy archives (*.npz);;All files (*)")
        if path:
            self.data_edit.setText(path)

    def _pick_studies_root(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Save studies in",
                                                  str(self.studies_root()))
        if folder:
            self.studies_edit.setText(folder)
