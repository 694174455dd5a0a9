"""benchmarks/benchmark.py: the seed-scaling diagnostic prints a row per seed count and the
fitted line, and refuses impossible options in one line."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCHMARK = ROOT / "benchmarks" / "benchmark.py"


def run(*args, backend="torch"):
    env = dict(os.environ, KERAS_BACKEND=backend, TF_CPP_MIN_LOG_LEVEL="2")
    return subprocess.run([sys.executable, str(BENCHMARK), *args], capture_output=True,
                          text=True, cwd=ROOT, env=env, timeout=900)


@pytest.mark.backend
def test_seeds_scaling_times_each_seed_count_and_fits_a_line(synthetic_data_dir, backend_name,
                                                             tmp_path):
    out = tmp_path / "scaling.json"
    done = run("--seeds-scaling", "2", "--rounds", "2", "--data", str(synthetic_data_dir),
               "--backends", backend_name, "--json", str(out), backend=backend_name)
    assert done.returncode == 0, done.stderr[-2000:]
    rows = re.findall(r"^\s+(\d)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+), ([\d.]+)$", done.stdout,
                      re.MULTILINE)
    assert [row[0] for row in rows] == ["1", "2"], done.stdout
    one = float(rows[0][1])
    for _, best, ratio, *rounds in rows:
        # the best round is the smallest of the rounds printed beside it, the ratio its own
        assert float(best) == pytest.approx(min(map(float, rounds)), abs=0.006)
        assert float(ratio) == pytest.approx(float(best) / one, abs=0.006)
    assert re.search(r"fitted: -?[\d.]+ ms fixed \+ -?[\d.]+ ms per seed", done.stdout)
    assert "2 seeds / 1 seed per step" in done.stdout
    saved = out.read_text()
    assert '"per_seed_ms"' in saved and '"fixed_ms"' in saved


@pytest.mark.parametrize("args, message", [
    (["--seeds-scaling", "1"], "--seeds-scaling needs at least 2 seeds"),
    (["--seeds-scaling", "3", "--rounds", "0"], "--rounds must be at least 1"),
    (["--seeds-scaling", "3", "--device", "tpu"], "device 'tpu' is not valid"),
])
def test_impossible_options_get_one_line_and_exit_2(args, message):
    done = run(*args)
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.backend
def test_a_gpu_asked_for_on_a_machine_without_one_is_named_in_one_line(synthetic_data_dir,
                                                                      backend_name):
    from keras_models.backend import list_devices

    if any(device.name.startswith("gpu") for device in list_devices(backend_name)):
        pytest.skip("this machine has a GPU")
    done = run("--seeds-scaling", "2", "--rounds", "1", "--device", "gpu", "--data",
               str(synthetic_data_dir), "--backends", backend_name, backend=backend_name)
    assert done.returncode == 1
    assert f"device 'gpu' was asked for, but backend '{backend_name}' finds no GPU" in done.stderr
    assert "Traceback" not in done.stderr
