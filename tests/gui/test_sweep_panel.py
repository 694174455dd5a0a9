"""The sweep panel on a fabricated sweep folder: the grid as a table, accuracy against a swept
value with CI error bars, and a point opened as a study (no training)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gui.panels.sweep_panel import POINT_ROLE, SweepPanel
from study.analysis.statistics import t_interval
from study.config import StudyConfig
from study.sweep.folder import Sweep, grid_points, open_sweep
from tests.known_study import SEEDS, seeded_accuracy, write_known_seeded_study

GRID = {"lr": [0.001, 0.003], "head": ["softmax", "report"]}
NETWORK_SHIFT = 0.01  # each point's accuracy is the known study's + index × this


def point_accuracy(network: str, index: int) -> list[float]:
    """Peak test accuracy per seed of `network` at the point numbered `index` (from 1)."""
    return [max(seeded_accuracy(network, i, shifted(index))[:]) for i in range(3)]


def shifted(index: int) -> dict:
    from tests.known_study import ACCURACY

    return {n: tuple(round(a + NETWORK_SHIFT * index, 6) for a in values)
            for n, values in ACCURACY.items()}


@pytest.fixture
def sweep_folder(tmp_path):
    """p1–p3 finished (three seeds each), p4 failed."""
    folder = tmp_path / "sweep-20260101-000000"
    folder.mkdir()
    base = StudyConfig(epochs=3, seed=0, seeds=SEEDS[:3], mode="all-at-once")
    points = grid_points(GRID)
    sweep = Sweep(folder, GRID, base, points)
    for point in points[:3]:
        made = write_known_seeded_study(tmp_path / "made", seeds=SEEDS[:3],
                                        accuracy=shifted(point.index),
                                        learning_rate=point.values["lr"],
                                        head=point.values["head"], mode="all-at-once")
        made.rename(folder / point.name)
        sweep.states[point.name] = {"state": "finished", "seconds": 1.0}
    sweep.states[points[3].name] = {"state": "failed", "error": "RuntimeError: boom"}
    sweep.save(state="finished")
    sweep.write_csv()
    return folder


@pytest.fixture
def panel(qtbot, sweep_folder):
    panel = SweepPanel()
    qtbot.addWidget(panel)
    panel.load(sweep_folder)
    panel.show()
    return panel


def cell(panel, row, column) -> str:
    return panel.table.item(row, column).text()


def test_the_table_has_a_row_per_point_and_network_with_mean_and_ci(panel):
    table = panel.table
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    assert headers == ["lr", "head", "Network", "Seeds", "Peak test acc. (%)",
                       "Final test acc. (%)", "State"]
    assert table.rowCount() == 4 * 6
    assert [cell(panel, 0, c) for c in (0, 1, 2, 3, 6)] == ["0.001", "softmax", "NetA1-HF", "3",
                                                          "finished"]
    interval = t_interval(100 * v for v in point_accuracy("NetA1-HF", 1))
    assert cell(panel, 0, 4) == f"{interval.mean:.2f} ± {interval.half_width:.2f}"
    last = table.rowCount() - 1
    assert [cell(panel, last, c) for c in (0, 1, 4, 6)] == ["0.003", "report", "–", "failed"]
    assert "failed: RuntimeError: boom" in panel.table.item(last, 0).toolTip()
    assert "3 finished" in panel.title.text()


def test_accuracy_against_the_swept_value_with_ci_error_bars(panel):
    assert panel.x_key.currentData() == "lr"
    assert list(panel.fixed) == ["head"] and panel.fixed["head"].currentData() == "softmax"
    series = panel.series("peak_test_accuracy")
    assert set(series) == set(StudyConfig().networks)
    # head=softmax: p1 (lr 0.001) and p3 (lr 0.003), at x 0 and 1.
    for x, (index, mean, low, high) in zip((1, 3), series["NetA2-DT"], strict=True):
        interval = t_interval(100 * v for v in point_accuracy("NetA2-DT", x))
        assert index == (0 if x == 1 else 1)
        assert mean == pytest.approx(interval.mean)
        assert (low, high) == pytest.approx((interval.low, interval.high))
    bars = panel.error_bars["NetA2-DT"]
    top = np.asarray(bars.opts["top"])
    assert top == pytest.approx([s[3] - s[1] for s in series["NetA2-DT"]])
    assert all(t > 0 for t in top)
    ticks = panel.plot.getAxis("bottom")._tickLevels[0]
    assert [label for _, label in ticks] == ["0.001", "0.003"]

    # head=report: only p2 finished (p4 failed), so one point per network.
    panel.fixed["head"].setCurrentIndex(1)
    assert [p[0] for p in panel.series()["NetA1-HF"]] == [0]
    # Along head, with lr fixed at 0.003: p3 only.
    panel.x_key.setCurrentIndex(1)
    assert list(panel.fixed) == ["lr"]
    panel.fixed["lr"].setCurrentIndex(1)
    assert [p[0] for p in panel.series()["NetA1-HF"]] == [0]
    assert not math.isnan(panel.series()["NetA1-HF"][0][2])


def test_double_click_opens_a_finished_point(panel, qtbot, sweep_folder):
    with qtbot.waitSignal(panel.sig_open_point) as opened:
        panel._on_double_click(0, 2)
    assert opened.args == [str(sweep_folder / "p1_lr=0.001_head=softmax")]
    with qtbot.assertNotEmitted(panel.sig_open_point):
        panel._on_double_click(panel.table.rowCount() - 1, 0)


def test_the_main_window_opens_a_sweep_and_its_points(window, sweep_folder):
    assert window.open_study_folder(sweep_folder) is True
    (shown,) = window.sweep_windows
    assert isinstance(shown, SweepPanel) and shown.isVisible()
    assert shown.table.rowCount() == 24
    shown._on_double_click(6, 0)  # p2's first network
    assert window.model.state.folder.name == "p2_lr=0.001_head=report"
    assert window.model.state.config.head == "report"


def _running_sweep(tmp_path, finished: int):
    """A running sweep (its driver: this process) with the first `finished` points done."""
    import os
    import socket

    folder = tmp_path / "sweep-20260101-000001"
    folder.mkdir()
    base = StudyConfig(epochs=3, seed=0, seeds=SEEDS[:3], mode="all-at-once")
    sweep = Sweep(folder, GRID, base, grid_points(GRID))
    for point in sweep.points[:finished]:
        _finish_point(tmp_path, sweep, point)
    sweep.save(state="running", pid=os.getpid(), host=socket.gethostname())
    return sweep


def _finish_point(tmp_path, sweep, point):
    made = write_known_seeded_study(tmp_path / f"made-{point.name}", seeds=SEEDS[:3],
                                    accuracy=shifted(point.index),
                                    learning_rate=point.values["lr"],
                                    head=point.values["head"], mode="all-at-once")
    made.rename(sweep.folder / point.name)
    sweep.states[point.name] = {"state": "finished", "seconds": 1.0}


def states_shown(panel) -> dict[str, str]:
    last = panel.table.columnCount() - 1
    return {panel.table.item(r, 0).data(POINT_ROLE): panel.table.item(r, last).text()
            for r in range(panel.table.rowCount())}


def test_a_running_sweep_is_followed_until_it_ends(qtbot, tmp_path):
    sweep = _running_sweep(tmp_path, finished=1)
    panel = SweepPanel()
    qtbot.addWidget(panel)
    panel.load(sweep.folder)
    panel.follow_timer.setInterval(50)
    assert panel.follow_timer.isActive()
    assert list(states_shown(panel).values()).count("finished") == 1
    # The user looks at the head along x, and at the second learning rate.
    panel.x_key.setCurrentIndex(panel.x_key.findData("head"))
    panel.fixed["lr"].setCurrentIndex(1)
    assert "sweep running" in panel.title.text()

    _finish_point(tmp_path, sweep, sweep.points[1])
    sweep.save()
    qtbot.waitUntil(lambda: list(states_shown(panel).values()).count("finished") == 2,
                    timeout=5000)
    assert "2 finished" in panel.title.text()
    assert panel.x_key.currentData() == "head"
    assert panel.fixed["lr"].currentData() == GRID["lr"][1]
    assert panel.follow_timer.isActive()

    sweep.save(state="finished")
    qtbot.waitUntil(lambda: not panel.follow_timer.isActive(), timeout=5000)
    assert "sweep finished" in panel.title.text()


def test_a_finished_sweep_is_not_followed_and_refresh_reads_it_again(panel, sweep_folder,
                                                                      qtbot, tmp_path):
    assert not panel.follow_timer.isActive()
    panel.x_key.setCurrentIndex(panel.x_key.findData("head"))
    # Refresh reads on a worker thread, then shows the sweep as it is now.
    sweep = open_sweep(sweep_folder)
    failed = sweep.points[3]
    _finish_point(tmp_path, sweep, failed)
    sweep.save()
    with qtbot.waitSignal(panel.sig_refreshed, timeout=10_000) as shown:
        panel.refresh_button.click()
    assert shown.args == [True]
    assert set(states_shown(panel).values()) == {"finished"}
    assert panel.x_key.currentData() == "head"
    before = panel.table.rowCount()
    (sweep_folder / "sweep.json").write_text("{not json", encoding="utf-8")
    with qtbot.waitSignal(panel.sig_refreshed, timeout=10_000) as shown:
        panel.refresh()
    assert shown.args == [False]  # unreadable just now: the last view stays
    assert panel.table.rowCount() == before and panel.x_key.currentData() == "head"
    assert "4 finished" in panel.title.text()


def test_reading_a_sweep_again_happens_off_the_gui_thread(panel, qtbot, monkeypatch):
    import threading

    import gui.panels.sweep_panel as module

    threads = []
    real = module.read_sweep

    def spy(folder):
        threads.append(threading.current_thread())
        return real(folder)

    monkeypatch.setattr(module, "read_sweep", spy)
    with qtbot.waitSignal(panel.sig_refreshed, timeout=10_000):
        panel.refresh()
    assert threads and threads[0] is not threading.main_thread()


def test_a_refresh_asked_for_during_a_read_reads_again_after_it(panel, qtbot, monkeypatch):
    import threading

    import gui.panels.sweep_panel as module

    release = threading.Event()
    reads = []
    real = module.read_sweep

    def slow(folder):
        reads.append(folder)
        release.wait(10)
        return real(folder)

    monkeypatch.setattr(module, "read_sweep", slow)
    shown = []
    panel.sig_refreshed.connect(shown.append)
    panel.refresh()
    qtbot.waitUntil(lambda: len(reads) == 1, timeout=5000)
    panel.refresh()  # the read under way may predate what the user wants to see
    release.set()
    qtbot.waitUntil(lambda: len(shown) == 2, timeout=10_000)
    assert len(reads) == 2 and shown == [True, True]
    panel.wait_for_reading()
