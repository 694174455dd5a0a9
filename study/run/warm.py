"""The app's warm worker: a study process started before Run is pressed.

`main.py study --warm-start --backend B [--data D] --events json --stop-on-stdin` fixes the
backend, imports Keras and the model code, loads the data setting's dataset (when it loads),
prints one `WorkerReady` event and waits for ONE line on stdin: a JSON job,

    {"config": "CONFIG.json", "out": "STUDIES_ROOT"}   a new study, or
    {"resume": "STUDY_DIR"}                             a resume,

the arguments the app passes a fresh child (or a whole StudyJob, study/protocol/jobs.py). The
study then runs exactly as `main.py study --config … --out …` (or `--resume …`) would, with
this process's --events and --stop-on-stdin: the same events, files and exit statuses, and the
same stop on stdin. The preloaded dataset is used only when the job's data setting is the one
loaded and its files are unchanged. End of stdin before a job (the app closed it, or went
away): exit 0, quietly.
"""

from __future__ import annotations

import dataclasses
import os
import sys
import time

from study.config import ConfigError, load_config
from study.protocol.backends import BackendError
from study.protocol.events import WorkerReady, event_to_json
from study.protocol.exit_codes import EXIT_OK, EXIT_STOPPED, EXIT_USAGE
from study.protocol.jobs import JOB_FORMAT, JobError, StudyJob
from study.protocol.jsonfile import loads_limited
from study.run.job import run_job

JOB_SHAPES = '{"config": FILE, "out": DIR} or {"resume": STUDY_DIR}'


def read_job(line: str, events: str = "text", stop_on_stdin: bool = False) -> StudyJob:
    """The StudyJob of one job line, reported and stopped as this worker is (`events`,
    `stop_on_stdin`); JobError (one line) for anything else, ConfigError for a bad config."""
    try:
        data = loads_limited(line, "a job line")
    except (ValueError, RecursionError):
        raise JobError(f"a warm worker's job must be one JSON object, got {line[:80]!r}"
                       ) from None
    if not isinstance(data, dict):
        raise JobError("a warm worker's job must be a JSON object")
    if data.get("format") == JOB_FORMAT:
        job = StudyJob.from_json(line)
    elif isinstance(data.get("resume"), str) and set(data) == {"resume"}:
        job = StudyJob(resume=data["resume"])
    elif isinstance(data.get("config"), str) and isinstance(data.get("out"), str) \
            and set(data) == {"config", "out"}:
        job = StudyJob(config=load_config(data["config"]).to_dict(), out=data["out"])
    else:
        raise JobError(f"a warm worker's job is {JOB_SHAPES}")
    return dataclasses.replace(job, events=events, stop_on_stdin=stop_on_stdin)


def load_ahead(backend: str | None, data):
    """Fix the backend, import what a study imports, and load the data; returns (backend,
    KeptDataset or None: data that does not load is left to the study, which reports it)."""
    from keras_models.backend import select_backend
    from study.data import DataError, KeptDataset

    backend = select_backend(backend)
    import keras

    import keras_models.checkpoint  # noqa: F401 - imported now, so a job does not wait for it
    import keras_models.combined  # noqa: F401
    import keras_models.schemes  # noqa: F401
    import keras_models.training  # noqa: F401

    # The backend's runtime starts on its first array (JAX's CPU client, torch's threads).
    keras.ops.convert_to_numpy(keras.ops.zeros((1,)))
    try:
        kept = KeptDataset.load(data)
    except DataError:
        kept = None
    return backend, kept


def run_warm(backend: str | None, data, events: str, stop_on_stdin: bool) -> int:
    """`main.py study --warm-start …`: get ready, take one job from stdin, run it."""
    started = time.perf_counter()
    try:
        backend, kept = load_ahead(backend, data)
    except BackendError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return EXIT_STOPPED
    ready = WorkerReady(backend, os.getpid(), kept.dataset.describe() if kept else "",
                        round(time.perf_counter() - started, 3))
    try:
        sys.stdout.write(event_to_json(ready) + "\n")
        sys.stdout.flush()
        line = sys.stdin.readline()
    except KeyboardInterrupt:
        return EXIT_STOPPED
    except (BrokenPipeError, OSError):
        return EXIT_OK  # the app went away before handing a job
    if not line.strip():
        return EXIT_OK
    try:
        job = read_job(line, events, stop_on_stdin)
    except (JobError, ConfigError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return run_job(job, kept=kept)
