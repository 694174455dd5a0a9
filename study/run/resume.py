"""`study --resume`: check that a stopped study may continue, and read where each network
stopped (its checkpoint's epoch)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from study.config import StudyConfig
from study.folder.csvio import StoreError
from study.folder.reader import checkpoint_epoch
from study.protocol.status import StudyStatus
from study.state import StudyState


class ResumeError(StoreError):
    """A study that cannot be resumed; one line saying why (a usage error: exit 2)."""


@dataclass
class ResumePlan:
    """What `study --resume` continues: the folder, its config and status, and for each
    (network, seed) the epoch its checkpoint was saved after (all-at-once: also (None, 0))."""

    folder: Path
    config: StudyConfig
    status: dict
    completed: dict

    def check(self, backend: str, keras_version: str, dataset: str, fingerprint: str) -> None:
        """ResumeError when this process would not continue the study as it ran."""
        recorded = self.status
        differences = []
        if recorded.get("backend") != backend:
            differences.append(f"backend {recorded.get('backend')} then, {backend} now")
        if recorded.get("keras_version") != keras_version:
            differences.append(f"Keras {recorded.get('keras_version')} then, {keras_version} now")
        if recorded.get("data_fingerprint") != fingerprint or recorded.get("dataset") != dataset:
            differences.append(f"the data differ ({recorded.get('dataset')} then, {dataset} "
                               "now, or the same sizes with other contents)")
        if differences:
            raise ResumeError(f"{self.folder}: cannot resume: {'; '.join(differences)}; a "
                              "resumed study must continue exactly as it ran")


def plan_resume(folder) -> ResumePlan:
    """Check that `folder` is a study that may be resumed and read where each network stopped.

    ResumeError (one line) for a folder that is not a study, a finished or still running one,
    or one without the records a resume needs (it predates checkpoints)."""
    folder = Path(folder)
    try:
        study = StudyState.from_folder(folder, weights=False)
    except StoreError as exc:
        raise ResumeError(f"cannot resume: {exc}") from None
    status = study.recorded_status
    state = StudyStatus.parse(status.get("state"))
    if not state.resumable:
        why = {StudyStatus.FINISHED: "it has finished",
               StudyStatus.RUNNING: "it is still running"}.get(
            state, f"its state is {status.get('state')!r}")
        raise ResumeError(f"{folder}: cannot resume: {why}; only a stopped, failed or "
                          "interrupted study can be resumed")
    if "data_fingerprint" not in status or "keras_version" not in status:
        raise ResumeError(f"{folder}: cannot resume: it was made before studies could be "
                          "resumed (its status.json has no data fingerprint)")
    config = study.config
    seeds = config.seed_list
    if config.mode == "all-at-once":
        epoch = checkpoint_epoch(folder, None, seeds[0], seeds)
        completed = {(name, seed): epoch for seed in seeds for name in config.networks}
        completed[None, 0] = epoch
    else:
        completed = {(name, seed): checkpoint_epoch(folder, name, seed, seeds)
                     for seed in seeds for name in config.networks}
    return ResumePlan(folder, config, status, completed)
