"""The window tests' fixtures (tests/gui/conftest.py), for window tests that start processes."""

from tests.gui.conftest import garbage_collected_between_tests, window  # noqa: F401
