"""The setup panel: every StudyConfig setting as a field, checked as you type, with Run and Stop.

Each problem StudyConfig.problems() reports names its field first ("epochs must …"), so the
message is shown under that field. Nothing here imports a backend: the device list of a backend
comes from a throwaway child process (gui.worker.DeviceProbe).
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from gui.colors import ERROR_STYLE, INVALID_EDIT_STYLE
from gui.panels.setup.bank import BankMixin
from gui.panels.setup.fields import (
    _number,
    _select_data,
    device_label,
    field_message,
    parse_seeds,
    problem_field,
    seeds_text,
)
from gui.panels.setup.form import SetupForm
from gui.panels.setup.limits import limit_problems
from gui.panels.setup.start import StartMixin
from gui.panels.study_settings import StudySettingsBox
from study.config import StudyConfig
from study.datasets.known import DEFAULT_DATASET, KNOWN
from study.protocol.backends import DeviceInfo
from study.protocol.networks import NETWORKS
from study.protocol.status import ISOLATED_TIMING_ROUNDS


class SetupPanel(StartMixin, BankMixin, SetupForm, QWidget):
    """Fields for one study's settings, their problems, and the Run / Stop buttons."""

    sig_changed = Signal()
    sig_edit_kernels = Signal(object)  # a bank's kernels (N, k, k), to edit in the Kernel editor
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
        self._duration_label()
        outer.addWidget(self._start_group())
        outer.addWidget(self._networks_group())
        outer.addWidget(self._bank_group())
        outer.addWidget(self._training_group())
        outer.addWidget(self._data_group())
        outer.addWidget(self._engine_group())
        outer.addWidget(self._label_group())
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
        run_layout.addWidget(self.duration_label)
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
        """Where the chosen known dataset is read (None: its usual place); None for own data."""
        return (self.data_edit.text().strip() or None) if self.dataset_combo.currentData() \
            else None

    def dataset(self) -> str:
        """The dataset setting: a known dataset's name, or the path of the user's own data."""
        return self.dataset_combo.currentData() or self.data_edit.text().strip()

    def _raw_fields(self) -> tuple[dict, list[str]]:
        """Field values parsed from the widgets, and problems with empty required fields."""
        problems = []
        values = {}
        for field, edit, kind in (
            ("epochs", self.epochs_edit, int), ("batch_size", self.batch_size_edit, int),
            ("learning_rate", self.learning_rate_edit, float), ("seed", self.seed_edit, int),
            ("timing_rounds", self.timing_rounds_edit, int),
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

    def _bank_seed(self):
        """The Seed field's value, which random banks draw from (0 while it is not a number)."""
        seed = _number(self.seed_edit.text(), int) if hasattr(self, "seed_edit") else 0
        return seed if isinstance(seed, int) else 0

    def config(self, kernels=None) -> StudyConfig:
        """The StudyConfig the fields describe (not validated; see problems()); `kernels`: the
        Kernel editor's, used while the bank is byhand."""
        values, _ = self._raw_fields()
        bank = {"kernels": kernels} if self.uses_editor() else self.bank_fields(self._bank_seed())
        return StudyConfig(
            networks=self.selected_networks(), shuffle=self.shuffle_box.isChecked(),
            head=self.head_combo.currentData(), mode=self.mode_combo.currentData(),
            backend=self.backend(), device=self.device(), data_dir=self.data_dir(),
            dataset=self.dataset(),
            name=self.study_name(), note=self.study_note(), **bank, **values,
        )

    def problems(self, kernels=None) -> list[str]:
        """Every reason the settings cannot run, each starting with its field's name."""
        _, found = self._raw_fields()
        found += self.bank_problems(self._bank_seed())
        found += self.config(kernels).problems()
        data = self.data_edit.text().strip() or None
        if not self.dataset_combo.currentData() and data is None:
            found.append("data_dir: choose the folder of IDX files or the .npz of your data")
        if data and not os.path.exists(os.path.expanduser(data)):
            found.append(f"data_dir: {data} does not exist; choose the folder holding the four "
                         "Fashion-MNIST IDX files, or an .npz file (empty: the system copy)")
        elif data and os.path.isfile(os.path.expanduser(data)) \
                and not zipfile.is_zipfile(os.path.expanduser(data)):
            # A cheap look at the file's end: an .npz is a zip archive.
            found.append(f"data_dir: {data} is a file but not an .npz archive; choose an .npz "
                         "file holding x_train, y_train, x_test, y_test, or the folder of the "
                         "four IDX files")
        elif data or self.dataset() in KNOWN:
            values, _ = self._raw_fields()
            limits = {f: values.get(f) for f in ("train_limit", "test_limit")}
            known = KNOWN.get(self.dataset()) if not data else None
            # A known dataset's sizes are known before it is downloaded (the default's are read
            # from its files, which may be a copy of another size).
            sizes = ((known.title, *known.sizes)
                     if known is not None and known.name != DEFAULT_DATASET else None)
            found += limit_problems(data, limits, sizes)
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
                by_field.setdefault(field, []).append(field_message(message))
            else:
                unplaced.append(field_message(message))
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
        self.timing_rounds_edit.setText(str(data.get("timing_rounds", ISOLATED_TIMING_ROUNDS)))
        self._show_timing_rounds()
        dataset = data.get("dataset") or "fashion-mnist"
        _select_data(self.dataset_combo, dataset if dataset in KNOWN else "")
        self.data_edit.setText((get("data_dir") if dataset in KNOWN else dataset) or "")
        self.set_bank_spec(data.get("kernel_bank"))
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

    def _changed(self, *_args) -> None:
        self._refresh_bank()
        self._refresh_duration()
        self.sig_changed.emit()

    def _refresh_duration(self) -> None:
        """The expected duration of the settings, or nothing while they cannot run."""
        if not hasattr(self, "note_edit"):
            return  # still being built
        _values, problems = self._raw_fields()
        config = None if problems else self.config()
        self.update_duration(config if config is not None and not config.problems() else None)


def setup_column(setup: SetupPanel) -> QWidget:
    """The setup's fields, scrolling, with Run and Stop under them, so the buttons stay visible
    in a small window."""
    scroll = QScrollArea()
    scroll.setWidget(setup)
    scroll.setWidgetResizable(True)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    scroll.setMinimumWidth(setup.sizeHint().width() + 24)
    column = QWidget()
    layout = QVBoxLayout(column)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(2)
    layout.addWidget(scroll, 1)
    layout.addWidget(setup.run_bar)
    return column
