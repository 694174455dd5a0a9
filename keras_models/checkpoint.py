"""Training checkpoints: a model's weights, its optimizer's state and the epoch, in one .npz.

Keras 3's `model.save_weights` leaves the optimizer out, so the optimizer's variables are saved
beside the weights with its own `save_own_variables` (the store BackupAndRestore's .keras
archive uses too): Adam's iteration count and its moments, so that training resumed from a
checkpoint takes exactly the steps it would have taken without the interruption.
"""

from __future__ import annotations

import io

import numpy as np

from study.protocol.files import replace_atomically

WEIGHT_PREFIX = "weight/"
OPTIMIZER_PREFIX = "optimizer/"


def checkpoint_bytes(model, epoch: int) -> bytes:
    """The .npz bytes of `model`'s weights, its optimizer's variables and `epoch`."""
    arrays = {"epoch": np.asarray(int(epoch), np.int64)}
    for index, value in enumerate(model.get_weights()):
        arrays[f"{WEIGHT_PREFIX}{index}"] = np.asarray(value)
    store = {}
    model.optimizer.save_own_variables(store)
    for key, value in store.items():
        arrays[f"{OPTIMIZER_PREFIX}{key}"] = np.asarray(value)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def save_checkpoint(path, model, epoch: int) -> None:
    """Write the checkpoint of `model` after `epoch` to `path` atomically (temp file, rename)."""
    replace_atomically(path, checkpoint_bytes(model, epoch))


def restore_checkpoint(model, path) -> int:
    """Load the weights and optimizer state saved at `path` into a compiled `model`; return
    the epoch they were saved after."""
    with np.load(path, allow_pickle=False) as npz:
        weights = _numbered(npz, WEIGHT_PREFIX)
        optimizer = {key[len(OPTIMIZER_PREFIX):]: npz[key] for key in npz.files
                     if key.startswith(OPTIMIZER_PREFIX)}
        epoch = int(npz["epoch"])
    model.set_weights(weights)
    if not model.optimizer.built:
        model.optimizer.build(model.trainable_variables)
    variables = model.optimizer.variables
    if len(variables) != len(optimizer):
        # (load_own_variables would only warn and leave the fresh state in place.)
        raise ValueError(f"{path}: holds {len(optimizer)} optimizer variables, the model's "
                         f"optimizer has {len(variables)}")
    model.optimizer.load_own_variables(optimizer)
    return epoch


def _numbered(npz, prefix: str) -> list[np.ndarray]:
    keys = sorted((key for key in npz.files if key.startswith(prefix)),
                  key=lambda key: int(key[len(prefix):]))
    return [npz[key] for key in keys]
