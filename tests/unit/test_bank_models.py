"""conv1 sizes itself from the bank; the later layers from conv1's output (Keras shapes only)."""

from __future__ import annotations

import numpy as np
import pytest

from study.protocol import banks

pytest.importorskip("keras")


def test_the_reports_kernels_keep_the_reports_parameter_counts():
    from keras_models.architectures import flatten_size
    from keras_models.schemes import build_network

    assert build_network("NetA1-HF", 0).count_params() == 5874
    assert build_network("NetA2-HT", 0).count_params() == 3558
    assert (flatten_size("NetA1"), flatten_size("NetA2")) == (576, 300)


@pytest.mark.parametrize("spec, counts", [
    # NetA1: N·k² + N + (N·s²)·10 + 10; NetA2: N·k² + N + 9·N·12 + 12 + 12·s2²·10 + 10.
    ("sobel", (4 * 9 + 4 + 4 * 13 * 13 * 10 + 10, 4 * 9 + 4 + 9 * 4 * 12 + 12 + 12 * 36 * 10 + 10)),
    ("dct:count=8,size=7", (8 * 49 + 8 + 8 * 11 * 11 * 10 + 10,
                            8 * 49 + 8 + 9 * 8 * 12 + 12 + 12 * 25 * 10 + 10)),
])
def test_layers_follow_the_kernel_count_and_size(spec, counts):
    from keras_models.architectures import flatten_size
    from keras_models.schemes import build_network

    kernels = banks.resolve(spec)[1]
    n, k = kernels.shape[:2]
    for name, expected in zip(("NetA1-HF", "NetA2-DT"), counts, strict=True):
        model = build_network(name, 0, kernels=kernels)
        assert model.count_params() == expected, name
        assert model.get_layer("flatten").output.shape[-1] == flatten_size(name[:5], n, k)
        assert model.get_layer("conv1").kernel.shape == (k, k, 1, n)
    hf = build_network("NetA1-HF", 0, kernels=kernels)
    assert np.array_equal(hf.get_layer("conv1").get_weights()[0], banks.conv_kernel(kernels))


def test_a_kernel_too_large_for_the_input_names_the_sizes_that_fit():
    from keras_models.architectures import build_net_a1, build_net_a2

    with pytest.raises(ValueError, match="odd sizes from 1 to 23"):
        build_net_a2(kernel_size=25)
    with pytest.raises(ValueError, match="odd sizes from 1 to 27"):
        build_net_a1(kernel_size=6)
    assert build_net_a1(kernel_size=27).get_layer("flatten").output.shape[-1] == 4
