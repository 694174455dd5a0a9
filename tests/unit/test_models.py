"""The six networks: layers, parameter counts, ByHand conv1, shared initial weights, heads."""

import numpy as np
import pytest

from keras_models import schemes
from study.protocol import byhand, weights
from study.protocol.networks import NETWORKS

pytestmark = pytest.mark.backend


@pytest.fixture(scope="module")
def nets():
    from keras_models.backend import select_backend

    select_backend()
    return {name: schemes.build_network(name, seed=3) for name in NETWORKS}


def _shapes(model):
    return [(layer.name, tuple(layer.output.shape[1:])) for layer in model.layers]


def test_layer_names_shapes_and_parameter_counts(nets):
    assert _shapes(nets["NetA1-HT"]) == [
        ("image", (28, 28, 1)), ("conv1", (12, 12, 4)), ("flatten", (576,)), ("linear1", (10,))]
    assert _shapes(nets["NetA2-DT"]) == [
        ("image", (28, 28, 1)), ("conv1", (12, 12, 4)), ("conv2", (5, 5, 12)),
        ("flatten", (300,)), ("linear1", (10,))]
    assert nets["NetA1-HF"].count_params() == 5874
    assert nets["NetA2-HF"].count_params() == 3558


def test_hf_freezes_conv1_kernel_and_bias_only(nets):
    hf, ht = nets["NetA2-HF"], nets["NetA2-HT"]
    assert [w.path for w in hf.non_trainable_weights] == ["conv1/kernel", "conv1/bias"]
    assert sum(int(np.prod(w.shape)) for w in hf.trainable_weights) == 3558 - 104
    assert hf.non_trainable_weights and not ht.non_trainable_weights


def test_byhand_networks_hold_the_reports_kernels_and_zero_bias(nets):
    for name in ("NetA1-HF", "NetA1-HT", "NetA2-HF", "NetA2-HT"):
        kernel, bias = nets[name].get_layer("conv1").get_weights()
        np.testing.assert_array_equal(byhand.from_conv_kernel(kernel), byhand.REPORT_KERNELS)
        assert not bias.any()


def test_init_identity_rows_are_all_zero_and_cover_the_spec(nets):
    initial = {name: schemes.layer_weights(model) for name, model in nets.items()}
    rows = weights.init_identity_rows(initial)
    labels = [label for label, _ in rows]
    assert "NetA1: |conv1 HF - conv1 HT|" in labels
    assert "NetA2: |conv2 HF - conv2 HT|" in labels
    assert "NetA2: |linear1 HF - linear1 DT|" in labels
    assert "A1 vs A2: |conv1 A1-DT - conv1 A2-DT|" in labels
    assert len(rows) == 11
    assert [norm for _, norm in rows] == [0.0] * 11


def test_dt_conv1_differs_from_ht_and_is_glorot_sized(nets):
    dt = nets["NetA1-DT"].get_layer("conv1").get_weights()[0]
    ht = nets["NetA1-HT"].get_layer("conv1").get_weights()[0]
    assert weights.difference_norm([dt], [ht]) > 1.0
    limit = np.sqrt(6.0 / (25 + 100))
    assert np.abs(dt).max() <= limit and np.abs(dt).max() > 0.8 * limit


def test_identity_report_is_computed_from_the_weights_not_assumed(nets):
    initial = {name: schemes.layer_weights(model) for name, model in nets.items()}
    initial["NetA2-HT"]["conv2"][0] = initial["NetA2-HT"]["conv2"][0] + 0.5
    rows = dict(weights.init_identity_rows(initial))
    assert rows["NetA2: |conv2 HF - conv2 HT|"] == pytest.approx(0.5 * np.sqrt(3 * 3 * 4 * 12))
    assert rows["NetA1: |conv1 HF - conv1 HT|"] == 0.0


def test_another_seed_gives_other_default_weights_but_the_same_byhand(nets):
    other = schemes.build_network("NetA1-DT", seed=4)
    same = schemes.build_network("NetA1-DT", seed=3)
    a = nets["NetA1-DT"].get_layer("linear1").get_weights()[0]
    assert not np.array_equal(other.get_layer("linear1").get_weights()[0], a)
    np.testing.assert_array_equal(same.get_layer("linear1").get_weights()[0], a)


def test_custom_byhand_kernels_go_into_conv1():
    kernels = byhand.REPORT_KERNELS.copy()
    kernels[0] = 1 - kernels[0]
    model = schemes.build_network("NetA2-HF", seed=0, kernels=kernels)
    got = byhand.from_conv_kernel(model.get_layer("conv1").get_weights()[0])
    np.testing.assert_array_equal(got, kernels)


def test_report_head_normalises_over_the_batch_and_saves_in_safe_mode(tmp_path):
    import keras

    model = schemes.build_network("NetA1-HT", seed=0, head="report")
    images = np.random.default_rng(0).random((7, 28, 28, 1)).astype(np.float32)
    out = np.asarray(model.predict(images, verbose=0))
    assert out.shape == (7, 10)
    # Softmax over the batch axis: each class column sums to one across the 7 images.
    np.testing.assert_allclose(out.sum(axis=0), np.ones(10), rtol=1e-5)
    path = tmp_path / "report_head.keras"
    model.save(path)
    loaded = keras.saving.load_model(path, safe_mode=True)
    np.testing.assert_allclose(np.asarray(loaded.predict(images, verbose=0)), out, rtol=1e-5)


def test_softmax_head_outputs_class_scores(nets):
    images = np.zeros((3, 28, 28, 1), np.float32)
    out = np.asarray(nets["NetA2-DT"].predict(images, verbose=0))
    assert out.shape == (3, 10)
    assert not np.allclose(out.sum(axis=1), 1.0)
