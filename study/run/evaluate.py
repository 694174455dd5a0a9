"""`main.py evaluate STUDY_DIR`: load every stored `.keras` model on one backend and test it.

Keras 3 promises that a `.keras` file saved on one backend loads on another. A study keeps each
network's final and peak-accuracy model (models/NET[.seed-S][.best].keras, keras_models/saving.py)
and their test predictions on the backend that trained them (predictions/). This command loads
each model on the backend asked for (a process runs Keras on one backend, so it is fixed before
Keras is imported), predicts the study's own test set (its data settings, checked against the
fingerprint status.json records) and writes evaluation.csv:

    network,seed,model,backend,test_accuracy,recorded_test_accuracy,agreement

`model` is "final" or "best"; `recorded_test_accuracy` is what the study measured for that model
(final_test_accuracy or peak_test_accuracy); `agreement` is the share of test images whose
predicted class here equals the stored prediction (empty when none is stored).

Every model is loaded in safe mode only, and checked to be the network this study trains, before
any is evaluated: a file that is not a zip, a zip that is not a Keras model, a model needing
unsafe deserialization (a Lambda), or a model of another shape ends the command with exit 2 and
one line naming the file. Keras is imported lazily (inside functions), after the backend is set.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from study.data import data_fingerprint
from study.folder.csvio import StoreError
from study.folder.layout import MODEL_KINDS, model_path, own_file
from study.folder.reader import read_predictions
from study.state import open_study

EVALUATION_COLUMNS = ("network", "seed", "model", "backend", "test_accuracy",
                      "recorded_test_accuracy", "agreement")
EVALUATION_FILE = "evaluation.csv"


class EvaluateError(StoreError):
    """A study or model file that cannot be evaluated; one line saying which and why."""


@dataclass(frozen=True)
class StoredModel:
    """One .keras file of a study: which network, seed and kind it is, and where."""

    network: str
    seed: int
    kind: str
    path: Path


def check_out_file(out: Path) -> None:
    """EvaluateError before anything is loaded when `out` cannot be the CSV written."""
    if out.is_dir():
        raise EvaluateError(f"--out {out} is a folder; give a file name (e.g. {out}/"
                            f"{EVALUATION_FILE})")
    if not out.parent.is_dir():
        raise EvaluateError(f"--out {out}: the folder {out.parent} does not exist")


def stored_models(stored) -> list[StoredModel]:
    """Every model file the study holds, in the order of its networks, seeds and kinds."""
    found = []
    for network in stored.config.networks:
        for seed in stored.seeds:
            for kind in MODEL_KINDS:
                path = own_file(stored.folder, model_path(stored.folder, network, seed,
                                                          stored.seeds, kind))
                if path.is_file():
                    found.append(StoredModel(network, int(seed), kind, path))
    return found


def evaluate_study(folder, backend: str | None = None,
                   device: str = "cpu") -> tuple[list[dict], str]:
    """Rows of evaluation.csv for every stored model of the study in `folder`, and a line
    saying what was evaluated. Usage errors (EvaluateError, StoreError, BackendError,
    DataError) say in one line what is wrong, before any model is evaluated."""
    stored = open_study(folder)
    models = stored_models(stored)
    if not models:
        raise EvaluateError(f"{folder}: the study has no trained models (models/*.keras); "
                            "studies keep them since Kernel Lab saves .keras files")
    from keras_models.backend import resolve_device, select_backend
    from study.data import load_dataset

    backend = select_backend(backend)
    config = stored.config
    dataset = load_dataset(config.data_dir, config.dataset).limited(config.train_limit,
                                                                    config.test_limit)
    recorded = stored.status.get("data_fingerprint")
    if recorded and recorded != data_fingerprint(dataset):
        raise EvaluateError(f"{folder}: the study's data ({stored.status.get('dataset')}) are not "
                            f"what its settings find now ({dataset.describe()}); pass the same "
                            "data to evaluate it")
    device = resolve_device(device, backend)

    import keras

    from keras_models.saving import ModelFileError, load_model_file, predict_classes

    count, size = config.byhand_kernels().shape[:2]
    conv1_shape = (size, size, dataset.input_shape[2], count)
    with keras.device(device):
        loaded = []
        for model in models:
            try:
                loaded.append((model, load_model_file(
                    model.path, model.network, config.head, conv1_shape,
                    dataset.input_shape, dataset.num_classes)))
            except ModelFileError as exc:
                raise EvaluateError(str(exc)) from None
        summary = {(row.network, row.seed): row for row in stored.summary}
        # The report head's softmax runs over the batch: predict in the study's batches.
        batch_size = config.batch_size if config.head == "report" else 1000
        rows = []
        for model, keras_model in loaded:
            predicted = predict_classes(keras_model, dataset.x_test, batch_size)
            rows.append(_row(stored, model, backend, predicted, dataset.y_test,
                             summary.get((model.network, model.seed))))
    note = (f"Evaluated {len(rows)} model(s) of {stored.folder} on {backend} ({device}); test set: "
            f"{len(dataset.y_test):,} images ({dataset.describe()}); trained on "
            f"{stored.status.get('backend', 'an unknown backend')}")
    return rows, note


def _row(stored, model: StoredModel, backend: str, predicted, labels, summary_row) -> dict:
    import numpy as np

    reference = read_predictions(stored.folder, model.network, model.seed, stored.seeds,
                                 model.kind)
    agreement = ""
    if reference is not None and len(reference[0]) == len(predicted):
        agreement = float(np.mean(reference[0] == predicted))
    recorded = ""
    if summary_row is not None:
        recorded = (summary_row.final_test_accuracy if model.kind == "final"
                    else summary_row.peak_test_accuracy)
    return {"network": model.network, "seed": model.seed, "model": model.kind,
            "backend": backend, "test_accuracy": float(np.mean(predicted == labels)),
            "recorded_test_accuracy": recorded, "agreement": agreement}


def evaluation_table(rows: list[dict]) -> str:
    """The rows as aligned text, accuracies and agreement in %."""
    def pct(value, width):
        return f"{100 * value:>{width - 2}.2f} %" if value != "" else f"{'-':>{width}}"

    lines = [f"{'network':<10}{'seed':>5}  {'model':<6}{'backend':<11}{'test acc':>10}"
             f"{'recorded':>10}{'diff':>8}{'agreement':>11}"]
    for r in rows:
        diff = ("" if r["recorded_test_accuracy"] == ""
                else f"{100 * (r['test_accuracy'] - r['recorded_test_accuracy']):+.2f}")
        lines.append(f"{r['network']:<10}{r['seed']:>5}  {r['model']:<6}{r['backend']:<11}"
                     f"{pct(r['test_accuracy'], 10)}{pct(r['recorded_test_accuracy'], 10)}"
                     f"{diff:>8}{pct(r['agreement'], 11)}")
    return "\n".join(lines)
