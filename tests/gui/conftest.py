"""Fixtures shared by the window tests."""

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
