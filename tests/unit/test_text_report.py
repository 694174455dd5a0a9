"""The terminal report of a study: the identity table once, the frozen rows after training."""

import io

from study.protocol.events import InitIdentity
from study.run.reporting import TextReporter

BEFORE = [("NetA1: |conv1 HF - conv1 HT|", 0.0), ("NetA1: |linear1 HF - linear1 DT|", 0.0)]
FROZEN = [("NetA1-HF: |conv1 after training - conv1 initial|", 0.0)]


def test_the_identity_table_is_printed_once_and_the_frozen_rows_after_training():
    out = io.StringIO()
    report = TextReporter(out)
    report(InitIdentity(list(BEFORE)))
    report(InitIdentity(BEFORE + FROZEN))
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("Init identity")
    assert [line.split()[0] for line in lines[1:3]] == ["NetA1:", "NetA1:"]
    assert lines[3].startswith("Frozen check")
    assert "NetA1-HF: |conv1 after training - conv1 initial|" in lines[4]
    assert len(lines) == 5


def test_frozen_rows_keep_their_title_when_there_was_no_identity_row():
    out = io.StringIO()
    report = TextReporter(out)
    report(InitIdentity([]))  # e.g. NetA1-HF and NetA2-DT: no pair to compare
    report(InitIdentity(list(FROZEN)))
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("Frozen check") and len(lines) == 2
