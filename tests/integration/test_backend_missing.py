"""A backend that is not installed, in a real process whose import system cannot find it: one
line, nothing made."""

from tests.hidden_package import run_main_without


def test_the_cli_refuses_a_missing_backend_in_one_line(tmp_path):
    # A fresh process whose import system hides jax, as on a machine without it.
    done = run_main_without("jax", ["study", "--backend", "jax", "--out", tmp_path])
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "error: backend 'jax' cannot be used: the jax package is not installed (pip install jax)"
    ]
    assert not any(tmp_path.iterdir())
