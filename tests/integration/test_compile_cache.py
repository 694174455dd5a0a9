"""The compiled-program cache: a second run of a study loads its XLA programs from
disk instead of compiling them again; the cache can be moved or switched off."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _study(cache, data: Path, out: Path, backend: str, mode: str, inherited: Path | None = None):
    env = dict(os.environ, KERNEL_LAB_COMPILE_CACHE=str(cache), TF_CPP_MIN_LOG_LEVEL="2")
    env.pop("JAX_COMPILATION_CACHE_DIR", None)
    env.pop("TF_XLA_FLAGS", None)
    if inherited is not None:
        # Settings inherited from a process that chose another cache (this test process may
        # have set them already) must not win over KERNEL_LAB_COMPILE_CACHE.
        env.update(JAX_COMPILATION_CACHE_DIR=str(inherited),
                   TF_XLA_FLAGS=f"--tf_xla_persistent_cache_directory={inherited}")
    done = subprocess.run(
        [sys.executable, "main.py", "study", "--backend", backend, "--mode", mode,
         "--data", str(data), "--epochs", "1", "--batch-size", "64", "--train-limit", "200",
         "--test-limit", "100", "--networks", "NetA1-HF,NetA2-DT", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr
    return done


def _entries(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}


@pytest.mark.backend
def test_a_second_run_compiles_nothing_new(tmp_path, synthetic_data_dir, backend_name):
    if backend_name == "torch":
        pytest.skip("torch runs eagerly here: it has no compiled programs to keep")
    cache, elsewhere = tmp_path / "cache", tmp_path / "elsewhere"
    _study(cache, synthetic_data_dir, tmp_path / "a", backend_name, "all-at-once", elsewhere)
    first = _entries(cache / backend_name)
    # The combined model's steps, its short last batch's, evaluation and the isolated timing.
    assert len(first) >= 4, first
    _study(cache, synthetic_data_dir, tmp_path / "b", backend_name, "all-at-once", elsewhere)
    assert _entries(cache / backend_name) == first
    assert not (tmp_path / "elsewhere").exists()


@pytest.mark.backend
def test_switched_off_nothing_is_written(tmp_path, synthetic_data_dir, backend_name):
    if backend_name == "torch":
        pytest.skip("torch runs eagerly here: it has no compiled programs to keep")
    before = set(ROOT.iterdir())
    _study("off", synthetic_data_dir, tmp_path / "a", backend_name, "sequential")
    assert set(ROOT.iterdir()) == before
    assert not (tmp_path / "off").exists()
