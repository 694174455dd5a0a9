"""Fixtures shared by the window tests."""

import gc

import pytest

from tests.gui.test_app_window import make_window


@pytest.fixture
def window(qtbot, tmp_path):
    """The main window; any study still running at the end is killed."""
    window = make_window(qtbot, tmp_path)
    yield window
    if window.worker is not None:
        window.worker.kill()
        window.worker.wait(10_000)


@pytest.fixture(autouse=True)
def garbage_collected_between_tests():
    """The app's policy (gui/app.py): no cyclic garbage collection at arbitrary allocations,
    which can free a QObject inside a PySide call holding the lock its destructor needs (a
    hang, seen in these tests); it runs between tests instead (the youngest generation holds
    all the test made: see gui/figures/style.collect_outside_qt)."""
    was_enabled = gc.isenabled()
    gc.disable()
    yield
    if was_enabled:
        gc.enable()
    gc.collect(0)


@pytest.fixture
def kernel_panel(qtbot):
    """The Kernels tab's panel on its own, shown at a usual size."""
    from gui.panels.kernels import KernelPanel

    widget = KernelPanel()
    qtbot.addWidget(widget)
    widget.resize(1200, 800)
    widget.show()
    return widget
