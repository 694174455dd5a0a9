"""Where a study (or a sweep point) stands: the one vocabulary of status.json and the events."""

from __future__ import annotations

from enum import Enum


class StudyStatus(str, Enum):
    """Where a study stands. A member equals its string ("running" == StudyStatus.RUNNING), so
    status.json and the JSON events keep their plain strings."""

    RUNNING = "running"
    FINISHED = "finished"
    STOPPED = "stopped"
    FAILED = "failed"
    # status.json says running but the process that wrote it is gone (killed, lost power).
    INTERRUPTED = "interrupted"
    UNKNOWN = "unknown"

    def __str__(self) -> str:
        return self.value

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)

    @classmethod
    def parse(cls, value) -> StudyStatus:
        """The member for a stored string; UNKNOWN for anything else (None, a damaged file)."""
        try:
            return cls(value)
        except ValueError:
            return cls.UNKNOWN

    @property
    def resumable(self) -> bool:
        """A study in this state can be continued from its last completed epoch."""
        return self in (StudyStatus.STOPPED, StudyStatus.FAILED, StudyStatus.INTERRUPTED)

    @property
    def cut_short(self) -> str:
        """How a network that ended early in a study in this state reads: "interrupted" when its
        process was killed (nothing stopped it on purpose), else "stopped"."""
        return "interrupted" if self is StudyStatus.INTERRUPTED else "stopped"

    @property
    def ended(self) -> bool:
        """No process is working on it any more."""
        return self is not StudyStatus.RUNNING


# All-at-once's isolated timing (keras_models.isolated_timing, docs/performance.md): each
# network alone, in this many rounds of this many batches, and the status.json keys of its
# results: each network's mean seconds per epoch, and its rounds' samples beside it.
ISOLATED_TIMING_ROUNDS = 5
ISOLATED_ROUND_BATCHES = 32
ISOLATED_ESTIMATES_KEY = "isolated_seconds_per_epoch"
ISOLATED_ROUNDS_KEY = "isolated_timing_rounds"
