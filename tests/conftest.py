"""Shared fixtures: a synthetic IDX dataset and a small study config."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.synthetic import write_synthetic_idx

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# The tests make hundreds of throw-away datasets: none of them is kept in the parsed-data cache
# (tests/unit/test_data_cache.py switches it on for itself). Child processes inherit this.
os.environ.setdefault("KERNEL_LAB_DATA_CACHE", "off")
# The app's windows start no warm worker (gui/warm_worker.py) unless a test asks for one.
os.environ.setdefault("KERNEL_LAB_WARM_WORKER", "off")


LANES = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    """Mark every test under tests/integration/ `integration`: it starts a process or trains."""
    for item in items:
        if (LANES / "integration") in Path(item.path).parents:
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def synthetic_data_dir(tmp_path_factory):
    """A folder with 512 train / 256 test synthetic images as gzipped IDX files."""
    return write_synthetic_idx(tmp_path_factory.mktemp("synthetic-idx"))


@pytest.fixture
def backend_name():
    """The backend this test process runs Keras on (scripts/run-tests.sh sets it)."""
    return os.environ.get("KERAS_BACKEND", "torch")


@pytest.fixture
def small_config(synthetic_data_dir, backend_name):
    """A two-epoch, six-network study on the synthetic data."""
    from study.config import StudyConfig

    return StudyConfig(epochs=2, batch_size=64, learning_rate=3e-3, backend=backend_name,
                       data_dir=str(synthetic_data_dir))
