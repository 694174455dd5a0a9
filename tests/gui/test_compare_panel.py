"""The compare panel: comparison curves and tables, conclusions, init identity, confusion."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QColor

from gui.colors import network_color
from gui.panels.compare import (
    DIFFERS_COLOR,
    EMPTY_TEXT,
    ONE_SEED_VERDICT_COLORS,
    VERDICT_COLORS,
    ComparePanel,
)
from study.protocol.events import (
    EpochEnded,
    InitIdentity,
    NetworkFinished,
    StudyFinished,
    StudyStarted,
)
from study.state import open_study
from tests.known_study import ACCURACY, loss_for, write_known_study


@pytest.fixture
def panel(qtbot):
    widget = ComparePanel()
    qtbot.addWidget(widget)
    widget.resize(1300, 800)
    return widget


def cell(table, row, column) -> str:
    return table.item(row, column).text()


def test_empty_panel_says_what_to_do(panel):
    assert panel.study_label.text() == EMPTY_TEXT
    assert panel.comparison_table.rowCount() == 3  # report figures still shown
    assert cell(panel.comparison_table, 0, 2) == "—"
    assert panel.drawn_networks() == []
    assert panel.conclusions_table.rowCount() == 0 and panel.identity_table.rowCount() == 0
    assert panel.confusion_selector.count() == 0


def test_comparison_curves_and_table_for_a_stored_study(panel, tmp_path):
    panel.set_study(open_study(write_known_study(tmp_path)))
    assert [panel.view_selector.itemData(i) for i in range(panel.view_selector.count())] == [
        "inset-NetA1", "inset-NetA2", "architecture-HF", "architecture-HT", "architecture-DT",
        "recovery"]
    panel.show_comparison("inset-NetA1")
    assert panel.drawn_networks() == ["NetA1-HF", "NetA1-HT", "NetA1-DT"]
    x, y = panel.plotted_curve("NetA1-HF", "test_accuracy")
    assert x.tolist() == [1, 2, 3]
    assert y == pytest.approx([50.0, 60.0, 55.0])
    _, loss = panel.plotted_curve("NetA1-DT", "test_loss")
    assert loss == pytest.approx([loss_for(a) for a in ACCURACY["NetA1-DT"]])
    for network, curves in panel._comparison_drawn.items():
        assert curves["test_accuracy"].opts["pen"].color().name() == network_color(network)
    table = panel.comparison_table
    assert [cell(table, 0, c) for c in range(table.columnCount())] == [
        "NetA1-HF", "3", "60.00 %", "2", "55.00 %", "1.50 s", "00:04.50",
        "34.9 %", "3.66 s", "03:40.71", "1"]
    panel.show_comparison("architecture-DT")
    assert panel.drawn_networks() == ["NetA1-DT", "NetA2-DT"]
    assert [cell(table, 1, c) for c in (0, 2, 3, 5, 6)] == [
        "NetA2-DT", "81.00 %", "3", "40.50 s", "02:01.50"]
    panel.show_comparison("recovery")
    assert table.rowCount() == 4 and cell(table, 3, 0) == "NetA2-HF"


def test_a_missing_network_shows_dashes_and_no_curve(panel, tmp_path):
    panel.set_study(open_study(write_known_study(tmp_path, networks=("NetA1-HF", "NetA1-HT"))))
    panel.show_comparison("inset-NetA1")
    assert panel.drawn_networks() == ["NetA1-HF", "NetA1-HT"]
    assert panel.plotted_curve("NetA1-DT", "test_accuracy")[0].size == 0
    row = [cell(panel.comparison_table, 2, c) for c in range(10)]
    assert row[0] == "NetA1-DT" and row[2:7] == ["—"] * 5 and row[7] == "39.4 %"
    assert "2 of 2 networks have results" in panel.study_label.text()


def test_conclusions_view_colours_each_verdict(panel, tmp_path):
    accuracy = dict(ACCURACY)
    accuracy["NetA2-HF"] = (0.50, 0.55, 0.54)  # below NetA1-HF's 0.60: three conclusions fail
    panel.set_study(open_study(write_known_study(tmp_path, accuracy=accuracy)))
    verdicts = panel.verdicts()
    assert verdicts["HF: NetA2 beats NetA1 in peak test accuracy"] == "does not hold"
    assert verdicts["NetA2: DT > HT > HF in peak test accuracy"] == "holds"
    recovery = next(k for k in verdicts if k.startswith("NetA2-HF beats every NetA1"))
    assert verdicts[recovery] == "does not hold"
    gain = next(k for k in verdicts if k.startswith("The HF->HT gain"))
    assert verdicts[gain] == "does not hold"  # NetA2 now gains 21 points
    table = panel.conclusions_table
    rows = {cell(table, r, 0).split("\n")[0]: r for r in range(table.rowCount())}
    failing = rows["HF: NetA2 beats NetA1 in peak test accuracy"]
    # One seed: the verdicts say so, in a muted tint rather than the full red and green.
    red, green = (QColor(ONE_SEED_VERDICT_COLORS["does not hold"]),
                  QColor(ONE_SEED_VERDICT_COLORS["holds"]))
    assert cell(table, failing, 1) == "does not hold (1 seed)"
    assert table.item(failing, 1).background().color() == red
    # One seed: the difference without an interval, and the caveat says so.
    assert [cell(table, failing, c) for c in range(2, 8)] == [
        "peak acc.", "-5.00 pts", "—", "—", "1",
        "one seed: run with --seeds 5 to know; only 3 epochs (fewer than 10)"]
    assert cell(table, failing, 8) == "holds"  # on the report's own figures
    assert "NetA2-HF 55.00 % is not > NetA1-HF 60.00 %" in table.item(failing, 1).toolTip()
    holding = rows["NetA2: DT > HT > HF in peak test accuracy"]
    assert table.item(holding, 1).background().color() == green
    # "HF is the fastest" rests on each network's epochs 2 and 3, with an interval: not muted.
    # NetA2-HF 1.75, 1.75 s against 3.0, 3.0 and 40.5, 41.0 s holds; NetA1-HF 1.5, 2.0 s
    # against NetA1-HT 2.0, 2.0 s is not resolved.
    fastest = rows["NetA2: HF is the fastest per epoch"]
    assert cell(table, fastest, 1) == "holds"
    assert table.item(fastest, 1).background().color() == QColor(VERDICT_COLORS["holds"])
    assert cell(table, rows["NetA1: HF is the fastest per epoch"], 1) == "not resolved"
    assert ("5 hold, 3 do not hold, 1 not resolved, 0 not applicable"
            in panel.conclusions_label.text())
    assert "the time claims rest on repeated timings" in panel.conclusions_label.text()


def test_identity_view_shows_norms_and_flags_a_moved_frozen_conv1(panel, tmp_path):
    folder = write_known_study(tmp_path, frozen_rows=False, hf_conv1_moved=("NetA2-HF",))
    panel.set_study(open_study(folder))
    table = panel.identity_table
    rows = [[cell(table, r, c) for c in range(4)] for r in range(table.rowCount())]
    assert rows[0] == ["NetA1: |conv1 HF - conv1 HT|", "initial", "0", "identical"]
    assert rows[-1] == ["NetA2-HF: |conv1 after training - conv1 initial|", "after training",
                        "0.5", "differs"]
    assert table.item(table.rowCount() - 1, 3).background().color() == QColor(DIFFERS_COLOR)
    assert "1 differ: NetA2-HF" in panel.identity_label.text()


def test_confusion_view_per_network(panel, tmp_path):
    panel.set_study(open_study(write_known_study(tmp_path)))
    selector = panel.confusion_selector
    assert [selector.itemText(i) for i in range(selector.count())] == list(ACCURACY)
    panel.show_confusion("NetA1-HF")
    counts = panel.confusion_counts()
    expected = np.diag([3] * 10)
    expected[6, 6], expected[6, 0] = 0, 3
    assert counts.tolist() == expected.tolist()
    table = panel.confusion_table
    assert table.horizontalHeaderItem(6).text() == "Shirt"
    assert cell(table, 6, 10) == "0.0 %" and cell(table, 0, 10) == "100.0 %"
    assert "90.00 % correct" in panel.confusion_label.text()
    panel.show_confusion("NetA2-DT")
    assert panel.confusion_counts().tolist() == np.diag([3] * 10).tolist()


def test_events_clear_the_panel_and_fill_it_without_reading_the_folder(panel, tmp_path,
                                                                        monkeypatch):
    panel.set_study(open_study(write_known_study(tmp_path / "old")))
    folder = write_known_study(tmp_path / "new", networks=("NetA1-HF", "NetA2-HF"))
    # While the study runs, nothing may read its folder: the events carry everything.
    import study.state

    def no_reading(*_args, **_kwargs):
        raise AssertionError("the study folder was read during the run")

    monkeypatch.setattr(study.state, "read_folder", no_reading)
    monkeypatch.setattr(study.state, "open_study", no_reading)
    panel.handle_event(StudyStarted(str(folder), "torch", "cpu", ["NetA1-HF", "NetA2-HF"], 3,
                                    512, 256, 8))
    assert panel.drawn_networks() == [] and "is running" in panel.study_label.text()
    assert panel.identity_table.rowCount() == 0
    panel.handle_event(InitIdentity([("NetA1: |conv1 HF - conv1 HT|", 0.0)]))
    assert panel.identity_table.rowCount() == 1  # the event's row
    panel.show_comparison("architecture-HF")
    for network, accuracies in (("NetA1-HF", (0.3, 0.5, 0.4)), ("NetA2-HF", (0.6, 0.75, 0.74))):
        for epoch, accuracy in enumerate(accuracies, start=1):
            panel.handle_event(EpochEnded(network, epoch, 1.0, 1.0, accuracy, 1.75, 0.1))
    panel.handle_event(NetworkFinished("NetA1-HF", 3, 0.5, 2, 0.4, 1.75, 5.25))
    assert panel.drawn_networks() == ["NetA1-HF", "NetA2-HF"]
    panel.handle_event(NetworkFinished("NetA2-HF", 3, 0.75, 2, 0.74, 1.75, 5.25))
    assert panel.verdicts()["HF: NetA2 beats NetA1 in peak test accuracy"] == "holds"
    assert panel.confusion_selector.count() == 0  # predictions wait for the end of the run
    panel.handle_event(StudyFinished(str(folder), "finished"))
    monkeypatch.undo()
    # The run is over: its predictions are read from the folder.
    panel.model.run_ended(str(folder))
    assert panel.stored.folder == folder
    assert panel.confusion_selector.count() == 2


def test_the_panel_renders(panel, tmp_path, qtbot):
    panel.set_study(open_study(write_known_study(tmp_path)))
    panel.show()
    qtbot.waitExposed(panel)
    image = panel.grab().toImage()
    assert (image.width(), image.height()) == (1300, 800)
    path = tmp_path / "panel.png"
    assert panel.grab().save(str(path)) and path.stat().st_size > 10_000


def test_the_caveat_column_has_room_so_rows_stay_a_few_lines_tall(panel, tmp_path, qtbot):
    from gui.panels.compare.cells import CAVEAT_COLUMN

    panel.set_study(open_study(write_known_study(tmp_path)))
    panel.show()
    table = panel.conclusions_table
    qtbot.waitUntil(lambda: table.rowHeight(0) > 0)
    qtbot.wait(50)
    assert table.columnWidth(CAVEAT_COLUMN) >= 250
    line = table.fontMetrics().lineSpacing()
    tallest = max(table.rowHeight(r) for r in range(table.rowCount()))
    assert tallest <= 7 * line, (tallest, line)
