"""ByHand kernels: the report's patterns, validation messages, JSON files."""

import json

import numpy as np
import pytest

from study.protocol import byhand

REPORT_ROWS = """
1 0 0 0 1     0 0 1 0 0     0 1 1 1 0     1 1 0 1 1
0 1 0 1 0     1 1 0 1 1     1 1 0 1 1     0 1 0 1 0
0 0 1 0 0     0 0 1 0 0     1 0 0 0 1     0 0 1 0 0
0 1 0 1 0     1 1 0 1 1     1 1 0 1 1     1 1 0 1 1
1 0 0 0 1     0 0 1 0 0     0 1 1 1 0     1 1 0 1 1
"""


def test_report_kernels_match_the_spec_table_row_by_row():
    rows = [[int(v) for v in line.split()] for line in REPORT_ROWS.strip().splitlines()]
    table = np.array(rows).reshape(5, 4, 5).transpose(1, 0, 2)
    np.testing.assert_array_equal(byhand.REPORT_KERNELS, table)
    assert byhand.ones_per_kernel(byhand.REPORT_KERNELS) == [9, 11, 16, 15]
    assert byhand.kernel_problems(byhand.REPORT_KERNELS) == []


def test_conv_kernel_layout_round_trips():
    conv = byhand.to_conv_kernel(byhand.REPORT_KERNELS)
    assert conv.shape == (5, 5, 1, 4)
    # Keras Conv2D kernels are (rows, cols, in, out): output channel k is kernel K(k+1).
    np.testing.assert_array_equal(conv[:, :, 0, 2], byhand.REPORT_KERNELS[2])
    np.testing.assert_array_equal(byhand.from_conv_kernel(conv), byhand.REPORT_KERNELS)


def test_non_binary_value_is_named_by_kernel_row_and_column():
    kernels = byhand.REPORT_KERNELS.copy()
    kernels[1, 3, 4] = 0.5
    with pytest.raises(byhand.KernelError, match=r"K2 row 4 column 5 is 0.5: only 0 and 1"):
        byhand.validate_kernels(kernels)


def test_duplicate_and_all_zero_kernels_are_refused():
    kernels = byhand.REPORT_KERNELS.copy()
    kernels[3] = kernels[0]
    kernels[2] = 0
    problems = byhand.kernel_problems(kernels)
    assert "K3 is all zeros: every kernel needs at least one 1" in problems
    assert "K1 and K4 are the same pattern: kernels must differ" in problems


def test_wrong_shape_is_refused_with_the_shape():
    problems = byhand.kernel_problems(np.ones((3, 5, 5)))
    assert problems == [
        "kernels must have shape 4×5×5 (4 kernels of 5 rows of 5 values), got (3, 5, 5)"
    ]


def test_json_round_trip(tmp_path):
    kernels = byhand.REPORT_KERNELS.copy()
    kernels[0, 2, 2] = 0
    path = byhand.save_kernels(tmp_path / "k.json", kernels)
    doc = json.loads(path.read_text())
    assert doc["format"] == "kernel-lab/byhand-kernels"
    assert doc["kernels"][0][2] == [0, 0, 0, 0, 0]
    np.testing.assert_array_equal(byhand.load_kernels(path), kernels)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "is not valid JSON"),
        ('{"format": "other", "kernels": []}', 'format is "other"'),
        ('{"version": 1}', 'has no "kernels" entry'),
        ('{"kernels": [[[2]]]}', "must have shape 4×5×5"),
    ],
)
def test_malformed_kernel_files_name_the_file_and_problem(tmp_path, text, message):
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(byhand.KernelError) as info:
        byhand.load_kernels(path)
    assert str(path) in str(info.value)
    assert message in str(info.value)


def test_missing_kernel_file(tmp_path):
    with pytest.raises(byhand.KernelError, match="does not exist"):
        byhand.load_kernels(tmp_path / "nope.json")
