"""Trained networks as .keras files (keras_models/saving.py) and `main.py evaluate` on them.

Each study keeps models/NET[.seed-S].keras (final epoch) and NET[.seed-S].best.keras (peak test
accuracy); they load with a plain keras.saving.load_model in a process that never imported
Kernel Lab; `evaluate` reproduces the study's accuracies and predictions and refuses a bad or
foreign file with exit 2 and one line naming it. (The cross-backend check is
tests/unit/test_cross_backend.py.)
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

import main
from study.folder.layout import model_path
from study.folder.reader import read_weights
from study.state import open_study

pytestmark = pytest.mark.backend

ROOT = Path(__file__).resolve().parents[2]
NETWORKS = ("NetA1-HF", "NetA2-DT")


def _study(root: Path, data_dir, *extra) -> Path:
    argv = ["study", "--data", str(data_dir), "--out", str(root), "--networks",
            ",".join(NETWORKS), "--batch-size", "64", "--lr", "1e-3", *extra]
    assert main.main(argv) == 0
    (folder,) = sorted(root.iterdir())
    return folder


@pytest.fixture(scope="module")
def sequential_study(tmp_path_factory, synthetic_data_dir):
    return _study(tmp_path_factory.mktemp("sequential"), synthetic_data_dir, "--epochs", "3")


@pytest.fixture(scope="module")
def seeded_study(tmp_path_factory, synthetic_data_dir):
    return _study(tmp_path_factory.mktemp("seeded"), synthetic_data_dir, "--epochs", "2",
                  "--mode", "all-at-once", "--seeds", "2", "--timing-rounds", "0")


def _kernel_weights(path):
    import keras

    model = keras.saving.load_model(path)
    return {f"{layer}/{part}": np.asarray(w) for layer in ("conv1", "conv2", "linear1")
            if any(x.name == layer for x in model.layers)
            for part, w in zip(("kernel", "bias"), model.get_layer(layer).get_weights(),
                               strict=True)}


def _evaluate(folder, capsys, *extra):
    code = main.main(["evaluate", str(folder), *extra])
    out, err = capsys.readouterr()
    return code, out, err


def _rows(path):
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_every_network_keeps_its_final_and_best_model(sequential_study):
    stored = open_study(sequential_study)
    names = sorted(p.name for p in (sequential_study / "models").iterdir())
    assert names == sorted([f"{n}.keras" for n in NETWORKS] + [f"{n}.best.keras" for n in NETWORKS])
    for network in NETWORKS:
        final = _kernel_weights(model_path(sequential_study, network, 0, (0,), "final"))
        stored_final = read_weights(sequential_study, network, "final", 0, (0,))
        assert final.keys() == stored_final.keys()
        for key, value in final.items():
            np.testing.assert_array_equal(value, stored_final[key])
    assert {row.network for row in stored.summary} == set(NETWORKS)


def test_a_multi_seed_all_at_once_study_names_a_file_per_seed(seeded_study):
    names = sorted(p.name for p in (seeded_study / "models").iterdir())
    assert names == sorted(f"{n}.seed-{s}{kind}.keras" for n in NETWORKS for s in (0, 1)
                           for kind in ("", ".best"))
    for network in NETWORKS:
        for seed in (0, 1):
            # The branch's weights, copied into a standalone network.
            final = _kernel_weights(model_path(seeded_study, network, seed, (0, 1)))
            stored = read_weights(seeded_study, network, "final", seed, (0, 1))
            for key, value in final.items():
                np.testing.assert_array_equal(value, stored[key])


def test_evaluate_reproduces_the_recorded_accuracies_and_predictions(sequential_study, capsys,
                                                                     backend_name):
    code, out, err = _evaluate(sequential_study, capsys)
    assert code == 0, err
    rows = _rows(sequential_study / "evaluation.csv")
    assert list(rows[0]) == ["network", "seed", "model", "backend", "test_accuracy",
                             "recorded_test_accuracy", "agreement"]
    assert [(r["network"], r["model"]) for r in rows] == [
        (n, kind) for n in NETWORKS for kind in ("final", "best")]
    tests = 256
    for row in rows:
        assert row["backend"] == backend_name
        assert abs(float(row["test_accuracy"]) - float(row["recorded_test_accuracy"])) \
            <= 1 / tests + 1e-9
        assert float(row["agreement"]) >= 1 - 1 / tests
    summary = {r.network: r for r in open_study(sequential_study).summary}
    best = {r["network"]: float(r["recorded_test_accuracy"]) for r in rows if r["model"] == "best"}
    assert best == {n: summary[n].peak_test_accuracy for n in NETWORKS}
    assert "agreement" in out and "Wrote" in out


def test_evaluate_writes_out_file(seeded_study, capsys, tmp_path):
    out = tmp_path / "eval.csv"
    code, _, err = _evaluate(seeded_study, capsys, "--out", str(out))
    assert code == 0, err
    rows = _rows(out)
    assert len(rows) == 2 * 2 * 2
    assert {r["seed"] for r in rows} == {"0", "1"}


def test_report_head_loads_with_a_plain_load_model_in_a_fresh_process(tmp_path, backend_name):
    """The report head is built-in layers only: no custom objects, no Kernel Lab import."""
    from keras_models.saving import save_model_file, standalone_model
    from keras_models.schemes import build_network, layer_weights

    path = tmp_path / "NetA2-HT.keras"
    save_model_file(path, standalone_model("NetA2-HT", "report",
                                           layer_weights(build_network("NetA2-HT", 3, "report"))))
    assert [p.name for p in tmp_path.iterdir()] == ["NetA2-HT.keras"]  # no temp file left
    code = (
        "import sys, keras, numpy as np\n"
        "m = keras.saving.load_model(sys.argv[1])\n"
        "x = np.random.default_rng(0).random((8, 28, 28, 1)).astype('float32')\n"
        "p = np.asarray(m.predict(x, verbose=0))\n"
        "assert p.shape == (8, 10) and np.allclose(p.sum(axis=0), 1, atol=1e-5)\n"
        "assert not [k for k in sys.modules if k.split('.')[0] in ('keras_models', 'study')]\n"
        "print(m.name, [l.name for l in m.layers][-2:])\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(KERAS_BACKEND=backend_name, TF_CPP_MIN_LOG_LEVEL="2")
    done = subprocess.run([sys.executable, "-c", code, str(path)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "NetA2-HT ['head_relu', 'head_batch_softmax']" in done.stdout


# --- bad or foreign files: exit 2, one line naming the file -------------------------------------

def _not_a_zip(path):
    path.write_text("this is not a Keras file\n")
    return "not a zip"


def _zip_with_a_wrong_config(path):
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("config.json", '{"class_name": "Nothing", "config": {}}')
        zf.writestr("metadata.json", '{"keras_version": "3.0.0"}')
    return "cannot be loaded"


def _truncated(path):
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return "not a zip"


def _another_network(path):
    shutil.copyfile(path.parent / "NetA1-HF.keras", path)
    return "not the NetA2-DT model"


def _wrong_shape(path):
    import keras

    inputs = keras.Input((28, 28, 1), name="image")
    x = keras.layers.Flatten(name="flatten")(inputs)
    model = keras.Model(inputs, keras.layers.Dense(5, name="linear1")(x), name="NetA2-DT")
    model.save(path)
    return "not the NetA2-DT model"


def _needs_unsafe_deserialization(path):
    import keras

    inputs = keras.Input((28, 28, 1), name="image")
    x = keras.layers.Lambda(lambda t: t * 2.0, name="double")(inputs)
    x = keras.layers.Flatten(name="flatten")(x)
    model = keras.Model(inputs, keras.layers.Dense(10, name="linear1")(x), name="NetA2-DT")
    model.save(path)
    return "safe mode"


def _a_link_out_of_the_study(path):
    outside = path.parent.parent.parent / "elsewhere.keras"
    shutil.copyfile(path, outside)
    path.unlink()
    path.symlink_to(outside)
    return "outside the study folder"


BAD_FILES = [_not_a_zip, _zip_with_a_wrong_config, _truncated, _another_network, _wrong_shape,
             _needs_unsafe_deserialization, _a_link_out_of_the_study]


@pytest.mark.parametrize("damage", BAD_FILES, ids=[f.__name__.strip("_") for f in BAD_FILES])
def test_a_bad_or_foreign_model_file_is_refused_in_one_line(damage, sequential_study, tmp_path,
                                                           capsys):
    folder = tmp_path / "studies" / "copy"
    shutil.copytree(sequential_study, folder)
    (folder / "evaluation.csv").unlink(missing_ok=True)
    target = folder / "models" / "NetA2-DT.keras"
    expected = damage(target)
    code, out, err = _evaluate(folder, capsys)
    assert code == 2
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ") and str(target) in lines[0] and expected in lines[0]
    assert "Traceback" not in err
    assert not (folder / "evaluation.csv").exists()


def test_a_study_without_models_and_a_bad_out_are_refused(sequential_study, tmp_path, capsys):
    folder = tmp_path / "copy"
    shutil.copytree(sequential_study, folder)
    shutil.rmtree(folder / "models")
    code, _, err = _evaluate(folder, capsys)
    assert code == 2 and "no trained models" in err and len(err.strip().splitlines()) == 1
    code, _, err = _evaluate(sequential_study, capsys, "--out", str(tmp_path))
    assert code == 2 and "is a folder" in err


@pytest.mark.parametrize("mode", ["sequential", "all-at-once"])
def test_a_resumed_study_keeps_the_models_an_uninterrupted_one_keeps(mode, synthetic_data_dir,
                                                                    tmp_path):
    """The peaks of the epochs before the stop are the ones to beat after the resume, and a
    network finished before the stop gets its best model's predictions from its file."""
    import threading

    from study.config import StudyConfig
    from study.protocol.events import EpochEnded
    from study.run.runner import resume_study, run_study

    config = StudyConfig(networks=NETWORKS, epochs=3, batch_size=64, learning_rate=3e-3,
                         backend=os.environ.get("KERAS_BACKEND", "torch"),
                         data_dir=str(synthetic_data_dir), train_limit=256, test_limit=128,
                         mode=mode).validated()
    whole = run_study(config, out_root=tmp_path / "whole")
    stop = threading.Event()

    def emit(event):
        if isinstance(event, EpochEnded) and (event.network, event.epoch) == (NETWORKS[-1], 2):
            stop.set()

    folder = run_study(config, emit=emit, stop_event=stop, out_root=tmp_path / "stopped")
    assert open_study(folder).status["state"] == "stopped"
    assert resume_study(folder) == folder
    for network in NETWORKS:
        for kind in ("final", "best"):
            ours = _kernel_weights(model_path(folder, network, 0, (0,), kind))
            theirs = _kernel_weights(model_path(whole, network, 0, (0,), kind))
            for key, value in ours.items():
                np.testing.assert_array_equal(value, theirs[key], err_msg=f"{network} {kind}")
        for name in (f"{network}.npz", f"{network}.best.npz"):
            with np.load(folder / "predictions" / name) as a, \
                    np.load(whole / "predictions" / name) as b:
                np.testing.assert_array_equal(a["predicted"], b["predicted"])
    assert not list((folder / "models").glob(".*.tmp"))


def test_saving_and_loading_on_torch_or_jax_never_imports_tensorflow(tmp_path, backend_name):
    """Keras' serializer would import TensorFlow (3 s, 0.5 GB) only to ask about its types."""
    if backend_name == "tensorflow":
        pytest.skip("on the tensorflow backend TensorFlow is loaded anyway")
    code = (
        "import sys\n"
        "from keras_models.saving import load_model_file, save_model_file, standalone_model\n"
        "save_model_file(sys.argv[1], standalone_model('NetA1-DT', 'softmax'))\n"
        "load_model_file(sys.argv[1], 'NetA1-DT', 'softmax')\n"
        "assert 'tensorflow' not in sys.modules\n"
    )
    env = dict(os.environ, KERAS_BACKEND=backend_name)
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path / "m.keras")], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
