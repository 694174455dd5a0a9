"""The quick try's settings and backend choice, and the expected duration said before Run."""

from __future__ import annotations

import importlib.util
import json

import pytest

from study.analysis import duration
from study.analysis.duration import duration_words, estimate_seconds, expected_duration_text
from study.config import ConfigError, StudyConfig
from study.run import quick
from tests.known_study import write_known_study


def test_the_quick_try_is_small_all_at_once_on_the_fastest_backend():
    config = quick.quick_config()
    assert (config.epochs, config.train_limit, config.test_limit, config.mode) == (
        quick.QUICK_EPOCHS, quick.QUICK_TRAIN, quick.QUICK_TEST, "all-at-once")
    assert config.backend == quick.installed_backends()[0] == "jax"
    assert "on jax (the fastest backend installed)" in quick.quick_description(config)
    seconds, _source = estimate_seconds(config)
    assert seconds < 60


def test_without_jax_it_takes_tensorflow_and_without_any_it_says_so(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "jax" else real(name, *a))
    assert quick.fastest_backend() == "tensorflow"
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None)
    with pytest.raises(ConfigError, match="no Keras backend is installed"):
        quick.fastest_backend()


def test_the_table_estimate_scales_with_epochs_images_and_runs():
    one = StudyConfig(epochs=1, train_limit=1000, networks=("NetA1-HF",))
    many = one.replace(epochs=10, seeds=(0, 1))
    one_s, source = estimate_seconds(one)
    many_s, _ = estimate_seconds(many)
    fixed = duration.ONE_TIME_SECONDS[("jax", "sequential")]
    assert many_s - fixed == pytest.approx(20 * (one_s - fixed))
    assert "benchmark" in source


def test_the_last_study_on_this_machine_gives_the_rate(tmp_path):
    folder = write_known_study(tmp_path)  # torch, 3 epochs of 6 networks, 158.25 s
    status = json.loads((folder / "status.json").read_text())
    status["dataset"] = "IDX files: 6,000 train / 1,000 test"
    (folder / "status.json").write_text(json.dumps(status))
    config = StudyConfig(backend="torch", epochs=6, train_limit=6000)
    seconds, source = estimate_seconds(config, roots=[tmp_path])
    fixed = duration.ONE_TIME_SECONDS[("torch", "sequential")]
    assert seconds - fixed == pytest.approx(2 * 158.25) and folder.name in source
    text = expected_duration_text(config, roots=[tmp_path])
    assert text.startswith("Expected duration: about 5 min (an estimate from your last torch")


def test_duration_words():
    assert duration_words(12) == "about 15 s"
    assert duration_words(4 * 60 + 10) == "about 4 min"
    assert duration_words(65 * 60) == "about 1 h 5 min"
