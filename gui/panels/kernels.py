"""The Kernels tab: the selected network's kernels (initial, current, difference), conv1 of every
network at a glance, and the Kernel editor whose kernels the next Run uses (bank byhand).

Kernels come from the StudyModel's state only (KernelsUpdated events of a run, or the weights
files of a stored study read into the state); the panel keeps no copy and never touches Keras.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from gui.colors import FROZEN_BADGE_STYLE, WARNING_STYLE
from gui.kernel_editor import KernelEditor
from gui.kernel_view import KernelGridView, conv2_grid, network_grid, overview_grid
from gui.study_model import StudyModel
from study.analysis.kernels import NetworkKernels
from study.folder.csvio import StoreError
from study.protocol.networks import NETWORKS, network_spec
from study.state import StudyState

CONV2_STATES = {
    "Current": ("current",), "Initial": ("initial",), "Current − initial": ("difference",),
    "All three": ("initial", "current", "difference"),
}


class KernelPanel(QWidget):
    """The Kernels tab: viewer of the selected network, six-network overview, Kernel editor."""

    sig_kernels_changed = Signal()

    def __init__(self, parent=None, model: StudyModel | None = None):
        super().__init__(parent)
        self.model = model if model is not None else StudyModel(self)

        self.source_label = QLabel()
        # Wraps, so a long study name never widens the window.
        self.source_label.setWordWrap(True)
        self.own_scale_box = QCheckBox("Difference on its own colour scale")
        self.own_scale_box.setToolTip(
            "Off: initial, current and difference share one symmetric scale, so sizes compare "
            "directly. On: the difference gets its own scale, so small changes become visible."
        )
        self.export_button = QPushButton("Export PNG + CSV…")
        self.export_button.setToolTip("Write the kernel grids as PNG files (and kernels.csv for a "
                                      "study folder) into a folder you choose")
        top = QHBoxLayout()
        top.addWidget(self.source_label, 1)
        top.addWidget(self.own_scale_box)
        top.addWidget(self.export_button)

        # --- the selected network
        self.network_combo = QComboBox()
        self.network_combo.setMinimumContentsLength(10)
        # Only for a study of several seeds: whose kernels the viewer and overview show.
        self.seed_label = QLabel("Seed:")
        self.seed_combo = QComboBox()
        self.seed_combo.setToolTip("Each seed has its own initial tensors and batch order, so its "
                                   "own kernels; choose whose are shown")
        self.layer_combo = QComboBox()
        self.layer_combo.addItems(["conv1", "conv2"])
        self.layer_combo.setToolTip("conv2 exists in the NetA2 networks only")
        self.conv2_state_combo = QComboBox()
        self.conv2_state_combo.addItems(list(CONV2_STATES))
        self.conv2_state_label = QLabel("conv2 shows:")
        self.follow_box = QCheckBox("Follow the training network")
        self.follow_box.setChecked(True)
        # Two rows, so the tab fits a 1000-pixel-wide window beside the setup column.
        controls = QVBoxLayout()
        first_row, second_row = QHBoxLayout(), QHBoxLayout()
        for row, widgets in ((first_row, (QLabel("Network:"), self.network_combo,
                                          self.seed_label, self.seed_combo, QLabel("Layer:"),
                                          self.layer_combo)),
                             (second_row, (self.conv2_state_label, self.conv2_state_combo,
                                           self.follow_box))):
            for widget in widgets:
                row.addWidget(widget)
            row.addStretch(1)
            controls.addLayout(row)
        self.frozen_badge = QLabel("FROZEN")
        self.frozen_badge.setStyleSheet(FROZEN_BADGE_STYLE)
        self.frozen_badge.setToolTip("current − initial is exactly zero: conv1 did not train")
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.warning_label = QLabel()
        self.warning_label.setWordWrap(True)
        self.warning_label.setStyleSheet(WARNING_STYLE)
        status_row = QHBoxLayout()
        status_row.addWidget(self.frozen_badge)
        status_row.addWidget(self.status_label, 1)
        self.viewer = KernelGridView()
        self.hover_label = QLabel()
        self.hover_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        selected_page = QWidget()
        selected_layout = QVBoxLayout(selected_page)
        selected_layout.addLayout(controls)
        selected_layout.addLayout(status_row)
        selected_layout.addWidget(self.warning_label)
        selected_layout.addWidget(_scrolling(self.viewer), 1)
        selected_layout.addWidget(self.hover_label)

        # --- all networks
        self.overview = KernelGridView()
        self.overview_hover_label = QLabel()
        overview_page = QWidget()
        overview_layout = QVBoxLayout(overview_page)
        overview_note = QLabel("conv1 of every network: HF vs HT vs DT at a glance. A blue frame "
                               "marks a conv1 whose difference is exactly zero (frozen).")
        overview_note.setWordWrap(True)
        overview_layout.addWidget(overview_note)
        overview_layout.addWidget(_scrolling(self.overview), 1)
        overview_layout.addWidget(self.overview_hover_label)

        # --- the editor
        self.editor = KernelEditor()

        self.tabs = QTabWidget()
        self.tabs.addTab(selected_page, "Selected network")
        self.tabs.addTab(overview_page, "All networks")
        # The editor's kernel grids side by side scroll in a narrow window.
        editor_scroll = QScrollArea()
        editor_scroll.setWidget(self.editor)
        editor_scroll.setWidgetResizable(True)
        editor_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.tabs.addTab(editor_scroll, "Kernel editor")
        self.editor_page = editor_scroll
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)

        self.network_combo.activated.connect(self._on_network_picked)
        self.network_combo.currentIndexChanged.connect(self._refresh_selected)
        self.seed_combo.currentIndexChanged.connect(self._refresh)
        self.layer_combo.currentIndexChanged.connect(self._refresh_selected)
        self.conv2_state_combo.currentIndexChanged.connect(self._refresh_selected)
        self.own_scale_box.toggled.connect(self._refresh)
        self.export_button.clicked.connect(self._on_export_clicked)
        self.viewer.sig_hovered.connect(self.hover_label.setText)
        self.overview.sig_hovered.connect(self.overview_hover_label.setText)
        self.editor.sig_kernels_changed.connect(self.sig_kernels_changed)
        self.model.sig_reset.connect(self._on_reset)
        self.model.sig_status_changed.connect(self._show_source)
        self.model.sig_network_started.connect(self._on_network_started)
        self.model.sig_kernels_changed.connect(self._on_kernels_changed)
        self._on_reset()

    # --- the model ------------------------------------------------------------------------

    def set_study(self, stored: StudyState | None) -> None:
        """Show a stored study's initial and final kernels (the model shows it); None clears."""
        try:
            self.model.show_stored(stored)
        except StoreError as exc:
            self.warning_label.setText(str(exc))

    def handle_event(self, event) -> None:
        """Apply a study event to the model (GUI thread); the panel follows the model."""
        self.model.apply(event)

    @property
    def _state(self):
        return self.model.state

    @property
    def _networks(self) -> list[str]:
        return list(self._state.networks)

    @property
    def _kernels(self) -> dict[str, NetworkKernels]:
        seed = self.selected_seed()
        return {network: self._with_seed(kernels, seed)
                for network, kernels in self._state.kernels_by_network(seed).items()}

    def _with_seed(self, kernels: NetworkKernels | None, seed: int) -> NetworkKernels | None:
        """The kernels, carrying their seed (named in every title) when the study has several."""
        if kernels is None or len(self._state.seeds) < 2:
            return kernels
        return dataclasses.replace(kernels, seed=seed)

    def selected_seed(self) -> int:
        """The seed whose kernels are shown (the study's first seed unless one is picked)."""
        seed = self.seed_combo.currentData()
        return int(seed) if seed is not None else self._state.first_seed

    def exported_seed(self) -> int | None:
        """The seed File › Export draws the kernel PNGs of: the one shown, None for the first."""
        if self._state is None or len(self._state.seeds) < 2:
            return None
        seed = self.selected_seed()
        return None if seed == self._state.first_seed else seed

    def select_seed(self, seed: int) -> None:
        """Show the kernels of `seed` (if the study has it)."""
        index = self.seed_combo.findData(int(seed))
        if index >= 0:
            self.seed_combo.setCurrentIndex(index)

    def _set_seed_items(self) -> None:
        seeds = self._state.seeds
        previous = self.seed_combo.currentData()
        self.seed_combo.blockSignals(True)
        self.seed_combo.clear()
        for seed in seeds:
            self.seed_combo.addItem(str(seed), int(seed))
        index = self.seed_combo.findData(previous) if previous is not None else -1
        self.seed_combo.setCurrentIndex(index if index >= 0 else (0 if seeds else -1))
        self.seed_combo.blockSignals(False)
        multi = len(seeds) > 1
        self.seed_label.setVisible(multi)
        self.seed_combo.setVisible(multi)

    def _on_reset(self) -> None:
        previous = self.selected_network()
        state = self._state
        self._show_source()
        self._set_seed_items()
        if state.folder is not None and not state.live:
            self.editor.set_study_kernels_file(state.folder / "byhand.json")
        elif state.config is None and state.folder is None:
            self.editor.set_study_kernels_file(None)
        kernels = self._kernels
        if state.live:
            keep = self._networks[0] if self._networks else None
        else:
            # Reopening the study a run just wrote keeps the network the user was looking at.
            keep = previous if previous in kernels else next(iter(kernels), None)
        self._set_network_items(keep)
        self._refresh()

    def _show_source(self) -> None:
        state = self._state
        name = state.folder.name if state.folder is not None else ""
        if state.live and state.running:
            self.source_label.setText(f"Running study {name}: kernels refresh at every epoch "
                                      "end.")
        elif state.live:
            self.source_label.setText(f"Study {name} {state.state}: kernels at its last epoch "
                                      "end.")
        elif state.folder is not None:
            self.source_label.setText(f"Study {name} ({state.state}): initial and final kernels "
                                      "from its weights files.")
        else:
            self.source_label.setText("No study: run one or open a stored study to see its "
                                      "kernels.")

    def _on_network_started(self, network: str, seed: int) -> None:
        if seed == self.selected_seed() and self.follow_box.isChecked():
            if self.network_combo.findText(network) < 0:
                self._set_network_items(self.selected_network() or network)
            self.select_network(network)

    def current_kernels(self) -> np.ndarray:
        """The editor's kernels, float32 (N, k, k), for StudyConfig.kernels."""
        return self.editor.current_kernels()

    def edit_kernels(self, kernels) -> None:
        """Put `kernels` (N, k, k) in the editor (0/1 or real values, as they are) and show it."""
        self.editor.show_kernels(kernels)
        self.tabs.setCurrentWidget(self.editor_page)

    def kernels_problem(self) -> str:
        """'' when the editor's kernels are valid, else why Run must wait."""
        return self.editor.kernels_problem()

    # --- viewing --------------------------------------------------------------------------

    def select_network(self, network: str) -> None:
        """Show `network` in the viewer (if the study has it)."""
        index = self.network_combo.findText(network)
        if index >= 0:
            self.network_combo.setCurrentIndex(index)

    def selected_network(self) -> str:
        """The network the viewer shows ('' when none)."""
        return self.network_combo.currentText()

    def network_kernels(self, network: str) -> NetworkKernels | None:
        """What the panel knows of a network's kernels (None: nothing yet)."""
        seed = self.selected_seed()
        return self._with_seed(self._state.kernels_of(network, seed), seed)

    def _on_kernels_changed(self, network: str, seed: int) -> None:
        if seed != self.selected_seed():
            return
        if self.network_combo.findText(network) < 0:
            self._set_network_items(self.selected_network() or network)
        problem = self._state.kernel_problems.get((network, seed))
        if problem:
            self.warning_label.setText(problem)
            return
        if self.follow_box.isChecked() and self.selected_network() != network:
            self.select_network(network)
        self._refresh()

    def _set_network_items(self, selected: str | None) -> None:
        self.network_combo.blockSignals(True)
        self.network_combo.clear()
        self.network_combo.addItems(self._networks)
        if selected in self._networks:
            self.network_combo.setCurrentIndex(self._networks.index(selected))
        self.network_combo.blockSignals(False)

    def _on_network_picked(self, _index: int) -> None:
        # A network picked by hand stays shown while the run moves on.
        self.follow_box.setChecked(False)

    def _current_name(self) -> str:
        return "Current" if self._state.live else "Final"

    def _refresh(self) -> None:
        self._refresh_selected()
        self._refresh_overview()

    def _refresh_selected(self) -> None:
        network = self.selected_network()
        kernels = self._kernels.get(network)
        has_conv2 = kernels is not None and kernels.initial_conv2 is not None
        self.layer_combo.setEnabled(has_conv2)
        if not has_conv2 and self.layer_combo.currentIndex() != 0:
            self.layer_combo.blockSignals(True)
            self.layer_combo.setCurrentIndex(0)
            self.layer_combo.blockSignals(False)
        show_conv2 = has_conv2 and self.layer_combo.currentText() == "conv2"
        self.conv2_state_label.setVisible(show_conv2)
        self.conv2_state_combo.setVisible(show_conv2)
        self.warning_label.clear()
        self.hover_label.clear()
        if kernels is None:
            self.frozen_badge.hide()
            self.viewer.show_grid(None)
            if not network:
                self.status_label.setText("No kernels to show.")
            else:
                self.status_label.setText(f"{network}: no kernels yet (it has not started).")
            return
        current = self._current_name()
        own_scale = self.own_scale_box.isChecked()
        self.frozen_badge.setVisible(kernels.conv1_frozen)
        status = kernels.describe_conv1(current.lower())
        if show_conv2:
            states = CONV2_STATES[self.conv2_state_combo.currentText()]
            if kernels.current_conv2 is None:
                states = ("initial",)
            status += " " + _describe_conv2(kernels)
            self.viewer.show_grid(conv2_grid(kernels, states, current, own_scale))
        else:
            self.viewer.show_grid(network_grid(kernels, current, own_scale))
        if len(self._state.seeds) > 1:
            status = f"seed {self.selected_seed()}: {status}"
        self.status_label.setText(status)
        self.warning_label.setText(_scheme_mismatch(kernels))

    def _refresh_overview(self) -> None:
        networks = self._networks or list(NETWORKS)
        if not self._kernels:
            self.overview.show_grid(None)
            return
        self.overview.show_grid(overview_grid(networks, self._kernels, self._current_name(),
                                              self.own_scale_box.isChecked()))

    # --- export ---------------------------------------------------------------------------

    def export_to(self, out_dir) -> list[Path]:
        """Write the kernel PNGs of what the panel holds (and kernels.csv for a study folder)."""
        from gui.figures.kernels import CSV_FILE, export_grids
        from study.analysis.kernels import write_kernel_csv

        # The PNGs use the colour scales the viewer shows.
        paths = export_grids(self._networks, self._kernels, out_dir, self._current_name(),
                             self.own_scale_box.isChecked())
        if self._state.folder is not None:
            paths.append(write_kernel_csv(self._state, Path(out_dir) / CSV_FILE))
        return paths

    def _on_export_clicked(self) -> None:
        if not self._kernels:
            QMessageBox.information(self, "Export kernels", "There are no kernels to export yet: "
                                    "run a study or open a stored one.")
            return
        out_dir = QFileDialog.getExistingDirectory(self, "Export kernel PNGs and CSV into")
        if not out_dir:
            return
        try:
            paths = self.export_to(out_dir)
        except StoreError as exc:
            QMessageBox.warning(self, "Export kernels", str(exc))
            return
        of_seed = f" of seed {self.selected_seed()}" if len(self._state.seeds) > 1 else ""
        self.source_label.setText(f"Exported {len(paths)} files{of_seed} to {out_dir}.")


def _describe_conv2(kernels: NetworkKernels) -> str:
    diff = kernels.conv2_difference()
    if diff is None or not kernels.trained:
        return ""
    return f"conv2: max |Δ| = {float(np.max(np.abs(diff))):.4g}."


def _scheme_mismatch(kernels: NetworkKernels) -> str:
    """A warning when the data disagree with what the network's scheme promises."""
    try:
        spec = network_spec(kernels.network)
    except ValueError:
        return ""
    if not kernels.trained:
        return ""
    if spec.conv1_frozen and not kernels.conv1_frozen:
        return (f"Warning: {kernels.network} is meant to keep conv1 frozen (HF), "
                "but its kernels changed.")
    if not spec.conv1_frozen and kernels.conv1_frozen:
        return (f"Note: {kernels.network} trains conv1 ({spec.scheme}), yet conv1 did not "
                "change at all.")
    return ""


def _scrolling(view: QWidget) -> QScrollArea:
    """`view` filling a scroll area: a bank of many kernels scrolls instead of being cut off."""
    scroll = QScrollArea()
    scroll.setWidget(view)
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QScrollArea.Shape.NoFrame)
    return scroll
