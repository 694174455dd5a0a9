"""A frozen conv1 from a non-default bank stays bit-identical, and the init identity holds."""

from __future__ import annotations

import numpy as np
import pytest

from study.protocol import banks
from study.protocol.weights import frozen_rows, init_identity_rows

pytestmark = pytest.mark.backend


def test_a_sobel_conv1_stays_bit_identical_and_the_identity_report_holds():
    pytest.importorskip("keras")
    from keras_models.schemes import build_network, layer_weights
    from keras_models.training import compile_network

    kernels = banks.conv1_start(banks.resolve("gabor:orientations=3,size=7")[1],
                                np.array([0.1, -0.2, 0.3], np.float32))
    rng = np.random.default_rng(0)
    images = rng.random((64, 28, 28, 1), dtype=np.float32)
    labels = rng.integers(0, 10, size=64)
    networks = ("NetA1-HF", "NetA1-HT", "NetA1-DT", "NetA2-HF", "NetA2-HT", "NetA2-DT")
    models = {n: build_network(n, 0, kernels=kernels) for n in networks}
    initial = {n: layer_weights(m) for n, m in models.items()}
    assert all(norm == 0.0 for _, norm in init_identity_rows(initial))
    final = {}
    for name, model in models.items():
        compile_network(model, 1e-2)
        model.fit(images, labels, batch_size=16, epochs=1, verbose=0)
        final[name] = layer_weights(model)
    rows = frozen_rows(initial, final)
    assert len(rows) == 2 and all(norm == 0.0 for _, norm in rows)
    for name in ("NetA1-HF", "NetA2-HF"):
        assert np.array_equal(final[name]["conv1"][0], banks.conv_kernel(kernels.kernels))
        assert np.array_equal(final[name]["conv1"][1], kernels.bias)
    assert not np.array_equal(final["NetA1-HT"]["conv1"][0], initial["NetA1-HT"]["conv1"][0])
