"""The all-at-once model of a multi-seed study names a branch and an input per seed."""

import os

import pytest

pytestmark = pytest.mark.backend


def test_the_combined_model_names_a_branch_and_an_input_per_seed(synthetic_data_dir):
    from keras_models.backend import select_backend

    select_backend(os.environ.get("KERAS_BACKEND", "torch"))
    from keras_models.combined import build_combined

    combined = build_combined(("NetA1-HF", "NetA2-DT"), seed=0, seeds=(0, 7))
    assert list(combined.branches) == ["NetA1-HF_s0", "NetA2-DT_s0", "NetA1-HF_s7",
                                       "NetA2-DT_s7"]
    assert combined.members["NetA2-DT_s7"] == ("NetA2-DT", 7)
    assert combined.inputs == {0: "image_s0", 7: "image_s7"}
    assert combined.networks == ("NetA1-HF", "NetA2-DT") and combined.seeds == (0, 7)
    paths = [v.path for v in combined.model.weights]
    assert len(paths) == len(set(paths))
    assert combined.branch("NetA2-DT", 7) is combined.branches["NetA2-DT_s7"]
