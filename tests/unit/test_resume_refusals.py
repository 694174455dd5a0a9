"""`study --resume` refuses changed settings and a folder that is not a study, with exit 2 and
one line."""

import pytest

pytestmark = pytest.mark.backend


def test_cli_resume_refuses_changed_settings_with_exit_2(synthetic_data_dir, tmp_path, capsys):
    from main import main

    assert main(["study", "--resume", str(tmp_path), "--epochs", "5"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--epochs" in err[0]
    assert main(["study", "--resume", str(tmp_path)]) == 2
    assert "not a Kernel Lab study" in capsys.readouterr().err
