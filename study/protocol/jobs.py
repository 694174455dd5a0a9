"""A study request as one typed value: what the CLI builds from its options, what the app's warm
worker receives as JSON, and what study.run.job executes."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from study.protocol.jsonfile import loads_limited

JOB_FORMAT = "kernel-lab/study-job"
EVENT_STYLES = ("text", "json")
DEFAULT_OUT = "studies"


class JobError(ValueError):
    """A job that is not a study request; the message says why in one line."""


@dataclass(frozen=True)
class StudyJob:
    """Run a new study (`config`, the settings as StudyConfig.to_dict() gives them, made under
    `out`) or continue the one in `resume`; how it reports and listens is the rest."""

    config: dict | None = field(default=None, hash=False)
    out: str = DEFAULT_OUT
    resume: str | None = None
    events: str = "text"
    tensorboard: bool = False
    # Stop when the parent writes "stop" or closes stdin (the app's control channel).
    stop_on_stdin: bool = False

    def __post_init__(self):
        if (self.config is None) == (self.resume is None):
            raise JobError("a study job is either a new study (config) or a resume (resume)")
        if self.config is not None and not isinstance(self.config, dict):
            raise JobError("a study job's config must be a JSON object of settings")
        if self.resume is not None and not isinstance(self.resume, str):
            raise JobError("a study job's resume must be a folder name")
        if not isinstance(self.out, str):
            raise JobError("a study job's out must be a folder name")
        if self.events not in EVENT_STYLES:
            raise JobError(f"a study job's events must be one of {', '.join(EVENT_STYLES)}")
        if not isinstance(self.tensorboard, bool) or not isinstance(self.stop_on_stdin, bool):
            raise JobError("a study job's tensorboard and stop_on_stdin are true or false")

    def to_json(self) -> str:
        """One line of JSON (no newline inside), as a worker reads it from stdin."""
        return json.dumps({"format": JOB_FORMAT, **asdict(self)})

    @classmethod
    def from_json(cls, text: str) -> StudyJob:
        """The job `to_json` wrote; JobError (one line) for anything else."""
        try:
            data = loads_limited(text, "a study job")
        except (ValueError, RecursionError):
            raise JobError(f"a study job must be one JSON object, got {text[:80]!r}") from None
        if not isinstance(data, dict) or data.get("format") != JOB_FORMAT:
            raise JobError(f"a study job is a JSON object with format {JOB_FORMAT!r}")
        data = {k: v for k, v in data.items() if k != "format"}
        try:
            return cls(**data)
        except TypeError:
            known = ", ".join(f for f in cls.__dataclass_fields__)
            raise JobError(f"a study job has the fields {known}") from None
