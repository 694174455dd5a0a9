"""The quick try: a few epochs on a subset, all networks at once, on the fastest installed
backend — a first run of well under a minute on a laptop CPU (`study --quick`, the app's
"Quick try")."""

from __future__ import annotations

import importlib.util

from study.config import ConfigError, StudyConfig

# Fastest first on a CPU for these small networks (docs/performance.md).
BACKEND_PREFERENCE = ("jax", "tensorflow", "torch")
QUICK_EPOCHS = 3
QUICK_TRAIN = 6000
QUICK_TEST = 1000
QUICK_MODE = "all-at-once"


def installed_backends() -> list[str]:
    """The Keras backends whose library is installed, fastest first."""
    return [b for b in BACKEND_PREFERENCE if importlib.util.find_spec(b) is not None]


def fastest_backend() -> str:
    """The fastest installed backend; ConfigError when none of them is installed."""
    found = installed_backends()
    if not found:
        raise ConfigError("no Keras backend is installed: install jax, tensorflow-cpu or torch "
                          "(scripts/setup.sh does)")
    return found[0]


def quick_config(base: StudyConfig | None = None, backend: str | None = None) -> StudyConfig:
    """`base` (default settings otherwise) with the quick try's epochs, subset and mode, on
    `backend` or the fastest installed one."""
    base = base or StudyConfig()
    return base.replace(epochs=QUICK_EPOCHS, train_limit=QUICK_TRAIN, test_limit=QUICK_TEST,
                        mode=QUICK_MODE, backend=backend or fastest_backend()).validated()


def quick_description(config: StudyConfig) -> str:
    """What the quick try chose, in one line for a person."""
    return (f"Quick try: {config.epochs} epochs on the first {config.train_limit:,} training "
            f"and {config.test_limit:,} test images, {len(config.networks)} networks at once, "
            f"on {config.backend} (the fastest backend installed)")
