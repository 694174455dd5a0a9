"""Study options on the command line: seeds as a count or a list, and seeds that do not fit in
memory refused in one line."""


import pytest

pytestmark = pytest.mark.backend


def test_seeds_that_do_not_fit_in_memory_exit_2_with_one_line_and_no_folder(
        tmp_path, synthetic_data_dir, monkeypatch, capsys):
    import main
    from study.cli import study as cli
    from study.cli.options import config_from_args
    from study.config import StudyConfig
    from study.data import load_dataset
    from study.protocol import exit_codes
    from study.run import runner

    # Pretend there is room for three seeds of the synthetic set trained all at once.
    data = load_dataset(synthetic_data_dir)
    three = StudyConfig(seeds=(0, 1, 2), mode="all-at-once")
    monkeypatch.setattr(runner, "available_memory_bytes",
                        lambda: runner.memory_needed(three, data) + 100)
    args = main.build_parser().parse_args([
        "study", "--data", str(synthetic_data_dir), "--epochs", "1", "--seeds", "4",
        "--mode", "all-at-once", "--out", str(tmp_path)])
    assert cli.run(args) == exit_codes.EXIT_USAGE
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: Invalid study settings: 4 seed(s) all-at-once need about")
    assert "use fewer seeds or --mode sequential" in lines[0]
    assert not any(tmp_path.iterdir())
    # Three seeds fit, and sequential mode holds one seed's arrays at a time.
    config = config_from_args(args)
    runner.check_memory(config.replace(seeds=(0, 1, 2)), data)
    runner.check_memory(config.replace(mode="sequential"), data)


def test_seeds_take_a_count_from_the_seed_or_a_list():
    from main import build_parser
    from study.cli.options import config_from_args

    def config(*args):
        return config_from_args(build_parser().parse_args(["study", *args]))

    assert config().seeds is None and config().seed_list == (0,)
    assert config("--seed", "3", "--seeds", "4").seed_list == (3, 4, 5, 6)
    listed = config("--seeds", "0, 3,7")
    assert listed.seed_list == (0, 3, 7) and listed.seed == 0
    assert config("--seed", "5", "--seeds", "5,1").seed_list == (5, 1)
    assert config("--seeds", "1").seed_list == (0,)
