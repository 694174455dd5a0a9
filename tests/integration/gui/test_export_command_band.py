"""`main.py export` in a child process draws the band asked for."""

from __future__ import annotations

import pytest

from tests.known_study import write_known_seeded_study


def test_the_export_command_draws_the_band_asked_for(tmp_path, capsys):
    # As the app runs it: `main.py export` in a process of its own, offscreen.
    from main import main
    from tests.gui.test_export_png import run_cli

    folder = write_known_seeded_study(tmp_path / "studies")
    for out, extra in (("ci", ()), ("mm", ("--band", "min-max", "--seed-lines"))):
        done = run_cli(folder, "--out", tmp_path / out, *extra)
        assert done.returncode == 0, done.stderr
    name = "training_test_accuracy.png"
    assert (tmp_path / "ci" / name).read_bytes() != (tmp_path / "mm" / name).read_bytes()
    with pytest.raises(SystemExit) as refused:
        main(["export", str(folder), "--band", "iqr"])
    assert refused.value.code == 2
    assert "invalid choice: 'iqr'" in capsys.readouterr().err
