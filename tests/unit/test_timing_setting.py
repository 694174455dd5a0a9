"""How much isolated timing an all-at-once study does: the rounds setting and the batches a round
times (a short study times fewer)."""

import json

import pytest

from keras_models.isolated_timing import ROUND_BATCHES, round_batches
from study.config import StudyConfig


def test_a_long_study_times_full_rounds_and_a_short_one_fewer_batches():
    # 60 epochs of Fashion-MNIST: 469 batches an epoch, far more than 5 % for 5 × 32 batches.
    assert round_batches(60, 60_000, 128, 5) == ROUND_BATCHES == 32
    # The quick try (3 epochs of 6,000 images): 5 % of 141 batches is 7, so 1 a round.
    assert round_batches(3, 6_000, 128, 5) == 1
    # 10 epochs of 6,000 images: 5 % of 470 batches is 23.5, so 4 a round.
    assert round_batches(10, 6_000, 128, 5) == 4
    # Never less than one batch, however short.
    assert round_batches(1, 100, 128, 5) == 1


def test_the_rounds_setting_is_checked_and_kept_only_when_not_the_default():
    assert StudyConfig().timing_rounds == 5
    assert "timing_rounds" not in StudyConfig().to_dict()
    assert json.loads(StudyConfig(timing_rounds=0).validated().to_json())["timing_rounds"] == 0
    for bad in (1, -1, 101, 2.5, True):
        problems = StudyConfig(timing_rounds=bad).problems()
        assert len(problems) == 1 and problems[0].startswith("timing_rounds must be 0"), bad


@pytest.mark.parametrize("value", ["1", "-3"])
def test_an_impossible_rounds_option_exits_2_with_one_line_and_no_folder(value, tmp_path,
                                                                         synthetic_data_dir,
                                                                         capsys):
    import main
    from study.cli import study as cli
    from study.protocol import exit_codes

    args = main.build_parser().parse_args([
        "study", "--data", str(synthetic_data_dir), "--epochs", "1", "--mode", "all-at-once",
        "--timing-rounds", value, "--out", str(tmp_path)])
    assert cli.run(args) == exit_codes.EXIT_USAGE
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "timing_rounds must be 0" in lines[0]
    assert not any(tmp_path.iterdir())
