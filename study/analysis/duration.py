"""How long a study will take, said before it runs: from the last finished study of the same
backend and mode on this machine, else from the benchmark's per-backend figures — an estimate.
"""

from __future__ import annotations

import math
from pathlib import Path

from study.config import StudyConfig

FULL_TRAIN = 60_000
# Seconds per epoch per 1,000 training images for one network (evaluation included), from the
# benchmark's six-network study on a 2-core CPU (docs/performance.md): s/epoch / 60 / 6.
SECONDS_PER_EPOCH_PER_1000 = {
    ("jax", "sequential"): 11.53 / 360, ("jax", "all-at-once"): 4.18 / 360,
    ("tensorflow", "sequential"): 26.63 / 360, ("tensorflow", "all-at-once"): 5.56 / 360,
    ("torch", "sequential"): 26.80 / 360, ("torch", "all-at-once"): 17.78 / 360,
}
# Seconds spent once per study: building, compiling, all-at-once's isolated timing, saving.
ONE_TIME_SECONDS = {
    ("jax", "sequential"): 23.5, ("jax", "all-at-once"): 26.1,
    ("tensorflow", "sequential"): 24.3, ("tensorflow", "all-at-once"): 43.1,
    ("torch", "sequential"): 3.0, ("torch", "all-at-once"): 3.0,
}


def train_images(config: StudyConfig, available: int = FULL_TRAIN) -> int:
    """The training images a study uses: its limit, at most what the data set has."""
    return min(config.train_limit or available, available)


def _runs(config: StudyConfig) -> int:
    return len(config.networks) * len(config.seed_list)


def table_rate(config: StudyConfig) -> float:
    """The benchmark's seconds per epoch per 1,000 images per network for the config."""
    return SECONDS_PER_EPOCH_PER_1000.get((config.backend, config.mode),
                                          SECONDS_PER_EPOCH_PER_1000[("torch", "sequential")])


def measured_rate(config: StudyConfig, roots) -> tuple[float, str] | None:
    """(seconds per epoch per 1,000 images per network, study name) of the newest finished
    study under `roots` with the same backend, device and mode; None when there is none."""
    from study.folder.library import list_studies

    try:
        rows = list_studies([Path(r) for r in roots if Path(r).is_dir()])
    except OSError:
        return None
    usable = [r for r in rows if r.state == "finished" and r.backend == config.backend
              and r.mode == config.mode and r.device == config.device and r.train_size
              and r.duration_seconds and r.epochs_min and r.networks]
    if not usable:
        return None
    newest = max(usable, key=lambda r: r.date)
    work = newest.epochs_min * newest.train_size / 1000 * len(newest.networks) * len(
        newest.seeds or (0,))
    return newest.duration_seconds / work, newest.name


def estimate_seconds(config: StudyConfig, available: int = FULL_TRAIN, roots=(),
                     measured: tuple[float, str] | None = None) -> tuple[float, str]:
    """(seconds the study should take, where the rate comes from): `measured` (a measured_rate
    already read), else the newest matching study under `roots`, else the benchmark's table."""
    if measured is None and roots:
        measured = measured_rate(config, roots)
    rate, source = (measured[0], f"your last {config.backend} {config.mode} study here, "
                    f"{measured[1]}") if measured else (
        table_rate(config), f"the benchmark's figures for {config.backend} {config.mode} on a "
                            "2-core CPU")
    work = config.epochs * train_images(config, available) / 1000 * _runs(config)
    one_time = ONE_TIME_SECONDS.get((config.backend, config.mode), 10.0)
    return work * rate + one_time, source


def duration_words(seconds: float) -> str:
    """"about 40 s", "about 4 min", "about 1 h 5 min"."""
    seconds = max(1.0, float(seconds))
    if seconds < 90:
        return f"about {int(math.ceil(seconds / 5) * 5)} s"
    minutes = int(round(seconds / 60))
    if minutes < 60:
        return f"about {minutes} min"
    return f"about {minutes // 60} h {minutes % 60} min"


def expected_duration_text(config: StudyConfig, available: int = FULL_TRAIN, roots=()) -> str:
    """"Expected duration: about 4 min (an estimate from …)" for the config, before Run."""
    seconds, source = estimate_seconds(config, available, roots)
    return f"Expected duration: {duration_words(seconds)} (an estimate from {source})"
