"""The window's conveniences: progress in the title, a notice when a run ends, a question before
a running study is stopped by closing or opening, Help › Keyboard shortcuts and About, an .npz
dataset, and a layout that keeps Run/Stop and the six summary rows in view.

Runs are driven by a fake worker (no child process): it relays the events a test gives it.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, QPoint, QRect, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox

import gui.main_window as main_window_module
import gui.run_notices as run_notices_module
from gui.help_dialogs import AboutDialog, ShortcutsDialog, app_version
from gui.worker import RunOutcome
from study.config import StudyConfig
from study.protocol.events import BatchProgress, NetworkStarted, StudyStarted
from tests.gui.test_app_window import make_window, write_stored_study
from tests.known_study import write_known_seeded_study, write_known_study


class FakeWorker(QObject):
    """Stands in for gui.worker.StudyWorker: events and the exit come from the test."""

    sig_event = Signal(object)
    sig_exited = Signal(object)

    def __init__(self):
        super().__init__()
        self.running = False
        self.stop_requested = False
        self.folder = ""

    def start(self):
        self.running = True

    def isRunning(self):  # noqa: N802 - QThread's name
        return self.running

    def wait(self, *_args):
        return True

    def kill(self):
        self.running = False

    def request_stop(self, *_args):
        self.stop_requested = True

    def exit_with(self, returncode: int = 0):
        self.running = False
        self.sig_exited.emit(RunOutcome(returncode, stop_requested=self.stop_requested,
                                        folder=self.folder))


def start_fake_run(window, folder: Path) -> FakeWorker:
    """A "run" of the stored study at `folder`, 2 networks × 3 epochs × 10 batches, started."""
    worker = FakeWorker()
    worker.folder = str(folder)
    config = StudyConfig(networks=("NetA1-HF", "NetA2-DT"), epochs=3)
    window._launch(config, worker, "Starting…", "Starting a study…")
    assert window.windowTitle() == "starting… — Kernel Lab"
    worker.sig_event.emit(StudyStarted(str(folder), "torch", "cpu", ["NetA1-HF", "NetA2-DT"], 3,
                                       1000, 200, 10))
    worker.sig_event.emit(NetworkStarted("NetA1-HF", 0, 2))
    return worker


def test_title_shows_the_progress_during_a_run_and_resets_after(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path)
    folder = write_stored_study(tmp_path / "studies")
    worker = start_fake_run(window, folder)
    # Epoch 2, batch 4 of network 1 of 2: (10 + 4) of 60 batches = 23 %.
    worker.sig_event.emit(BatchProgress("NetA1-HF", 2, 4, 10, 3.0))
    assert window.windowTitle() == f"23 % · {folder.name} — Kernel Lab"
    worker.sig_event.emit(NetworkStarted("NetA2-DT", 1, 2))
    worker.sig_event.emit(BatchProgress("NetA2-DT", 2, 5, 10, 3.0))
    assert re.fullmatch(rf"75 % · {folder.name} — Kernel Lab", window.windowTitle())
    worker.exit_with(0)
    assert window.windowTitle() == "Kernel Lab"
    assert not window.is_running()


def test_run_end_notice_falls_back_to_the_status_bar(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path)
    # The offscreen platform has no system tray.
    assert not main_window_module.QSystemTrayIcon.isSystemTrayAvailable()
    folder = write_stored_study(tmp_path / "studies")
    start_fake_run(window, folder).exit_with(0)
    assert window.last_notice == ("status", f"Study finished: {folder.name}")
    assert window.statusBar().currentMessage() == f"Study finished: {folder.name}"
    assert window.tray_icon is None


def test_run_end_notice_goes_to_the_tray_where_there_is_one(qtbot, tmp_path, monkeypatch):
    shown = []

    class FakeTray:
        MessageIcon = main_window_module.QSystemTrayIcon.MessageIcon

        def __init__(self, icon, parent):
            assert not icon.isNull()

        @staticmethod
        def isSystemTrayAvailable():  # noqa: N802 - Qt's name
            return True

        @staticmethod
        def supportsMessages():  # noqa: N802 - Qt's name
            return True

        def setToolTip(self, text):  # noqa: N802 - Qt's name
            pass

        def show(self):
            pass

        def showMessage(self, title, text, icon, ms):  # noqa: N802 - Qt's name
            shown.append((title, text, icon))

    monkeypatch.setattr(run_notices_module, "QSystemTrayIcon", FakeTray)
    window = make_window(qtbot, tmp_path)
    folder = write_stored_study(tmp_path / "studies")
    start_fake_run(window, folder).exit_with(1)
    assert shown == [("Study failed", folder.name, FakeTray.MessageIcon.Critical)]
    assert window.last_notice[0] == "tray"


def answer(monkeypatch, reply, asked: list):
    """Patch QMessageBox.question to record the question and give `reply`."""
    def question(parent, title, text, *args):
        asked.append(text)
        return reply
    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))


def test_closing_during_a_run_asks_first_and_no_keeps_it_going(qtbot, tmp_path, monkeypatch):
    window = make_window(qtbot, tmp_path)
    worker = start_fake_run(window, write_stored_study(tmp_path / "studies"))
    asked = []
    answer(monkeypatch, QMessageBox.StandardButton.No, asked)
    assert not window.close()
    assert len(asked) == 1 and "close the window" in asked[0]
    assert window.isVisible() and window.is_running() and not worker.stop_requested
    answer(monkeypatch, QMessageBox.StandardButton.Yes, asked)
    assert window.close()
    assert worker.stop_requested and window.worker is None
    assert len(asked) == 2


def test_closing_without_a_run_does_not_ask(qtbot, tmp_path, monkeypatch):
    window = make_window(qtbot, tmp_path)
    asked = []
    answer(monkeypatch, QMessageBox.StandardButton.No, asked)
    assert window.close()
    assert asked == []


def test_opening_another_study_during_a_run_asks_first(qtbot, tmp_path, monkeypatch):
    window = make_window(qtbot, tmp_path)
    running = write_stored_study(tmp_path / "studies")
    other = write_known_study(tmp_path / "other")
    worker = start_fake_run(window, running)
    asked = []
    answer(monkeypatch, QMessageBox.StandardButton.No, asked)
    assert not window.open_study_folder(other)
    assert len(asked) == 1 and other.name in asked[0]
    assert window.is_running() and not worker.stop_requested
    assert window.study_folder == str(running)
    # Yes: the run is asked to stop; the other study opens once it has ended.
    answer(monkeypatch, QMessageBox.StandardButton.Yes, asked)
    window.open_study_folder(other)
    assert worker.stop_requested and window.is_running()
    assert "opens when it has stopped" in window.statusBar().currentMessage()
    worker.exit_with(0)
    assert window.study_folder == str(other)
    assert not window.is_running()


def test_keyboard_shortcuts_dialog_lists_the_actions_shortcuts(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path)
    assert [a.text() for a in window.help_menu.actions()] == [
        "&Keyboard shortcuts", "&About Kernel Lab"]
    window.shortcuts_action.trigger()
    dialog = window.help_dialog
    assert isinstance(dialog, ShortcutsDialog) and dialog.isVisible()
    table = dialog.table
    shown = {table.item(r, 0).text(): table.item(r, 1).text() for r in range(table.rowCount())}
    assert shown["Study › Run"] == "Ctrl+R"
    assert shown["Study › Stop"] == "Esc"
    assert shown["File › Open study"] == "Ctrl+O"
    assert shown["File › Export"] == "Ctrl+E"
    assert shown["Help › Keyboard shortcuts"] == "F1"
    # Generated from the actions: a changed shortcut shows up, nothing is listed twice.
    window.run_action.setShortcut("Ctrl+Shift+R")
    window.show_shortcuts()
    table = window.help_dialog.table
    rows = [table.item(r, 0).text() for r in range(table.rowCount())]
    assert len(rows) == len(set(rows))
    assert table.item(rows.index("Study › Run"), 1).text() == "Ctrl+Shift+R"


def test_about_names_the_version_and_the_backends(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path)
    window.about_action.trigger()
    dialog = window.help_dialog
    assert isinstance(dialog, AboutDialog)
    text = dialog.label.text()
    assert f"Kernel Lab {app_version()}" in text
    assert re.fullmatch(r"\d+\.\d+.*", app_version())
    for backend in ("torch", "tensorflow", "jax"):
        assert backend in text
    assert "Keras backends available" in text


def test_dataset_chooser_takes_an_npz_file(qtbot, tmp_path, monkeypatch):
    window = make_window(qtbot, tmp_path)
    setup = window.setup
    npz = tmp_path / "fashion.npz"
    np.savez(npz, x_train=np.zeros((4, 28, 28), np.uint8), y_train=np.zeros(4, np.uint8),
             x_test=np.zeros((2, 28, 28), np.uint8), y_test=np.zeros(2, np.uint8))
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        staticmethod(lambda *args: (str(npz), "NumPy archives (*.npz)")))
    texts = [a.text() for a in setup.data_browse.menu().actions()]
    assert texts == ["Folder of IDX files…", ".npz file…"]
    setup.data_browse.menu().actions()[1].trigger()
    assert setup.data_edit.text() == str(npz)
    assert setup.config().data_dir == str(npz)
    assert not setup.error_labels["data_dir"].isVisible()
    assert window.run_action.isEnabled()
    # A file that is no .npz archive is refused under the field.
    text_file = tmp_path / "notes.txt"
    text_file.write_text("not a dataset")
    setup.data_edit.setText(str(text_file))
    assert not zipfile.is_zipfile(text_file)
    assert "is a file but not an .npz archive" in setup.error_labels["data_dir"].text()
    assert not window.run_action.isEnabled()


def _inside(child: QRect, outer: QRect) -> bool:
    return outer.contains(child.topLeft()) and outer.contains(child.bottomRight())


def _window_rect(widget, window) -> QRect:
    return QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())


def test_run_and_stop_stay_visible_at_1000x650(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path)
    window.resize(1000, 650)
    qtbot.waitUntil(lambda: (window.width(), window.height()) == (1000, 650))
    qtbot.wait(50)
    minimum = window.minimumSizeHint()
    assert minimum.width() <= 1000 and minimum.height() <= 650
    buttons = [window.setup.run_button, window.setup.stop_button]
    for button in buttons:
        assert not button.visibleRegion().isEmpty(), button.text()
        assert button.visibleRegion().boundingRect() == button.rect(), button.text()
        assert _inside(_window_rect(button, window), window.rect()), button.text()
    run, stop = (_window_rect(b, window) for b in buttons)
    assert not run.intersects(stop)
    # The setup column and the tabs sit side by side.
    left = _window_rect(window.splitter.widget(0), window)
    assert not left.intersects(_window_rect(window.tabs, window))
    assert _inside(run, left) and _inside(stop, left)
    # A study of several seeds (more controls above the plots) still fits, on every tab.
    assert window.open_study_folder(write_known_seeded_study(tmp_path / "studies"))
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        qtbot.wait(20)
        assert (window.width(), window.height()) == (1000, 650), window.tabs.tabText(index)
        minimum = window.minimumSizeHint()
        assert minimum.width() <= 1000 and minimum.height() <= 650
        for button in buttons:
            assert button.visibleRegion().boundingRect() == button.rect()


def test_summary_shows_all_six_rows_at_the_default_size(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path)
    assert (window.width(), window.height()) == (1400, 860)
    assert window.open_study_folder(write_known_study(tmp_path / "studies"))
    qtbot.wait(50)
    table = window.summary
    assert table.rowCount() == 6
    viewport = table.viewport().rect()
    for row in range(6):
        rect = table.visualItemRect(table.item(row, 0))
        assert _inside(rect, viewport), (row, rect, viewport)


def test_summary_shows_all_six_rows_under_an_all_at_once_note(qtbot, tmp_path):
    from tests.gui.test_all_at_once_views import write_all_at_once_study

    window = make_window(qtbot, tmp_path)
    assert window.open_study_folder(write_all_at_once_study(tmp_path / "studies"))
    qtbot.wait(50)
    table = window.summary
    assert table.note.isVisible() and "Networks trained together" in table.note.text()
    viewport = table.viewport().rect()
    for row in range(6):
        assert _inside(table.visualItemRect(table.item(row, 0)), viewport), row


def test_comparison_table_scrolls_instead_of_cutting_its_columns_at_1000x650(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path)
    window.resize(1000, 650)
    assert window.open_study_folder(write_known_seeded_study(tmp_path / "studies"))
    window.tabs.setCurrentIndex(2)
    qtbot.wait(50)
    compare = window.compare_panel
    table = compare.comparison_table
    header = table.horizontalHeader()
    wanted = compare.comparison_columns.wanted_widths()
    # No header or cell is cut: each column is at least as wide as its contents.
    assert all(header.sectionSize(c) >= w for c, w in enumerate(wanted))
    if not compare.comparison_columns.fits():
        assert table.horizontalScrollBar().isVisible()
    # Every row stays in view above the scroll bar.
    viewport = table.viewport().rect()
    for row in range(table.rowCount()):
        assert _inside(table.visualItemRect(table.item(row, 0)), viewport), row
    # Wide enough, the columns stretch to the table's width again.
    window.resize(2600, 860)
    qtbot.waitUntil(lambda: compare.comparison_columns.fits())
    qtbot.waitUntil(lambda: not table.horizontalScrollBar().isVisible())
    # Just wide enough: each column still at least as wide as its contents (an equal split of
    # the width cut the wide ones short), together filling the viewport.
    wanted = compare.comparison_columns.wanted_widths()
    assert max(wanted) > sum(wanted) / len(wanted) + 30  # uneven, or this proves nothing
    window.resize(window.width() - (table.viewport().width() - sum(wanted) - 12), 860)
    qtbot.waitUntil(lambda: table.viewport().width() < sum(wanted) + 40)
    assert compare.comparison_columns.fits()
    assert all(header.sectionSize(c) >= w for c, w in enumerate(wanted))
    assert abs(sum(header.sectionSize(c) for c in range(table.columnCount()))
               - table.viewport().width()) <= 1


def test_ctrl_c_in_the_terminal_closes_without_asking(qtbot, tmp_path, monkeypatch):
    window = make_window(qtbot, tmp_path)
    worker = start_fake_run(window, write_stored_study(tmp_path / "studies"))
    asked = []
    answer(monkeypatch, QMessageBox.StandardButton.No, asked)
    assert window.close_without_asking()
    assert asked == [] and worker.stop_requested and window.worker is None
