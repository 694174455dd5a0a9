"""The status bar's backend, device and data: those of the study shown, from its status.json
(or its run's events); with no study shown, those of the run the setup would start."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QStatusBar


class StudyStatusLabels:
    """Three permanent labels of a QStatusBar that follow a StudyModel."""

    def __init__(self, bar: QStatusBar, model, setup):
        self.model = model
        self.setup = setup
        self.backend_label = QLabel()
        self.device_label = QLabel()
        self.dataset_label = QLabel()
        for label in (self.backend_label, self.device_label, self.dataset_label):
            label.setContentsMargins(8, 0, 8, 0)
            bar.addPermanentWidget(label)
        model.sig_reset.connect(self.refresh)
        model.sig_status_changed.connect(self.refresh)
        setup.sig_changed.connect(self.refresh)

    def refresh(self, *_args) -> None:
        """Describe the study shown (or, with none, the next run)."""
        if self.model.is_empty():
            setup = self.setup
            self.backend_label.setText(f"Backend: {setup.backend() or '—'}")
            self.device_label.setText(f"Device: {setup.device_text()}")
            named = setup.dataset() if setup.dataset() != "fashion-mnist" else ""
            self.dataset_label.setText(
                f"Data: {setup.data_dir() or named or 'Fashion-MNIST (system copy)'}")
            return
        state = self.model.state
        status = state.status
        self.backend_label.setText(f"Backend: {status.get('backend') or '?'}")
        self.device_label.setText(f"Device: {status.get('device') or '?'}")
        starting = "starting…" if state.running else "?"
        self.dataset_label.setText(f"Data: {status.get('dataset') or starting}")
