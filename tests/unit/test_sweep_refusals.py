"""`main.py sweep` refuses bad input with exit 2, one line and no folder."""

from __future__ import annotations

import pytest

from main import main


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--grid", "momentum=0.9,0.99"], "unknown key 'momentum'; grid keys: lr, batch_size"),
        (["--grid", "lr="], "lr has no values"),
        (["--grid", "lr=1e-3,,3e-3"], "lr has an empty value"),
        (["--grid", "lr"], "--grid 'lr' is not KEY=V1,V2"),
        (["--grid", "lr=fast,slow"], "lr value 'fast' is not a number"),
        (["--grid", "batch_size=64,1.5"], "batch_size value '1.5' is not a whole number"),
        (["--grid", "lr=1e-3,1e-3"], "lr lists a value twice"),
        (["--grid", "lr=1e-3", "--grid", "lr=3e-3"], "lr is given twice"),
        (["--grid", "networks=NetA1-HF,NetA2-DT"], "networks is fixed across a sweep"),
        (["--grid", "seeds=1,2"], "seeds is fixed across a sweep"),
        (["--grid", "head=softmax,sigmoid"], "head must be one of softmax, report"),
        (["--grid", "lr=1e-3", "--lr", "3e-3"], "--lr is swept by --grid"),
        (["--grid", "lr=1e-3", "--mode", "sequential"], "points run all-at-once"),
        ([], "a sweep needs at least one --grid"),
        (["--grid", "kernels=byhand,gabor:size=4"],
         "kernels value 'gabor:size=4': kernel bank gabor: size must be odd"),
        (["--grid", "kernels=sobel,dct", "--kernels", "gabor"], "--kernels is swept by --grid"),
        (["--grid", "lr=1e-3", "--executor", "ray", "--address", "127.0.0.1:9"],
         "cannot reach the Ray cluster at --address 127.0.0.1:9"),
        (["--grid", "lr=1e-3", "--address", "127.0.0.1:9"], "--address goes with --executor ray"),
        (["--resume", "/nonexistent/sweep"], "is not a Kernel Lab sweep folder"),
    ],
)
def test_bad_input_exits_2_with_one_line_and_no_folder(tmp_path, synthetic_data_dir, capsys,
                                                      args, message):
    out = tmp_path / "out"
    data = [] if "--resume" in args else ["--data", str(synthetic_data_dir)]
    code = main(["sweep", *data, "--out", str(out), *args])
    err = capsys.readouterr().err
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], err
    assert not out.exists()
