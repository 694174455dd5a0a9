"""StudyConfig: docs/study.md#training defaults, validation naming the field, JSON round trip."""

import json

import pytest

from study.config import ConfigError, StudyConfig, load_config


def test_defaults_are_the_reports_settings_with_a_correct_head():
    config = StudyConfig()
    assert config.learning_rate == 3.35e-4
    assert config.batch_size == 128
    assert config.epochs == 60
    assert config.shuffle is True
    assert config.head == "softmax"
    assert config.networks == ("NetA1-HF", "NetA1-HT", "NetA1-DT",
                               "NetA2-HF", "NetA2-HT", "NetA2-DT")
    assert config.problems() == []


def test_json_round_trip_keeps_every_field():
    kernels = [[[1 if (r * 5 + c) % (k + 2) == 0 else 0 for c in range(5)] for r in range(5)]
               for k in range(4)]
    config = StudyConfig(networks=("NetA2-DT", "NetA1-HF"), epochs=3, batch_size=32,
                         learning_rate=1e-3, seed=7, shuffle=False, head="report",
                         backend="jax", device="gpu:1", data_dir="/data", train_limit=100,
                         test_limit=50, kernels=kernels)
    assert StudyConfig.from_json(config.to_json()) == config


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"epochs": 0}, "epochs must be a whole number from 1 to 10000, got 0"),
        ({"batch_size": -5}, "batch_size must be a whole number from 1 to 60000, got -5"),
        ({"learning_rate": 0.0}, "learning_rate must be a number above 0"),
        ({"learning_rate": float("nan")}, "learning_rate must be a number above 0"),
        ({"head": "sigmoid"}, "head must be one of softmax, report, got 'sigmoid'"),
        ({"backend": "mxnet"}, "backend must be one of torch, tensorflow, jax, got 'mxnet'"),
        ({"device": "tpu"}, "device must be cpu, gpu or gpu:N, got 'tpu'"),
        ({"networks": ("NetA3-HF",)}, "networks: 'NetA3-HF' is unknown"),
        ({"networks": ()}, "networks must name at least one"),
        ({"shuffle": "yes"}, "shuffle must be true or false"),
        ({"train_limit": 0}, "train_limit must be a whole number from 1"),
        ({"epochs": True}, "epochs must be a whole number"),
    ],
)
def test_impossible_settings_name_the_field_and_allowed_values(changes, message):
    with pytest.raises(ConfigError) as info:
        StudyConfig().replace(**changes).validated()
    assert message in str(info.value)


def test_invalid_kernels_are_refused_with_the_sizes_that_fit():
    kernels = [[[1] * 4] * 4] * 4
    problems = StudyConfig(kernels=kernels).problems()
    assert any("kernel size 4 does not fit: odd sizes from 1 to 23" in p for p in problems)
    assert StudyConfig(kernels=[[[0.5] * 3] * 3] * 6).problems() == []


def test_unknown_setting_is_refused():
    with pytest.raises(ConfigError, match="unknown setting"):
        StudyConfig.from_dict({"epochz": 3})


def test_config_file_errors_name_the_file(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{ epochs: 3 }")
    with pytest.raises(ConfigError) as info:
        load_config(bad)
    assert str(bad) in str(info.value) and "not valid JSON" in str(info.value)
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps({"epochs": "ten"}))
    with pytest.raises(ConfigError, match="epochs must be a whole number"):
        load_config(wrong)


@pytest.mark.parametrize(("seeds", "message"), [
    ((), "seeds must list 1 to 64 seeds"),
    ((1, 1), "each seed may be listed once"),
    ((-1,), "seeds must be whole numbers from 0"),
    (("a",), "seeds must be whole numbers from 0"),
    (tuple(range(65)), "seeds must list 1 to 64 seeds"),
])
def test_bad_seed_lists_are_refused(seeds, message):
    assert any(message in p for p in StudyConfig(seeds=seeds).problems())


def test_seeds_round_trip_and_default_to_the_seed():
    assert StudyConfig(seed=7).seed_list == (7,)
    config = StudyConfig(seeds=[3, 0, 8])
    assert config.seed_list == (3, 0, 8)
    assert StudyConfig.from_json(config.to_json()) == config
