"""Trained networks as Keras' own `.keras` files, and reading them back safely.

A study keeps, per (network, seed), the final epoch's model and the model of its peak test
accuracy (like `ModelCheckpoint(save_best_only=True)`): models/NET.keras and models/NET.best.keras
(NET.seed-S.… in a study of several seeds; the study names the paths,
study.folder.layout.model_path).

Each file holds a *standalone* network, built by keras_models.architectures exactly as the study
builds it, with the trained weights copied in: in all-at-once mode the branch's weights, never the
combined model. Every layer is a built-in Keras layer (the report head is ReLU and Softmax over
axis 0), the model is saved uncompiled (no optimizer state), and HF's conv1 is saved frozen, so
`keras.saving.load_model(path)` loads it in safe mode on every backend, in a process that never
imported Kernel Lab and registers no custom objects.

Files are written atomically (study.protocol.files.replace_atomically): the archive is made in
memory and renamed into place, so a reader sees the old file or the new one, never half of one.
"""

from __future__ import annotations

import contextlib
import io
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import keras
import numpy as np

from study.protocol.files import replace_atomically
from study.protocol.networks import INPUT_SHAPE, NUM_CLASSES, TRAINABLE_LAYERS, network_spec

MODEL_KINDS = ("final", "best")


class ModelFileError(ValueError):
    """A `.keras` file that is not the Kernel Lab network it should be; one line, naming it."""


def standalone_model(network: str, head: str, weights: dict | None = None,
                     conv1_shape: tuple | None = None, input_shape=INPUT_SHAPE,
                     num_classes: int = NUM_CLASSES) -> keras.Model:
    """A fresh model of `network` (conv1 frozen for HF) holding `weights`
    ({"conv1": [kernel, bias], …}; None: zeros); conv1 (k, k, C, N) is `conv1_shape`, else
    that of the weights, else the report's; `input_shape` and `num_classes` are the dataset's."""
    from keras_models.architectures import BUILDERS

    spec = network_spec(network)
    # conv1's kernel count and size follow the weights (the study's kernel bank).
    if conv1_shape is None:
        conv1_shape = (np.shape(weights["conv1"][0]) if weights and "conv1" in weights
                       else (5, 5, 1, 4))
    conv1 = conv1_shape
    model = BUILDERS[spec.architecture](head=head, name=network, initializer="zeros",
                                        kernel_count=int(conv1[3]), kernel_size=int(conv1[0]),
                                        input_shape=input_shape, num_classes=num_classes)
    # Freeze before assigning (see schemes.build_network: torch inside a device scope).
    model.get_layer("conv1").trainable = not spec.conv1_frozen
    if weights is not None:
        set_layer_weights(model, weights)
    return model


def set_layer_weights(model: keras.Model, weights: dict) -> None:
    """Copy {"conv1": [kernel, bias], …} into the model's layers of those names."""
    for layer_name, values in weights.items():
        model.get_layer(layer_name).set_weights([np.asarray(v) for v in values])


@contextlib.contextmanager
def _tensorflow_left_alone():
    """Keep Keras' (de)serialization from importing TensorFlow just to ask whether an object is
    a tf.TensorShape, tf.DType or tf.TypeSpec: on the torch and JAX backends that import cost
    3 s and 510 MB of memory at the first save (measured, 2-core CPU). While TensorFlow is not
    imported no object can be one of its types, so the answer "not available" is exact; once it
    is imported (the tensorflow backend) nothing changes."""
    try:
        from keras.src.utils.module_utils import tensorflow as lazy_tf
    except ImportError:  # pragma: no cover - another Keras layout: let it import
        yield
        return
    if "tensorflow" in sys.modules or getattr(lazy_tf, "_available", True) is not None:
        yield
        return
    lazy_tf._available = False
    try:
        yield
    finally:
        # Unknown again: Keras asks anew next time (TensorFlow may have been loaded since).
        lazy_tf._available = None


def model_bytes(model: keras.Model) -> bytes:
    """The `.keras` archive of `model`, made in memory."""
    _cache_attr_skipsets()
    with _tensorflow_left_alone():
        return _model_bytes(model)


def _cache_attr_skipsets() -> None:
    """Make Keras' saver reuse its attribute skip-sets instead of rebuilding them at every save.

    keras.src.saving.saving_lib.get_attr_skipset caches each set under the key
    "saving_attr_skipset_T" but looks it up under "saving_attr_skiplist_T" (Keras 3.15), so every
    save builds six throwaway layers to compute them again: about a third of a save's time
    (profiled: 34 of 98 ms under cProfile). Storing the same sets under the key it looks up
    gives identical files. Anything unexpected leaves Keras to its own way.
    """
    try:
        from keras.src.backend.common import global_state
        from keras.src.saving.saving_lib import get_attr_skipset
    except ImportError:  # pragma: no cover - another Keras layout
        return
    for kind in ("Operation", "Layer", "Functional"):
        key = f"saving_attr_skiplist_{kind}"
        try:
            if global_state.get_global_attribute(key, None) is None:
                global_state.set_global_attribute(key, get_attr_skipset(kind))
        except Exception:  # noqa: BLE001 - an optimisation only  # pragma: no cover
            return


def _model_bytes(model: keras.Model) -> bytes:
    buffer = io.BytesIO()
    try:
        from keras.src.saving import saving_lib
    except ImportError:  # pragma: no cover - a Keras without the module: go through a file
        saving_lib = None
    if saving_lib is not None and hasattr(saving_lib, "_save_model_to_fileobj"):
        saving_lib.save_model(model, buffer)
        return buffer.getvalue()
    import tempfile  # pragma: no cover

    with tempfile.TemporaryDirectory() as tmp:  # pragma: no cover
        path = Path(tmp) / "model.keras"
        model.save(path)
        return path.read_bytes()


def save_model_file(path, model: keras.Model) -> Path:
    """Write `model` to `path` (a `.keras` file) atomically: temp file beside it, rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return replace_atomically(path, model_bytes(model))


class ModelSaver:
    """Writes each (network, seed)'s final and peak-accuracy models as training goes.

    `path_of(network, seed, kind)` names the file of kind "final" or "best". `earlier` are the
    metrics rows a resumed study keeps: their peaks are the ones to beat. One standalone model
    per (network, seed) is built on first use and reused, so saving a new peak costs copying the
    weights in and writing the archive (`seconds` and `files` record it).
    """

    def __init__(self, head: str, path_of: Callable[[str, int, str], Path], earlier=(),
                 input_shape=INPUT_SHAPE, num_classes: int = NUM_CLASSES):
        self.head = head
        self.shapes = {"input_shape": tuple(input_shape), "num_classes": int(num_classes)}
        self.path_of = path_of
        self.models: dict[tuple[str, int], keras.Model] = {}
        self.peaks: dict[tuple[str, int], float] = {}
        self.best_weights: dict[tuple[str, int], dict] = {}
        self.seconds = 0.0
        self.files = 0
        for row in earlier:
            key = (row["network"], int(row["seed"]))
            self.peaks[key] = max(self.peaks.get(key, -1.0), float(row["test_accuracy"]))

    def _model(self, network: str, seed: int, weights: dict) -> keras.Model:
        key = (network, int(seed))
        model = self.models.get(key)
        if model is None:
            model = self.models[key] = standalone_model(network, self.head, weights,
                                                        **self.shapes)
        else:
            set_layer_weights(model, weights)
        return model

    def _save(self, network: str, seed: int, kind: str, weights: dict) -> keras.Model:
        t0 = time.perf_counter()
        model = self._model(network, seed, weights)
        save_model_file(self.path_of(network, seed, kind), model)
        self.seconds += time.perf_counter() - t0
        self.files += 1
        return model

    def epoch_ended(self, network: str, seed: int, test_accuracy: float, weights: dict) -> bool:
        """Record one completed epoch; save it as the best model when its test accuracy beats
        every earlier epoch's (the first epoch reaching the peak is kept, as summary.csv's
        peak_epoch). Returns whether it was saved."""
        key = (network, int(seed))
        if key in self.peaks and not float(test_accuracy) > self.peaks[key]:
            return False
        self.peaks[key] = float(test_accuracy)
        self.best_weights[key] = {name: [np.array(v) for v in values]
                                  for name, values in weights.items()}
        self._save(network, seed, "best", weights)
        return True

    def finished(self, network: str, seed: int, weights: dict, images=None,
                 batch_size: int = 1000) -> np.ndarray | None:
        """Save the final model; with `images`, return the best model's predicted classes for
        them (its reference for `evaluate`), from the weights kept in memory or, in a resumed
        study whose peak came before the resume, from its file."""
        self._save(network, seed, "final", weights)
        if images is None:
            return None
        key = (network, int(seed))
        if key in self.best_weights:
            model = self._model(network, seed, self.best_weights[key])
        elif Path(self.path_of(network, seed, "best")).is_file():
            model = load_model_file(self.path_of(network, seed, "best"), network, self.head,
                                    **self.shapes)
        else:
            return None  # resumed from a study made before models were kept
        return predict_classes(model, images, batch_size)


def predict_classes(model: keras.Model, images, batch_size: int = 1000) -> np.ndarray:
    """The class each image is given (argmax of the model's scores)."""
    with _quiet_retracing():
        scores = model.predict(images, batch_size=batch_size, verbose=0)
    return np.asarray(scores).argmax(axis=1)


@contextlib.contextmanager
def _quiet_retracing():
    """On TensorFlow each model's predict traces its own function, which TensorFlow's logger
    reports as "excessive retracing" after a few models: expected here, so not shown."""
    if keras.backend.backend() != "tensorflow":
        yield
        return
    import tensorflow as tf

    logger = tf.get_logger()
    level = logger.level
    logger.setLevel("ERROR")
    try:
        yield
    finally:
        logger.setLevel(level)


def _reason(exc: BaseException) -> str:
    """The first sentence of an exception's message, on one line (Keras' are long)."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    for stop in (". ", ": Received"):
        if stop in text[:300]:
            text = text[:text.index(stop)]
            break
    return text[:300]


def load_model_file(path, network: str, head: str, conv1_shape: tuple | None = None,
                    input_shape=INPUT_SHAPE, num_classes: int = NUM_CLASSES) -> keras.Model:
    """Load `path` in safe mode (never anything else) and check that it is `network` with
    `head` as this study builds it: the same name, layers, input, output and weight shapes.
    ModelFileError (one line naming the file) for anything that is not."""
    path = Path(path)
    if not zipfile.is_zipfile(path):
        raise ModelFileError(f"{path}: not a .keras file (not a zip archive)")
    try:
        with _tensorflow_left_alone():
            model = keras.saving.load_model(path, compile=False, safe_mode=True)
    except Exception as exc:  # noqa: BLE001 - whatever Keras raises, one line naming the file
        raise ModelFileError(f"{path}: cannot be loaded as a Keras model in safe mode "
                             f"({type(exc).__name__}: {_reason(exc)})") from None
    with _tensorflow_left_alone():
        problem = _difference(model, standalone_model(network, head, conv1_shape=conv1_shape,
                                                      input_shape=input_shape,
                                                      num_classes=num_classes))
    if problem:
        raise ModelFileError(f"{path}: not the {network} model this study trains ({problem})")
    return model


def _difference(model, reference: keras.Model) -> str:
    """What sets `model` apart from `reference` (empty when nothing does)."""
    if not isinstance(model, keras.Model):
        return f"it holds a {type(model).__name__}, not a model"
    if model.name != reference.name:
        return f"it holds model {model.name!r}"
    try:
        inputs = [tuple(t.shape) for t in model.inputs]
        outputs = [tuple(t.shape) for t in model.outputs]
    except Exception:  # noqa: BLE001 - a subclassed model has no symbolic inputs
        return "it is not a functional model"
    wanted_inputs = [tuple(t.shape) for t in reference.inputs]
    wanted_outputs = [tuple(t.shape) for t in reference.outputs]
    if inputs != wanted_inputs or outputs != wanted_outputs:
        return (f"input {inputs} and output {outputs}; expected {wanted_inputs} and "
                f"{wanted_outputs}")
    layers = [(layer.name, type(layer).__name__) for layer in model.layers]
    expected = [(layer.name, type(layer).__name__) for layer in reference.layers]
    if layers != expected:
        return f"layers {layers}, expected {expected}"
    for layer in reference.layers:
        if layer.name in TRAINABLE_LAYERS:
            shapes = [tuple(w.shape) for w in model.get_layer(layer.name).weights]
            wanted = [tuple(w.shape) for w in layer.weights]
            if shapes != wanted:
                return f"{layer.name} weights of shapes {shapes}, expected {wanted}"
    ours = {k: v for k, v in model.get_config().items() if k != "name"}
    theirs = {k: v for k, v in reference.get_config().items() if k != "name"}
    if _layer_configs(ours) != _layer_configs(theirs):
        return "its layers are configured differently"
    return ""


# Layer settings that do not change what a trained model computes.
_IGNORED = ("trainable", "kernel_initializer", "bias_initializer", "dtype", "seed")


def _layer_configs(config: dict) -> list:
    """(class, settings) of each layer in a functional model's config, minus _IGNORED."""
    out = []
    for layer in config.get("layers", []):
        settings = {k: v for k, v in (layer.get("config") or {}).items() if k not in _IGNORED}
        out.append((layer.get("class_name"), repr(sorted(settings.items()))))
    return out
