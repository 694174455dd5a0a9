"""The three comparisons (docs/study.md#comparisons), the report's conclusions
(docs/study.md#the-report) as checks with their uncertainty over seeds (docs/study.md#statistics),
init identity.

Everything here works on plain summary rows (study.analysis.summary.SummaryRow or dicts with its
columns,
such as StudyFinished.summary) or on a StoredStudy, so the tables and checks can be built, tested
and exported without Qt or Keras. Accuracies are fractions (0.349 is 34.9 %), times are seconds.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from study.analysis import statistics
from study.analysis.summary import format_duration
from study.analysis.timing import (  # noqa: F401 - re-exported: the timing vocabulary lives in study.analysis.timing
    ISOLATED_ESTIMATE,
    MEASURED,
    TIMING_COLUMN,
    is_isolated_estimate,
    shared_timing_note,
    study_timing,
)
from study.protocol.byhand import REPORT_KERNELS
from study.protocol.networks import ARCHITECTURES, SCHEMES
from study.protocol.weights import frozen_rows, nested_weights


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
    and seconds_per_epoch get their 95 % Student-t interval (study.analysis.statistics.t_interval)
    as
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


def study_rows(stored) -> dict[str, dict]:
    """A StoredStudy's figures by network, averaged over its seeds (see network_row), each with
    its number of epochs done (the fewest of its seeds)."""
    return rows_by_network(study_seed_rows(stored))


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
    table = []
    for network in comparison.networks:
        data = measured.get(network)
        report = REPORT_FIGURES[network]
        row = {
            "network": network,
            "epochs": data.get("epochs") if data else None,
            "peak_test_accuracy": data["peak_test_accuracy"] if data else None,
            "peak_epoch": data["peak_epoch"] if data else None,
            "final_test_accuracy": data["final_test_accuracy"] if data else None,
            "seconds_per_epoch": data["seconds_per_epoch"] if data else None,
            "total_seconds": data["total_seconds"] if data else None,
            "total_time": (format_duration(data["total_seconds"])
                           if data and data.get("total_seconds") is not None else None),
            "report_peak_test_accuracy": report.peak_test_accuracy,
            "report_seconds_per_epoch": report.seconds_per_epoch,
            "report_total_time": report.total_time,
        }
        if data and "n_seeds" not in data:  # a {network: row} dict not made by rows_by_network
            data = network_row([data])
        row.update({column: data.get(column) if data else None for column in SEED_TABLE_COLUMNS})
        if not data:
            row.update(n_seeds=0, seeds="")
        table.append(row)
    return table


def comparison_tables(stored) -> dict[str, list[dict]]:
    """Every comparison's table for a StoredStudy (means over its seeds), by comparison key."""
    rows = study_rows(stored)
    return {c.key: comparison_table(c, rows) for c in COMPARISONS}


# ---------------------------------------------------------------------------------------------
# The report's conclusions as checks, with their uncertainty over seeds
# (docs/study.md#the-report, #statistics)
#
# Every conclusion is one or more *parts*, each a claimed sign of a per-seed paired difference d_s
# (docs/study.md#statistics): "A > B" is d_s = A(s) − B(s) > 0, "HF is faster" is d_s = HF(s) −
# other(s) < 0 in seconds per epoch, "the HF->HT gain is larger for NetA1" is the difference of
# differences d_s = (A1-HT(s) − A1-HF(s)) − (A2-HT(s) − A2-HF(s)) > 0. Each part gets its mean, 95 %
# Student-t interval and two-sided t-test p-value (study.analysis.statistics) and its own verdict;
# the conclusion combines them: n.a. if a network is missing, does not hold if any part does not
# hold, holds if every part holds, not resolved otherwise. Its difference_mean, ci_low, ci_high and
# p_value are those of the part that decides the verdict (`part`): a part that does not hold if
# there is one, else an unresolved one, else the holding part whose interval comes nearest to 0.
# Accuracy conclusions are evaluated once per measure (peak and final test accuracy); "HF is the
# fastest" uses seconds per epoch; recovery's two time parts use seconds per epoch in both rows.

HOLDS, DOES_NOT_HOLD, NOT_RESOLVED, NOT_APPLICABLE = (
    statistics.HOLDS, statistics.DOES_NOT_HOLD, statistics.NOT_RESOLVED, statistics.NOT_APPLICABLE)
VERDICTS = statistics.VERDICTS

PEAK, FINAL, TIME = "peak_test_accuracy", "final_test_accuracy", "seconds_per_epoch"
ACCURACY_MEASURES = (PEAK, FINAL)
MEASURE_WORDS = {PEAK: "peak test accuracy", FINAL: "final test accuracy",
                 TIME: "time per epoch"}
ONE_SEED_CAVEAT = "one seed: run with --seeds 5 to know"
MIN_EPOCHS = 10

CONCLUSION_COLUMNS = ("key", "conclusion", "verdict", "evidence", "report_verdict", "measure",
                      "part", "n_seeds", "difference_mean", "ci_low", "ci_high", "p_value",
                      "caveat")
CONCLUSION_PART_COLUMNS = ("key", "measure", "conclusion", "part", "relation", "verdict",
                           "n_seeds", "seeds", "differences", "difference_mean", "ci_low",
                           "ci_high", "p_value")


@dataclass(frozen=True)
class ConclusionPart:
    """One claimed difference of a conclusion, e.g. "NetA1-DT > NetA1-HT" in peak accuracy.

    The claim is `difference` `relation` 0 ('>' or '<'), with `difference` the per-seed paired
    differences and their statistics. Accuracy differences are fractions (0.005 is half a
    point), time differences seconds.
    """

    label: str
    measure: str
    relation: str
    verdict: str
    evidence: str
    difference: statistics.PairedDifference

    @property
    def n_seeds(self) -> int:
        return self.difference.n

    @property
    def mean(self) -> float:
        return self.difference.mean

    @property
    def ci_low(self) -> float:
        return self.difference.low

    @property
    def ci_high(self) -> float:
        return self.difference.high

    @property
    def p_value(self) -> float:
        return self.difference.p_value


@dataclass(frozen=True)
class Conclusion:
    """One of the report's conclusions evaluated on a study for one measure.

    `verdict` is one of VERDICTS; `difference_mean`, `ci_low`, `ci_high` (95 % Student-t) and
    `p_value` (two-sided one-sample t test against 0) belong to the deciding part named by
    `part` (NaN with one seed or when n.a.); `n_seeds` is the number of seeds paired; `caveat`
    says why the verdict may mislead ("" when nothing to say); `parts` has every part.
    """

    key: str
    conclusion: str
    measure: str
    verdict: str
    evidence: str
    networks: tuple[str, ...]
    parts: tuple[ConclusionPart, ...] = ()
    part: str = ""
    n_seeds: int = 0
    difference_mean: float = math.nan
    ci_low: float = math.nan
    ci_high: float = math.nan
    p_value: float = math.nan
    caveat: str = ""

    @property
    def holds(self) -> bool | None:
        """True if it holds, False if it does not, None if not resolved or n.a."""
        if self.verdict in (HOLDS, DOES_NOT_HOLD):
            return self.verdict == HOLDS
        return None

    @property
    def label(self) -> str:
        """The conclusion's text (what the report claims, on this measure)."""
        return self.conclusion


ConclusionCheck = Conclusion  # the name before seeds


def _pct(value: float) -> str:
    return f"{100 * value:.2f} %"


def _secs(value: float) -> str:
    return f"{value:.3f} s/epoch"


def _pts(value: float) -> str:
    return f"{100 * value:+.2f}"


def _dsecs(value: float) -> str:
    return f"{value:+.3f}"


def _p(value: float) -> str:
    return "p < 0.001" if value < 0.001 else f"p = {value:.3f}"


@dataclass(frozen=True)
class _Spec:
    """A part before it is evaluated: d_s = Σ coefficient · value(network, seed)."""

    label: str
    measure: str
    relation: str
    terms: tuple[tuple[float, str], ...]
    text: Callable  # (values: {network: mean value}, word: str) -> evidence without numbers


def _pair_spec(a: str, b: str, measure: str, relation: str) -> _Spec:
    fmt = _secs if measure == TIME else _pct

    def text(values, word):
        return f"{a} {fmt(values[a])} {word} {b} {fmt(values[b])}"

    return _Spec(f"{a} {relation} {b}", measure, relation, ((1.0, a), (-1.0, b)), text)


def _gain_spec(measure: str) -> _Spec:
    a1hf, a1ht, a2hf, a2ht = "NetA1-HF", "NetA1-HT", "NetA2-HF", "NetA2-HT"

    def text(v, word):
        return (f"NetA1 gain {100 * (v[a1ht] - v[a1hf]):+.2f} pts ({_pct(v[a1hf])} -> "
                f"{_pct(v[a1ht])}) {word} NetA2 gain {100 * (v[a2ht] - v[a2hf]):+.2f} pts "
                f"({_pct(v[a2hf])} -> {_pct(v[a2ht])})")

    terms = ((1.0, a1ht), (-1.0, a1hf), (-1.0, a2ht), (1.0, a2hf))
    return _Spec("NetA1 gain > NetA2 gain", measure, ">", terms, text)


def _conclusion_specs(measures) -> list[tuple[str, str, tuple[str, ...], list[_Spec]]]:
    """(key, text, networks, parts) of every conclusion, in the report's order, per measure."""
    specs = []
    for arch in ARCHITECTURES:
        dt, ht, hf = (f"{arch}-{s}" for s in ("DT", "HT", "HF"))
        for m in measures:
            specs.append((f"order-{arch}", f"{arch}: DT > HT > HF in {MEASURE_WORDS[m]}",
                          (dt, ht, hf), [_pair_spec(dt, ht, m, ">"), _pair_spec(ht, hf, m, ">")]))
    for arch in ARCHITECTURES:
        hf, others = f"{arch}-HF", (f"{arch}-HT", f"{arch}-DT")
        specs.append((f"fastest-{arch}", f"{arch}: HF is the fastest per epoch", (hf, *others),
                      [_pair_spec(hf, other, TIME, "<") for other in others]))
    for scheme in SCHEMES:
        a2, a1 = f"NetA2-{scheme}", f"NetA1-{scheme}"
        for m in measures:
            specs.append((f"deeper-{scheme}", f"{scheme}: NetA2 beats NetA1 in {MEASURE_WORDS[m]}",
                          (a2, a1), [_pair_spec(a2, a1, m, ">")]))
    for m in measures:
        specs.append(("gain", f"The HF->HT gain in {MEASURE_WORDS[m]} is larger for NetA1 than "
                      "for NetA2", ("NetA1-HF", "NetA1-HT", "NetA2-HF", "NetA2-HT"),
                      [_gain_spec(m)]))
    a1 = ("NetA1-HF", "NetA1-HT", "NetA1-DT")
    for m in measures:
        specs.append(("recovery", f"NetA2-HF beats every NetA1 network in {MEASURE_WORDS[m]} "
                      "while costing less per epoch than NetA1-HT and NetA1-DT", ("NetA2-HF", *a1),
                      [*(_pair_spec("NetA2-HF", n, m, ">") for n in a1),
                       *(_pair_spec("NetA2-HF", n, TIME, "<") for n in a1[1:])]))
    order = {key: i for i, key in enumerate(CONCLUSION_KEYS)}
    return sorted(specs, key=lambda spec: order[spec[0]])  # stable: measures keep their order


CONCLUSION_KEYS = ("order-NetA1", "order-NetA2", "fastest-NetA1", "fastest-NetA2", "deeper-HF",
                   "deeper-HT", "deeper-DT", "gain", "recovery")


def seeded_rows(rows) -> dict[str, dict[int, dict]]:
    """{network: {seed: row dict}} from summary rows (SummaryRow objects or dicts, one per network
    and seed; a row without a seed counts as seed 0) or from a {network: row} dict."""
    if isinstance(rows, dict):
        rows = rows.values()
    table: dict[str, dict[int, dict]] = {}
    for row in rows:
        data = row.as_dict() if hasattr(row, "as_dict") else dict(row)
        seed = data.get("seed")
        table.setdefault(data["network"], {})[int(seed) if seed is not None else 0] = data
    return table


def _value(data: dict, measure: str):
    value = data.get(measure)
    return None if value is None else float(value)


def _evaluate_part(spec: _Spec, table, seeds, one_timing: bool = False) -> ConclusionPart:
    if one_timing and spec.measure == TIME:
        # All-at-once times are one isolated timing per network, copied to every seed: the
        # seeds are not samples of it, so the part rests on that one timing (no interval).
        seeds = seeds[:1]
    differences = {s: sum(c * _value(table[n][s], spec.measure) for c, n in spec.terms)
                   for s in seeds}
    difference = statistics.differences_by_seed(differences)
    verdict = statistics.part_verdict(difference, spec.relation)
    means = {n: sum(_value(table[n][s], spec.measure) for s in seeds) / len(seeds)
             for _, n in spec.terms}
    word = {HOLDS: spec.relation, DOES_NOT_HOLD: f"is not {spec.relation}",
            NOT_RESOLVED: f"is not surely {spec.relation}"}[verdict]
    evidence = spec.text(means, word)
    if difference.n >= 2:
        fmt, unit = (_dsecs, "s") if spec.measure == TIME else (_pts, "pts")
        evidence += (f" (difference {fmt(difference.mean)} {unit}, 95 % CI "
                     f"{fmt(difference.low)} to {fmt(difference.high)}, "
                     f"{_p(difference.p_value)})")
        if verdict == NOT_RESOLVED:
            needed = statistics.seeds_needed(difference.std, abs(difference.mean))
            if needed is not None:
                evidence += (f" - about {needed} seeds would resolve a difference this size "
                             "with this spread")
    return ConclusionPart(spec.label, spec.measure, spec.relation, verdict, evidence, difference)


def _deciding_part(parts) -> ConclusionPart:
    rank = {DOES_NOT_HOLD: 0, NOT_RESOLVED: 1, HOLDS: 2}

    def margin(part):  # how far the part's interval (or its one difference) is past 0
        sign = 1.0 if part.relation == ">" else -1.0
        if part.n_seeds < 2:
            return sign * part.mean
        oriented = sorted((sign * part.ci_low, sign * part.ci_high))
        return oriented[1] if part.verdict == DOES_NOT_HOLD else oriented[0]

    return min(parts, key=lambda part: (rank[part.verdict], margin(part)))


@dataclass(frozen=True)
class _Context:
    seeds: tuple[int, ...] | None
    epochs: int | None
    subset: str
    kernels_edited: bool
    isolated_timing: bool


def _caveats(context: _Context, networks, seeds, table, measures) -> str:
    notes = []
    if len(seeds) == 1:
        notes.append(ONE_SEED_CAVEAT)
    if context.seeds is not None and len(seeds) < len(context.seeds):
        notes.append(f"paired over {len(seeds)} of {len(context.seeds)} seeds (the others lack "
                     "a network it needs)")
    done = [int(table[n][s]["epochs"]) for n in networks for s in seeds
            if table[n][s].get("epochs") is not None]
    epochs = min(done) if done else context.epochs
    if epochs is not None and epochs < MIN_EPOCHS:
        notes.append(f"only {epochs} epoch{'s' if epochs != 1 else ''} (fewer than {MIN_EPOCHS})")
    if context.subset:
        notes.append(context.subset)
    if context.kernels_edited and any(n.endswith(("-HF", "-HT")) for n in networks):
        notes.append("edited ByHand kernels (not the report's)")
    if context.isolated_timing and TIME in measures:
        notes.append("times: one isolated-timing estimate per network (all-at-once), no "
                     "interval")
    return "; ".join(notes)


def _context(config, seeds, isolated_timing) -> _Context:
    if config is None:
        return _Context(seeds, None, "", False, isolated_timing)
    subset = []
    if config.train_limit:
        subset.append(f"{config.train_limit} training")
    if config.test_limit:
        subset.append(f"{config.test_limit} test")
    edited = (config.kernels is not None
              and not np.array_equal(np.asarray(config.kernels, dtype=np.float32),
                                     REPORT_KERNELS))
    return _Context(tuple(seeds) if seeds is not None else tuple(config.seed_list),
                    int(config.epochs),
                    f"data subset ({' and '.join(subset)} images)" if subset else "",
                    edited, isolated_timing)


def _evaluate(key, text, networks, specs, table, context) -> Conclusion:
    measure = specs[0].measure
    missing = [n for n in networks if n not in table]
    if missing:
        return Conclusion(key, text, measure, NOT_APPLICABLE,
                          f"needs {', '.join(missing)}, which this study has no results for",
                          tuple(networks))
    measures = {spec.measure for spec in specs}
    seeds = sorted(set.intersection(*(
        {s for s, data in table[n].items() if all(_value(data, m) is not None for m in measures)}
        for n in networks)))
    if not seeds:
        lacking = [n for n in networks
                   if any(_value(d, m) is None for d in table[n].values() for m in measures)]
        words = " and ".join(MEASURE_WORDS[m] for m in sorted(measures))
        evidence = (f"needs the {words} of {', '.join(lacking)}, which these results lack"
                    if lacking else f"no seed has results for all of {', '.join(networks)}")
        return Conclusion(key, text, measure, NOT_APPLICABLE, evidence, tuple(networks))
    parts = tuple(_evaluate_part(spec, table, seeds, context.isolated_timing) for spec in specs)
    verdict = statistics.combine_verdicts(p.verdict for p in parts)
    deciding = _deciding_part(parts)
    evidence = "; ".join(p.evidence for p in parts)
    if len(seeds) > 1:
        evidence = f"means of {len(seeds)} seeds: {evidence}"
    return Conclusion(key, text, measure, verdict, evidence, tuple(networks), parts,
                      deciding.label, deciding.n_seeds, deciding.mean, deciding.ci_low,
                      deciding.ci_high, deciding.p_value,
                      _caveats(context, networks, seeds, table, measures))


def evaluate_conclusions(rows, config=None, *, measures=ACCURACY_MEASURES,
                         isolated_timing: bool = False, seeds=None) -> list[Conclusion]:
    """The report's conclusions on summary rows, in the report's order, paired by seed.

    `rows`: one row per (network, seed) — SummaryRow objects or dicts with SUMMARY_COLUMNS (a row
    may carry "epochs", the epochs it completed) — or a {network: row} dict. Each accuracy
    conclusion comes once per measure in `measures` (peak, then final test accuracy); "HF is
    the fastest" once, in seconds per epoch. `config` (a StudyConfig) adds the caveats on the
    study's epochs, data subset and ByHand kernels and gives the seeds the study meant to run
    (`seeds` overrides them); `isolated_timing` flags the timing parts of an all-at-once study.
    """
    table = seeded_rows(rows)
    context = _context(config, seeds, isolated_timing)
    return [_evaluate(key, text, networks, specs, table, context)
            for key, text, networks, specs in _conclusion_specs(tuple(measures))]


def study_seed_rows(stored) -> list[dict]:
    """A StoredStudy's summary rows (one per network and seed) as dicts with "epochs" done."""
    counts: dict[tuple[str, int], int] = {}
    for r in stored.epochs:
        counts[(r["network"], r["seed"])] = counts.get((r["network"], r["seed"]), 0) + 1
    return [{**row.as_dict(), "epochs": counts.get((row.network, row.seed), 0)}
            for row in stored.summary]


def study_conclusions(stored, *, measures=ACCURACY_MEASURES) -> list[Conclusion]:
    """evaluate_conclusions on a StoredStudy: every seed, its config's caveats, its timing."""
    return evaluate_conclusions(study_seed_rows(stored), stored.config, measures=measures,
                                isolated_timing=is_isolated_estimate(stored.status))


def report_rows() -> list[dict]:
    """The report's own figures as summary rows (peak epoch and final accuracy unknown)."""
    return [
        {"network": network, "peak_test_accuracy": f.peak_test_accuracy, "peak_epoch": None,
         "final_test_accuracy": None, "seconds_per_epoch": f.seconds_per_epoch,
         "total_seconds": f.total_seconds}
        for network, f in REPORT_FIGURES.items()
    ]


def _blank(value):
    return "" if isinstance(value, float) and math.isnan(value) else value


def conclusion_rows(conclusions) -> list[dict]:
    """Conclusions as CONCLUSION_COLUMNS rows (conclusions.csv), with the verdict the same
    conclusion gets on the report's own figures (n.a. for final accuracy, which it did not
    print); undefined numbers (one seed, n.a.) are empty cells."""
    on_report = {(c.key, c.measure): c.verdict
                 for c in evaluate_conclusions(report_rows(), measures=ACCURACY_MEASURES)}
    return [
        {"key": c.key, "conclusion": c.conclusion, "verdict": c.verdict,
         "evidence": c.evidence, "report_verdict": on_report.get((c.key, c.measure),
                                                                 NOT_APPLICABLE),
         "measure": c.measure, "part": c.part, "n_seeds": c.n_seeds,
         "difference_mean": _blank(c.difference_mean), "ci_low": _blank(c.ci_low),
         "ci_high": _blank(c.ci_high), "p_value": _blank(c.p_value), "caveat": c.caveat}
        for c in conclusions
    ]


def conclusion_part_rows(conclusions) -> list[dict]:
    """Every part of every conclusion as CONCLUSION_PART_COLUMNS rows (conclusion_parts.csv);
    `seeds` and `differences` list the paired seeds and their d_s, separated by spaces."""
    rows = []
    for c in conclusions:
        for part in c.parts:
            d = part.difference
            rows.append({
                "key": c.key, "measure": c.measure, "conclusion": c.conclusion,
                "part": f"{part.label} ({MEASURE_WORDS[part.measure]})",
                "relation": part.relation, "verdict": part.verdict, "n_seeds": part.n_seeds,
                "seeds": " ".join(str(s) for s in d.seeds),
                "differences": " ".join(repr(v) for v in d.differences),
                "difference_mean": _blank(part.mean), "ci_low": _blank(part.ci_low),
                "ci_high": _blank(part.ci_high), "p_value": _blank(part.p_value),
            })
    return rows


def conclusions_table(rows, config=None, *, measures=ACCURACY_MEASURES,
                      isolated_timing: bool = False) -> list[dict]:
    """evaluate_conclusions as CONCLUSION_COLUMNS rows (see conclusion_rows)."""
    return conclusion_rows(evaluate_conclusions(rows, config, measures=measures,
                                                isolated_timing=isolated_timing))


# ---------------------------------------------------------------------------------------------
# Init identity (docs/study.md#initial-weights) and the frozen-after-training rows

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
