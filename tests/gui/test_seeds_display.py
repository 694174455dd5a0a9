"""A study of several seeds on screen: curves with their band, the summary's mean ± CI,
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


# ----- the Compare tab --------------------------------------------------------------------------

@pytest.fixture
def compare(qtbot, seeded_state):
    from gui.panels.compare import ComparePanel

    model = StudyModel()
    panel = ComparePanel(model=model)
    qtbot.addWidget(panel)
    panel.resize(1300, 800)
    model.set_state(seeded_state)
    return panel


def cell(table, row, column) -> str:
    return table.item(row, column).text()


def paired_interval(differences) -> tuple[float, float, float, float]:
    """mean, CI low, CI high (scipy t) and the t-test p of paired differences."""
    d = np.asarray(differences, dtype=float)
    low, high = stats.t.interval(0.95, len(d) - 1, loc=d.mean(),
                                 scale=d.std(ddof=1) / np.sqrt(len(d)))
    return d.mean(), low, high, stats.ttest_1samp(d, 0.0).pvalue


def test_conclusions_show_difference_ci_p_n_and_a_neutral_not_resolved(compare):
    from PySide6.QtGui import QColor

    from gui.colors import HOLDS_COLOR, NOT_RESOLVED_COLOR

    table = compare.conclusions_table
    rows = {cell(table, r, 0).split("\n")[0]: r for r in range(table.rowCount())}
    unresolved = rows["NetA2: DT > HT > HF in peak test accuracy"]
    assert cell(table, unresolved, 1) == "not resolved"
    assert table.item(unresolved, 1).background().color() == QColor(NOT_RESOLVED_COLOR)
    # The deciding part is NetA2-HT > NetA2-HF: its per-seed differences are 0.01 + jitter.
    peak = {n: [max(seeded_accuracy(n, i)) for i in range(len(SEEDS))]
            for n in ("NetA2-HT", "NetA2-HF")}
    mean, low, high, p = paired_interval(np.subtract(peak["NetA2-HT"], peak["NetA2-HF"]))
    assert [cell(table, unresolved, c) for c in range(2, 7)] == [
        "peak acc.", f"{100 * mean:+.2f} pts", f"[{100 * low:+.2f}, {100 * high:+.2f}] pts",
        f"{p:.3f}", "5"]
    assert low < 0 < high
    assert "NetA2-HT > NetA2-HF" in table.item(unresolved, 1).toolTip()
    assert "only 3 epochs" in cell(table, unresolved, 7)
    holding = rows["NetA1: DT > HT > HF in peak test accuracy"]
    assert cell(table, holding, 1) == "holds"
    assert table.item(holding, 1).background().color() == QColor(HOLDS_COLOR)
    assert QColor(NOT_RESOLVED_COLOR) != QColor(HOLDS_COLOR)
    assert "7 hold, 0 do not hold, 2 not resolved, 0 not applicable" in (
        compare.conclusions_label.text())
    assert "Paired over 5 seeds" in compare.conclusions_label.text()


def test_conclusions_on_the_final_accuracy_and_both(compare):
    from study.analysis.conclusions import FINAL, PEAK

    compare.set_conclusion_measures((FINAL,))
    verdicts = compare.verdicts()
    assert "NetA2: DT > HT > HF in final test accuracy" in verdicts
    assert not any("peak" in text for text in verdicts)
    compare.set_conclusion_measures((PEAK, FINAL))
    assert compare.conclusions_table.rowCount() == 16


def test_comparison_table_shows_means_with_intervals_and_n(compare):
    compare.show_comparison("inset-NetA2")
    table = compare.comparison_table
    row = [cell(table, 1, c) for c in range(table.columnCount())]
    values = np.array([max(seeded_accuracy("NetA2-HT", i)) for i in range(len(SEEDS))])
    low, high = stats.t.interval(0.95, 4, loc=values.mean(),
                                 scale=values.std(ddof=1) / np.sqrt(5))
    assert row[0] == "NetA2-HT"
    assert row[2] == f"{100 * values.mean():.2f} ± {100 * (high - low) / 2:.2f} %"
    assert row[3] == "2"  # every seed peaked at epoch 2: a whole mean shows no decimals
    assert row[5] == "3.00 ± 0.00 s"
    assert row[10] == "5"
    assert "95 % CI" in table.item(1, 2).toolTip()
    assert "0 1 2 3 4" in table.item(1, 10).toolTip()


def test_confusion_label_counts_one_seed_images_and_says_pooled(compare):
    compare.show_confusion("NetA1-HF")
    text = compare.confusion_label.text()
    assert "on 30 test images" in text and "pooled over 5 seeds" in text
    assert "150 predictions" in text
    assert compare.confusion_counts().sum() == 150


# ----- the summary table ------------------------------------------------------------------------

def test_summary_shows_mean_plus_minus_ci_and_n(qtbot, seeded_state):
    from gui.panels.summary import SummaryTable

    model = StudyModel()
    table = SummaryTable()
    qtbot.addWidget(table)
    table.bind(model)
    model.set_state(seeded_state)
    assert table.headers()[-1] == "Seeds" and table.columnCount() == 7
    rows = {row[0]: row for row in table.texts()}
    assert list(rows) == list(NETWORKS)
    values = np.array([max(seeded_accuracy("NetA1-HT", i)) for i in range(len(SEEDS))])
    low, high = stats.t.interval(0.95, 4, loc=values.mean(),
                                 scale=values.std(ddof=1) / np.sqrt(5))
    row = rows["NetA1-HT"]
    assert row[1] == f"{100 * values.mean():.2f} ± {100 * (high - low) / 2:.2f} %"
    assert "±" in row[3] and row[4] == "2.00 ± 0.00 s"
    assert row[6] == "5"
    # NetA1-HF peaks at epoch 2 with every seed: a whole mean epoch reads "2", never "2.0".
    assert rows["NetA1-HF"][2] == "2"
    item = table.item(table.networks().index("NetA1-HT"), 1)
    assert f"{100 * low:.2f} to {100 * high:.2f} %" in item.toolTip()


def test_a_one_seed_summary_is_unchanged(qtbot, tmp_path):
    from gui.panels.summary import HEADERS, SummaryTable

    model = StudyModel()
    table = SummaryTable()
    qtbot.addWidget(table)
    table.bind(model)
    model.set_state(StudyState.from_folder(write_known_study(tmp_path)))
    assert tuple(table.headers()) == HEADERS
    assert table.texts()[0] == ["NetA1-HF", "60.00 %", "2", "55.00 %", "1.50 s", "00:04.50"]


# ----- the Seeds field --------------------------------------------------------------------------

def test_the_seeds_field_makes_the_configs_seeds(qtbot):
    from gui.panels.setup import SetupPanel

    setup = SetupPanel(probe_devices=False)
    qtbot.addWidget(setup)
    setup.seed_edit.setText("3")
    for text, seeds in (("", None), ("1", None), ("5", (3, 4, 5, 6, 7)), ("0,3,7", (0, 3, 7)),
                        (" 2 , 9 ", (2, 9)), ("7,", (7,))):
        setup.seeds_edit.setText(text)
        assert setup.config().seeds == seeds, text
        assert not [p for p in setup.problems() if p.startswith("seeds")], text
    setup.seeds_edit.setText("4")
    assert setup.config().seed_list == (3, 4, 5, 6)


@pytest.mark.parametrize("text", ["0", "-1", "1,1", "abc", "65", "1,x", "-1,2"])
def test_bad_seeds_show_a_field_error_and_disable_run(window, synthetic_data_dir, text):
    from tests.gui.test_app_window import configure

    configure(window, synthetic_data_dir)
    setup = window.setup
    setup.seeds_edit.setText("5")
    assert window.run_action.isEnabled() and setup.error_labels["seeds"].isHidden()
    setup.seeds_edit.setText(text)
    label = setup.error_labels["seeds"]
    assert not label.isHidden() and label.text().startswith("Seeds")
    assert not window.run_action.isEnabled() and not setup.run_button.isEnabled()
    assert "#c62828" in setup.seeds_edit.styleSheet()
    setup.seeds_edit.setText("0,3,7")
    assert window.run_action.isEnabled() and label.isHidden()


def test_the_study_shown_lists_its_seeds_and_they_can_be_reused(window, tmp_path):
    folder = write_known_seeded_study(tmp_path / "studies", seeds=(2, 3, 4))
    assert window.open_study_folder(folder)
    box = window.setup.study_box
    assert box.texts()["Seeds"] == "2, 3, 4"
    window.setup.seeds_edit.setText("1")
    box.use_button.click()
    assert window.setup.seeds_edit.text() == "3"
    assert window.setup.config().seed_list == (2, 3, 4)
    listed = write_known_seeded_study(tmp_path / "other", seeds=(0, 3, 4))
    assert window.open_study_folder(listed)
    window.setup.study_box.use_button.click()
    assert window.setup.seeds_edit.text() == "0,3,4"
    assert window.setup.config().seed_list == (0, 3, 4)


# ----- the kernel viewer's seed picker ----------------------------------------------------------

def write_seeded_kernels(folder, seeds=SEEDS, networks=NETWORKS) -> None:
    """Per-seed initial and final conv1 weights: every initial value is the seed, final + 0.5
    (HF: final = initial)."""
    from study.folder.layout import file_stem

    weights = folder / "weights"
    weights.mkdir(exist_ok=True)
    for network in networks:
        for seed in seeds:
            initial = np.full((5, 5, 1, 4), float(seed), np.float32)
            final = initial if network.endswith("-HF") else initial + 0.5
            for which, kernel in (("initial", initial), ("final", final)):
                np.savez(weights / f"{file_stem(network, seed, seeds)}.{which}.npz",
                         **{"conv1/kernel": kernel, "conv1/bias": np.zeros(4, np.float32)})


def test_the_kernel_viewer_picks_a_seed(qtbot, tmp_path):
    from gui.panels.kernels import KernelPanel

    folder = write_known_seeded_study(tmp_path / "studies")
    write_seeded_kernels(folder)
    model = StudyModel()
    panel = KernelPanel(model=model)
    qtbot.addWidget(panel)
    model.set_state(StudyState.from_folder(folder))
    assert not panel.seed_combo.isHidden()
    assert [panel.seed_combo.itemText(i) for i in range(panel.seed_combo.count())] == [
        str(s) for s in SEEDS]
    panel.select_network("NetA1-HT")
    assert panel.selected_seed() == 0
    assert np.all(panel.viewer.cell_values(0, 0) == 0.0)
    assert np.all(panel.viewer.cell_values(0, 1) == 0.5)
    panel.select_seed(3)
    assert panel.selected_seed() == 3
    assert np.all(panel.viewer.cell_values(0, 0) == 3.0)
    assert np.all(panel.viewer.cell_values(0, 1) == 3.5)
    assert panel.network_kernels("NetA1-HT").initial_conv1.max() == 3.0
    assert panel.status_label.text().startswith("seed 3: ")


def test_a_one_seed_study_has_no_seed_picker(qtbot, tmp_path):
    from gui.panels.kernels import KernelPanel

    model = StudyModel()
    panel = KernelPanel(model=model)
    qtbot.addWidget(panel)
    model.set_state(StudyState.from_folder(write_known_study(tmp_path)))
    assert panel.seed_combo.isHidden() and panel.seed_label.isHidden()
    assert panel.network_kernels("NetA1-HF") is not None


# ----- the PNG exports --------------------------------------------------------------------------

def test_png_exports_of_a_multi_seed_study_draw_the_bands(qtbot, tmp_path, seeded_state):
    from gui.figures.export import write_comparison_pngs
    from gui.figures.style import comparison_figure
    from study.analysis.comparisons import comparison_by_key

    widget = comparison_figure(seeded_state, comparison_by_key("inset-NetA2"))
    qtbot.addWidget(widget)
    assert list(widget.drawn) == ["NetA2-HF", "NetA2-HT", "NetA2-DT"]
    drawn = widget.drawn["NetA2-HT"]
    low_item, high_item = drawn["test_accuracy_band"].curves
    expected_low, expected_high = t_bounds(seed_values("NetA2-HT"))
    assert low_item.getData()[1] == pytest.approx(expected_low)
    assert high_item.getData()[1] == pytest.approx(expected_high)
    assert drawn["test_accuracy"].getData()[1] == pytest.approx(
        seed_values("NetA2-HT").mean(axis=0))
    assert "test_loss_band" in drawn
    written = write_comparison_pngs(seeded_state, tmp_path)
    assert len(written) == 6 and all(path.stat().st_size > 10_000 for path in written)


def test_png_exports_of_a_one_seed_study_draw_no_band(qtbot, tmp_path):
    from gui.figures.style import comparison_figure
    from study.analysis.comparisons import comparison_by_key

    state = StudyState.from_folder(write_known_study(tmp_path))
    widget = comparison_figure(state, comparison_by_key("inset-NetA1"))
    qtbot.addWidget(widget)
    assert not any(key.endswith("_band") for curves in widget.drawn.values() for key in curves)


def test_the_compare_plots_draw_the_bands_too(compare):
    compare.show_comparison("inset-NetA2")
    assert "mean of 5 seeds" in compare.question_label.text()
    x, mean = compare.plotted_curve("NetA2-HT", "test_accuracy")
    assert mean == pytest.approx(seed_values("NetA2-HT").mean(axis=0))
    assert "test_accuracy_band" in compare._comparison_drawn["NetA2-HT"]


# ----- a multi-seed run as it goes --------------------------------------------------------------

def test_a_running_multi_seed_study_draws_bands_and_counts_every_seed(qtbot):
    from gui.panels.progress import TrainingProgress
    from study.config import StudyConfig
    from study.protocol.events import BatchProgress, EpochEnded, NetworkStarted, StudyStarted

    model = StudyModel()
    plots = LivePlots(model=model)
    progress = TrainingProgress()
    progress.bind(model)
    qtbot.addWidget(plots)
    qtbot.addWidget(progress)
    config = StudyConfig(networks=("NetA1-HF", "NetA1-HT"), epochs=2, seed=0, seeds=(0, 1, 2))
    model.start_run(config)
    model.apply(StudyStarted("", "jax", "cpu", list(config.networks), 2, 100, 50, 4,
                             seeds=[0, 1, 2]))
    assert "× 3 seeds" in progress.format()
    accuracy = {0: 0.50, 1: 0.54, 2: 0.58}
    for seed in (0, 1):
        for index, network in enumerate(config.networks):
            model.apply(NetworkStarted(network, index, 2, seed=seed))
            for epoch in (1, 2):
                model.apply(EpochEnded(network, epoch, 1.0, 1.0, accuracy[seed] + epoch / 100,
                                       1.0, 0.1, seed=seed))
    model.apply(NetworkStarted("NetA1-HF", 0, 2, seed=2))
    model.apply(BatchProgress("NetA1-HF", 1, 2, 4, 0.2, seed=2))
    # Seed 2 of NetA1-HF (run 5 of 6) is half-way through its first epoch.
    assert "NetA1-HF seed 2 (5/6)" in progress.format()
    assert progress.done_fraction() == pytest.approx((4 * 2 * 4 + 2) / (6 * 2 * 4))
    model.apply(EpochEnded("NetA1-HF", 1, 1.0, 1.0, 0.59, 1.0, 0.1, seed=2))
    qtbot.waitUntil(lambda: plots.band("NetA1-HF", "test_accuracy")[0].size == 2)
    _, mean = plots.drawn_points("NetA1-HF", "test_accuracy")
    # Epoch 1 has three seeds, epoch 2 the two that reached it.
    assert mean == pytest.approx([100 * np.mean([0.51, 0.55, 0.59]), 100 * np.mean([0.52, 0.56])])
    assert not plots.seed_controls.isHidden()


def test_an_all_at_once_summary_shows_its_one_timing_plain(qtbot):
    """All-at-once times are one isolated estimate per network copied to every seed: the table
    shows the figure alone, not "± 0.00 s", and says why in the tooltip."""
    from gui.panels.summary import SummaryTable, mean_summary_cells
    from study.analysis.timing import ISOLATED_ESTIMATE

    row = {"network": "NetA1-HF", "n_seeds": 3, "seeds": "0 1 2",
           "peak_test_accuracy": 0.8, "peak_test_accuracy_ci_low": 0.79,
           "peak_test_accuracy_ci_high": 0.81, "peak_epoch": 5.0,
           "final_test_accuracy": 0.78, "final_test_accuracy_ci_low": 0.77,
           "final_test_accuracy_ci_high": 0.79, "seconds_per_epoch": 2.03,
           "seconds_per_epoch_ci_low": 2.03, "seconds_per_epoch_ci_high": 2.03,
           "total_seconds": 121.8}
    assert mean_summary_cells(row)[4] == "2.03 ± 0.00 s"
    assert mean_summary_cells(row, one_timing=True)[4] == "2.03 s"
    table = SummaryTable()
    qtbot.addWidget(table)
    table.set_timing(ISOLATED_ESTIMATE)
    table.add_mean_row(row)
    assert table.item(0, 4).text() == "2.03 s"
    assert "one isolated-timing estimate" in table.item(0, 4).toolTip()
    assert table.item(0, 1).text() == "80.00 ± 1.00 %"
