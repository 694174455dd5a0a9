"""The setup panel's dataset chooser: a known dataset by name, or the user's own folder or .npz;
a study's confusion view names the study's classes."""

from __future__ import annotations

import numpy as np

from gui.panels.setup import SetupPanel
from study.analysis.confusion import study_class_names
from study.config import StudyConfig
from study.state import StudyState


def test_the_chooser_sets_the_dataset_and_reads_it_back(qtbot, tmp_path):
    panel = SetupPanel(probe_devices=False)
    qtbot.addWidget(panel)
    combo = panel.dataset_combo
    assert combo.currentData() == "fashion-mnist" and panel.config().dataset == "fashion-mnist"
    combo.setCurrentIndex(combo.findData("mnist"))
    assert panel.config().dataset == "mnist" and panel.config().data_dir is None
    own = tmp_path / "mine.npz"
    np.savez(own, x_train=np.zeros((4, 12, 12), np.uint8), y_train=np.arange(4) % 2,
             x_test=np.zeros((2, 12, 12), np.uint8), y_test=np.arange(2))
    combo.setCurrentIndex(combo.findData(""))
    assert any(p.startswith("data_dir: choose") for p in panel.problems())
    panel.data_edit.setText(str(own))
    config = panel.config()
    assert config.dataset == str(own) and config.data_dir is None
    assert not [p for p in panel.problems() if p.startswith(("data_dir", "dataset"))]
    panel.set_config(StudyConfig(dataset="cifar10"))
    assert combo.currentData() == "cifar10"
    panel.set_config(config)
    assert combo.currentData() == "" and panel.data_edit.text() == str(own)


def test_a_study_names_its_classes_from_its_dataset_block():
    state = StudyState(config=StudyConfig(dataset="mnist"))
    assert study_class_names(state)[:2] == ("0", "1")
    state.status["dataset_info"] = {"classes": ["cat", "dog"]}
    assert study_class_names(state) == ("cat", "dog")
    assert study_class_names(StudyState(config=StudyConfig()))[0] == "T-shirt/top"


def test_a_limit_above_a_known_dataset_is_refused_before_it_is_downloaded(qtbot, tmp_path,
                                                                         monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "empty-cache"))  # nothing downloaded
    panel = SetupPanel(probe_devices=False)
    qtbot.addWidget(panel)
    panel.dataset_combo.setCurrentIndex(panel.dataset_combo.findData("cifar10"))
    panel.train_limit_edit.setText("50001")
    panel.test_limit_edit.setText("10000")
    problems = [p for p in panel.problems() if p.startswith(("train_limit", "test_limit"))]
    assert problems == ["train_limit: CIFAR-10 has 50,000 training images, fewer than the train "
                        "limit 50,001: use at most 50,000, or no limit for all of them"]
    panel.train_limit_edit.setText("50000")
    assert not [p for p in panel.problems() if p.startswith(("train_limit", "test_limit"))]
