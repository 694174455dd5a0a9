"""The three comparisons (inset, architecture, recovery; docs/study.md#comparisons) and their
tables: one row per network, its figures averaged over its seeds, beside the report's own
(docs/study.md#the-report).

Everything here works on plain summary rows (study.analysis.summary.SummaryRow or dicts with its
columns, such as StudyFinished.summary) or on a StudyState, so the tables can be built, tested
and exported without Qt or Keras. Accuracies are fractions (0.349 is 34.9 %), times are seconds.
A measured cell that is not there (a network the study did not train, one seed's interval) is
None, an empty cell in the CSV files.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from study.analysis import statistics
from study.analysis.formats import format_duration
from study.protocol.networks import ARCHITECTURES, SCHEMES


@dataclass(frozen=True)
class ReportFigures:
    """One network's results as the report printed them (docs/study.md#the-report)."""

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


def report_rows() -> list[dict]:
    """The report's own figures as summary rows (peak epoch and final accuracy unknown)."""
    return [
        {"network": network, "peak_test_accuracy": f.peak_test_accuracy, "peak_epoch": None,
         "final_test_accuracy": None, "seconds_per_epoch": f.seconds_per_epoch,
         "total_seconds": f.total_seconds}
        for network, f in REPORT_FIGURES.items()
    ]


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

# The measured columns are means over the network's seeds (its one seed's values in a one-seed
# study); the columns after the report's figures say how many seeds and give the 95 % Student-t
# intervals of those means (empty with one seed).
INTERVAL_MEASURES = ("peak_test_accuracy", "final_test_accuracy", "seconds_per_epoch")
SEED_TABLE_COLUMNS = (
    "n_seeds", "seeds",
    *(f"{measure}_ci_{end}" for measure in INTERVAL_MEASURES for end in ("low", "high")),
)
TABLE_COLUMNS = (
    "network", "epochs", "peak_test_accuracy", "peak_epoch", "final_test_accuracy",
    "seconds_per_epoch", "total_seconds", "total_time",
    "report_peak_test_accuracy", "report_seconds_per_epoch", "report_total_time",
    *SEED_TABLE_COLUMNS,
)
MEAN_MEASURES = ("peak_test_accuracy", "peak_epoch", "final_test_accuracy", "seconds_per_epoch",
                 "total_seconds")


def comparison_by_key(key: str) -> Comparison:
    """The comparison named `key` (e.g. "inset-NetA1"); KeyError lists the valid keys."""
    for comparison in COMPARISONS:
        if comparison.key == key:
            return comparison
    raise KeyError(f"no comparison {key!r}; choose one of {[c.key for c in COMPARISONS]}")


def rows_by_network(rows: Iterable) -> dict[str, dict]:
    """Summary rows (SummaryRow objects or dicts, one per network and seed) as one plain dict per
    network, keyed by network name, that averages the network's seeds (see network_row).

    A row without a "seed" counts as one seed of its own; of two rows with the same network and
    seed the later one counts (as a re-read live study would have it).
    """
    grouped: dict[str, dict] = {}
    for row in rows:
        data = row.as_dict() if hasattr(row, "as_dict") else dict(row)
        grouped.setdefault(data["network"], {})[data.get("seed")] = data
    return {network: network_row(list(by_seed.values())) for network, by_seed in grouped.items()}


def network_row(seed_rows: list[dict]) -> dict:
    """One network's comparison figures from its summary rows, one per seed (dicts).

    With one seed this is that row unchanged, plus n_seeds = 1, "seeds" and empty (None)
    intervals. With several, peak_test_accuracy, peak_epoch, final_test_accuracy,
    seconds_per_epoch and total_seconds are means over the seeds (peak_epoch then a fraction),
    "seed" is None, "seeds" the seeds averaged (sorted) and n_seeds their number; the accuracies
    and seconds_per_epoch get their 95 % Student-t interval (statistics.t_interval) as
    MEASURE_ci_low / MEASURE_ci_high. "epochs" (when the rows carry it) is the fewest epochs
    any seed has done, so a seed still training shows as the shorter count. A measure some seed
    lacks (None) is averaged over the seeds that have it.
    """
    if not seed_rows:
        raise ValueError("a network row needs at least one summary row")
    seeds = sorted((row.get("seed") for row in seed_rows if row.get("seed") is not None), key=int)
    one = len(seed_rows) == 1
    data = dict(seed_rows[0]) if one else {"network": seed_rows[0]["network"], "seed": None}
    data["n_seeds"] = len(seed_rows)
    data["seeds"] = " ".join(str(int(s)) for s in seeds)
    done = [int(row["epochs"]) for row in seed_rows if row.get("epochs") is not None]
    if "epochs" in data or done:
        data["epochs"] = min(done) if done else None
    for measure in MEAN_MEASURES:
        values = [float(row[measure]) for row in seed_rows if row.get(measure) is not None]
        interval = statistics.t_interval(values) if values else None
        if not one:
            data[measure] = interval.mean if interval else None
        if measure in INTERVAL_MEASURES:
            for end, value in (("low", interval.low if interval else math.nan),
                               ("high", interval.high if interval else math.nan)):
                data[f"{measure}_ci_{end}"] = None if math.isnan(value) else value
    return data


def study_seed_rows(state) -> list[dict]:
    """A StudyState's summary rows (one per network and seed) as dicts with "epochs" done."""
    counts: dict[tuple[str, int], int] = {}
    for r in state.epochs:
        counts[(r["network"], r["seed"])] = counts.get((r["network"], r["seed"]), 0) + 1
    return [{**row.as_dict(), "epochs": counts.get((row.network, row.seed), 0)}
            for row in state.summary]


def study_rows(state) -> dict[str, dict]:
    """A StudyState's figures by network, averaged over its seeds (see network_row), each with
    its number of epochs done (the fewest of its seeds)."""
    return rows_by_network(study_seed_rows(state))


def _table_row(network: str, data: dict | None) -> dict:
    report = REPORT_FIGURES[network]
    row = {"network": network, "epochs": data.get("epochs") if data else None}
    row.update({column: data[column] if data else None for column in MEAN_MEASURES})
    row["total_time"] = (format_duration(data["total_seconds"])
                         if data and data.get("total_seconds") is not None else None)
    row.update(report_peak_test_accuracy=report.peak_test_accuracy,
               report_seconds_per_epoch=report.seconds_per_epoch,
               report_total_time=report.total_time)
    if data and "n_seeds" not in data:  # a {network: row} dict not made by rows_by_network
        data = network_row([data])
    row.update({column: data.get(column) if data else None for column in SEED_TABLE_COLUMNS})
    if not data:
        row.update(n_seeds=0, seeds="")
    return row


def comparison_table(comparison: Comparison, rows) -> list[dict]:
    """One row per network of `comparison` with TABLE_COLUMNS.

    `rows` are summary rows, one per network and seed (or the dict study_rows returns). Each
    network's measured cells are the means over its seeds, with n_seeds, the seeds ("0 1 2",
    separated by spaces) and the 95 % intervals of the accuracies and the time per epoch (None
    with one seed); total_time is the mean total formatted as mm:ss.ss; epochs is the fewest
    epochs any of its seeds has done. A one-seed study's cells are its values as they were.
    A network this study did not train keeps its row with the measured cells None (n_seeds 0),
    so the report's figures still show beside it.
    """
    measured = rows if isinstance(rows, dict) else rows_by_network(rows)
    return [_table_row(network, measured.get(network)) for network in comparison.networks]


def comparison_tables(state) -> dict[str, list[dict]]:
    """Every comparison's table for a StudyState (means over its seeds), by comparison key."""
    rows = study_rows(state)
    return {c.key: comparison_table(c, rows) for c in COMPARISONS}
