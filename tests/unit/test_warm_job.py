"""What the warm worker is handed: a job turned into study arguments, and the kept dataset that
serves only its own unchanged setting."""

import os

import pytest

from study.data import KeptDataset
from study.run.warm import job_arguments

pytestmark = pytest.mark.backend


def test_job_arguments():
    assert job_arguments('{"config": "c.json", "out": "s"}') == ["--config", "c.json", "--out",
                                                                 "s"]
    assert job_arguments('{"resume": "s/study-1"}') == ["--resume", "s/study-1"]
    for bad in ("[]", "nope", '{"config": "c.json"}', '{"resume": "x", "out": "y"}'):
        with pytest.raises(ValueError):
            job_arguments(bad)


def test_the_kept_dataset_serves_only_its_own_unchanged_setting(tmp_path):
    from tests.synthetic import write_synthetic_idx

    folder = write_synthetic_idx(tmp_path / "data", n_train=32, n_test=16)
    kept = KeptDataset.load(str(folder))
    assert kept.dataset_for(str(folder)) is kept.dataset
    assert kept.dataset_for(None) is None
    assert kept.dataset_for(str(tmp_path)) is None
    labels = next(folder.glob("train-labels*"))
    stat = labels.stat()
    os.utime(labels, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert kept.dataset_for(str(folder)) is None
