"""The command line's conventions: --version, a help text with its default on every flag,
`list --format`, compare's differences table, and a quick try with a name and a note, run on a
pseudo-terminal to the end with its live progress line."""

from __future__ import annotations

import argparse
import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

import main
from study.folder.environment import kernel_lab_version
from tests.library_studies import REPORT, SOFTMAX, THREE_SEEDS, write_library

ROOT = Path(__file__).resolve().parents[2]


def _main(capsys, *args) -> tuple[int, str, str]:
    try:
        code = main.main([str(a) for a in args])
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def test_version(capsys):
    code, out, _err = _main(capsys, "--version")
    assert code == 0 and out.strip() == f"kernel-lab {kernel_lab_version()}"
    assert kernel_lab_version() == "0.1.0"


def _options(parser, command="main.py"):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _options(sub, name)
        elif action.help != argparse.SUPPRESS and not isinstance(
                action, argparse._HelpAction | argparse._VersionAction):
            yield command, action


def test_every_flag_has_a_help_text_that_shows_its_default():
    for command, action in _options(main.build_parser()):
        name = f"{command} {'/'.join(action.option_strings) or action.dest}"
        assert action.help, f"{name} has no help text"
        if action.option_strings and action.default not in (None, False):
            assert "default" in action.help, f"{name} does not say its default"


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    root = tmp_path_factory.mktemp("library")
    return root, write_library(root)


def test_list_formats(library, capsys):
    root, _folders = library
    code, out, _err = _main(capsys, "list", root, "--format", "json")
    records = {r["study"]: r for r in json.loads(out)}
    assert code == 0 and {SOFTMAX, REPORT}.issubset(records)
    assert {"name", "note", "environment", "state", "best_peak"}.issubset(records[SOFTMAX])
    code, out, _err = _main(capsys, "list", root, "--format", "csv")
    assert code == 0 and out.splitlines()[0].startswith("study,name,note,state")
    code, _out, err = _main(capsys, "list", root, "--format", "yaml")
    assert code == 2 and "invalid choice: 'yaml'" in err


def test_compare_prints_its_differences_table(library, tmp_path, capsys):
    _root, folders = library
    code, out, _err = _main(capsys, "compare", folders[REPORT], folders[THREE_SEEDS],
                            "--out", tmp_path / "cmp")
    assert code == 0
    assert f"Differences from the baseline {REPORT}" in out
    assert "paired by seed (3)" in out and "Wrote " in out


def _run_on_a_terminal(args: list[str]) -> tuple[int, str]:
    """main.py ARGS on a pseudo-terminal: (exit status, everything it wrote)."""
    leader, follower = pty.openpty()
    env = dict(os.environ, TERM="xterm-256color", COLUMNS="160", KERAS_BACKEND="jax",
               TF_CPP_MIN_LOG_LEVEL="2", KERNEL_LAB_DATA_CACHE="off")
    process = subprocess.Popen([sys.executable, "main.py", *args], stdin=follower,
                               stdout=follower, stderr=follower, cwd=ROOT, env=env)
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    os.close(leader)
    return process.wait(timeout=600), b"".join(chunks).decode("utf-8", "replace")
