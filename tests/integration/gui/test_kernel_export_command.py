"""`main.py export-kernels` as a real process without a display: the PNGs and the CSV, and one
line for a folder that is not a study."""

from __future__ import annotations

import csv

from tests.gui import test_kernel_export as kernel_export_tests
from tests.gui.test_kernel_export import run_cli

six_network_study = kernel_export_tests.six_network_study  # the fixture, shared


def test_cli_exports_kernels_without_a_display(six_network_study, tmp_path):
    out = tmp_path / "kernels"
    done = run_cli("export-kernels", six_network_study.folder, "--out", out)
    assert done.returncode == 0, done.stderr
    assert (out / "kernels.csv").is_file()
    assert len(list(out.glob("*.png"))) == 6 + 3 + 1
    with open(out / "kernels.csv", encoding="utf-8", newline="") as fh:
        assert sum(r["layer"] == "conv1" for r in csv.DictReader(fh)) == 600

    again = run_cli("export-kernels", six_network_study.folder, "--out", out)
    assert again.returncode == 2
    assert again.stderr.startswith("error: ") and "--force" in again.stderr
    assert len(again.stderr.strip().splitlines()) == 1

    forced = run_cli("export-kernels", six_network_study.folder, "--out", out, "--force")
    assert forced.returncode == 0, forced.stderr


def test_cli_refuses_a_folder_that_is_not_a_study(tmp_path):
    done = run_cli("export-kernels", tmp_path, "--out", tmp_path / "out")
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: ") and "not a Kernel Lab study folder" in lines[0]
    assert not (tmp_path / "out").exists()
