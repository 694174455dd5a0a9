"""`study --tensorboard`: TensorBoard event files per network, written from the study's events.

STUDY_DIR/tensorboard/NET (a study of several seeds: NET/seed-S) gets, at every epoch, the
scalars train_loss, test_loss, test_accuracy, train_seconds and eval_seconds, and conv1's four
kernels as images (step 0: the initial kernels), so `tensorboard --logdir STUDY_DIR/tensorboard`
shows every network and seed as a run. Each run also carries the study's settings as HParams
(with its network, seed, study folder and name), so `tensorboard --logdir studies/` compares
studies in the HParams view by test accuracy and loss.

It only listens to the events the runner emits anyway (EpochEnded, KernelsUpdated), so training
is untouched. It writes with tensorboardX, a small pure-Python event-file writer: TensorFlow's
summary ops would cost about 3 s and 0.5 GB of import on the torch and JAX backends and would
want the GPU hidden from TensorFlow; tensorboardX needs neither TensorFlow nor the `tensorboard`
package (the viewer, installed with the set-up). Its absence is a one-line usage error before
the study starts.
"""

from __future__ import annotations

import importlib.util
import struct
import sys
import zlib
from pathlib import Path

import numpy as np

from study.config import ConfigError
from study.protocol.bank_names import settings_bank
from study.protocol.events import EpochEnded, KernelsUpdated, StudyFinished, StudyStarted
from study.protocol.jsonfile import load_json_limited

TENSORBOARD_DIR = "tensorboard"
SCALARS = ("train_loss", "test_loss", "test_accuracy", "train_seconds", "eval_seconds")
# The scalars TensorBoard's HParams view compares the runs by.
HPARAM_METRICS = ("test_accuracy", "test_loss", "train_loss")
# The study settings shown as HParams (config.json's keys), besides network, seed and study.
HPARAM_SETTINGS = ("epochs", "batch_size", "learning_rate", "shuffle", "head", "backend",
                   "device", "mode", "train_limit", "test_limit", "name")
# Each kernel cell is drawn as a square of this many pixels.
CELL_PIXELS = 12
# TensorFlow's DT_STRING, the dtype of an images-plugin tensor: [width, height, png, png, …].
DT_STRING = 7


def check_available() -> None:
    """ConfigError (exit 2, one line) when tensorboardX, which writes the event files, is
    missing."""
    if importlib.util.find_spec("tensorboardX") is None:
        raise ConfigError("--tensorboard needs tensorboardX to write the event files, and it is "
                          "not installed (pip install tensorboardX)")


def _tensorboardx():
    """tensorboardX, imported without loading torch when torch is not loaded already: its
    writer module tries `import torch` only to accept torch tensors, which this never passes,
    and that import costs seconds and hundreds of MB on the JAX and TensorFlow backends."""
    blocked = "torch" not in sys.modules
    if blocked:
        sys.modules["torch"] = None  # makes `import torch` raise ImportError, which it catches
    try:
        import tensorboardX
        import tensorboardX.summary
    finally:
        if blocked and sys.modules.get("torch", 0) is None:
            del sys.modules["torch"]
    return tensorboardX


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


def png_bytes(image: np.ndarray) -> bytes:
    """A grey uint8 image (H, W, 1) as PNG (no imaging library needed for 8-bit grey)."""
    height, width = image.shape[:2]
    rows = np.asarray(image, np.uint8).reshape(height, width)
    raw = b"".join(b"\x00" + row.tobytes() for row in rows)  # filter type 0 per row

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw))
            + chunk(b"IEND", b""))


def hparams_of(settings: dict, network: str, seed: int, study: str) -> dict:
    """A run's HParams: the study's settings (None as "all"), its network, seed and study."""
    values = {"network": network, "seed": int(seed), "study": study}
    for key in HPARAM_SETTINGS:
        value = settings.get(key)
        if key in settings:
            values[key] = "all" if value is None else value
    # conv1's bank as the study recorded it: its spec, "byhand" or "custom" (a list of kernels).
    values["kernels"] = settings_bank(settings)
    return values


def _settings(folder: Path) -> dict:
    """The study's config.json as a dict ({} when it cannot be read: HParams then omit it)."""
    try:
        settings = load_json_limited(folder / "config.json")
    except (OSError, ValueError, RecursionError):
        return {}
    return settings if isinstance(settings, dict) else {}


class TensorBoardWriter:
    """An event listener that writes each (network, seed)'s TensorBoard run; then `forward`."""

    def __init__(self, forward=lambda event: None):
        self.forward = forward
        self.folder: Path | None = None
        self.seeds: tuple[int, ...] = (0,)
        self.settings: dict = {}
        self.writers: dict = {}
        self._x = None

    def _writer(self, network: str, seed: int):
        key = (network, int(seed))
        if key not in self.writers:
            if self._x is None:
                self._x = _tensorboardx()
            path = run_folder(self.folder, network, seed, self.seeds)
            path.mkdir(parents=True, exist_ok=True)
            writer = self._x.FileWriter(str(path))
            values = hparams_of(self.settings, network, seed, self.folder.name)
            experiment, start, _end = self._x.summary.hparams(
                values, dict.fromkeys(HPARAM_METRICS, 0.0))
            writer.add_summary(experiment)
            writer.add_summary(start)
            self.writers[key] = writer
        return self.writers[key]

    def __call__(self, event) -> None:
        """Write what the event holds for TensorBoard, then pass it on."""
        if isinstance(event, StudyStarted):
            self.folder = Path(event.folder)
            self.seeds = tuple(event.seeds) or (0,)
            self.settings = _settings(self.folder)
        elif self.folder is not None and isinstance(event, EpochEnded):
            self.scalars(event)
        elif self.folder is not None and isinstance(event, KernelsUpdated):
            self.kernels(event)
        elif isinstance(event, StudyFinished):
            self.close()
        self.forward(event)

    def scalars(self, event: EpochEnded) -> None:
        """The epoch's losses, accuracy and times, at step = epoch."""
        writer = self._writer(event.network, event.seed)
        for name in SCALARS:
            writer.add_summary(self._x.summary.scalar(name, float(getattr(event, name))),
                               global_step=int(event.epoch))
        writer.flush()

    def kernels(self, event: KernelsUpdated) -> None:
        """conv1's kernels as images, at step = epoch (0: the initial kernels)."""
        writer = self._writer(event.network, event.seed)  # imports tensorboardX first
        from tensorboardX.proto.summary_pb2 import Summary, SummaryMetadata
        from tensorboardX.proto.tensor_pb2 import TensorProto
        from tensorboardX.proto.tensor_shape_pb2 import TensorShapeProto

        images = kernel_images(event.conv1)
        height, width = images.shape[1:3]
        values = [str(width).encode(), str(height).encode(), *map(png_bytes, images)]
        tensor = TensorProto(dtype=DT_STRING, string_val=values,
                             tensor_shape=TensorShapeProto(
                                 dim=[TensorShapeProto.Dim(size=len(values))]))
        metadata = SummaryMetadata(plugin_data=SummaryMetadata.PluginData(plugin_name="images"))
        summary = Summary(value=[Summary.Value(tag="conv1/kernels", tensor=tensor,
                                               metadata=metadata)])
        writer.add_summary(summary, global_step=int(event.epoch))
        writer.flush()

    def close(self) -> None:
        """End every run's HParams session, then flush and close every event file."""
        for writer in self.writers.values():
            writer.add_summary(self._x.summary.hparams({}, {})[2])
            writer.close()
        self.writers.clear()
