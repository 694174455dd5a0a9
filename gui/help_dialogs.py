"""Help › Keyboard shortcuts and Help › About.

The shortcut list is read from the window's own QActions (their menu, text and shortcut), so it
always says what the keys really do. About gives the version from the installed package's
metadata and which Keras backends are installed (looked up without importing them).
"""

from __future__ import annotations

import importlib.metadata
import platform

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from study.protocol.backends import available_backends

PACKAGE = "kernel-lab"


def _plain(text: str) -> str:
    """A menu text without its mnemonic ampersand and trailing ellipsis."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…").strip()


def shortcut_rows(window) -> list[tuple[str, str]]:
    """(what, keys) for every action of `window` that has a shortcut: "File › Open study",
    "Ctrl+O". Menu actions first, in menu order; then actions that are in no menu."""
    rows: list[tuple[str, str]] = []
    seen: set[int] = set()

    def add(action: QAction, where: str) -> None:
        keys = [k for k in action.shortcuts() if not k.isEmpty()]
        if id(action) in seen or not keys:
            return
        seen.add(id(action))
        text = ", ".join(k.toString(QKeySequence.SequenceFormat.NativeText) for k in keys)
        rows.append((f"{where}{_plain(action.text())}", text))

    def walk(menu, where: str) -> None:
        for action in menu.actions():
            if action.menu() is not None:
                walk(action.menu(), f"{where}{_plain(action.menu().title())} › ")
            elif not action.isSeparator():
                add(action, where)

    walk(window.menuBar(), "")
    for action in window.findChildren(QAction):
        if action.text() and not action.isSeparator():
            add(action, "")
    return rows


class ShortcutsDialog(QDialog):
    """A table of the window's keyboard shortcuts."""

    def __init__(self, window: QWidget):
        super().__init__(window)
        self.setWindowTitle("Keyboard shortcuts")
        self.rows = shortcut_rows(window)
        self.table = QTableWidget(len(self.rows), 2)
        self.table.setHorizontalHeaderLabels(["Action", "Shortcut"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(
            1, QHeaderView.ResizeMode.ResizeToContents)
        for row, (what, keys) in enumerate(self.rows):
            self.table.setItem(row, 0, QTableWidgetItem(what))
            self.table.setItem(row, 1, QTableWidgetItem(keys))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(420, 60 + self.table.verticalHeader().defaultSectionSize()
                    * (len(self.rows) + 2))


def app_version() -> str:
    """Kernel Lab's version from the installed package's metadata."""
    try:
        return importlib.metadata.version(PACKAGE)
    except importlib.metadata.PackageNotFoundError:
        return "unknown (the kernel-lab package is not installed)"


def _version_of(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return ""


def about_text() -> str:
    """What Help › About says (rich text): version, backends available, library versions."""
    backends = []
    for status in available_backends():
        if status.installed:
            version = _version_of({"tensorflow": "tensorflow-cpu"}.get(status.name, status.name)) \
                or _version_of(status.name)
            backends.append(f"<li><b>{status.name}</b> {version}</li>")
        else:
            backends.append(f"<li>{status.name}: not installed</li>")
    libraries = ", ".join(f"{name} {v}" for name in ("keras", "PySide6-Essentials", "pyqtgraph",
                                                    "numpy", "scipy")
                          if (v := _version_of(name)))
    return (f"<h3>Kernel Lab {app_version()}</h3>"
            "<p>Hand-made versus learned first-layer kernels: six small CNNs on Fashion-MNIST, "
            "trained with Keras 3 in a child process.</p>"
            f"<p>Keras backends available:</p><ul>{''.join(backends)}</ul>"
            f"<p>Python {platform.python_version()}; {libraries}</p>")


class AboutDialog(QDialog):
    """Help › About Kernel Lab."""

    def __init__(self, window: QWidget):
        super().__init__(window)
        self.setWindowTitle("About Kernel Lab")
        self.label = QLabel(about_text())
        self.label.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        layout.addWidget(buttons)
