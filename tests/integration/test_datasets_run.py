"""Studies on other datasets, trained for real on tiny data: colour images of 32×32 with their
own class names, a known dataset fetched with --download from a local server (its files' URL
and SHA-256 recorded), the dataset column of `list` and compare refusing two datasets."""

from __future__ import annotations

import csv
import functools
import hashlib
import http.server
import json
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from study.protocol.exit_codes import EXIT_OK, EXIT_USAGE
from tests.synthetic import write_synthetic_idx

ROOT = Path(__file__).resolve().parents[2]
TINY = ["--backend", "jax", "--epochs", "1", "--batch-size", "32", "--networks",
        "NetA1-HF,NetA2-HT", "--mode", "all-at-once", "--timing-rounds", "0"]


def _main(*args, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], capture_output=True,
                          text=True, timeout=600, **kwargs)


def _only_study(out: Path) -> Path:
    (folder,) = [p for p in out.iterdir() if p.is_dir() and not p.name.startswith(".")]
    return folder


@pytest.fixture(scope="module")
def colour_study(tmp_path_factory):
    """A finished study of 32×32×3 images in three named classes."""
    work = tmp_path_factory.mktemp("colour")
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (96, 32, 32, 3), dtype=np.uint8)
    y = rng.integers(0, 3, 96)
    np.savez(work / "rgb.npz", x_train=x[:64], y_train=y[:64], x_test=x[64:], y_test=y[64:],
             classes=np.array(["cat", "dog", "owl"]))
    result = _main("study", *TINY, "--dataset", str(work / "rgb.npz"), "--out",
                   str(work / "studies"))
    assert result.returncode == EXIT_OK, result.stderr[-2000:]
    return _only_study(work / "studies")


def test_a_colour_study_records_its_dataset_and_uses_its_class_names(colour_study, tmp_path):
    config = json.loads((colour_study / "config.json").read_text())
    status = json.loads((colour_study / "status.json").read_text())
    assert config["dataset"].endswith("rgb.npz")
    info = status["dataset_info"]
    assert info["classes"] == ["cat", "dog", "owl"] and info["input_shape"] == [32, 32, 3]
    assert len(info["fingerprint"]) == 32
    identity = (colour_study / "init_identity.csv").read_text().splitlines()[1:]
    assert identity and all(float(line.rsplit(",", 1)[1]) == 0.0 for line in identity)
    result = _main("export", str(colour_study), "--out", str(tmp_path / "export"))
    assert result.returncode == EXIT_OK, result.stderr[-2000:]
    with open(tmp_path / "export" / "confusion_NetA1-HF.csv", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][:4] == ["true_class", "predicted cat", "predicted dog", "predicted owl"]
    assert [row[0] for row in rows[1:]] == ["cat", "dog", "owl"]
    listing = _main("list", str(colour_study.parent), "--format", "json")
    (record,) = json.loads(listing.stdout)
    assert record["dataset"].endswith("rgb.npz") and record["data_fingerprint"]
    table = _main("list", str(colour_study.parent)).stdout.splitlines()
    assert "dataset" in table[0].split() and "rgb.npz" in table[1].split()


def test_compare_refuses_studies_of_two_datasets(colour_study, tmp_path, synthetic_data_dir):
    result = _main("study", *TINY, "--data", str(synthetic_data_dir), "--train-limit", "64",
                   "--test-limit", "32", "--out", str(tmp_path / "grey"))
    assert result.returncode == EXIT_OK, result.stderr[-2000:]
    out = tmp_path / "compared"
    result = _main("compare", str(_only_study(tmp_path / "grey")), str(colour_study),
                   "--out", str(out))
    assert result.returncode == EXIT_USAGE
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "studies of different datasets are not compared" in lines[0]
    assert not out.exists()


def test_download_then_study_records_each_files_url_and_checksum(tmp_path, monkeypatch, capsys):
    import main
    from study.datasets.known import IDX_FILES, KNOWN, KnownDataset, RemoteFile

    site = write_synthetic_idx(tmp_path / "site", 128, 64, gz=True)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        files = tuple(RemoteFile(f"{base}{name}.gz", hashlib.sha256(
            (site / f"{name}.gz").read_bytes()).hexdigest()) for name in IDX_FILES.values())
        monkeypatch.setitem(KNOWN, "tiny", KnownDataset("tiny", "Tiny", tuple("abcdefghij"),
                                                        files, "idx"))
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
        out = tmp_path / "studies"
        status = main.main(["study", *TINY, "--dataset", "tiny", "--download", "--out",
                            str(out)])
    finally:
        server.shutdown()
    assert status == EXIT_OK, capsys.readouterr().err[-2000:]
    info = json.loads((_only_study(out) / "status.json").read_text())["dataset_info"]
    assert info["name"] == "tiny" and info["classes"][0] == "a"
    assert info["files"] == [{"url": f.url, "sha256": f.sha256} for f in files]
    assert (tmp_path / "cache" / "kernel-lab" / "datasets" / "tiny").is_dir()
