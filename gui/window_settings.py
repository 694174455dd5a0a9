"""What the main window remembers between sessions (QSettings): the setup, the save folder, the
window's geometry, its splitters and the tab shown."""

from __future__ import annotations

import json

from PySide6.QtCore import QByteArray

from study.config import StudyConfig

SETTINGS_SETUP = "setup/config"
SETTINGS_STUDIES = "setup/studies_root"
SETTINGS_GEOMETRY = "window/geometry"
SETTINGS_SPLITTER = "window/splitter"
SETTINGS_TRAINING_SPLITTER = "window/training_splitter"
SETTINGS_TAB = "window/tab"


def restore_window_settings(window, studies_root=None) -> None:
    """Put the remembered setup and layout back into `window` (a MainWindow); `studies_root`
    given overrides the remembered save folder."""
    settings = window.settings
    saved = settings.value(SETTINGS_SETUP, "")
    try:
        setup = json.loads(saved) if saved else {}
    except (TypeError, ValueError):
        setup = {}
    if not isinstance(setup, dict):
        setup = {}
    window.setup.set_config({**StudyConfig().to_dict(), **setup})
    root = studies_root or settings.value(SETTINGS_STUDIES, "") or "studies"
    window.setup.studies_edit.setText(str(root))
    for key, restore in ((SETTINGS_GEOMETRY, window.restoreGeometry),
                         (SETTINGS_SPLITTER, window.splitter.restoreState),
                         (SETTINGS_TRAINING_SPLITTER, window.training.restore_splitter)):
        value = settings.value(key)
        if isinstance(value, QByteArray | bytes):
            restore(value)
    tab = settings.value(SETTINGS_TAB, 0)
    try:
        window.tabs.setCurrentIndex(int(tab))
    except (TypeError, ValueError):
        pass


def save_window_settings(window) -> None:
    """Remember the setup (also when invalid: the user's own text) and the window layout."""
    settings = window.settings
    values, _ = window.setup._raw_fields()
    config = window.setup.config().to_dict()
    config.update(values)
    config.pop("kernels", None)
    config.pop("kernel_bias", None)
    # The bank as typed, also while it cannot be used.
    config["kernel_bank"] = None if window.setup.uses_editor() else window.setup.bank_spec()
    settings.setValue(SETTINGS_SETUP, json.dumps(config))
    settings.setValue(SETTINGS_STUDIES, window.setup.studies_edit.text())
    settings.setValue(SETTINGS_GEOMETRY, window.saveGeometry())
    settings.setValue(SETTINGS_SPLITTER, window.splitter.saveState())
    settings.setValue(SETTINGS_TRAINING_SPLITTER, window.training.splitter.saveState())
    settings.setValue(SETTINGS_TAB, window.tabs.currentIndex())
    settings.sync()
