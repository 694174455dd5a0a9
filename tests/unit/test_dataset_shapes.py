"""The networks take the dataset's image shape and class count (Keras shapes only): computed
layer sizes and parameter counts, the report's unchanged; images too small refused with the
smallest size that works; the channel rule for conv1's bank."""

from __future__ import annotations

import numpy as np
import pytest

from study.config import StudyConfig
from study.protocol import banks, byhand

pytest.importorskip("keras")


def _conv_valid_stride2(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Cross-correlation of an (H, W, C) image with a (k, k, C, N) kernel, valid, stride 2."""
    k = kernel.shape[0]
    side = (image.shape[0] - k) // 2 + 1
    out = np.zeros((side, side, kernel.shape[3]))
    for i in range(side):
        for j in range(side):
            patch = image[2 * i:2 * i + k, 2 * j:2 * j + k, :]
            out[i, j] = np.tensordot(patch, kernel, axes=([0, 1, 2], [0, 1, 2]))
    return out


def test_the_reports_sizes_and_counts_are_computed_as_before():
    from keras_models.architectures import flatten_size, parameter_count
    from keras_models.schemes import build_network

    assert (flatten_size("NetA1"), flatten_size("NetA2")) == (576, 300)
    assert (parameter_count("NetA1"), parameter_count("NetA2")) == (5874, 3558)
    shapes = {"input_shape": (28, 28, 1), "num_classes": 10}
    assert build_network("NetA1-HF", 0, **shapes).count_params() == 5874
    assert build_network("NetA2-DT", 0, **shapes).count_params() == 3558


@pytest.mark.parametrize("shape, classes", [((32, 32, 3), 10), ((20, 24, 1), 4),
                                            ((9, 9, 1), 2)])
def test_sizes_follow_the_image_shape_and_class_count(shape, classes):
    from keras_models.architectures import flatten_size, parameter_count
    from keras_models.schemes import build_network

    for name in ("NetA1-HT", "NetA2-HF"):
        architecture = name[:5]
        model = build_network(name, 0, input_shape=shape, num_classes=classes)
        assert model.count_params() == parameter_count(architecture, 4, 5, shape, classes)
        assert model.get_layer("flatten").output.shape[-1] == flatten_size(architecture, 4, 5,
                                                                           shape)
        assert model.get_layer("conv1").kernel.shape == (5, 5, shape[2], 4)
        assert model.output.shape[-1] == classes
    # 32×32×3: conv1 14×14×4 (784), conv2 6×6×12 (432).
    assert flatten_size("NetA1", 4, 5, (32, 32, 3)) == 784
    assert flatten_size("NetA2", 4, 5, (32, 32, 3)) == 432
    assert parameter_count("NetA1", 4, 5, (32, 32, 3), 10) == 5 * 5 * 3 * 4 + 4 + 7850


def test_images_too_small_for_the_strides_name_the_smallest_size_that_works():
    from keras_models.architectures import build_net_a2
    from study.run.runner import check_input

    assert banks.smallest_input_side(("NetA1", "NetA2"), 5) == 9
    assert banks.smallest_input_side(("NetA1",), 5) == 5
    assert banks.input_problems((9, 9, 1)) == []
    (problem,) = banks.input_problems((8, 8, 1))
    assert problem == ("images of 8×8 are too small for NetA2 with 5×5 conv1 kernels and the "
                       "strides: the smallest size that works is 9×9")
    with pytest.raises(Exception, match="the smallest size that works is 9×9"):
        check_input(StudyConfig(), (8, 8, 1))
    check_input(StudyConfig(networks=("NetA1-HF",)), (8, 8, 1))
    with pytest.raises(ValueError, match="smallest size that works is 9×9"):
        build_net_a2(kernel_size=5, input_shape=(8, 8, 1))


def test_the_bank_is_replicated_over_the_channels_divided_by_their_count():
    from keras_models.schemes import build_network

    kernels = byhand.REPORT_KERNELS
    rgb = build_network("NetA1-HF", 3, input_shape=(16, 16, 3))
    kernel = rgb.get_layer("conv1").get_weights()[0]
    assert kernel.shape == (5, 5, 3, 4)
    assert np.array_equal(kernel, banks.conv_kernel(kernels, 3))
    assert np.allclose(kernel * 3, banks.conv_kernel(kernels)[:, :, [0, 0, 0], :])
    # A grey image replicated to three channels gives the grey image's response.
    grey = np.random.default_rng(0).random((16, 16, 1))
    colour = np.repeat(grey, 3, axis=2)
    assert np.allclose(_conv_valid_stride2(colour, kernel),
                       _conv_valid_stride2(grey, banks.conv_kernel(kernels)), atol=1e-5)
    # HF and HT share it, and every bank follows the rule (here a Sobel bank).
    ht = build_network("NetA1-HT", 3, input_shape=(16, 16, 3))
    assert np.array_equal(ht.get_layer("conv1").get_weights()[0], kernel)
    sobel = banks.resolve("sobel")[1]
    hf = build_network("NetA2-HF", 0, kernels=sobel, input_shape=(16, 16, 3))
    assert np.array_equal(hf.get_layer("conv1").get_weights()[0], banks.conv_kernel(sobel, 3))
    assert not hf.get_layer("conv1").trainable


def test_a_colour_conv1_is_shown_as_the_grey_kernels_it_amounts_to():
    from study.analysis.kernels import conv1_kernels

    assert np.allclose(conv1_kernels(banks.conv_kernel(byhand.REPORT_KERNELS, 3)),
                       byhand.REPORT_KERNELS)
