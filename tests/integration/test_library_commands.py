"""`main.py list` and `main.py compare` as real processes: every study listed and never a
traceback; the comparison's CSVs and overlay PNGs."""

from __future__ import annotations

from study.analysis.multi_compare import ONE_SEED
from study.folder.library import list_studies
from tests.known_study import ACCURACY
from tests.library_studies import (
    HALF_WRITTEN,
    INTERRUPTED,
    REPORT,
    SOFTMAX,
    STOPPED,
    snapshot,
)
from tests.unit import test_library as listing_tests
from tests.unit.test_library import _read_csv, _run

library = listing_tests.library  # the fixture, shared with the in-process tests


def test_list_prints_every_study_and_never_a_traceback(library):
    root, _folders = library
    before = snapshot(root)
    list_studies([root])
    done = _run("list", root)
    assert snapshot(root) == before
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split()[:3] == ["study", "state", "backend"]
    by_name = {line.split()[0]: line for line in lines[1:]}
    assert " interrupted " in by_name[INTERRUPTED]
    assert " unknown " in by_name[HALF_WRITTEN] and "no metrics.csv" in by_name[HALF_WRITTEN]
    assert "report" in by_name[REPORT].split() and "5 (0–4)" in by_name[REPORT]
    assert "81.00 % (NetA2-DT)" in by_name[SOFTMAX]


def test_compare_writes_csvs_and_overlay_pngs(library, tmp_path):
    root, folders = library
    before = snapshot(root)
    out = tmp_path / "cmp"
    done = _run("compare", folders[SOFTMAX], folders[REPORT], "--out", out)
    assert done.returncode == 0, done.stderr
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(["compare.json", "studies.csv", "differences.csv",
                            *(f"overlay_{n}.png" for n in ACCURACY)])
    assert all((out / n).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for n in names
               if n.endswith(".png"))
    columns, rows = _read_csv(out / "studies.csv")
    assert columns[:4] == ["study", "head", "backend", "seeds"]
    assert len(rows) == 12 and {r["study"] for r in rows} == {SOFTMAX, REPORT}
    hf = next(r for r in rows if r["study"] == SOFTMAX and r["network"] == "NetA1-HF")
    assert (hf["head"], float(hf["peak_test_accuracy"]), float(hf["final_test_accuracy"])) \
        == ("softmax", 0.6, 0.55)
    columns, diffs = _read_csv(out / "differences.csv")
    assert columns[:7] == ["network", "measure", "baseline", "study", "baseline_mean",
                           "study_mean", "difference"]
    assert len(diffs) == 12 and all(d["caveat"].startswith(ONE_SEED) for d in diffs)
    assert {d["method"] for d in diffs} == {ONE_SEED}
    # Reading studies never changes them.
    assert snapshot(root) == before

    # The same --out again: refused, one line, the comparison untouched; --force replaces it.
    written = snapshot(out)
    again = _run("compare", folders[SOFTMAX], folders[REPORT], "--out", out)
    assert again.returncode == 2 and again.stderr.count("\n") == 1
    assert "--force" in again.stderr and snapshot(out) == written
    forced = _run("compare", folders[SOFTMAX], folders[STOPPED], "--out", out, "--force")
    assert forced.returncode == 0, forced.stderr
    _columns, rows = _read_csv(out / "studies.csv")
    assert {r["study"] for r in rows} == {SOFTMAX, STOPPED}
