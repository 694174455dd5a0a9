"""The Studies tab: listing (every kind of study, off the GUI thread), filter, sort, open by
double-click, multi-select Compare (curves, settings, the differences table), never a change to
a study's files."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt

from gui.colors import network_color
from gui.figures.overlay import line_style
from gui.panels.studies import ALL_NETWORKS, StudiesPanel
from study.folder.library import COLUMNS
from study.protocol.networks import NETWORKS
from tests.library_studies import (
    DAMAGED,
    HALF_WRITTEN,
    INTERRUPTED,
    REPORT,
    RUNNING,
    SOFTMAX,
    STOPPED,
    THREE_SEEDS,
    snapshot,
    write_library,
)

LISTING_MS = 10_000


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    root = tmp_path_factory.mktemp("library")
    return root, write_library(root)


@pytest.fixture
def panel(qtbot, library):
    root, _folders = library
    widget = StudiesPanel(studies_root=lambda: root)
    qtbot.addWidget(widget)
    widget.resize(1300, 900)
    widget.show()
    with qtbot.waitSignal(widget.sig_listed, timeout=LISTING_MS):
        widget.refresh()
    return widget


def cell(panel, name: str, column: str) -> str:
    row = panel.shown_names().index(name)
    return panel.proxy.index(row, COLUMNS.index(column)).data()


def test_every_study_is_listed_with_its_state(panel, library):
    _root, folders = library
    assert sorted(panel.shown_names()) == sorted(folders)
    assert panel.count_label.text() == f"{len(folders)} studies"
    assert cell(panel, INTERRUPTED, "state") == "interrupted"
    assert cell(panel, RUNNING, "state") == "running"
    assert cell(panel, STOPPED, "epochs") == "0–2/3"
    assert cell(panel, HALF_WRITTEN, "problem") == "half-written: no metrics.csv"
    assert cell(panel, REPORT, "head") == "report" and cell(panel, REPORT, "seeds") == "5 (0–4)"
    assert cell(panel, SOFTMAX, "best_peak") == "81.00 % (NetA2-DT)"
    # The sweep's study, one level down, is named with its sweep folder.
    assert THREE_SEEDS in panel.shown_names()


def test_filter_and_sort(panel, qtbot):
    qtbot.keyClicks(panel.filter_edit, "REPORT")
    assert panel.shown_names() == [REPORT]
    panel.filter_edit.clear()
    qtbot.keyClicks(panel.filter_edit, "interrupted")
    assert panel.shown_names() == [INTERRUPTED]
    panel.filter_edit.clear()
    assert len(panel.shown_names()) == 8
    # Best peak sorts by the number (studies without epochs last when descending).
    panel.view.sortByColumn(COLUMNS.index("best_peak"), Qt.SortOrder.DescendingOrder)
    names = panel.shown_names()
    assert names[0] == THREE_SEEDS and names[-2:] and set(names[-2:]) == {HALF_WRITTEN, DAMAGED}
    panel.view.sortByColumn(COLUMNS.index("name"), Qt.SortOrder.AscendingOrder)
    assert panel.shown_names() == sorted(panel.shown_names(), key=str.lower)


def test_added_folder_is_listed_too(qtbot, tmp_path, library):
    _root, folders = library
    empty = tmp_path / "empty-save-folder"
    empty.mkdir()
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    widget = StudiesPanel(studies_root=lambda: empty, settings=settings)
    qtbot.addWidget(widget)
    with qtbot.waitSignal(widget.sig_listed, timeout=LISTING_MS):
        widget.refresh()
    assert widget.shown_names() == []
    with qtbot.waitSignal(widget.sig_listed, timeout=LISTING_MS):
        widget.add_folder(folders[THREE_SEEDS].parent)
    assert widget.shown_names() == ["lr-0.01"]
    assert str(folders[THREE_SEEDS].parent) in widget.folders_label.text()
    # The added folder is remembered for the next session.
    again = StudiesPanel(studies_root=lambda: empty, settings=settings)
    qtbot.addWidget(again)
    assert again.folders() == [empty, folders[THREE_SEEDS].parent]


def test_remove_folder_stops_listing_it_and_keeps_its_files(qtbot, tmp_path, library):
    root, folders = library
    before = snapshot(root)
    save_folder = tmp_path / "save-folder"
    save_folder.mkdir()
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    widget = StudiesPanel(studies_root=lambda: save_folder, settings=settings)
    qtbot.addWidget(widget)
    assert not widget.remove_button.isEnabled()  # nothing added: the save folder stays
    sweep = folders[THREE_SEEDS].parent
    for folder in (sweep, root):
        with qtbot.waitSignal(widget.sig_listed, timeout=LISTING_MS):
            widget.add_folder(folder)
    assert widget.remove_button.isEnabled()
    assert "lr-0.01" in widget.shown_names() and SOFTMAX in widget.shown_names()
    # The button's menu offers the added folders; choosing one takes it off the list.
    widget._fill_remove_menu()
    actions = widget.remove_menu.actions()
    assert [a.text() for a in actions] == [str(sweep), str(root)]
    with qtbot.waitSignal(widget.sig_listed, timeout=LISTING_MS):
        actions[1].trigger()
    assert widget.folders() == [save_folder, sweep]
    assert widget.shown_names() == ["lr-0.01"]
    assert widget.folders_label.text() == f"{save_folder}  ·  {sweep}"
    # The save folder and folders never added are not removable.
    assert not widget.remove_folder(save_folder) and not widget.remove_folder(tmp_path)
    with qtbot.waitSignal(widget.sig_listed, timeout=LISTING_MS):
        assert widget.remove_folder(sweep)
    assert widget.shown_names() == [] and not widget.remove_button.isEnabled()
    # Remembered for the next session; nothing on disk changed.
    again = StudiesPanel(studies_root=lambda: save_folder, settings=settings)
    qtbot.addWidget(again)
    assert again.folders() == [save_folder]
    assert snapshot(root) == before and sweep.is_dir()


def test_multi_select_compare(panel, qtbot, library):
    root, folders = library
    before = snapshot(root)
    assert not panel.compare_button.isEnabled()
    panel.view.sortByColumn(COLUMNS.index("name"), Qt.SortOrder.AscendingOrder)
    panel.select_paths([folders[REPORT], folders[SOFTMAX]])
    assert panel.compare_button.isEnabled()
    with qtbot.waitSignal(panel.sig_compared, timeout=LISTING_MS):
        qtbot.mouseClick(panel.compare_button, Qt.MouseButton.LeftButton)
    # The first in the table's order (report-…) is the baseline.
    assert panel.comparison.labels == [REPORT, SOFTMAX]
    settings = panel.settings_label.text()
    assert "Settings that differ" in settings
    assert "<b>head</b>: report (solid) · softmax (dashed)" in settings
    rows = panel.table_texts()
    assert len(rows) == 12
    baseline = next(r for r in rows if r[:2] == ["NetA2-DT", REPORT])
    assert baseline[2] == "5" and " ± " in baseline[4] and baseline[6] == "baseline"
    other = next(r for r in rows if r[:2] == ["NetA1-HF", SOFTMAX])
    assert other[4] == "60.00 %" and other[5] == "55.00 %"
    assert other[6].startswith(("+", "-")) and "[" not in other[6]
    assert other[8] == "one seed" and "one seed" in other[9]
    assert not panel.compare_table.isColumnHidden(9)
    assert baseline[8] == ""
    # All networks: one curve per study and network, the network's colour, the study's style.
    curves = panel.drawn_curves("test_accuracy")
    assert len(curves) == 12 and len(panel.drawn_curves("test_loss")) == 12
    for (label, network), curve in curves.items():
        pen = curve.opts["pen"]
        assert pen.color().name() == network_color(network)
        assert pen.style() == line_style(panel.comparison.labels.index(label))
    assert line_style(0) != line_style(1)
    # The legend: each study's line style, then each network's colour.
    # Each study is named with the settings that tell it apart.
    assert panel.legend_labels() == [f"{REPORT} (head report, backend jax, …)",
                                     f"{SOFTMAX} (head softmax, backend torch, …)", *NETWORKS]
    # The table goes network by network, the baseline first.
    assert [r[0] for r in rows[:4]] == ["NetA1-HF", "NetA1-HF", "NetA1-HT", "NetA1-HT"]
    assert [r[1] for r in rows[:2]] == [REPORT, SOFTMAX]
    panel.show_network("NetA1-DT")
    assert sorted(panel.drawn_curves()) == [(REPORT, "NetA1-DT"), (SOFTMAX, "NetA1-DT")]
    assert [label.split(" (")[0] for label in panel.legend_labels()] == [REPORT, SOFTMAX]
    x, y = panel.drawn_curves()[SOFTMAX, "NetA1-DT"].getData()
    assert list(x) == [1, 2, 3] and list(y) == pytest.approx([60.0, 66.0, 65.0])
    panel.show_network("")
    assert panel.network_selector.currentText() == ALL_NETWORKS
    assert snapshot(root) == before


def test_the_legend_sits_above_the_plots_and_fits(panel, qtbot, library):
    _root, folders = library
    panel.resize(1300, 900)
    assert panel.compare_paths([folders[REPORT], folders[SOFTMAX], folders[THREE_SEEDS]])
    qtbot.waitUntil(lambda: panel.legend_view.isVisible())
    # Not inside a plot, where its entries would cover the curves.
    assert panel.accuracy_plot.plotItem.legend is None
    assert panel.loss_plot.plotItem.legend is None
    assert len(panel.legend_labels()) == 3 + len(NETWORKS)

    def fits() -> bool:
        view = panel.legend_view
        shown = view.mapToScene(view.viewport().rect()).boundingRect()
        rects = [legend.mapRectToScene(legend.boundingRect()) for legend in panel.legends()]
        return (all(r.height() > 0 and shown.contains(r) for r in rects)
                and not rects[0].intersects(rects[1])
                and view.geometry().bottom() < panel.accuracy_plot.geometry().top())

    qtbot.waitUntil(fits)
    # The studies' entries several to a row, the six networks on a row of their own.
    assert panel.legend.columnCount >= 2 and panel.network_legend.columnCount == 6
    # Narrower: fewer entries to a row, more rows, and still all of it shown.
    panel.resize(700, 900)
    qtbot.waitUntil(lambda: panel.network_legend.columnCount < 6 and fits())


def test_without_caveats_the_note_column_is_hidden_and_the_table_fits(panel, qtbot, library):
    _root, folders = library
    # The same three-seed study twice: paired by seed, nothing to note.
    assert panel.compare_paths([folders[THREE_SEEDS], folders[THREE_SEEDS]])
    rows = panel.table_texts()
    assert {r[8] for r in rows} == {"", "paired by seed (3)"} and {r[9] for r in rows} == {""}
    assert rows[1][6] == "+0.00 [+0.00, +0.00]"
    assert panel.compare_table.isColumnHidden(9)
    qtbot.waitUntil(lambda: panel.compare_table.horizontalScrollBar().maximum() == 0)


def test_compare_with_a_damaged_study_says_why(panel, library):
    _root, folders = library
    assert not panel.compare_paths([folders[SOFTMAX], folders[DAMAGED]])
    assert panel.compare_title.text().startswith("Cannot compare: ")
    assert "config.json" in panel.compare_title.text()
    assert panel.table_texts() == [] and panel.drawn_curves() == {}


def test_double_click_opens_the_study_in_the_window(window, qtbot):
    root = Path(window.setup.studies_root())
    folders = write_library(root)
    panel = window.studies_panel
    assert window.tabs.tabText(window.tabs.indexOf(panel)) == "Studies"
    with qtbot.waitSignal(panel.sig_listed, timeout=LISTING_MS):
        window.tabs.setCurrentWidget(panel)
    before = snapshot(root)
    row = panel.shown_names().index(SOFTMAX)
    index = panel.proxy.index(row, 0)
    rect = panel.view.visualRect(index)
    qtbot.mouseClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert Path(window.study_folder) == folders[SOFTMAX]
    assert window.tabs.currentIndex() == 0
    assert window.state.summary_rows()[0].peak_test_accuracy == pytest.approx(0.60)
    assert snapshot(root) == before


def test_listing_runs_off_the_gui_thread(qtbot, tmp_path, monkeypatch):
    import threading

    import gui.panels.studies.listing as studies_panel

    seen = []
    release = threading.Event()

    def slow_listing(folders):
        seen.append(threading.current_thread() is threading.main_thread())
        release.wait(5)
        return []

    monkeypatch.setattr(studies_panel, "list_studies", slow_listing)
    widget = StudiesPanel(studies_root=lambda: tmp_path)
    qtbot.addWidget(widget)
    with qtbot.waitSignal(widget.sig_listed, timeout=LISTING_MS):
        widget.refresh()
        # refresh() has returned while the listing still runs: the window stays responsive.
        assert widget.count_label.text() == "listing…"
        release.set()
    assert seen == [False] and widget.count_label.text() == "0 studies"
