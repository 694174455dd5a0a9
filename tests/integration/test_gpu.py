"""On a machine with an NVIDIA GPU: every backend sees it, trains on it, and loads models there.

Marked `gpu`; without a GPU (`nvidia-smi -L` lists none) every test here is skipped, saying why.
Each check runs in a process of its own, since a process runs Keras on one backend only, so
these run once (in the first pass of scripts/run-tests.sh), whatever KERAS_BACKEND is set.
A GPU machine without the GPU builds (pip install -e ".[gpu]", scripts/setup.sh) fails here:
that is what these tests are for.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.synthetic import write_synthetic_idx

ROOT = Path(__file__).resolve().parents[2]
BACKENDS = ("torch", "tensorflow", "jax")


def nvidia_gpus() -> list[str]:
    """The GPUs `nvidia-smi -L` lists ("GPU 0: …"), or none."""
    if shutil.which("nvidia-smi") is None:
        return []
    try:
        done = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return []
    return [line for line in done.stdout.splitlines() if line.startswith("GPU")]


GPUS = nvidia_gpus()
pytestmark = [
    pytest.mark.gpu,
    pytest.mark.skipif(not GPUS, reason="no NVIDIA GPU on this machine (nvidia-smi -L lists "
                                        "none); these tests need one and the GPU builds"),
]


def _python(code: str, *args, backend: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, KERAS_BACKEND=backend, TF_CPP_MIN_LOG_LEVEL="2",
               QT_QPA_PLATFORM="offscreen")
    return subprocess.run([sys.executable, *(["-c", code] if code else []), *args], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_backend_lists_the_gpu_and_puts_variables_on_it(backend):
    code = (
        "import sys, keras\n"
        "from keras_models.backend import list_devices\n"
        "from keras_models.schemes import build_network\n"
        "names = [d.name for d in list_devices(sys.argv[1])]\n"
        "print(names)\n"
        "assert 'gpu:0' in names, names\n"
        "with keras.device('gpu:0'):\n"
        "    model = build_network('NetA2-DT', 0)\n"
        "value = model.weights[0].value\n"
        "device = getattr(value, 'device', None)\n"
        "device = str(device() if callable(device) else device).lower()\n"
        "print(device)\n"
        "assert 'cuda' in device or 'gpu' in device, device\n"
    )
    done = _python(code, backend, backend=backend)
    assert done.returncode == 0, done.stderr[-3000:]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_study_trains_on_the_gpu_and_its_models_load_on_another_backend(backend, tmp_path):
    data = write_synthetic_idx(tmp_path / "data", n_train=1024, n_test=1000)
    done = _python("", "main.py", "study", "--backend", backend, "--device", "gpu", "--mode",
                   "all-at-once", "--epochs", "1", "--networks", "NetA1-HF,NetA2-DT",
                   "--data", str(data), "--out", str(tmp_path / "studies"), backend=backend)
    assert done.returncode == 0, done.stderr[-3000:]
    (folder,) = (tmp_path / "studies").iterdir()
    status = json.loads((folder / "status.json").read_text())
    assert status["device"] == "gpu:0" and status["state"] == "finished"
    other = BACKENDS[(BACKENDS.index(backend) + 1) % len(BACKENDS)]
    done = _python("", "main.py", "evaluate", str(folder), "--backend", other, "--device", "gpu",
                   backend=other)
    assert done.returncode == 0, done.stderr[-3000:]
    rows = (folder / "evaluation.csv").read_text().splitlines()[1:]
    assert len(rows) == 4
    for row in rows:
        agreement = float(row.split(",")[-1])
        assert agreement >= 0.999, row
