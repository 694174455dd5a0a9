"""The Qt-free study tracker: share done, ETA and the text, sequential and all-at-once."""

from __future__ import annotations

import pytest

from study.analysis.eta import StudyProgress, format_eta
from study.protocol.events import BatchProgress, EpochEnded, NetworkStarted, StudyStarted


def _started(networks=("NetA1-HF", "NetA1-HT"), epochs=2, batches=10, seeds=()):
    return StudyStarted("/tmp/s", "jax", "cpu", list(networks), epochs, 1280, 640, batches,
                        seeds=list(seeds))


def _epoch(network, epoch, eval_seconds=1.0, seed=0):
    return EpochEnded(network, epoch, 1.0, 1.0, 0.5, 2.0, eval_seconds, seed)


def test_sequential_share_eta_and_text():
    tracker = StudyProgress()
    assert tracker.follow(_started()) and tracker.text.startswith("Building 2 network(s) on jax")
    tracker.follow(NetworkStarted("NetA1-HF", 0, 2))
    tracker.follow(BatchProgress("NetA1-HF", 1, 5, 10, 1.0))
    assert tracker.done_fraction() == pytest.approx(5 / 40)
    # 35 batches left at 0.2 s, and 4 evaluations not yet timed (0 s each).
    assert tracker.eta_seconds() == pytest.approx(7.0)
    tracker.follow(_epoch("NetA1-HF", 1, eval_seconds=0.5))
    assert tracker.eta_seconds() == pytest.approx(30 * 0.2 + 3 * 0.5)
    assert tracker.text == "NetA1-HF (1/2)  ·  epoch 1/2  ·  batch 10/10  ·  ETA 0:08"


def test_all_at_once_counts_the_shared_steps_once():
    tracker = StudyProgress()
    tracker.follow(_started(seeds=(0, 1)), together=True)
    for seed in (0, 1):
        for index, network in enumerate(("NetA1-HF", "NetA1-HT")):
            tracker.follow(NetworkStarted(network, index, 4, seed))
    assert "timing each network alone" in tracker.text
    assert tracker.follow(BatchProgress("NetA1-HF", 1, 5, 10, 1.0))
    assert not tracker.follow(BatchProgress("NetA1-HT", 1, 5, 10, 1.0))
    assert tracker.done_fraction() == pytest.approx(5 / 20)
    assert tracker.text.startswith("all 2 networks × 2 seeds together  ·  epoch 1/2")
    for seed in (0, 1):
        for network in ("NetA1-HF", "NetA1-HT"):
            tracker.follow(_epoch(network, 1, eval_seconds=0.25, seed=seed))
    assert tracker.eval_seconds == [1.0]
    assert tracker.eta_seconds() == pytest.approx(10 * 0.2 + 1 * 1.0)


def test_format_eta():
    assert format_eta(0) == "0:00"
    assert format_eta(75.4) == "1:15"
    assert format_eta(3 * 3600 + 62) == "3:01:02"
