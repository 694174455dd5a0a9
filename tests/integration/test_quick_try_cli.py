"""`main.py study --quick` on a terminal runs to the end, named and annotated (trains)."""

from __future__ import annotations

import json

from tests.unit.test_cli_conventions import _main, _run_on_a_terminal


def test_a_quick_try_with_a_name_and_note_runs_to_the_end(tmp_path, synthetic_data_dir, capsys):
    code, output = _run_on_a_terminal([
        "study", "--quick", "--epochs", "2", "--train-limit", "256", "--test-limit", "128",
        "--networks", "NetA1-HF,NetA2-DT", "--data", str(synthetic_data_dir),
        "--out", str(tmp_path), "--name", "first try", "--note", "just looking"])
    assert code == 0, output[-3000:]
    assert "Quick try: 2 epochs on the first 256 training and 128 test images" in output
    assert "on jax (the fastest backend installed)" in output
    assert "all 2 networks together  ·  epoch" in output and "ETA" in output
    assert "Study finished" in output
    (folder,) = tmp_path.iterdir()
    config = json.loads((folder / "config.json").read_text())
    assert (config["mode"], config["backend"], config["epochs"]) == ("all-at-once", "jax", 2)
    assert (config["name"], config["note"]) == ("first try", "just looking")
    code, out, _err = _main(capsys, "list", tmp_path, "--format", "json")
    (record,) = json.loads(out)
    assert (record["name"], record["note"], record["state"]) == (
        "first try", "just looking", "finished")
    environment = record["environment"]
    assert environment["backend"] == "jax" and environment["keras"] and environment["cpu"]
    code, out, _err = _main(capsys, "list", tmp_path)
    assert "first try" in out

