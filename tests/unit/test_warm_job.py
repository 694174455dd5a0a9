"""What the warm worker is handed: a job turned into study arguments, and the kept dataset that
serves only its own unchanged setting."""

import json
import os

import pytest

from study.config import ConfigError, StudyConfig
from study.data import KeptDataset
from study.protocol.jobs import JobError, StudyJob
from study.run.warm import read_job

pytestmark = pytest.mark.backend


def test_a_job_line_is_a_study_job(tmp_path):
    config = StudyConfig(epochs=1, networks=("NetA1-HF",))
    path = tmp_path / "c.json"
    path.write_text(config.to_json())
    job = read_job(json.dumps({"config": str(path), "out": "s"}), "json", True)
    assert job == StudyJob(config=config.to_dict(), out="s", events="json", stop_on_stdin=True)
    assert StudyConfig.from_dict(job.config) == config
    assert read_job('{"resume": "s/study-1"}') == StudyJob(resume="s/study-1")
    # A whole StudyJob is taken too, reported as this worker reports.
    assert read_job(StudyJob(resume="x", tensorboard=True).to_json(), "json") == StudyJob(
        resume="x", tensorboard=True, events="json")
    assert StudyJob.from_json(job.to_json()) == job
    for bad in ("[]", "nope", '{"config": "c.json"}', '{"resume": "x", "out": "y"}',
                '{"format": "kernel-lab/study-job", "resume": 3}'):
        with pytest.raises(JobError):
            read_job(bad)
    with pytest.raises(ConfigError, match="does not exist"):
        read_job(json.dumps({"config": str(tmp_path / "none.json"), "out": "s"}))


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
