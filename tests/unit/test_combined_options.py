"""The command line takes the training mode (sequential or all-at-once) and refuses an unknown
one."""

import pytest

pytestmark = pytest.mark.backend


def test_the_command_line_takes_the_mode_and_refuses_an_unknown_one(capsys):
    from main import build_parser
    from study.cli.options import config_from_args

    args = build_parser().parse_args(["study", "--mode", "all-at-once", "--epochs", "1"])
    assert config_from_args(args).mode == "all-at-once"
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args(["study", "--mode", "parallel"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'parallel'" in capsys.readouterr().err
