"""Training: HF's conv1 stays bit-identical, HT's moves, stop ends within a batch, events flow."""

import threading

import numpy as np
import pytest

from keras_models import schemes
from keras_models.training import train_network
from study.data import load_dataset
from study.protocol import weights

pytestmark = pytest.mark.backend


@pytest.fixture(scope="module")
def data(synthetic_data_dir):
    from keras_models.backend import select_backend

    select_backend()
    return load_dataset(synthetic_data_dir)


def _fit(model, name, data, epochs=1, stop_event=None, emit=None):
    seen = []
    results = train_network(
        model, name, data, epochs=epochs, batch_size=64, learning_rate=3e-3, seed=0,
        shuffle=True, emit=emit or (lambda e: None), stop_event=stop_event or threading.Event(),
        on_epoch=seen.append)
    assert results == seen
    return results


def test_hf_conv1_is_bit_identical_after_training_while_ht_changes(data):
    hf = schemes.build_network("NetA1-HF", seed=0)
    ht = schemes.build_network("NetA1-HT", seed=0)
    before_hf = schemes.layer_weights(hf)
    before_ht = schemes.layer_weights(ht)
    _fit(hf, "NetA1-HF", data)
    _fit(ht, "NetA1-HT", data)
    after_hf, after_ht = schemes.layer_weights(hf), schemes.layer_weights(ht)
    np.testing.assert_array_equal(after_hf["conv1"][0], before_hf["conv1"][0])
    np.testing.assert_array_equal(after_hf["conv1"][1], before_hf["conv1"][1])
    assert not np.array_equal(after_hf["linear1"][0], before_hf["linear1"][0])
    assert weights.difference_norm(after_ht["conv1"], before_ht["conv1"]) > 1e-3
    rows = weights.frozen_rows({"NetA1-HF": before_hf, "NetA1-HT": before_ht},
                               {"NetA1-HF": after_hf, "NetA1-HT": after_ht})
    assert rows == [("NetA1-HF: |conv1 after training - conv1 initial|", 0.0)]


def test_a_few_epochs_learn_the_synthetic_classes(data):
    model = schemes.build_network("NetA2-DT", seed=0)
    results = _fit(model, "NetA2-DT", data, epochs=4)
    assert [r.epoch for r in results] == [1, 2, 3, 4]
    assert results[-1].train_loss < results[0].train_loss
    assert results[-1].test_accuracy > 0.5
    assert all(r.train_seconds > 0 and r.eval_seconds > 0 for r in results)


def test_stop_ends_training_within_one_batch(data):
    import keras

    from keras_models.training import EventCallback, compile_network

    model = schemes.build_network("NetA1-DT", seed=0)
    compile_network(model, 1e-3)
    stop = threading.Event()

    class AskToStopAtBatchThree(keras.callbacks.Callback):
        batches = 0

        def on_train_batch_end(self, batch, logs=None):
            self.batches += 1
            if self.batches == 3:
                stop.set()

    asker = AskToStopAtBatchThree()
    relay = EventCallback("NetA1-DT", 32, lambda e: None, stop)
    model.fit(data.x_train, data.y_train, batch_size=16, epochs=1, verbose=0,
              callbacks=[asker, relay])
    assert asker.batches == 3
    assert relay.stopped


def test_stop_between_epochs_keeps_the_completed_ones(data):
    model = schemes.build_network("NetA1-DT", seed=0)
    stop = threading.Event()
    progress = []
    results = train_network(
        model, "NetA1-DT", data, epochs=5, batch_size=64, learning_rate=1e-3, seed=0,
        shuffle=True, emit=progress.append, stop_event=stop,
        on_epoch=lambda result: stop.set())
    assert [r.epoch for r in results] == [1]
    assert progress and all(p.epoch == 1 for p in progress)
    assert progress[-1].batch == progress[-1].batches == 8


def test_a_stop_mid_epoch_leaves_the_weights_of_the_last_completed_epoch(data):
    model = schemes.build_network("NetA2-HT", seed=0)
    stop = threading.Event()
    after_epoch = []

    def emit(event):
        # The end of epoch 1 asks to stop, so epoch 2 is cut short after its first batch.
        if event.epoch == 1 and event.batch == event.batches:
            stop.set()

    results = train_network(
        model, "NetA2-HT", data, epochs=5, batch_size=64, learning_rate=3e-3, seed=0,
        shuffle=True, emit=emit, stop_event=stop,
        on_epoch=lambda result: after_epoch.append(schemes.layer_weights(model)))
    assert [r.epoch for r in results] == [1]
    final = schemes.layer_weights(model)
    for layer in ("conv1", "conv2", "linear1"):
        for got, want in zip(final[layer], after_epoch[0][layer], strict=True):
            np.testing.assert_array_equal(got, want)
