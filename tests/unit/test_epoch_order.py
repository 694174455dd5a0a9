"""The shuffled batch order of an epoch: every network sees the same one."""

import numpy as np
import pytest

from keras_models.training import epoch_order

pytestmark = pytest.mark.backend


def test_every_network_sees_the_same_batch_order():
    a = epoch_order(1000, seed=5, epoch=3)
    np.testing.assert_array_equal(a, epoch_order(1000, seed=5, epoch=3))
    assert sorted(a.tolist()) == list(range(1000))
    assert not np.array_equal(a, epoch_order(1000, seed=5, epoch=4))
