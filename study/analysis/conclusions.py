"""The report's conclusions (docs/study.md#the-report) as checks on a study, with their
uncertainty over seeds (docs/study.md#statistics): each conclusion's parts, verdicts and
evidence texts, and the rows of conclusions.csv and conclusion_parts.csv.

Every conclusion is one or more *parts*, each a claimed sign of a per-seed paired difference d_s
(docs/study.md#statistics): "A > B" is d_s = A(s) − B(s) > 0, "HF is faster" is d_s = HF(s) −
other(s) < 0 in seconds per epoch, "the HF->HT gain is larger for NetA1" is the difference of
differences d_s = (A1-HT(s) − A1-HF(s)) − (A2-HT(s) − A2-HF(s)) > 0. Each part gets its mean, 95 %
Student-t interval and two-sided t-test p-value (study.analysis.statistics) and its own verdict;
the conclusion combines them: n.a. if a network is missing, does not hold if any part does not
hold, holds if every part holds, not resolved otherwise. Its difference_mean, ci_low, ci_high and
p_value are those of the part that decides the verdict (`part`): a part that does not hold if there
is one, else the unresolved one whose mean lies least on the claimed side (in half-widths of its
interval), else the holding part whose interval comes nearest to 0. Accuracy
conclusions are evaluated once per measure (peak and final test accuracy); "HF is the fastest" uses
seconds per epoch; recovery's two time parts use seconds per epoch in both rows. Accuracies are
fractions, times seconds; an undefined statistic (one seed, n.a.) is NaN, an empty cell in the CSV
files. Time parts are not paired by seed: they compare two networks' samples of seconds per epoch
(isolated rounds or training epochs) with Welch's interval (study.analysis.time_claims), and one
timing per network leaves them not resolved."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from study.analysis import statistics
from study.analysis.comparisons import report_rows, study_seed_rows
from study.analysis.formats import csv_cell, mean_ci_text, p_phrase, signed_text
from study.analysis.time_claims import network_samples, time_part
from study.analysis.timing import SEEDS, TimeSamples, is_isolated_estimate, time_samples
from study.protocol.bank_names import bank_label, bank_text, is_report_bank, scheme_words
from study.protocol.byhand import REPORT_KERNELS
from study.protocol.networks import ARCHITECTURES, SCHEMES

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
CONCLUSION_KEYS = ("order-NetA1", "order-NetA2", "fastest-NetA1", "fastest-NetA2", "deeper-HF",
                   "deeper-HT", "deeper-DT", "gain", "recovery")


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


# ----- evidence texts: "34.90 %", "5.130 s/epoch"; differences "+0.52 pts", "+0.123 s" ----------

def _level_text(value: float, measure: str) -> str:
    if measure == TIME:
        return mean_ci_text(value, decimals=3, unit="s/epoch")
    return mean_ci_text(value, scale=100.0, unit="%")


def _difference_text(value: float, measure: str, unit: str = "") -> str:
    if measure == TIME:
        return signed_text(value, decimals=3, unit=unit)
    return signed_text(value, scale=100.0, unit=unit)


def _difference_evidence(difference: statistics.PairedDifference, measure: str) -> str:
    unit = "s" if measure == TIME else "pts"
    return (f" (difference {_difference_text(difference.mean, measure, unit)}, 95 % CI "
            f"{_difference_text(difference.low, measure)} to "
            f"{_difference_text(difference.high, measure)}, {p_phrase(difference.p_value)})")


# ----- the conclusions before they are evaluated --------------------------------------------

@dataclass(frozen=True)
class _Spec:
    """A part before it is evaluated: d_s = Σ coefficient · value(network, seed)."""

    label: str
    measure: str
    relation: str
    terms: tuple[tuple[float, str], ...]
    text: Callable  # (values: {network: mean value}, word: str) -> evidence without numbers


def _pair_spec(a: str, b: str, measure: str, relation: str) -> _Spec:
    def text(values, word):
        return (f"{a} {_level_text(values[a], measure)} {word} "
                f"{b} {_level_text(values[b], measure)}")

    return _Spec(f"{a} {relation} {b}", measure, relation, ((1.0, a), (-1.0, b)), text)


def _gain_spec(measure: str) -> _Spec:
    a1hf, a1ht, a2hf, a2ht = "NetA1-HF", "NetA1-HT", "NetA2-HF", "NetA2-HT"

    def gain(v, low, high):
        return (f"{_difference_text(v[high] - v[low], measure, 'pts')} "
                f"({_level_text(v[low], measure)} -> {_level_text(v[high], measure)})")

    def text(v, word):
        return f"NetA1 gain {gain(v, a1hf, a1ht)} {word} NetA2 gain {gain(v, a2hf, a2ht)}"

    terms = ((1.0, a1ht), (-1.0, a1hf), (-1.0, a2ht), (1.0, a2hf))
    return _Spec("NetA1 gain > NetA2 gain", measure, ">", terms, text)


_ConclusionSpec = tuple[str, str, tuple[str, ...], list[_Spec]]


def _accuracy_specs(measures) -> list[_ConclusionSpec]:
    specs = []
    for arch in ARCHITECTURES:
        dt, ht, hf = (f"{arch}-{s}" for s in ("DT", "HT", "HF"))
        for m in measures:
            specs.append((f"order-{arch}", f"{arch}: DT > HT > HF in {MEASURE_WORDS[m]}",
                          (dt, ht, hf), [_pair_spec(dt, ht, m, ">"), _pair_spec(ht, hf, m, ">")]))
    for scheme in SCHEMES:
        a2, a1 = f"NetA2-{scheme}", f"NetA1-{scheme}"
        for m in measures:
            specs.append((f"deeper-{scheme}", f"{scheme}: NetA2 beats NetA1 in {MEASURE_WORDS[m]}",
                          (a2, a1), [_pair_spec(a2, a1, m, ">")]))
    for m in measures:
        specs.append(("gain", f"The HF->HT gain in {MEASURE_WORDS[m]} is larger for NetA1 than "
                      "for NetA2", ("NetA1-HF", "NetA1-HT", "NetA2-HF", "NetA2-HT"),
                      [_gain_spec(m)]))
    return specs


def _time_specs(measures) -> list[_ConclusionSpec]:
    specs = []
    for arch in ARCHITECTURES:
        hf, others = f"{arch}-HF", (f"{arch}-HT", f"{arch}-DT")
        specs.append((f"fastest-{arch}", f"{arch}: HF is the fastest per epoch", (hf, *others),
                      [_pair_spec(hf, other, TIME, "<") for other in others]))
    a1 = ("NetA1-HF", "NetA1-HT", "NetA1-DT")
    for m in measures:
        specs.append(("recovery", f"NetA2-HF beats every NetA1 network in {MEASURE_WORDS[m]} "
                      "while costing less per epoch than NetA1-HT and NetA1-DT", ("NetA2-HF", *a1),
                      [*(_pair_spec("NetA2-HF", n, m, ">") for n in a1),
                       *(_pair_spec("NetA2-HF", n, TIME, "<") for n in a1[1:])]))
    return specs


def _conclusion_specs(measures) -> list[_ConclusionSpec]:
    """(key, text, networks, parts) of every conclusion, in the report's order, per measure."""
    order = {key: i for i, key in enumerate(CONCLUSION_KEYS)}
    specs = [*_accuracy_specs(measures), *_time_specs(measures)]
    return sorted(specs, key=lambda spec: order[spec[0]])  # stable: measures keep their order


# ----- evaluating them on a study ---------------------------------------------------------

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


def _time_samples(context, table, networks, seeds) -> TimeSamples:
    """The study's time samples (isolated rounds, epochs), else each seed's summary row."""
    if context.time is not None and all(n in context.time.values for n in networks):
        return context.time
    return network_samples(table, networks, seeds, context.isolated_timing)


def _evaluate_part(spec: _Spec, table, seeds, context) -> ConclusionPart:
    if spec.measure == TIME:
        # Unpaired samples of seconds per epoch, Welch's interval (study.analysis.time_claims).
        (_, a), (_, b) = spec.terms
        verdict, evidence, difference = time_part(
            a, b, spec.relation, _time_samples(context, table, (a, b), seeds), seeds)
        return ConclusionPart(spec.label, spec.measure, spec.relation, verdict, evidence,
                              difference)
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
        evidence += _difference_evidence(difference, spec.measure)
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
        if math.isnan(part.ci_low):  # one seed, or one timing
            return sign * part.mean
        half = (part.ci_high - part.ci_low) / 2.0
        if part.verdict == NOT_RESOLVED and half > 0:
            # Every such interval spans 0: the weakest is the one whose mean lies least on the
            # claimed side, relative to its half-width (a wide hopeful interval is not weaker).
            return sign * part.mean / half
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
    time: TimeSamples | None = None
    bank: str = "byhand"
    timing_rounds: int | None = None


def _by_seed(context, measures) -> bool:
    """Whether a conclusion's numbers are over seeds (not so for time samples of rounds or
    epochs)."""
    return bool(measures - {TIME}) or context.time is None or context.time.unit == SEEDS


def _caveats(context: _Context, networks, seeds, table, measures) -> str:
    notes = []
    if len(seeds) == 1 and _by_seed(context, measures):
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
        notes.append("edited ByHand kernels (not the report's)" if is_report_bank(context.bank)
                     else f"the {bank_label(context.bank)} bank's kernels (not the report's)")
    if context.isolated_timing and TIME in measures:
        notes.append(_isolated_caveat(context, networks))
    return "; ".join(notes)


def _isolated_caveat(context, networks) -> str:
    counts = {len(context.time.values.get(n, ())) for n in networks} if context.time else {1}
    if context.timing_rounds == 0:
        return "times: no isolated timing (0 rounds, all-at-once): the shared time, not resolved"
    if max(counts) < 2:
        return "times: one isolated-timing estimate per network (all-at-once): not resolved"
    return (f"times: isolated-timing estimates (all-at-once), {min(counts)} rounds per "
            "network")


def _context(config, seeds, isolated_timing, time=None) -> _Context:
    if config is None:
        return _Context(seeds, None, "", False, isolated_timing, time)
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
                    edited, isolated_timing, time, getattr(config, "bank", "byhand"),
                    getattr(config, "timing_rounds", None))


def _not_applicable(key, text, measure, networks, table, measures) -> Conclusion:
    missing = [n for n in networks if n not in table]
    if missing:
        evidence = f"needs {', '.join(missing)}, which this study has no results for"
    else:
        lacking = [n for n in networks
                   if any(_value(d, m) is None for d in table[n].values() for m in measures)]
        words = " and ".join(MEASURE_WORDS[m] for m in sorted(measures))
        evidence = (f"needs the {words} of {', '.join(lacking)}, which these results lack"
                    if lacking else f"no seed has results for all of {', '.join(networks)}")
    return Conclusion(key, text, measure, NOT_APPLICABLE, evidence, tuple(networks))


def _paired_seeds(networks, table, measures) -> list[int]:
    """The seeds at which every network has every measure."""
    return sorted(set.intersection(*(
        {s for s, data in table[n].items() if all(_value(data, m) is not None for m in measures)}
        for n in networks)))


def _evaluate(key, text, networks, specs, table, context) -> Conclusion:
    measure = specs[0].measure
    measures = {spec.measure for spec in specs}
    seeds = (_paired_seeds(networks, table, measures)
             if all(n in table for n in networks) else [])
    if not seeds:
        return _not_applicable(key, text, measure, networks, table, measures)
    parts = tuple(_evaluate_part(spec, table, seeds, context) for spec in specs)
    verdict = statistics.combine_verdicts(p.verdict for p in parts)
    deciding = _deciding_part(parts)
    evidence = "; ".join(p.evidence for p in parts)
    if len(seeds) > 1 and _by_seed(context, measures):
        evidence = f"means of {len(seeds)} seeds: {evidence}"
    return Conclusion(key, text, measure, verdict, evidence, tuple(networks), parts,
                      deciding.label, deciding.n_seeds, deciding.mean, deciding.ci_low,
                      deciding.ci_high, deciding.p_value,
                      _caveats(context, networks, seeds, table, measures))


def evaluate_conclusions(rows, config=None, *, measures=ACCURACY_MEASURES,
                         isolated_timing: bool = False, seeds=None,
                         time_samples: TimeSamples | None = None) -> list[Conclusion]:
    """The report's conclusions on summary rows, in the report's order, paired by seed.

    `rows`: one row per (network, seed) — SummaryRow objects or dicts with SUMMARY_COLUMNS (a row
    may carry "epochs", the epochs it completed) — or a {network: row} dict. Each accuracy
    conclusion comes once per measure in `measures` (peak, then final test accuracy); "HF is
    the fastest" once, in seconds per epoch. `config` (a StudyConfig) adds the caveats on the
    study's epochs, data subset and ByHand kernels and gives the seeds the study meant to run
    (`seeds` overrides them); `isolated_timing` flags the timing parts of an all-at-once study.
    Time parts rest on `time_samples` (study.analysis.timing.time_samples: isolated rounds or
    training epochs), else on each seed's seconds per epoch (one timing per network for an
    all-at-once study); one timing leaves a time part not resolved. A config whose kernel bank
    is not the report's names it in each text instead of HF and HT (bank_text); the keys stay.
    """
    table = seeded_rows(rows)
    context = _context(config, seeds, isolated_timing, time_samples)
    words = scheme_words(context.bank)
    return [_evaluate(key, bank_text(text, words), networks, specs, table, context)
            for key, text, networks, specs in _conclusion_specs(tuple(measures))]


def study_conclusions(state, *, measures=ACCURACY_MEASURES) -> list[Conclusion]:
    """evaluate_conclusions on a StudyState: every seed, its config's caveats, its timing."""
    return evaluate_conclusions(study_seed_rows(state), state.config, measures=measures,
                                isolated_timing=is_isolated_estimate(state.status),
                                time_samples=time_samples(state.status, state.rows))


# ----- as CSV rows ----------------------------------------------------------------------------

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
         "difference_mean": csv_cell(c.difference_mean), "ci_low": csv_cell(c.ci_low),
         "ci_high": csv_cell(c.ci_high), "p_value": csv_cell(c.p_value), "caveat": c.caveat}
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
                "difference_mean": csv_cell(part.mean), "ci_low": csv_cell(part.ci_low),
                "ci_high": csv_cell(part.ci_high), "p_value": csv_cell(part.p_value),
            })
    return rows


def conclusions_table(rows, config=None, *, measures=ACCURACY_MEASURES,
                      isolated_timing: bool = False) -> list[dict]:
    """evaluate_conclusions as CONCLUSION_COLUMNS rows (see conclusion_rows)."""
    return conclusion_rows(evaluate_conclusions(rows, config, measures=measures,
                                                isolated_timing=isolated_timing))
