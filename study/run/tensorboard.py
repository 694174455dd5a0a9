"""`study --tensorboard`: TensorBoard event files per network, written from the study's events.

STUDY_DIR/tensorboard/NET (a study of several seeds: NET/seed-S) gets, at every epoch, the
scalars train_loss, test_loss, test_accuracy, train_seconds and eval_seconds, and conv1's four
kernels as images (step 0: the initial kernels), so `tensorboard --logdir STUDY_DIR/tensorboard`
shows every network and seed as a run.

It only listens to the events the runner emits anyway (EpochEnded, KernelsUpdated), so training
is untouched. It writes with TensorFlow's own summary ops (`tf.summary.write` with the scalars and
images plugins' metadata), which work without the `tensorboard` package (needed only to view
them); TensorFlow itself is required, and its absence is a one-line usage error before the study
starts. On the torch and JAX backends importing TensorFlow costs about 3 s and 0.5 GB once, and its
GPUs are hidden from it, so that it takes no GPU memory from the backend that trains.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import numpy as np

from study.config import ConfigError
from study.protocol.events import EpochEnded, KernelsUpdated, StudyStarted

TENSORBOARD_DIR = "tensorboard"
SCALARS = ("train_loss", "test_loss", "test_accuracy", "train_seconds", "eval_seconds")
# Each kernel cell is drawn as a square of this many pixels.
CELL_PIXELS = 12


def check_available() -> None:
    """ConfigError (exit 2, one line) when TensorFlow, which writes the event files, is missing."""
    if importlib.util.find_spec("tensorflow") is None:
        raise ConfigError("--tensorboard needs TensorFlow to write the event files, and it is "
                          "not installed (pip install tensorflow-cpu)")


def run_folder(study_folder, network: str, seed: int, seeds) -> Path:
    """tensorboard/NET, or tensorboard/NET/seed-S in a study of several seeds."""
    folder = Path(study_folder) / TENSORBOARD_DIR / network
    return folder if len(tuple(seeds)) <= 1 else folder / f"seed-{int(seed)}"


def kernel_images(conv1) -> np.ndarray:
    """conv1's kernels (5, 5, 1, K) as K grey uint8 images (5·CELL, 5·CELL, 1): 0 at mid grey,
    on one symmetric scale for all K, so kernels compare by brightness."""
    kernel = np.asarray(conv1, np.float32)
    kernels = np.moveaxis(kernel[:, :, 0, :], -1, 0)  # (K, 5, 5)
    scale = float(np.max(np.abs(kernels))) or 1.0
    grey = np.clip(np.rint(127.5 + 127.5 * kernels / scale), 0, 255).astype(np.uint8)
    big = np.kron(grey, np.ones((CELL_PIXELS, CELL_PIXELS), np.uint8))
    return big[..., None]


class TensorBoardWriter:
    """An event listener that writes each (network, seed)'s TensorBoard run; then `forward`."""

    def __init__(self, forward=lambda event: None):
        self.forward = forward
        self.folder: Path | None = None
        self.seeds: tuple[int, ...] = (0,)
        self.writers: dict = {}
        self._tf = None

    def _tensorflow(self):
        if self._tf is None:
            import tensorflow as tf

            if os.environ.get("KERAS_BACKEND") != "tensorflow":
                # Leave the GPU to the backend that trains (TensorFlow would take its memory).
                try:
                    tf.config.set_visible_devices([], "GPU")
                except RuntimeError:
                    pass
            self._tf = tf
        return self._tf

    def _writer(self, network: str, seed: int):
        key = (network, int(seed))
        if key not in self.writers:
            tf = self._tensorflow()
            path = run_folder(self.folder, network, seed, self.seeds)
            path.mkdir(parents=True, exist_ok=True)
            self.writers[key] = tf.summary.create_file_writer(str(path))
        return self.writers[key]

    def _metadata(self, plugin: str):
        from tensorflow.core.framework import summary_pb2

        metadata = summary_pb2.SummaryMetadata()
        metadata.plugin_data.plugin_name = plugin
        return metadata

    def __call__(self, event) -> None:
        """Write what the event holds for TensorBoard, then pass it on."""
        if isinstance(event, StudyStarted):
            self.folder = Path(event.folder)
            self.seeds = tuple(event.seeds) or (0,)
        elif self.folder is not None and isinstance(event, EpochEnded):
            self.scalars(event)
        elif self.folder is not None and isinstance(event, KernelsUpdated):
            self.kernels(event)
        self.forward(event)

    def scalars(self, event: EpochEnded) -> None:
        """The epoch's losses, accuracy and times, at step = epoch."""
        tf = self._tensorflow()
        writer = self._writer(event.network, event.seed)
        metadata = self._metadata("scalars")
        with writer.as_default():
            for name in SCALARS:
                tf.summary.write(name, tf.constant(float(getattr(event, name)), tf.float32),
                                 step=int(event.epoch), metadata=metadata)
        writer.flush()

    def kernels(self, event: KernelsUpdated) -> None:
        """conv1's kernels as images, at step = epoch (0: the initial kernels)."""
        tf = self._tensorflow()
        images = kernel_images(event.conv1)
        height, width = images.shape[1:3]
        encoded = [tf.io.encode_png(image) for image in images]
        tensor = tf.stack([tf.as_string(width), tf.as_string(height), *encoded])
        writer = self._writer(event.network, event.seed)
        with writer.as_default():
            tf.summary.write("conv1/kernels", tensor, step=int(event.epoch),
                             metadata=self._metadata("images"))
        writer.flush()

    def close(self) -> None:
        """Flush and close every event file."""
        for writer in self.writers.values():
            writer.close()
        self.writers.clear()
