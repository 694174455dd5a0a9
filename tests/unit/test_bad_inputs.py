"""A corpus of bad inputs: data, config, kernels, output folders, and damaged
studies for `export` and `export-kernels`.

Every case runs through the command line's entry point (main.main, in process; a few also as a
real subprocess) and must end in exit 2 with exactly one line on stderr that says what is wrong
(and, where there is one, names the file), no traceback, and no folder or file left behind.

No case trains: each is refused before Keras is imported for training.
"""

from __future__ import annotations

import io
import json
import shutil
import traceback
from pathlib import Path

import numpy as np
import pytest

import main
from tests.known_study import write_known_study
from tests.synthetic import synthetic_images

ROOT = Path(__file__).resolve().parents[2]
# A small study that would train in seconds if a bad input were ever let through.
STUDY_ARGS = ["--epochs", "1", "--train-limit", "32", "--test-limit", "16",
              "--networks", "NetA1-HF", "--batch-size", "16"]


# ---------------------------------------------------------------------------------------------
# Builders of bad inputs: each takes a scratch folder and returns (argv, text the message holds)


def _arrays(n_train=32, n_test=16):
    x_train, y_train = synthetic_images(n_train, 1)
    x_test, y_test = synthetic_images(n_test, 2)
    return {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}


def _npz_bytes(**arrays) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def _flip_a_data_byte(raw: bytes, array: np.ndarray) -> bytes:
    """The .npz bytes with one byte of `array`'s data changed (a bad CRC)."""
    data = array.tobytes()
    at = raw.find(data[len(data) // 2: len(data) // 2 + 64])
    assert at > 0
    changed = bytearray(raw)
    changed[at] ^= 0xFF
    return bytes(changed)


def _study_with_data(tmp, name, payload: bytes | None = None, **changes):
    """`study --data tmp/NAME` where NAME holds `payload`, or an .npz of the synthetic arrays
    with `changes` (None removes an array)."""
    path = tmp / name
    if payload is None:
        arrays = {**_arrays(), **changes}
        payload = _npz_bytes(**{k: v for k, v in arrays.items() if v is not None})
    path.write_bytes(payload)
    return ["study", "--data", str(path), *STUDY_ARGS], str(path)


def data_truncated_npz(tmp):
    return _study_with_data(tmp, "cut.npz", _npz_bytes(**_arrays())[:3000])


def data_bad_crc_npz(tmp):
    arrays = _arrays(256, 64)
    return _study_with_data(tmp, "crc.npz", _flip_a_data_byte(_npz_bytes(**arrays),
                                                               arrays["x_train"]))


def data_plain_npy(tmp):
    buffer = io.BytesIO()
    np.save(buffer, _arrays()["x_train"])
    argv, path = _study_with_data(tmp, "images.npy", buffer.getvalue())
    return argv, f"{path}: is a single .npy array"


def data_npz_of_strings(tmp):
    return _study_with_data(tmp, "strings.npz", x_train=np.array(["a"] * 32))


def data_npz_of_objects(tmp):
    buffer = io.BytesIO()
    arrays = _arrays()
    arrays["x_train"] = np.array([{"a": 1}] * 32, dtype=object)
    np.savez(buffer, **arrays)
    return _study_with_data(tmp, "objects.npz", buffer.getvalue())


def data_npz_missing_array(tmp):
    argv, path = _study_with_data(tmp, "three.npz", y_test=None)
    return argv, f"{path}: missing array(s) y_test"


def data_nan_images(tmp):
    images = _arrays()["x_train"].astype(np.float32) / 255
    images[3, 4, 5] = np.nan
    argv, path = _study_with_data(tmp, "nan.npz", x_train=images)
    return argv, f"{path} x_train: images hold 1 NaN or infinite"


def data_inf_test_images(tmp):
    images = _arrays()["x_test"].astype(np.float64)
    images[0, 0, 0] = np.inf
    argv, path = _study_with_data(tmp, "inf.npz", x_test=images)
    return argv, f"{path} x_test: images hold 1 NaN or infinite"


def data_complex_images(tmp):
    argv, path = _study_with_data(tmp, "complex.npz",
                                  x_train=_arrays()["x_train"].astype(np.complex64))
    return argv, f"{path} x_train: images must hold real numbers"


def data_bool_images(tmp):
    argv, path = _study_with_data(tmp, "bool.npz", x_train=_arrays()["x_train"] > 100)
    return argv, f"{path} x_train: images must hold real numbers"


def data_float_labels(tmp):
    labels = _arrays()["y_train"].astype(np.float32)
    labels[2] = 1.5
    argv, path = _study_with_data(tmp, "float-labels.npz", y_train=labels)
    return argv, f"{path} y_train: labels must be whole numbers 0–9, found"


def data_nan_labels(tmp):
    labels = _arrays()["y_test"].astype(np.float64)
    labels[1] = np.nan
    argv, path = _study_with_data(tmp, "nan-labels.npz", y_test=labels)
    return argv, f"{path} y_test: labels must be whole numbers"


def data_string_labels(tmp):
    argv, path = _study_with_data(tmp, "string-labels.npz", y_train=np.array(["3"] * 32))
    return argv, f"{path} y_train: labels must be whole numbers 0–9, got dtype"


def data_negative_label(tmp):
    labels = _arrays()["y_train"].astype(np.int16)
    labels[5] = -1
    argv, path = _study_with_data(tmp, "negative.npz", y_train=labels)
    return argv, f"{path} y_train: labels must be 0–9, found -1 at index 5"


def data_label_ten(tmp):
    labels = _arrays()["y_test"].copy()
    labels[7] = 10
    argv, path = _study_with_data(tmp, "ten.npz", y_test=labels)
    return argv, f"{path} y_test: labels must be 0–9, found 10 at index 7"


def data_no_train_images(tmp):
    argv, path = _study_with_data(tmp, "no-train.npz",
                                  x_train=np.zeros((0, 28, 28), np.uint8),
                                  y_train=np.zeros(0, np.uint8))
    return argv, f"{path} x_train: holds no images"


def data_no_test_images(tmp):
    argv, path = _study_with_data(tmp, "no-test.npz",
                                  x_test=np.zeros((0, 28, 28), np.uint8),
                                  y_test=np.zeros(0, np.uint8))
    return argv, f"{path} x_test: holds no images"


def data_count_mismatch(tmp):
    argv, path = _study_with_data(tmp, "mismatch.npz", y_train=_arrays()["y_train"][:-1])
    return argv, "they must match"


def data_wrong_image_shape(tmp):
    argv, path = _study_with_data(tmp, "shape.npz", x_train=np.zeros((32, 27, 27), np.uint8))
    return argv, f"{path} x_train: images must be 28×28"


def data_scalar_arrays(tmp):
    argv, path = _study_with_data(tmp, "scalars.npz", x_train=np.array(3.0))
    return argv, f"{path} x_train: a single value"


def data_empty_file(tmp):
    return _study_with_data(tmp, "empty.npz", b"")


def data_text_file(tmp):
    return _study_with_data(tmp, "notes.npz", b"these are not the images you are looking for\n")


def _idx_folder(tmp):
    from tests.synthetic import write_synthetic_idx

    return write_synthetic_idx(tmp / "idx", n_train=32, n_test=16, gz=False)


def data_idx_truncated(tmp):
    folder = _idx_folder(tmp)
    path = folder / "train-labels-idx1-ubyte"
    path.write_bytes(path.read_bytes()[:20])
    return ["study", "--data", str(folder), *STUDY_ARGS], f"{path}: truncated"


def data_idx_wrong_magic(tmp):
    folder = _idx_folder(tmp)
    images, labels = folder / "t10k-images-idx3-ubyte", folder / "t10k-labels-idx1-ubyte"
    images.write_bytes(labels.read_bytes())
    return ["study", "--data", str(folder), *STUDY_ARGS], f"{images}: wrong magic number"


def data_idx_missing_file(tmp):
    folder = _idx_folder(tmp)
    (folder / "t10k-labels-idx1-ubyte").unlink()
    return ["study", "--data", str(folder), *STUDY_ARGS], "t10k-labels-idx1-ubyte (or"


def data_does_not_exist(tmp):
    path = tmp / "nowhere"
    return ["study", "--data", str(path), *STUDY_ARGS], f"{path} does not exist"


def _study_with_config(tmp, text: str | bytes, name="config.json"):
    path = tmp / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    argv, _ = _study_with_data(tmp, "data.npz")
    return [*argv, "--config", str(path)], f"config file {path}"


def config_deeply_nested(tmp):
    return _study_with_config(tmp, "[" * 100_000 + "]" * 100_000)


def config_nested_object(tmp):
    return _study_with_config(tmp, '{"epochs": ' + "[" * 50_000 + "]" * 50_000 + "}")


def config_huge_number(tmp):
    return _study_with_config(tmp, '{"epochs": ' + "9" * 5000 + "}")


def config_not_json(tmp):
    return _study_with_config(tmp, "epochs = 3\n")


def config_a_list(tmp):
    return _study_with_config(tmp, "[1, 2, 3]")


def config_unknown_key(tmp):
    return _study_with_config(tmp, '{"epoch": 3}')


def config_wrong_type(tmp):
    return _study_with_config(tmp, '{"epochs": "three"}')


def config_not_utf8(tmp):
    return _study_with_config(tmp, b'{"head": "\xff\xfe"}')


def config_missing(tmp):
    argv, _ = _study_with_data(tmp, "data.npz")
    path = tmp / "absent.json"
    return [*argv, "--config", str(path)], f"config file {path} does not exist"


def networks_empty(tmp):
    argv, _ = _study_with_data(tmp, "data.npz")
    return [*argv, "--networks", ""], "networks must name at least one of"


def networks_only_commas(tmp):
    argv, _ = _study_with_data(tmp, "data.npz")
    return [*argv, "--networks", " , ,"], "networks must name at least one of"


def networks_unknown(tmp):
    argv, _ = _study_with_data(tmp, "data.npz")
    return [*argv, "--networks", "NetA3-HF"], "'NetA3-HF' is unknown"


def kernels_not_json(tmp):
    path = tmp / "kernels.json"
    path.write_text("{")
    argv, _ = _study_with_data(tmp, "data.npz")
    return [*argv, "--kernels", str(path)], str(path)


def kernels_wrong_shape(tmp):
    path = tmp / "kernels.json"
    path.write_text(json.dumps([[[1.0] * 4] * 4] * 3))
    argv, _ = _study_with_data(tmp, "data.npz")
    return [*argv, "--kernels", str(path)], str(path)


def _bank(tmp, spec):
    argv, _ = _study_with_data(tmp, "data.npz")
    return [*argv, "--kernels", spec]


def kernels_gabor_even_size(tmp):
    return _bank(tmp, "gabor:size=4"), "kernel bank gabor: size must be odd"


def kernels_sobel_x(tmp):
    return _bank(tmp, "sobel:x"), "kernel bank sobel takes KEY=VALUE parameters"


def kernels_unknown_bank(tmp):
    return _bank(tmp, "wavelets"), "unknown kernel bank 'wavelets'"


def kernels_nested_deep(tmp):
    path = tmp / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    return _bank(tmp, str(path)), "nested too deeply"


def _learned_from(tmp, finished: bool):
    from tests.kernel_study import write_kernel_study

    stored = write_kernel_study(tmp / "earlier", networks=("NetA1-DT",))
    if finished:
        status = json.loads((stored.folder / "status.json").read_text())
        (stored.folder / "status.json").write_text(json.dumps({**status, "state": "finished"}))
    return stored.folder


def kernels_learned_lacking_network(tmp):
    folder = _learned_from(tmp, finished=True)
    return _bank(tmp, f"learned:{folder}:NetA2-HT"), "has no NetA2-HT"


def kernels_learned_running(tmp):
    folder = _learned_from(tmp, finished=False)
    return _bank(tmp, f"learned:{folder}"), "is running; its kernels are taken from a finished"


def kernels_missing(tmp):
    path = tmp / "no-kernels.json"
    argv, _ = _study_with_data(tmp, "data.npz")
    return [*argv, "--kernels", str(path)], str(path)


def out_is_a_file(tmp):
    path = tmp / "a-file"
    path.write_text("keep me\n")
    argv, _ = _study_with_data(tmp, "data.npz")
    return [*argv, "--out", str(path)], f"--out {path} is a file"


def out_inside_a_file(tmp):
    path = tmp / "a-file"
    path.write_text("keep me\n")
    argv, _ = _study_with_data(tmp, "data.npz")
    return [*argv, "--out", str(path / "studies")], "which is a file"


# Damaged studies: a good study (written without training), then one thing broken in it.


def _study(tmp) -> Path:
    return write_known_study(tmp / "studies", networks=("NetA1-HF", "NetA2-DT"))


def _export(tmp, folder):
    return ["export", str(folder), "--out", str(tmp / "export")]


def _export_kernels(tmp, folder):
    return ["export-kernels", str(folder), "--out", str(tmp / "kernels")]


def _damaged(tmp, relative: str, payload: bytes, command):
    folder = _study(tmp)
    path = folder / relative
    path.write_bytes(payload)
    return command(tmp, folder), str(path)


def _weights_bytes(**arrays) -> bytes:
    arrays = {"conv1/kernel": np.ones((5, 5, 1, 4), np.float32),
              "conv1/bias": np.zeros(4, np.float32), **arrays}
    return _npz_bytes(**{k: v for k, v in arrays.items() if v is not None})


METRICS_HEADER = b"network,seed,epoch,train_loss,test_loss,test_accuracy,train_seconds," \
                 b"eval_seconds\n"


def export_metrics_not_utf8(tmp):
    argv, path = _damaged(tmp, "metrics.csv", METRICS_HEADER + b"NetA1-HF,0,1,0.5,\xff\xfe,0.5,"
                          b"1.0,0.2\nNetA1-HF,0,2,0.5,0.5,0.5,1.0,0.2\n", _export)
    return argv, f"{path}: not UTF-8 text"


def export_metrics_wrong_columns(tmp):
    argv, path = _damaged(tmp, "metrics.csv", b"a,b,c\n1,2,3\n", _export)
    return argv, f"{path}: columns are"


def export_metrics_bad_middle_row(tmp):
    argv, path = _damaged(tmp, "metrics.csv", METRICS_HEADER + b"NetA1-HF,0,1,x,y,z,1,1\n"
                          b"NetA1-HF,0,2,0.5,0.5,0.5,1.0,0.2\n", _export)
    return argv, f"{path}: line 2 is not a metrics row"


def export_identity_wrong_columns(tmp):
    argv, path = _damaged(tmp, "init_identity.csv", b"name,value\nx,1\n", _export)
    return argv, f"{path}: columns are"


def export_identity_not_a_number(tmp):
    argv, path = _damaged(tmp, "init_identity.csv", b"check,norm\nNetA1: x,zero\n", _export)
    return argv, f"{path}: line 2: norm 'zero' is not a number"


def export_identity_not_utf8(tmp):
    argv, path = _damaged(tmp, "init_identity.csv", b"check,norm\n\xff,0\n", _export)
    return argv, f"{path}: cannot be read"


def export_config_broken(tmp):
    return _damaged(tmp, "config.json", b"{", _export)


def export_config_nested(tmp):
    return _damaged(tmp, "config.json", b"[" * 100_000 + b"]" * 100_000, _export)


def export_not_a_study(tmp):
    folder = tmp / "plain"
    folder.mkdir()
    return _export(tmp, folder), f"{folder} is not a Kernel Lab study folder"


def export_no_such_folder(tmp):
    folder = tmp / "absent"
    return _export(tmp, folder), f"{folder} is not a folder"


def export_predictions_truncated(tmp):
    return _damaged(tmp, "predictions/NetA1-HF.npz", _npz_bytes(
        predicted=np.zeros(30, np.int8), labels=np.zeros(30, np.int8))[:100], _export)


def export_predictions_lacking_labels(tmp):
    argv, path = _damaged(tmp, "predictions/NetA1-HF.npz",
                          _npz_bytes(predicted=np.zeros(30, np.int8)), _export)
    return argv, f"{path}: damaged: it lacks labels"


def export_weights_truncated(tmp):
    return _damaged(tmp, "weights/NetA2-DT.final.npz", _weights_bytes()[:200], _export)


def export_out_is_a_file(tmp):
    folder = _study(tmp)
    (tmp / "export").write_text("keep me\n")
    return _export(tmp, folder), str(tmp / "export")


def kernels_weights_truncated(tmp):
    return _damaged(tmp, "weights/NetA1-HF.initial.npz", _weights_bytes()[:200],
                    _export_kernels)


def kernels_weights_bad_crc(tmp):
    kernel = np.arange(100, dtype=np.float32).reshape(5, 5, 1, 4)
    payload = _flip_a_data_byte(_weights_bytes(**{"conv1/kernel": kernel}), kernel)
    return _damaged(tmp, "weights/NetA1-HF.final.npz", payload, _export_kernels)


def kernels_conv1_wrong_shape(tmp):
    argv, path = _damaged(tmp, "weights/NetA1-HF.initial.npz",
                          _weights_bytes(**{"conv1/kernel": np.ones((3, 3, 1, 4), np.float32)}),
                          _export_kernels)
    return argv, f"{path}: damaged: conv1 kernel must have shape"


def kernels_conv2_wrong_shape(tmp):
    argv, path = _damaged(tmp, "weights/NetA2-DT.final.npz",
                          _weights_bytes(**{"conv2/kernel": np.ones((3, 3, 4, 5), np.float32)}),
                          _export_kernels)
    return argv, f"{path}: damaged: conv2 kernel must have shape"


def kernels_lacking_conv1(tmp):
    argv, path = _damaged(tmp, "weights/NetA2-DT.initial.npz",
                          _weights_bytes(**{"conv1/kernel": None}), _export_kernels)
    return argv, f"{path}: damaged: it holds no conv1/kernel"


def kernels_weights_of_strings(tmp):
    argv, path = _damaged(tmp, "weights/NetA1-HF.final.npz",
                          _weights_bytes(**{"conv1/kernel": np.array(["x"] * 100)}),
                          _export_kernels)
    return argv, f"{path}: damaged: conv1/kernel holds"


def kernels_weights_plain_npy(tmp):
    buffer = io.BytesIO()
    np.save(buffer, np.ones((5, 5, 1, 4), np.float32))
    argv, path = _damaged(tmp, "weights/NetA1-HF.initial.npz", buffer.getvalue(),
                          _export_kernels)
    return argv, f"{path}: damaged: a single .npy array"


def kernels_identity_wrong_columns(tmp):
    argv, path = _damaged(tmp, "init_identity.csv", b"x,y\n", _export_kernels)
    return argv, f"{path}: columns are"


def kernels_identity_not_a_number(tmp):
    argv, path = _damaged(tmp, "init_identity.csv", b"check,norm\nA,1e999x\n", _export_kernels)
    return argv, f"{path}: line 2: norm"


def kernels_metrics_not_utf8(tmp):
    argv, path = _damaged(tmp, "metrics.csv", METRICS_HEADER + b"\xc3(\n", _export_kernels)
    return argv, f"{path}: not UTF-8 text"


def kernels_out_is_a_file(tmp):
    folder = _study(tmp)
    (tmp / "kernels").write_text("keep me\n")
    return _export_kernels(tmp, folder), f"--out {tmp / 'kernels'} is a file"


CASES = [
    data_truncated_npz, data_bad_crc_npz, data_plain_npy, data_npz_of_strings,
    data_npz_of_objects, data_npz_missing_array, data_nan_images, data_inf_test_images,
    data_complex_images, data_bool_images, data_float_labels, data_nan_labels,
    data_string_labels, data_negative_label, data_label_ten, data_no_train_images,
    data_no_test_images, data_count_mismatch, data_wrong_image_shape, data_scalar_arrays,
    data_empty_file, data_text_file, data_idx_truncated, data_idx_wrong_magic,
    data_idx_missing_file, data_does_not_exist,
    config_deeply_nested, config_nested_object, config_huge_number, config_not_json,
    config_a_list, config_unknown_key, config_wrong_type, config_not_utf8, config_missing,
    networks_empty, networks_only_commas, networks_unknown,
    kernels_not_json, kernels_wrong_shape, kernels_missing, kernels_gabor_even_size,
    kernels_sobel_x, kernels_unknown_bank, kernels_nested_deep, kernels_learned_lacking_network,
    kernels_learned_running,
    out_is_a_file, out_inside_a_file,
    export_metrics_not_utf8, export_metrics_wrong_columns, export_metrics_bad_middle_row,
    export_identity_wrong_columns, export_identity_not_a_number, export_identity_not_utf8,
    export_config_broken, export_config_nested, export_not_a_study, export_no_such_folder,
    export_predictions_truncated, export_predictions_lacking_labels, export_weights_truncated,
    export_out_is_a_file,
    kernels_weights_truncated, kernels_weights_bad_crc, kernels_conv1_wrong_shape,
    kernels_conv2_wrong_shape, kernels_lacking_conv1, kernels_weights_of_strings,
    kernels_weights_plain_npy, kernels_identity_wrong_columns, kernels_identity_not_a_number,
    kernels_metrics_not_utf8, kernels_out_is_a_file,
]


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else b"")
            for p in sorted(folder.rglob("*"))}


def _prepare(case, tmp_path):
    scratch = tmp_path / "in"
    scratch.mkdir()
    argv, expected = case(scratch)
    if argv[0] == "study" and "--out" not in argv:
        argv = [*argv, "--out", str(tmp_path / "out")]
    return argv, expected, scratch


def _check_refusal(code, stderr, argv, expected, scratch, before, tmp_path):
    assert "Traceback" not in stderr, stderr
    lines = stderr.strip().splitlines()
    assert code == 2, f"exit {code} for {argv}: {stderr}"
    assert len(lines) == 1, f"not one line: {stderr!r}"
    assert lines[0].startswith("error: "), lines[0]
    assert expected in lines[0], f"{expected!r} not in {lines[0]!r}"
    # Nothing made, nothing changed: no study folder, no export, the inputs as they were.
    assert not (tmp_path / "out").exists()
    assert _snapshot(scratch) == before


@pytest.mark.parametrize("case", CASES, ids=[case.__name__ for case in CASES])
def test_a_bad_input_is_refused_with_one_line_and_nothing_made(case, tmp_path, capsys):
    argv, expected, scratch = _prepare(case, tmp_path)
    before = _snapshot(scratch)
    capsys.readouterr()
    try:
        code = main.main(argv)
    except SystemExit as exc:  # argparse
        code = exc.code
    except BaseException:  # noqa: BLE001 - a traceback is exactly what this test forbids
        pytest.fail(f"{case.__name__}: uncaught exception\n{traceback.format_exc()}")
    _, stderr = capsys.readouterr()
    _check_refusal(code, stderr, argv, expected, scratch, before, tmp_path)


# A few cases also as a real process: what a person at a terminal sees.
SUBPROCESS_CASES = [data_npz_of_strings, config_deeply_nested, kernels_weights_truncated,
                    export_metrics_not_utf8]


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 40
    assert len({case.__name__ for case in CASES}) == len(CASES)


def test_the_healthy_study_the_damaged_ones_start_from_exports(tmp_path, capsys):
    folder = _study(tmp_path)
    assert main.main(_export_kernels(tmp_path, folder)) == 0
    shutil.rmtree(tmp_path / "kernels")
