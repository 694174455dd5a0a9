"""`study --tensorboard`: event files per network and seed, with epoch scalars, conv1 images and
the study's settings as HParams, written without TensorFlow; without tensorboardX, one line and
exit 2 before anything is made."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.hidden_package import run_main_without

ROOT = Path(__file__).resolve().parents[2]


def _events(path: Path) -> list[tuple[int, str, str, object]]:
    """(step, tag, plugin, value) of every summary value in one event file (read with
    TensorFlow's reader: an independent check of the format)."""
    import tensorflow as tf
    from tensorflow.core.util import event_pb2

    found = []
    for record in tf.data.TFRecordDataset(str(path)):
        event = event_pb2.Event.FromString(record.numpy())
        for value in event.summary.value:
            kind = value.WhichOneof("value")
            content = (value.simple_value if kind == "simple_value" else
                       tf.make_ndarray(value.tensor) if kind == "tensor" else
                       value.metadata.plugin_data.content)
            plugin = value.metadata.plugin_data.plugin_name or (
                "scalars" if kind == "simple_value" else "")
            found.append((event.step, value.tag, plugin, content))
    return found


def test_a_study_writes_a_tensorboard_run_per_network_and_seed(tmp_path, synthetic_data_dir):
    from tensorboardX.proto.plugin_hparams_pb2 import HParamsPluginData

    env = dict(os.environ, KERAS_BACKEND="jax", TF_CPP_MIN_LOG_LEVEL="2")
    code = ("import sys, main; code = main.main(sys.argv[1:]); "
            "print('loaded:', ' '.join(m for m in ('tensorflow', 'torch') if m in sys.modules));"
            "sys.exit(code)")
    done = subprocess.run(
        [sys.executable, "-c", code, "study", "--tensorboard", "--epochs", "2", "--networks",
         "NetA2-HT", "--seeds", "2", "--train-limit", "128", "--test-limit", "64", "--data",
         str(synthetic_data_dir), "--out", str(tmp_path)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.splitlines()[-1].strip() == "loaded:"  # no TensorFlow, no torch
    (folder,) = tmp_path.iterdir()
    for seed in (0, 1):
        (events,) = (folder / "tensorboard" / "NetA2-HT" / f"seed-{seed}").iterdir()
        found = _events(events)
        scalars = {(step, tag): float(value) for step, tag, plugin, value in found
                   if plugin == "scalars"}
        assert {tag for _, tag in scalars} == {"train_loss", "test_loss", "test_accuracy",
                                               "train_seconds", "eval_seconds"}
        assert sorted({step for step, _ in scalars}) == [1, 2]
        images = [(step, value) for step, tag, plugin, value in found if plugin == "images"]
        assert [step for step, _ in images] == [0, 1, 2]
        assert list(images[0][1][:2]) == [b"60", b"60"] and len(images[0][1]) == 2 + 4
        hparams = [HParamsPluginData.FromString(content) for _s, tag, plugin, content in found
                   if plugin == "hparams"]
        starts = [h.session_start_info for h in hparams if h.HasField("session_start_info")]
        (start,) = starts
        assert start.hparams["network"].string_value == "NetA2-HT"
        assert start.hparams["seed"].number_value == seed
        assert start.hparams["epochs"].number_value == 2
        assert start.hparams["study"].string_value == folder.name
        assert start.hparams["train_limit"].number_value == 128
        assert start.hparams["kernels"].string_value == "byhand"  # the report's bank
        experiments = [h.experiment for h in hparams if h.HasField("experiment")]
        assert {m.name.tag for m in experiments[0].metric_infos} == {
            "test_accuracy", "test_loss", "train_loss"}
        assert any(h.HasField("session_end_info") for h in hparams)
    metrics = (folder / "metrics.csv").read_text().splitlines()
    assert len(metrics) == 1 + 2 * 2


def test_without_tensorboardx_it_is_one_line_and_exit_2(tmp_path):
    done = run_main_without("tensorboardX", ["study", "--tensorboard", "--out", tmp_path])
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "error: --tensorboard needs tensorboardX to write the event files, and it is not "
        "installed (pip install tensorboardX)"]
    assert not any(tmp_path.iterdir())
