"""A study of several seeds on screen (issue 10): curves with their band, the summary's mean ± CI,
the conclusions with their intervals and verdicts, the Seeds field, the kernel seed picker and the
PNG exports."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from gui.panels.live_plots import LivePlots
from gui.study_model import StudyModel
from study.state import MIN_MAX, StudyState
from tests.known_study import SEEDS, seeded_accuracy, write_known_seeded_study, write_known_study

NETWORKS = ("NetA1-HF", "NetA1-HT", "NetA1-DT", "NetA2-HF", "NetA2-HT", "NetA2-DT")


@pytest.fixture
def seeded_state(tmp_path) -> StudyState:
    return StudyState.from_folder(write_known_seeded_study(tmp_path / "studies"))


def seed_values(network: str) -> np.ndarray:
    """Test accuracy in %, one row per seed, one column per epoch."""
    return 100 * np.array([seeded_accuracy(network, i) for i in range(len(SEEDS))])


def t_bounds(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """scipy's 95 % t interval of the mean of each column."""
    n = values.shape[0]
    low, high = stats.t.interval(0.95, n - 1, loc=values.mean(axis=0),
                                 scale=values.std(axis=0, ddof=1) / np.sqrt(n))
    return low, high


@pytest.fixture
def plots(qtbot, seeded_state):
    model = StudyModel()
    widget = LivePlots(model=model)
    qtbot.addWidget(widget)
    model.set_state(seeded_state)
    return widget


def test_curves_show_the_mean_of_the_seeds_with_a_ci_band(plots):
    assert not plots.seed_controls.isHidden()
    values = seed_values("NetA2-HT")
    epochs, mean = plots.drawn_points("NetA2-HT", "test_accuracy")
    assert list(epochs) == [1, 2, 3]
    assert mean == pytest.approx(values.mean(axis=0))
    x, low, high = plots.band("NetA2-HT", "test_accuracy")
    expected_low, expected_high = t_bounds(values)
    assert list(x) == [1, 2, 3]
    assert low == pytest.approx(expected_low) and high == pytest.approx(expected_high)
    assert all(low < mean) and all(mean < high)
    low_item, high_item, fill = plots.band_items("NetA2-HT", "test_accuracy")
    assert fill.curves == [low_item, high_item] and fill.isVisible()
    assert not fill.path().isEmpty()
    # The loss plots get their band too (loss = 1 - accuracy in the known study).
    _, loss_low, loss_high = plots.band("NetA2-HT", "test_loss")
    assert loss_low == pytest.approx(1 - expected_high / 100)


def test_the_min_max_switch_changes_the_band(plots):
    plots.set_spread(MIN_MAX)
    values = seed_values("NetA2-HT")
    _, low, high = plots.band("NetA2-HT", "test_accuracy")
    assert low == pytest.approx(values.min(axis=0)) and high == pytest.approx(values.max(axis=0))
    _, mean = plots.drawn_points("NetA2-HT", "test_accuracy")
    assert mean == pytest.approx(values.mean(axis=0))


def test_single_seed_lines_toggle(plots):
    assert plots.seed_lines("NetA1-HT", "test_accuracy") == {}
    plots.set_seed_lines_shown(True)
    lines = plots.seed_lines("NetA1-HT", "test_accuracy")
    assert sorted(lines) == list(SEEDS)
    for index, seed in enumerate(SEEDS):
        epochs, values = lines[seed]
        assert list(epochs) == [1, 2, 3]
        assert values == pytest.approx(seed_values("NetA1-HT")[index])
    plots.set_seed_lines_shown(False)
    assert plots.seed_lines("NetA1-HT", "test_accuracy") == {}


def test_a_one_seed_study_looks_as_before(qtbot, tmp_path):
    model = StudyModel()
    widget = LivePlots(model=model)
    qtbot.addWidget(widget)
    model.set_state(StudyState.from_folder(write_known_study(tmp_path)))
    assert widget.seed_controls.isHidden()
    assert widget.band("NetA1-HF", "test_accuracy")[0].size == 0
    assert list(widget.drawn_points("NetA1-HF", "test_accuracy")[1]) == pytest.approx(
        [50.0, 60.0, 55.0])
