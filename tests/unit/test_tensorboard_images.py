"""The conv1 images `study --tensorboard` writes: one symmetric colour scale for all kernels."""

from __future__ import annotations

import numpy as np

from study.run.tensorboard import CELL_PIXELS, kernel_images, png_bytes


def test_kernel_images_share_one_symmetric_scale():
    conv1 = np.zeros((5, 5, 1, 4), np.float32)
    conv1[0, 0, 0, 0], conv1[1, 1, 0, 1] = 2.0, -1.0
    images = kernel_images(conv1)
    assert images.shape == (4, 5 * CELL_PIXELS, 5 * CELL_PIXELS, 1)
    assert images.dtype == np.uint8
    assert images[0, 0, 0, 0] == 255 and images[2, 0, 0, 0] == 128  # 0 is mid grey
    assert images[1, CELL_PIXELS, CELL_PIXELS, 0] == 64


def test_the_png_decodes_to_the_same_pixels():
    import tensorflow as tf

    image = np.arange(7 * 5, dtype=np.uint8).reshape(7, 5, 1) * 7
    decoded = tf.io.decode_png(png_bytes(image)).numpy()
    assert decoded.shape == (7, 5, 1) and np.array_equal(decoded, image)
