"""Kernel banks (docs/study.md#kernel-banks): shapes, known values, seeds, files, learned:."""

from __future__ import annotations

import json

import numpy as np
import pytest
import scipy.ndimage

from study.config import ConfigError, StudyConfig, load_config
from study.kernel_bank import learned_kernels, resolve_bank, with_bank
from study.protocol import banks, byhand
from study.protocol.byhand import KernelError
from study.protocol.jsonfile import JsonLimitError, load_json_limited, nesting_depth
from tests.kernel_study import write_kernel_study


def _raw(spec):
    return banks.resolve(spec)[1]


def test_byhand_is_the_default_and_the_reports_kernels():
    text, kernels = banks.resolve(None)
    assert text == "byhand:norm=none"
    assert np.array_equal(kernels, byhand.REPORT_KERNELS)


def test_sobel_has_x_y_and_the_two_diagonals():
    kernels = _raw("sobel:norm=none")
    assert kernels.shape == (4, 3, 3)
    x = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])
    assert np.array_equal(kernels[0], x) and np.array_equal(kernels[1], x.T)
    assert np.array_equal(kernels[2], [[0, 1, 2], [-1, 0, 1], [-2, -1, 0]])
    assert np.array_equal(kernels[3], kernels[2][:, ::-1])
    # scipy's Sobel (a convolution) has the flipped impulse response of our correlation kernel.
    impulse = np.zeros((3, 3))
    impulse[1, 1] = 1
    assert np.array_equal(scipy.ndimage.sobel(impulse, axis=1)[::-1, ::-1], x)


def test_derivative_banks_are_zero_mean_and_unit_norm_by_default():
    for name in ("sobel", "scharr", "prewitt", "laplacian"):
        kernels = _raw(name).astype(np.float64)
        assert np.allclose(kernels.sum(axis=(1, 2)), 0, atol=1e-6), name
        assert np.allclose(np.sqrt((kernels ** 2).sum(axis=(1, 2))), 1, atol=1e-6), name
    assert _raw("laplacian:norm=none")[0].tolist() == [[0, 1, 0], [1, -4, 1], [0, 1, 0]]
    padded = _raw("sobel:size=5,norm=none")
    assert padded.shape == (4, 5, 5) and np.array_equal(padded[:, 1:4, 1:4],
                                                        _raw("sobel:norm=none"))


def test_dct_basis_is_orthonormal_and_starts_at_the_constant():
    kernels = _raw("dct:count=25,size=5").reshape(25, 25).astype(np.float64)
    assert np.allclose(kernels @ kernels.T, np.eye(25), atol=1e-6)
    assert np.allclose(kernels[0], kernels[0][0])
    assert _raw("dct").shape == (4, 5, 5)


def test_gabor_orientations_turn_the_wave():
    kernels = _raw("gabor:orientations=2,size=7")
    assert kernels.shape == (2, 7, 7)
    assert np.allclose(kernels[1], kernels[0].T, atol=1e-6)
    # θ = 0 answers a wave across the columns (stripes down the rows), θ = 90° does not.
    stripes = np.tile(np.cos(2 * np.pi * np.arange(7) / 4), (7, 1))
    assert abs((kernels[0] * stripes).sum()) > 5 * abs((kernels[1] * stripes).sum())
    assert _raw("gabor:orientations=4,wavelengths=3/6").shape == (8, 5, 5)


def test_seeded_banks_are_reproducible_and_name_their_seed():
    text, a = banks.resolve("random-binary", seed=7)
    assert text == "random-binary:count=4,size=5,seed=7,norm=none"
    assert np.array_equal(a, banks.resolve("random-binary", seed=7)[1])
    assert np.array_equal(a, banks.resolve(text, seed=99)[1])
    assert not np.array_equal(a, banks.resolve("random-binary", seed=8)[1])
    assert set(np.unique(a)) <= {0.0, 1.0} and all(k.any() for k in a)
    normal = banks.resolve("random-normal:count=6,size=3", seed=1)[1]
    assert normal.shape == (6, 3, 3)
    assert np.array_equal(normal, banks.resolve("random-normal:count=6,size=3", seed=1)[1])


@pytest.mark.parametrize("spec, message", [
    ("gabor:size=4", "kernel bank gabor: size must be odd (a kernel has a centre), got 4"),
    ("sobel:x", "kernel bank sobel takes KEY=VALUE parameters (size, norm), got 'x'"),
    ("wavelets", "unknown kernel bank 'wavelets'"),
    ("dct:size=25", "kernel bank dct: size must be from 1 to 23, got 25"),
    ("gabor:norm=max", "norm must be one of l2, none"),
    ("learned:", "kernel bank learned needs a study"),
])
def test_a_bad_spec_is_one_line(spec, message):
    with pytest.raises(KernelError) as caught:
        banks.resolve(spec)
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_a_kernel_file_takes_any_count_of_odd_real_kernels(tmp_path):
    path = tmp_path / "k.json"
    values = np.linspace(-1, 1, 6 * 9).reshape(6, 3, 3)
    byhand.save_kernels(path, values, any_bank=True)
    text, kernels = banks.resolve(str(path))
    assert text == str(path) and np.array_equal(kernels, values.astype(np.float32))
    path.write_text(json.dumps([[[1] * 4] * 4]))
    with pytest.raises(KernelError, match="kernel size 4 does not fit: odd sizes from 1 to 23"):
        banks.resolve(str(path))


def test_a_deeply_nested_or_huge_json_is_refused_in_one_line(tmp_path):
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    for read in (banks.load_kernel_file, byhand.load_kernels, load_config):
        with pytest.raises((KernelError, ConfigError), match="nested too deeply"):
            read(deep)
    with pytest.raises(JsonLimitError, match="too large"):
        load_json_limited(deep, max_bytes=1000)
    assert nesting_depth('{"a": "[[[[", "b": [[1]]}') == 3


def test_a_config_records_the_spec_beside_the_values_and_reads_back(tmp_path):
    config = with_bank(StudyConfig(seed=3), "random-normal:count=6,size=3")
    data = config.to_dict()
    assert data["kernel_bank"] == "random-normal:count=6,size=3,seed=3,norm=l2"
    assert np.shape(data["kernels"]) == (6, 3, 3)
    path = tmp_path / "config.json"
    path.write_text(config.to_json())
    again = load_config(path)
    assert again == config and np.array_equal(again.byhand_kernels(), config.byhand_kernels())
    written = StudyConfig.from_dict({"kernel_bank": "sobel"})
    assert written.kernel_bank == "sobel:size=3,norm=l2"
    default = with_bank(StudyConfig(), "byhand").to_dict()
    assert default == StudyConfig().to_dict() and "kernel_bank" not in default


def _finish(state):
    path = state.folder / "status.json"
    status = json.loads(path.read_text())
    status["state"] = "finished"
    path.write_text(json.dumps(status))


def test_learned_takes_exactly_the_stored_weights(tmp_path):
    stored = write_kernel_study(tmp_path, networks=("NetA1-DT", "NetA2-HT"))
    with pytest.raises(KernelError, match="is running; its kernels are taken from a finished"):
        learned_kernels(stored.folder)
    _finish(stored)
    final = stored.stored_weights("NetA1-DT", "final")
    kernels, bias = learned_kernels(stored.folder)
    assert np.array_equal(banks.conv_kernel(kernels), final["conv1/kernel"])
    assert np.array_equal(bias, final["conv1/bias"])
    text, again, _ = resolve_bank(f"learned:{stored.folder}")
    assert text == f"learned:{stored.folder}:NetA1-DT:0" and np.array_equal(again, kernels)
    config = with_bank(StudyConfig(), f"learned:{stored.folder}:NetA2-HT")
    start = config.conv1_start()
    assert np.array_equal(start.bias, stored.stored_weights("NetA2-HT", "final")["conv1/bias"])
    for spec, message in ((f"learned:{stored.folder}:NetA1-HF", "has no NetA1-HF"),
                          (f"learned:{stored.folder}:NetA1-DT:5", "has no seed 5")):
        with pytest.raises(KernelError, match=message):
            resolve_bank(spec)


def test_a_sweep_grid_takes_banks_with_their_parameters():
    from study.sweep.grid import grid_points, parse_grid, point_config

    grid = parse_grid(["kernels=byhand,gabor:orientations=2,size=7,sobel"])
    assert grid == {"kernels": ["byhand", "gabor:orientations=2,size=7", "sobel"]}
    points = grid_points(grid)
    assert points[1].name == "p2_kernels=gabor-orientations=2,size=7"
    configs = [point_config(StudyConfig(), p.values) for p in points]
    assert configs[0] == StudyConfig()
    assert configs[1].kernel_bank == "gabor:orientations=2,wavelengths=4,size=7,norm=l2"
    assert np.shape(configs[2].kernels) == (4, 3, 3)


@pytest.mark.parametrize("spec, folder, network, seed", [
    ("learned:runs/a", "runs/a", None, None),
    ("learned:C:/runs/a", "C:/runs/a", None, None),
    ("learned:/data/run:2/study-x", "/data/run:2/study-x", None, None),
    ("learned:/data/run:2/study-x:NetA2-HT", "/data/run:2/study-x", "NetA2-HT", None),
    ("learned:/data/run:2/study-x:NetA1-DT:3", "/data/run:2/study-x", "NetA1-DT", 3),
    ("learned:/data/a:b:c:NetA1-HF:0", "/data/a:b:c", "NetA1-HF", 0),
    ("learned:/data/x:7", "/data/x:7", None, None),
])
def test_learned_reads_network_and_seed_from_the_right(spec, folder, network, seed):
    parsed = banks.parse_spec(spec)
    assert (parsed.name, parsed.path) == ("learned", (folder, network, seed))
    assert banks.parse_spec(parsed.text()).path == parsed.path


def test_learned_takes_a_study_whose_folder_has_colons(tmp_path):
    root = tmp_path / "run:2"
    root.mkdir()
    stored = write_kernel_study(root, networks=("NetA1-DT", "NetA2-HT"))
    _finish(stored)
    assert ":" in str(stored.folder)
    final = stored.stored_weights("NetA2-HT", "final")
    for spec in (f"learned:{stored.folder}:NetA2-HT", f"learned:{stored.folder}:NetA2-HT:0"):
        text, kernels, bias = resolve_bank(spec)
        assert text == f"learned:{stored.folder}:NetA2-HT:0"
        assert np.array_equal(banks.conv_kernel(kernels), final["conv1/kernel"])
        assert np.array_equal(bias, final["conv1/bias"])
    text, kernels, _ = resolve_bank(f"learned:{stored.folder}")
    assert text == f"learned:{stored.folder}:NetA1-DT:0"
    with pytest.raises(KernelError, match="SEED must be a whole number"):
        resolve_bank(f"learned:{stored.folder}:NetA1-DT:first")
