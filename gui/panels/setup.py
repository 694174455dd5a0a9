"""The setup panel: every StudyConfig setting as a field, checked as you type, with Run and Stop.

Each problem StudyConfig.problems() reports names its field first ("epochs must …"), so the
message is shown under that field. Nothing here imports a backend: the device list of a backend
comes from a throwaway child process (gui.worker.DeviceProbe).
"""

from __future__ import annotations

import os
import re
import zipfile
from pathlib import Path

from PySide6.QtCore import Qt, Signal
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
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from gui.colors import ERROR_STYLE, HINT_STYLE, INVALID_EDIT_STYLE
from gui.panels.study_settings import StudySettingsBox
from study.config import HEADS, MAX_BATCH_SIZE, MAX_EPOCHS, MAX_SEEDS, MODES, StudyConfig
from study.data import SYSTEM_DIR
from study.protocol.backends import DeviceInfo, available_backends
from study.protocol.networks import ARCHITECTURES, NETWORKS, SCHEME_TEXT, SCHEMES

HEAD_TEXT = {
    "softmax": "Correct head: logits, softmax over the 10 classes, cross-entropy from logits",
    "report": "The report's flawed head: ReLU after linear1, then softmax over the batch axis "
              "(reproduces its numbers for comparison)",
}
MODE_TEXT = {
    "sequential": "Train the networks one after another; each network's time per epoch is "
                  "measured",
    "all-at-once": "Train the selected networks as branches of one Keras model, in one fit: the "
                   "same batches and the same results as sequential, much faster on JAX and "
                   "TensorFlow. The networks share every step, so their times per epoch are "
                   "isolated-timing estimates (each network timed alone for about 40 batches "
                   "before training); the shared wall time is shown beside them",
}
_FIELD_RE = re.compile(r"^([a-z_]+)")


def problem_field(message: str) -> str:
    """The StudyConfig field a problem message is about (its first word)."""
    match = _FIELD_RE.match(message)
    return match.group(1) if match else ""


def device_label(device: DeviceInfo) -> str:
    """What the device combobox shows: "CPU", "GPU 0: NVIDIA H200"."""
    if device.name == "cpu":
        return "CPU"
    index = device.name.partition(":")[2] or "0"
    return f"GPU {index}: {device.description}"


SEEDS_TIP = ("How many seeds train every network: a count N (seeds Seed … Seed+N−1, "
             f"1–{MAX_SEEDS}) or a list of distinct seeds such as 0,3,7. Each seed is the "
             "one-seed study with that seed; the curves, tables and verdicts then show means "
             "with 95 % intervals")


def parse_seeds(text: str, seed) -> tuple[tuple[int, ...] | None, str]:
    """The Seeds field as StudyConfig.seeds, and a problem naming the field ('' when none).

    Empty or "1": None (just `seed`); a count N: seed … seed+N−1; a comma-separated list: those
    seeds. Range and duplicates are left to StudyConfig.problems().
    """
    text = text.strip()
    if not text:
        return None, ""
    if "," in text:
        parts = [part.strip() for part in text.split(",")]
        if parts and parts[-1] == "":
            parts = parts[:-1]  # "7," is the list of seed 7
        try:
            seeds = tuple(int(part) for part in parts)
        except ValueError:
            return None, (f"seeds must be a count or a list of whole numbers such as 0,3,7, "
                          f"got {text!r}")
        return seeds, ""
    try:
        count = int(text)
    except ValueError:
        return None, f"seeds must be a count (1–{MAX_SEEDS}) or a list such as 0,3,7, got {text!r}"
    if not 1 <= count <= MAX_SEEDS:
        return None, f"seeds: the count must be from 1 to {MAX_SEEDS}, got {count}"
    if count == 1:
        return None, ""
    if not isinstance(seed, int):
        return None, ""  # the Seed field's own problem says why
    return tuple(range(seed, seed + count)), ""


def seeds_text(config: StudyConfig) -> str:
    """What the Seeds field shows for a config: "1", a count "5" or a list "0,3,7"."""
    seeds = config.seeds
    if not seeds:
        return "1"
    if tuple(seeds) == tuple(range(config.seed, config.seed + len(seeds))):
        return str(len(seeds))
    return ",".join(str(s) for s in seeds) + ("," if len(seeds) == 1 else "")


def _number(text: str, kind):
    """`text` as an int/float, or the stripped text itself so problems() can name it."""
    text = text.strip()
    try:
        return kind(text)
    except ValueError:
        return text


class SetupPanel(QWidget):
    """Fields for one study's settings, their problems, and the Run / Stop buttons."""

    sig_changed = Signal()
    sig_backend_changed = Signal(str)
    sig_device_list_changed = Signal()

    def __init__(self, parent: QWidget | None = None, probe_devices: bool = True):
        super().__init__(parent)
        self.probe_devices = probe_devices
        self._devices: dict[str, list[DeviceInfo]] = {}
        self._probes = {}
        self._wanted_device = "cpu"
        self.error_labels: dict[str, QLabel] = {}
        self.browse_buttons: dict[str, QToolButton] = {}

        self._device_notes: dict[str, str] = {}
        outer = QVBoxLayout(self)
        outer.setContentsMargins(6, 6, 6, 6)
        # The study shown has its own settings; the fields below are those of the next run.
        self.study_box = StudySettingsBox()
        outer.addWidget(self.study_box)
        outer.addWidget(self._networks_group())
        outer.addWidget(self._training_group())
        outer.addWidget(self._data_group())
        outer.addWidget(self._engine_group())
        outer.addStretch(1)

        # Why Run is disabled, and Run / Stop: one widget the main window places under the
        # scrolling fields, so the buttons never scroll out of a small window.
        self.run_bar = QWidget()
        run_layout = QVBoxLayout(self.run_bar)
        run_layout.setContentsMargins(6, 0, 6, 6)
        self.run_reason = QLabel()
        self.run_reason.setWordWrap(True)
        self.run_reason.setStyleSheet(ERROR_STYLE)
        self.run_reason.hide()
        run_layout.addWidget(self.run_reason)
        buttons = QHBoxLayout()
        self.run_button = QPushButton("Run")
        self.run_button.setToolTip("Start the study (Ctrl+R)")
        self.stop_button = QPushButton("Stop")
        self.stop_button.setToolTip("Stop after the current batch; completed epochs are kept (Esc)")
        self.stop_button.setEnabled(False)
        for button in (self.run_button, self.stop_button):
            button.setMinimumHeight(32)
            buttons.addWidget(button)
        run_layout.addLayout(buttons)
        outer.addWidget(self.run_bar)
        self._fill_backends()

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
        return group

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
        self.data_edit = self._path_row(
            form, "data_dir", "Dataset",
            "Folder with the four Fashion-MNIST IDX files, or an .npz file holding x_train, "
            f"y_train, x_test, y_test; empty: the system copy in {SYSTEM_DIR}",
            "system Fashion-MNIST",
            (("Folder of IDX files…", self._pick_data_dir), (".npz file…", self._pick_data_npz)),
        )
        self.data_browse = self.browse_buttons["data_dir"]
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

    # ----- values -----------------------------------------------------------------------------
    def selected_networks(self) -> tuple[str, ...]:
        """The checked networks, in the study's order."""
        return tuple(name for name in NETWORKS if self.network_boxes[name].isChecked())

    def set_networks(self, names) -> None:
        """Check exactly `names`."""
        for name, box in self.network_boxes.items():
            box.setChecked(name in names)

    def backend(self) -> str:
        """The chosen backend's name."""
        return self.backend_combo.currentData() or ""

    def device(self) -> str:
        """The chosen device's name ("cpu", "gpu:0", …)."""
        return self.device_combo.currentData() or "cpu"

    def device_text(self) -> str:
        """The chosen device as the combobox shows it."""
        return self.device_combo.currentText() or "CPU"

    def studies_root(self) -> Path:
        """Where new study folders are made."""
        return Path(self.studies_edit.text().strip() or "studies").expanduser()

    def data_dir(self) -> str | None:
        """The dataset path, or None for the system copy."""
        return self.data_edit.text().strip() or None

    def _raw_fields(self) -> tuple[dict, list[str]]:
        """Field values parsed from the widgets, and problems with empty required fields."""
        problems = []
        values = {}
        for field, edit, kind in (
            ("epochs", self.epochs_edit, int), ("batch_size", self.batch_size_edit, int),
            ("learning_rate", self.learning_rate_edit, float), ("seed", self.seed_edit, int),
        ):
            if not edit.text().strip():
                problems.append(f"{field} is empty: enter a value")
                continue
            values[field] = _number(edit.text(), kind)
        for field, edit in (("train_limit", self.train_limit_edit),
                            ("test_limit", self.test_limit_edit)):
            text = edit.text().strip()
            values[field] = _number(text, int) if text else None
        seeds, problem = parse_seeds(self.seeds_edit.text(), values.get("seed"))
        if problem:
            problems.append(problem)
        values["seeds"] = seeds
        return values, problems

    def config(self, kernels=None) -> StudyConfig:
        """The StudyConfig the fields describe (not validated; see problems())."""
        values, _ = self._raw_fields()
        return StudyConfig(
            networks=self.selected_networks(), shuffle=self.shuffle_box.isChecked(),
            head=self.head_combo.currentData(), mode=self.mode_combo.currentData(),
            backend=self.backend(), device=self.device(), data_dir=self.data_dir(),
            kernels=kernels, **values,
        )

    def problems(self, kernels=None) -> list[str]:
        """Every reason the settings cannot run, each starting with its field's name."""
        _, found = self._raw_fields()
        found += self.config(kernels).problems()
        data = self.data_dir()
        if data and not os.path.exists(os.path.expanduser(data)):
            found.append(f"data_dir: {data} does not exist; choose the folder holding the four "
                         "Fashion-MNIST IDX files, or an .npz file (empty: the system copy)")
        elif data and os.path.isfile(os.path.expanduser(data)) \
                and not zipfile.is_zipfile(os.path.expanduser(data)):
            # A cheap look at the file's end: an .npz is a zip archive.
            found.append(f"data_dir: {data} is a file but not an .npz archive; choose an .npz "
                         "file holding x_train, y_train, x_test, y_test, or the folder of the "
                         "four IDX files")
        root = self.studies_root()
        if root.exists() and not root.is_dir():
            found.append(f"studies_root: {root} is a file; choose a folder for the studies")
        return found

    def show_problems(self, problems: list[str]) -> list[str]:
        """Show each problem under its field; returns those that belong to no field."""
        by_field: dict[str, list[str]] = {}
        unplaced = []
        for message in problems:
            field = problem_field(message)
            if field in self.error_labels:
                by_field.setdefault(field, []).append(message)
            else:
                unplaced.append(message)
        for field, label in self.error_labels.items():
            messages = by_field.get(field, [])
            label.setText("\n".join(messages))
            label.setVisible(bool(messages))
            edit = self.findChild(QLineEdit, field)
            if edit is not None:
                edit.setStyleSheet(INVALID_EDIT_STYLE if messages else "")
        return unplaced

    def show_run_reason(self, text: str) -> None:
        """Say next to Run why it is disabled ('' hides it)."""
        self.run_reason.setText(text)
        self.run_reason.setVisible(bool(text))

    def set_config(self, config: StudyConfig | dict) -> None:
        """Fill the fields from a config (or a dict of its fields, possibly invalid)."""
        data = config.to_dict() if isinstance(config, StudyConfig) else dict(config)
        defaults = StudyConfig().to_dict()

        def get(key):
            return data.get(key, defaults[key])

        networks = get("networks")
        self.set_networks(networks if isinstance(networks, list | tuple) else NETWORKS)
        for key, edit in (("epochs", self.epochs_edit), ("batch_size", self.batch_size_edit),
                          ("learning_rate", self.learning_rate_edit), ("seed", self.seed_edit)):
            edit.setText(f"{get(key):g}" if key == "learning_rate" and isinstance(
                get(key), float) else str(get(key)))
        for key, edit in (("train_limit", self.train_limit_edit),
                          ("test_limit", self.test_limit_edit)):
            value = get(key)
            edit.setText("" if value is None else str(value))
        seeds = data.get("seeds")
        try:
            text = seeds_text(StudyConfig(seed=int(get("seed")), seeds=seeds))
        except (TypeError, ValueError):
            text = ",".join(str(s) for s in seeds) if isinstance(seeds, list | tuple) else "1"
        self.seeds_edit.setText(text)
        self.shuffle_box.setChecked(bool(get("shuffle")))
        _select_data(self.head_combo, get("head"))
        _select_data(self.mode_combo, get("mode"))
        self.data_edit.setText(get("data_dir") or "")
        self.set_backend(get("backend"))
        self.set_device(get("device"))

    def set_backend(self, name: str) -> None:
        """Choose backend `name` if it is installed, else the first installed one."""
        model: QStandardItemModel = self.backend_combo.model()
        usable = [i for i in range(self.backend_combo.count()) if model.item(i).isEnabled()]
        index = self.backend_combo.findData(name)
        if index not in usable:
            index = usable[0] if usable else -1
        if index == self.backend_combo.currentIndex():
            return
        self.backend_combo.setCurrentIndex(index)

    def set_device(self, name: str) -> None:
        """Choose device `name`; if the backend's list is not known yet, choose it when it is."""
        self._wanted_device = name or "cpu"
        index = self.device_combo.findData(self._wanted_device)
        if index >= 0:
            self.device_combo.setCurrentIndex(index)

    def set_running(self, running: bool) -> None:
        """Lock the fields while a study runs."""
        for child in self.findChildren(QGroupBox):
            child.setEnabled(not running)

    # ----- devices ----------------------------------------------------------------------------
    def _on_backend_index(self, _index: int) -> None:
        backend = self.backend()
        self._show_devices(backend, self._devices.get(backend, [DeviceInfo("cpu", "CPU")]))
        # The note is about the backend now chosen, never the one before it.
        self.device_note.setText(self._device_notes.get(backend, ""))
        if backend and backend not in self._devices and self.probe_devices:
            self._start_probe(backend)
        self.sig_backend_changed.emit(backend)
        self._changed()

    def _start_probe(self, backend: str) -> None:
        from gui.worker import DeviceProbe

        if backend in self._probes:
            return
        self._set_device_note(backend, f"Looking for {backend}'s GPUs…")
        probe = DeviceProbe(backend, self)
        probe.sig_devices.connect(self._on_devices)
        probe.sig_failed.connect(self._on_probe_failed)
        self._probes[backend] = probe
        probe.start()

    def _on_devices(self, backend: str, devices: list) -> None:
        self._finish_probe(backend)
        self._devices[backend] = devices
        gpus = len(devices) - 1
        self._set_device_note(backend, f"{backend} finds {gpus} GPU(s)" if gpus
                              else f"{backend} finds no GPU; training runs on the CPU")
        if backend == self.backend():
            self._show_devices(backend, devices)
            self.sig_device_list_changed.emit()

    def _on_probe_failed(self, backend: str, message: str) -> None:
        self._finish_probe(backend)
        self._set_device_note(backend, message)

    def _set_device_note(self, backend: str, text: str) -> None:
        self._device_notes[backend] = text
        if backend == self.backend():
            self.device_note.setText(text)

    def _finish_probe(self, backend: str) -> None:
        probe = self._probes.pop(backend, None)
        if probe is not None:
            probe.deleteLater()

    def _show_devices(self, backend: str, devices: list[DeviceInfo]) -> None:
        wanted = self._wanted_device
        combo = self.device_combo
        combo.blockSignals(True)
        combo.clear()
        for device in devices:
            combo.addItem(device_label(device), device.name)
            combo.setItemData(combo.count() - 1, f"{device.name}: {device.description}",
                              Qt.ItemDataRole.ToolTipRole)
        index = combo.findData(wanted)
        combo.setCurrentIndex(index if index >= 0 else 0)
        combo.blockSignals(False)
        self._changed()

    def _on_device_index(self, _index: int) -> None:
        if self.device_combo.currentData():
            self._wanted_device = self.device_combo.currentData()
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

    def _changed(self, *_args) -> None:
        self.sig_changed.emit()


def _select_data(combo: QComboBox, value) -> None:
    index = combo.findData(value)
    if index >= 0:
        combo.setCurrentIndex(index)

