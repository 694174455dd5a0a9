"""Opening a damaged study in the app: a message box names what could not be
read, whatever is readable is shown, and no exception escapes (pytest-qt fails a test on any
exception raised in a Qt slot or event handler)."""

from __future__ import annotations

import io

import numpy as np
import pytest

from tests.known_study import write_known_study

NETWORKS = ("NetA1-HF", "NetA2-DT")


def _npz(**arrays) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


GOOD_WEIGHTS = {"conv1/kernel": np.ones((5, 5, 1, 4), np.float32),
                "conv1/bias": np.zeros(4, np.float32)}

# (file in the study, its damaged bytes, text the message holds)
DAMAGE = [
    ("status.json", b"[]", "status.json: damaged"),
    ("status.json", b"{\"state\": ", "status.json: cannot be read"),
    ("weights/NetA1-HF.initial.npz", _npz(**GOOD_WEIGHTS)[:150], "NetA1-HF.initial.npz"),
    ("weights/NetA2-DT.final.npz", b"not a zip", "NetA2-DT.final.npz"),
    ("weights/NetA2-DT.final.npz",
     _npz(**{**GOOD_WEIGHTS, "conv1/kernel": np.ones((3, 3, 1, 4), np.float32)}),
     "conv1 kernels are (4, 3, 3) at epoch 3 but (4, 5, 5) at the start"),
    ("weights/NetA1-HF.final.npz", _npz(**{"conv1/kernel": np.array(["x"] * 100)}),
     "NetA1-HF.final.npz: damaged"),
    ("init_identity.csv", b"check,norm\nA,zero\n", "init_identity.csv: line 2"),
    ("init_identity.csv", b"x,y\n", "init_identity.csv: columns are"),
]


@pytest.mark.parametrize("relative,payload,expected", DAMAGE,
                         ids=[f"{d[0]}-{i}" for i, d in enumerate(DAMAGE)])
def test_a_damaged_study_opens_with_a_message_and_what_is_readable(
        qtbot, window, tmp_path, relative, payload, expected):
    folder = write_known_study(tmp_path / "studies", networks=NETWORKS)
    (folder / relative).write_bytes(payload)

    assert window.open_study_folder(folder)

    title, text = window.last_message
    assert title == "Study partly damaged"
    assert expected in text
    assert window.message_box.isVisible()
    # The readable part is shown: both networks' curves and summary rows.
    assert window.summary.networks() == list(NETWORKS)
    assert len(window.plots.drawn_points("NetA2-DT", "test_accuracy")[0]) == 3


@pytest.mark.parametrize("relative,payload", [
    ("predictions/NetA1-HF.npz", b"PK\x03\x04 cut"),
    ("predictions/NetA2-DT.npz", _npz(predicted=np.array(["a"] * 30), labels=np.zeros(30))),
])
def test_damaged_predictions_leave_the_rest_of_the_study_on_screen(qtbot, window, tmp_path,
                                                                   relative, payload):
    folder = write_known_study(tmp_path / "studies", networks=NETWORKS)
    (folder / relative).write_bytes(payload)

    assert window.open_study_folder(folder)
    # Read lazily by the confusion views: missing there, never an exception.
    assert window.state.predictions(relative.split("/")[1][:-4]) is None
    assert any(relative.split("/")[1] in problem for problem in window.state.problems)
    assert window.summary.networks() == list(NETWORKS)


def test_a_folder_whose_metrics_are_unreadable_is_refused_with_a_message(qtbot, window,
                                                                         tmp_path):
    folder = write_known_study(tmp_path / "studies", networks=NETWORKS)
    (folder / "metrics.csv").write_bytes(b"network,seed\n\xff\xfe\n")

    assert not window.open_study_folder(folder)
    title, text = window.last_message
    assert "metrics.csv: not UTF-8 text" in text
    assert window.message_box.isVisible()
