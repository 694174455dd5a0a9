"""Batch progress with several steps per call of the train function: Keras names the last step a
call could hold, so the epoch's last, shorter call must still report the epoch as complete."""

import threading

import pytest

pytestmark = pytest.mark.backend


@pytest.mark.parametrize("batches, reported", [(2, 15), (18, 31), (16, 15)])
def test_the_last_call_of_an_epoch_reports_every_batch_and_no_more(batches, reported):
    from keras_models.training import EventCallback

    seen = []
    callback = EventCallback("NetA1-HF", batches, seen.append, threading.Event(),
                             min_interval=3600.0)
    callback.begin_epoch(1)
    callback.on_train_batch_end(reported, {"loss": 0.5})
    (progress,) = seen
    assert (progress.batch, progress.batches, progress.epoch) == (batches, batches, 1)
    assert progress.seconds >= 0.0
