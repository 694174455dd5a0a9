"""The Kernels tab on studies whose conv1 bank is not the report's four 5×5 kernels: a sobel
bank (four 3×3) and a Gabor bank of six orientations (six 5×5)."""

from __future__ import annotations

import numpy as np
import pytest

from study.protocol import banks
from tests.kernel_study import write_kernel_study

BANKS = {"sobel": (4, 3), "gabor:orientations=6": (6, 5), "laplacian:size=7": (2, 7)}


@pytest.fixture
def panel(kernel_panel):
    return kernel_panel


@pytest.mark.parametrize("spec", list(BANKS))
def test_the_viewer_shows_every_kernel_of_the_bank_at_its_size(panel, tmp_path, spec):
    count, size = BANKS[spec]
    stored = write_kernel_study(tmp_path, bank=spec)
    panel.set_study(stored)
    expected = banks.bank_kernels(banks.parse_spec(spec))
    panel.select_network("NetA1-HF")
    grid = panel.viewer.grid
    assert grid.row_titles == [f"K{k + 1}" for k in range(count)]
    assert f"{size}×{size} kernel" in grid.title
    shown = np.stack([panel.viewer.cell_values(k, 0) for k in range(count)])
    assert shown.shape == (count, size, size)
    np.testing.assert_allclose(shown, expected, rtol=1e-6)
    # The frozen network's final kernels are the bank's, the difference exactly zero.
    np.testing.assert_allclose(panel.viewer.cell_values(count - 1, 1), expected[-1], rtol=1e-6)
    assert not panel.viewer.cell_values(count - 1, 2).any()

    overview = panel.overview.grid
    assert overview.column_titles == [f"K{k + 1}" for k in range(count)] * 3
    assert [span for _title, span in overview.column_groups] == [count] * 3
    assert all(len(row) == 3 * count for row in overview.cells)
    assert np.shape(panel.overview.cell_values(0, count - 1)) == (size, size)


@pytest.mark.parametrize("spec", ["sobel", "gabor:orientations=6"])
def test_conv2_has_one_input_channel_per_bank_kernel(panel, tmp_path, spec):
    count, _size = BANKS[spec]
    panel.set_study(write_kernel_study(tmp_path, bank=spec))
    panel.select_network("NetA2-HT")
    panel.layer_combo.setCurrentText("conv2")
    grid = panel.viewer.grid
    assert grid.row_titles == [f"input {c + 1}" for c in range(count)]
    assert len(grid.column_titles) == 12
    assert f"3×3×{count} kernels" in grid.title
    assert np.shape(panel.viewer.cell_values(count - 1, 11)) == (3, 3)


def test_a_bank_of_many_kernels_scrolls_instead_of_being_cut_off(panel, tmp_path, qtbot):
    from gui.kernel_view import MIN_CELL

    def scroll_range() -> int:
        qtbot.wait(20)
        return panel.viewer.parentWidget().parentWidget().verticalScrollBar().maximum()

    panel.set_study(write_kernel_study(tmp_path / "report"))
    panel.select_network("NetA1-HT")
    assert scroll_range() == 0  # the report's four kernels fit
    panel.set_study(write_kernel_study(tmp_path / "dct", bank="dct:count=24"))
    panel.select_network("NetA1-HT")
    assert len(panel.viewer.grid.row_titles) == 24
    assert panel.viewer.minimumHeight() >= 24 * MIN_CELL
    assert scroll_range() > 0  # every row can be reached
