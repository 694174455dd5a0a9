"""The three comparisons of SPEC §5, the report's conclusions (SPEC §4) as checks, init identity.

Everything here works on plain summary rows (study.summary.SummaryRow or dicts with its columns,
such as StudyFinished.summary) or on a StoredStudy, so the tables and checks can be built, tested
and exported without Qt or Keras. Accuracies are fractions (0.349 is 34.9 %), times are seconds.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from study.protocol.networks import ARCHITECTURES, SCHEMES
from study.protocol.weights import frozen_rows, nested_weights
from study.summary import format_duration
from study.timing import (  # noqa: F401 - re-exported: the timing vocabulary lives in study.timing
    ISOLATED_ESTIMATE,
    MEASURED,
    TIMING_COLUMN,
    is_isolated_estimate,
    shared_timing_note,
    study_timing,
)


@dataclass(frozen=True)
class ReportFigures:
    """One network's results as the report printed them (SPEC §4)."""

    peak_test_accuracy: float
    seconds_per_epoch: float
    total_time: str

    @property
    def total_seconds(self) -> float:
        """The report's mm:ss.ss total in seconds."""
        minutes, seconds = self.total_time.split(":")
        return int(minutes) * 60 + float(seconds)


REPORT_FIGURES = {
    "NetA1-HF": ReportFigures(0.349, 3.66, "03:40.71"),
    "NetA1-HT": ReportFigures(0.380, 5.13, "05:07.57"),
    "NetA1-DT": ReportFigures(0.394, 5.16, "05:09.49"),
    "NetA2-HF": ReportFigures(0.703, 4.51, "04:30.51"),
    "NetA2-HT": ReportFigures(0.706, 5.95, "05:57.19"),
    "NetA2-DT": ReportFigures(0.796, 6.07, "06:03.84"),
}


@dataclass(frozen=True)
class Comparison:
    """A group of networks compared side by side; `key` names its CSV and PNG files."""

    key: str
    kind: str
    title: str
    networks: tuple[str, ...]
    question: str


def _build_comparisons() -> tuple[Comparison, ...]:
    comparisons = []
    for arch in ARCHITECTURES:
        comparisons.append(Comparison(
            key=f"inset-{arch}", kind="Inset", title=f"Inset {arch}: HF vs HT vs DT",
            networks=tuple(f"{arch}-{scheme}" for scheme in SCHEMES),
            question=f"Within {arch}, what do a hand-made conv1 and freezing it cost?",
        ))
    for scheme in SCHEMES:
        comparisons.append(Comparison(
            key=f"architecture-{scheme}", kind="Architecture",
            title=f"Architecture {scheme}: NetA1 vs NetA2",
            networks=tuple(f"{arch}-{scheme}" for arch in ARCHITECTURES),
            question=f"With scheme {scheme}, what does NetA2's second conv layer add?",
        ))
    comparisons.append(Comparison(
        key="recovery", kind="Recovery", title="Recovery: NetA1 (all schemes) vs NetA2-HF",
        networks=("NetA1-HF", "NetA1-HT", "NetA1-DT", "NetA2-HF"),
        question="Does a deeper net with a frozen hand-made conv1 recover what freezing costs?",
    ))
    return tuple(comparisons)


COMPARISONS = _build_comparisons()

TABLE_COLUMNS = (
    "network", "epochs", "peak_test_accuracy", "peak_epoch", "final_test_accuracy",
    "seconds_per_epoch", "total_seconds", "total_time",
    "report_peak_test_accuracy", "report_seconds_per_epoch", "report_total_time",
)


def comparison_by_key(key: str) -> Comparison:
    """The comparison named `key` (e.g. "inset-NetA1"); KeyError lists the valid keys."""
    for comparison in COMPARISONS:
        if comparison.key == key:
            return comparison
    raise KeyError(f"no comparison {key!r}; choose one of {[c.key for c in COMPARISONS]}")


def rows_by_network(rows: Iterable) -> dict[str, dict]:
    """Summary rows (SummaryRow objects or dicts) as plain dicts keyed by network name."""
    table = {}
    for row in rows:
        data = row.as_dict() if hasattr(row, "as_dict") else dict(row)
        table[data["network"]] = data
    return table


def study_rows(stored) -> dict[str, dict]:
    """A StoredStudy's summary rows by network, each with its number of epochs done."""
    table = rows_by_network(stored.summary)
    for data in table.values():
        data["epochs"] = sum(1 for r in stored.epochs if r["network"] == data["network"])
    return table


def comparison_table(comparison: Comparison, rows) -> list[dict]:
    """One row per network of `comparison` with TABLE_COLUMNS.

    `rows` are summary rows (or the dict study_rows returns). A network this study did not train
    keeps its row with the measured cells None, so the report's figures still show beside it.
    """
    measured = rows if isinstance(rows, dict) else rows_by_network(rows)
    table = []
    for network in comparison.networks:
        data = measured.get(network)
        report = REPORT_FIGURES[network]
        table.append({
            "network": network,
            "epochs": data.get("epochs") if data else None,
            "peak_test_accuracy": data["peak_test_accuracy"] if data else None,
            "peak_epoch": data["peak_epoch"] if data else None,
            "final_test_accuracy": data["final_test_accuracy"] if data else None,
            "seconds_per_epoch": data["seconds_per_epoch"] if data else None,
            "total_seconds": data["total_seconds"] if data else None,
            "total_time": format_duration(data["total_seconds"]) if data else None,
            "report_peak_test_accuracy": report.peak_test_accuracy,
            "report_seconds_per_epoch": report.seconds_per_epoch,
            "report_total_time": report.total_time,
        })
    return table


def comparison_tables(stored) -> dict[str, list[dict]]:
    """Every comparison's table for a StoredStudy, keyed by comparison key."""
    rows = study_rows(stored)
    return {c.key: comparison_table(c, rows) for c in COMPARISONS}


# ---------------------------------------------------------------------------------------------
# The report's conclusions as checks

HOLDS = "holds"
DOES_NOT_HOLD = "does not hold"
NOT_APPLICABLE = "not applicable"
CONCLUSION_COLUMNS = ("key", "conclusion", "verdict", "evidence", "report_verdict")


@dataclass(frozen=True)
class ConclusionCheck:
    """One of the report's conclusions evaluated on a study: verdict and the numbers behind it."""

    key: str
    conclusion: str
    verdict: str
    evidence: str
    networks: tuple[str, ...]

    @property
    def holds(self) -> bool | None:
        """True if it holds, False if not, None if the study lacks a network it needs."""
        return None if self.verdict == NOT_APPLICABLE else self.verdict == HOLDS


def _pct(value: float) -> str:
    return f"{100 * value:.2f} %"


def _secs(value: float) -> str:
    return f"{value:.3f} s/epoch"


def _compare(a: str, a_value: float, b: str, b_value: float, fmt, relation: str):
    """(holds, text) for the claim `a relation b`, relation '>' or '<', strict."""
    holds = a_value > b_value if relation == ">" else a_value < b_value
    word = relation if holds else f"is not {relation}"
    return holds, f"{a} {fmt(a_value)} {word} {b} {fmt(b_value)}"


def _verdict(key, conclusion, networks, claims) -> ConclusionCheck:
    holds = all(ok for ok, _ in claims)
    evidence = "; ".join(text for _, text in claims)
    return ConclusionCheck(key, conclusion, HOLDS if holds else DOES_NOT_HOLD, evidence,
                           tuple(networks))


def _not_applicable(key, conclusion, networks, measured) -> ConclusionCheck | None:
    missing = [n for n in networks if n not in measured]
    if not missing:
        return None
    return ConclusionCheck(key, conclusion, NOT_APPLICABLE,
                           f"needs {', '.join(missing)}, which this study has no results for",
                           tuple(networks))


def _order_check(measured, arch) -> ConclusionCheck:
    key, conclusion = f"order-{arch}", f"{arch}: DT > HT > HF in peak test accuracy"
    nets = [f"{arch}-DT", f"{arch}-HT", f"{arch}-HF"]
    if (na := _not_applicable(key, conclusion, nets, measured)) is not None:
        return na
    acc = {n: measured[n]["peak_test_accuracy"] for n in nets}
    pairs = zip(nets[:-1], nets[1:], strict=True)
    claims = [_compare(a, acc[a], b, acc[b], _pct, ">") for a, b in pairs]
    return _verdict(key, conclusion, nets, claims)


def _fastest_check(measured, arch) -> ConclusionCheck:
    key, conclusion = f"fastest-{arch}", f"{arch}: HF is the fastest per epoch"
    hf, others = f"{arch}-HF", [f"{arch}-HT", f"{arch}-DT"]
    if (na := _not_applicable(key, conclusion, [hf, *others], measured)) is not None:
        return na
    spe = {n: measured[n]["seconds_per_epoch"] for n in (hf, *others)}
    claims = [_compare(hf, spe[hf], other, spe[other], _secs, "<") for other in others]
    return _verdict(key, conclusion, [hf, *others], claims)


def _deeper_check(measured, scheme) -> ConclusionCheck:
    key = f"deeper-{scheme}"
    conclusion = f"{scheme}: NetA2 beats NetA1 in peak test accuracy"
    a2, a1 = f"NetA2-{scheme}", f"NetA1-{scheme}"
    if (na := _not_applicable(key, conclusion, [a2, a1], measured)) is not None:
        return na
    claim = _compare(a2, measured[a2]["peak_test_accuracy"], a1,
                     measured[a1]["peak_test_accuracy"], _pct, ">")
    return _verdict(key, conclusion, [a2, a1], [claim])


def _gain_check(measured) -> ConclusionCheck:
    key = "gain"
    conclusion = "The HF->HT gain in peak test accuracy is larger for NetA1 than for NetA2"
    nets = ["NetA1-HF", "NetA1-HT", "NetA2-HF", "NetA2-HT"]
    if (na := _not_applicable(key, conclusion, nets, measured)) is not None:
        return na
    acc = {n: measured[n]["peak_test_accuracy"] for n in nets}
    gain_a1 = acc["NetA1-HT"] - acc["NetA1-HF"]
    gain_a2 = acc["NetA2-HT"] - acc["NetA2-HF"]
    holds = gain_a1 > gain_a2
    word = ">" if holds else "is not >"
    evidence = (
        f"NetA1 gain {100 * gain_a1:+.2f} pts ({_pct(acc['NetA1-HF'])} -> "
        f"{_pct(acc['NetA1-HT'])}) {word} NetA2 gain {100 * gain_a2:+.2f} pts "
        f"({_pct(acc['NetA2-HF'])} -> {_pct(acc['NetA2-HT'])})"
    )
    return _verdict(key, conclusion, nets, [(holds, evidence)])


def _recovery_check(measured) -> ConclusionCheck:
    key = "recovery"
    conclusion = ("NetA2-HF beats every NetA1 network in peak test accuracy while costing less "
                  "per epoch than NetA1-HT and NetA1-DT")
    a1 = ["NetA1-HF", "NetA1-HT", "NetA1-DT"]
    nets = ["NetA2-HF", *a1]
    if (na := _not_applicable(key, conclusion, nets, measured)) is not None:
        return na
    acc = {n: measured[n]["peak_test_accuracy"] for n in nets}
    spe = {n: measured[n]["seconds_per_epoch"] for n in nets}
    claims = [_compare("NetA2-HF", acc["NetA2-HF"], n, acc[n], _pct, ">") for n in a1]
    claims += [_compare("NetA2-HF", spe["NetA2-HF"], n, spe[n], _secs, "<") for n in a1[1:]]
    return _verdict(key, conclusion, nets, claims)


def evaluate_conclusions(rows) -> list[ConclusionCheck]:
    """The report's conclusions checked on summary rows, in the report's order."""
    measured = rows if isinstance(rows, dict) else rows_by_network(rows)
    checks = [_order_check(measured, arch) for arch in ARCHITECTURES]
    checks += [_fastest_check(measured, arch) for arch in ARCHITECTURES]
    checks += [_deeper_check(measured, scheme) for scheme in SCHEMES]
    checks += [_gain_check(measured), _recovery_check(measured)]
    return checks


def report_rows() -> list[dict]:
    """The report's own figures as summary rows (peak epoch and final accuracy unknown)."""
    return [
        {"network": network, "peak_test_accuracy": f.peak_test_accuracy, "peak_epoch": None,
         "final_test_accuracy": None, "seconds_per_epoch": f.seconds_per_epoch,
         "total_seconds": f.total_seconds}
        for network, f in REPORT_FIGURES.items()
    ]


def conclusions_table(rows) -> list[dict]:
    """evaluate_conclusions as CONCLUSION_COLUMNS rows, with the verdict on the report's figures."""
    on_report = {c.key: c.verdict for c in evaluate_conclusions(report_rows())}
    return [
        {"key": c.key, "conclusion": c.conclusion, "verdict": c.verdict,
         "evidence": c.evidence, "report_verdict": on_report[c.key]}
        for c in evaluate_conclusions(rows)
    ]


# ---------------------------------------------------------------------------------------------
# Init identity (SPEC §2) and the frozen-after-training rows

IDENTITY_TABLE_COLUMNS = ("check", "kind", "norm", "verdict")
IDENTICAL, DIFFERS = "identical", "differs"


def identity_table(stored) -> list[dict]:
    """The init identity rows of a StoredStudy, plus the frozen-conv1 rows after training.

    A study that stopped or failed before writing the frozen rows gets them from its stored
    initial and final weights. Every norm should be exactly 0.
    """
    rows = list(stored.init_identity)
    if not any("after training" in check for check, _ in rows):
        rows += _frozen_rows_from_weights(stored)
    return [
        {"check": check,
         "kind": "after training" if "after training" in check else "initial",
         "norm": float(norm),
         "verdict": IDENTICAL if float(norm) == 0.0 else DIFFERS}
        for check, norm in rows
    ]


def _frozen_rows_from_weights(stored) -> list[tuple[str, float]]:
    initial, final = {}, {}
    for network in stored.config.networks:
        before, after = stored.weights(network, "initial"), stored.weights(network, "final")
        if before is not None and after is not None:
            initial[network], final[network] = nested_weights(before), nested_weights(after)
    return frozen_rows(initial, final)
