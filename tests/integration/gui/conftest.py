"""The window tests' fixtures (tests/gui/conftest.py), for window tests that start processes."""

from tests.gui.conftest import (  # noqa: F401
    garbage_collected_between_tests,
    kernel_panel,
    window,
)
