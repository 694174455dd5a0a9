"""Two or more studies side by side — no Qt: the settings that differ, each network's peak and
final test accuracy per study (mean and 95 % interval over its seeds), and each study's
difference from the first, with the method of its interval in the `method` column:

- "paired by seed (n)": the two studies share n ≥ 2 seeds. A seed fixes the initial tensors and the
  batch order (docs/study.md#statistics), so the per-seed differences d_s = study(s) − first(s) over
  the shared seeds are paired, and their mean gets the Student-t interval of
  study.analysis.statistics (paired_difference). Pairing removes the noise both studies share, so it
  resolves smaller differences than Welch; seeds only one study has are left out (a caveat says so).
- "Welch": the studies share fewer than 2 seeds but have ≥ 2 each — independent samples, Welch's
  unequal-variance t interval.
- "one seed": a study has a single seed — the plain difference, no interval.

Studies that use different conv1 banks (docs/study.md#kernel-banks) are labelled with their bank,
"study-… [sobel]"; when any compared study's bank is not the report's, studies.csv gains a `bank`
column and differences.csv `baseline_bank` and `study_bank` (a comparison of studies with the
report's kernels keeps its columns).

`write_comparison` writes studies.csv and differences.csv (plus any PNG writers the caller
plugs in, see gui/study_overlay.py) into a fresh folder, built in a hidden sibling and moved
into place only when complete, as `export` does.
"""

from __future__ import annotations

import hashlib
import json
import math
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from study.analysis.export import ExportError, write_export_file
from study.analysis.formats import MISSING
from study.analysis.statistics import (
    DIFFERENCE_DECIMALS,
    paired_difference,
    t_interval,
    welch_difference,
)
from study.folder.csvio import StoreError, csv_text
from study.folder.staging import PARTIAL, fresh_sibling, move_into_place
from study.protocol.bank_names import BYHAND, CUSTOM, bank_label
from study.protocol.jsonfile import load_json_limited
from study.protocol.networks import NETWORKS
from study.state import StudyState

MARKER = "compare.json"
MARKER_FORMAT = "kernel-lab/compare"
MEASURES = (("peak_test_accuracy", "peak"), ("final_test_accuracy", "final"))
ONE_SEED = "one seed"
WELCH = "Welch"
PAIRED = "paired by seed ({n})"
STUDY_COLUMNS_HEAD = ("study",)
STUDY_COLUMNS_TAIL = ("network", "state", "n_seeds", "seeds_done", "epochs_done", "epochs_planned",
                      "peak_test_accuracy", "peak_ci_low", "peak_ci_high",
                      "final_test_accuracy", "final_ci_low", "final_ci_high", "path")
DIFFERENCE_COLUMNS = ("network", "measure", "baseline", "study", "baseline_mean", "study_mean",
                      "difference", "ci_low", "ci_high", "method", "df", "p_value",
                      "n_baseline", "n_study", "caveat")
BANK_SETTING = "bank"
DIFFERENCE_BANK_COLUMNS = ("baseline_bank", "study_bank")
# A config's keys that the one `bank` setting stands for.
_BANK_KEYS = ("kernels", "kernel_bank", "kernel_bias")


class CompareError(RuntimeError):
    """Studies that cannot be compared, or a destination that may not be written; one line."""


@dataclass
class ComparedStudy:
    """One study of a comparison: its label (unique within the comparison) and its state."""

    label: str
    state: StudyState

    @property
    def bank(self) -> str:
        """The study's conv1 bank: its spec, "byhand", or "custom (digest of the kernels)"."""
        return study_bank_text(self.state)

    @property
    def folder(self) -> Path:
        """The study folder."""
        return Path(self.state.folder)

    def values(self, network: str, measure: str) -> list[float]:
        """`measure` of `network` for each of its seeds that has epochs, in seed order."""
        return list(self.values_by_seed(network, measure).values())

    def values_by_seed(self, network: str, measure: str) -> dict[int, float]:
        """{seed: `measure` of `network`} over its seeds that have epochs, in seed order."""
        runs = [run for (name, _seed), run in self.state.finished.items() if name == network]
        order = {seed: i for i, seed in enumerate(self.state.seeds)}
        runs.sort(key=lambda run: order.get(run.seed, len(order)))
        return {run.seed: float(getattr(run.summary, measure)) for run in runs}

    def seeds_of(self, network: str) -> list[int]:
        """The seeds of `network` with epochs."""
        return self.state.seeds_of(network)

    def epochs_done(self, network: str) -> int:
        """The fewest epochs done by `network` over its seeds (0 when it has none)."""
        seeds = self.seeds_of(network)
        return min((self.state.epochs_done(network, s) for s in seeds), default=0)


@dataclass
class MultiComparison:
    """Everything a comparison of studies shows."""

    studies: list[ComparedStudy]
    # (setting, [value as text per study]) for the settings that differ.
    settings: list[tuple[str, list[str]]] = field(default_factory=list)
    networks: list[str] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)
    differences: list[dict] = field(default_factory=list)

    @property
    def banks(self) -> list[str]:
        """Each study's bank (ComparedStudy.bank), in order."""
        return [s.bank for s in self.studies]

    @property
    def shows_bank(self) -> bool:
        """True when a compared study's bank is not the report's: the CSVs name the banks."""
        return any(bank != BYHAND for bank in self.banks)

    @property
    def labels(self) -> list[str]:
        """The studies' labels, in order (the first is the baseline)."""
        return [s.label for s in self.studies]

    def settings_text(self, index: int, most: int = 2, width: int = 16) -> str:
        """The `index`-th study's values of the first `most` differing settings, for legends:
        "head report, learning_rate 0.01" ("…" when more differ; long values cut)."""
        parts = []
        # The labels name the bank already when it differs.
        settings = [(k, v) for k, v in self.settings if k != BANK_SETTING]
        for key, values in settings[:most]:
            value = values[index] or MISSING
            parts.append(f"{key} {value if len(value) <= width else value[:width - 1] + '…'}")
        if len(settings) > most:
            parts.append("…")
        return ", ".join(parts)

    def legend_label(self, index: int) -> str:
        """The `index`-th study's label with its differing settings: "study-… (head report)"."""
        settings = self.settings_text(index)
        label = self.studies[index].label
        return f"{label} ({settings})" if settings else label


def load_studies(folders: Iterable) -> list[ComparedStudy]:
    """Each folder's StudyState with a unique label; CompareError names a folder that is not a
    readable study."""
    states = []
    for folder in folders:
        try:
            states.append(StudyState.from_folder(folder, strict=False))
        except StoreError as exc:
            raise CompareError(str(exc)) from None
    labels = study_labels([s.folder for s in states])
    banks = [study_bank_text(s) for s in states]
    if len(set(banks)) > 1:
        labels = [f"{label} [{bank_label(bank)}]" for label, bank in zip(labels, banks,
                                                                         strict=True)]
    return [ComparedStudy(label, state) for label, state in zip(labels, states, strict=True)]


def study_bank_text(state: StudyState) -> str:
    """A study's conv1 bank as compared: its spec, "byhand", or "custom (digest)" for kernels
    given as a list (two hand-edited banks differ when their kernels do)."""
    if state.config is None:
        return BYHAND
    bank = state.config.bank
    if bank == CUSTOM:
        return _setting_text("kernels", state.config.to_dict()["kernels"])
    return bank


def study_labels(folders) -> list[str]:
    """Folder names, with the parent folder added where two studies share a name."""
    folders = [Path(f) for f in folders]
    names = [f.name for f in folders]
    labels = [f"{f.parent.name}/{f.name}" if names.count(f.name) > 1 else f.name
              for f in folders]
    seen: dict[str, int] = {}
    unique = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        unique.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return unique


def compare_studies(studies: list[ComparedStudy]) -> MultiComparison:
    """The comparison of `studies` (the first is the baseline); CompareError for fewer than 2."""
    if len(studies) < 2:
        raise CompareError(f"compare needs at least 2 studies, got {len(studies)}")
    check_same_dataset(studies)
    comparison = MultiComparison(studies)
    comparison.settings = differing_settings([s.state for s in studies])
    present = {n for s in studies for n in s.state.networks}
    comparison.networks = [n for n in NETWORKS if n in present] + sorted(
        present - set(NETWORKS))
    comparison.rows = network_rows(comparison)
    comparison.differences = difference_rows(comparison)
    return comparison


def dataset_identity(state: StudyState) -> tuple[str, str]:
    """(dataset name, fingerprint of its whole arrays or "" when not recorded) of a study."""
    info = state.status.get("dataset_info")
    info = info if isinstance(info, dict) else {}
    name = info.get("name") or getattr(state.config, "dataset", "") or "fashion-mnist"
    return str(name), str(info.get("fingerprint", ""))


def check_same_dataset(studies: list[ComparedStudy]) -> None:
    """CompareError (one line) when a study ran on other data than the baseline: its seeds
    could not be paired with the baseline's, nor its accuracies set beside them."""
    base_name, base_print = dataset_identity(studies[0].state)
    for study in studies[1:]:
        name, fingerprint = dataset_identity(study.state)
        if name != base_name or (fingerprint and base_print and fingerprint != base_print):
            what = (f"on {name}, the baseline {studies[0].label} on {base_name}"
                    if name != base_name else f"on other {name} data than the baseline "
                    f"{studies[0].label} (fingerprint {fingerprint[:12]} against "
                    f"{base_print[:12]})")
            raise CompareError(f"{study.label} ran {what}: studies of different datasets are "
                               "not compared (their seeds cannot be paired)")


def setting_values(state: StudyState) -> dict[str, str]:
    """A study's settings as text: its config, with the backend, device and data it really
    ran on (status.json) where known."""
    values = {}
    config = state.config.to_dict() if state.config is not None else {}
    for key, value in config.items():
        if key not in ("name", "note", *_BANK_KEYS):  # a person's words are not a setting
            values[key] = _setting_text(key, value)
    if state.config is not None:
        values[BANK_SETTING] = study_bank_text(state)
        values["seeds"] = ",".join(str(s) for s in state.config.seed_list)
        values.pop("seed", None)
    for key in ("backend", "device"):
        if state.status.get(key):
            values[key] = str(state.status[key])
    if state.status.get("dataset"):
        values["dataset"] = str(state.status["dataset"])
    return values


def _setting_text(key: str, value) -> str:
    if value is None:
        return ""
    if key == "kernels":
        digest = hashlib.sha1(json.dumps(value).encode()).hexdigest()[:8]
        return f"custom ({digest})"
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    return str(value)


def differing_settings(states: list[StudyState]) -> list[tuple[str, list[str]]]:
    """(setting, values per study) of every setting not the same in all `states`."""
    values = [setting_values(s) for s in states]
    keys = list(dict.fromkeys(k for v in values for k in v))
    found = []
    for key in keys:
        texts = [v.get(key, "") for v in values]
        if len(set(texts)) > 1:
            found.append((key, texts))
    return found


def _interval_cells(values: list[float], prefix: str) -> dict:
    if not values:
        return {prefix: None, f"{prefix}_ci_low": None, f"{prefix}_ci_high": None}
    interval = t_interval(values)
    ci = interval.n >= 2
    return {prefix: interval.mean, f"{prefix}_ci_low": interval.low if ci else None,
            f"{prefix}_ci_high": interval.high if ci else None}


def network_rows(comparison: MultiComparison) -> list[dict]:
    """One row per study × network: seeds, epochs, peak and final accuracy (mean over the
    seeds, 95 % interval with ≥ 2 seeds), the differing settings beside them."""
    rows = []
    for index, study in enumerate(comparison.studies):
        settings = {key: texts[index] for key, texts in comparison.settings}
        for network in comparison.networks:
            if network not in study.state.networks:
                continue
            seeds = study.seeds_of(network)
            peak = _interval_cells(study.values(network, "peak_test_accuracy"), "peak")
            final = _interval_cells(study.values(network, "final_test_accuracy"), "final")
            rows.append({
                "study": study.label, **settings, BANK_SETTING: study.bank, "network": network,
                "state": study.state.state, "n_seeds": len(seeds),
                "seeds_done": " ".join(str(s) for s in seeds),
                "epochs_done": study.epochs_done(network),
                "epochs_planned": study.state.planned_epochs,
                "peak_test_accuracy": peak["peak"], "peak_ci_low": peak["peak_ci_low"],
                "peak_ci_high": peak["peak_ci_high"],
                "final_test_accuracy": final["final"], "final_ci_low": final["final_ci_low"],
                "final_ci_high": final["final_ci_high"], "path": str(study.folder),
            })
    return rows


def difference_rows(comparison: MultiComparison) -> list[dict]:
    """Per network, measure and study after the first: its mean minus the first study's, with
    the paired 95 % interval when they share ≥ 2 seeds, else Welch's when both have ≥ 2 seeds
    (the `method` column says which), and a caveat ("one seed", unpaired seeds left out, a
    network missing or stopped early)."""
    base = comparison.studies[0]
    rows = []
    for network in comparison.networks:
        for measure, _label in MEASURES:
            for study in comparison.studies[1:]:
                rows.append(_difference_row(base, study, network, measure))
    return rows


def _difference_row(base: ComparedStudy, study: ComparedStudy, network: str,
                    measure: str) -> dict:
    by_seed_a = base.values_by_seed(network, measure)
    by_seed_b = study.values_by_seed(network, measure)
    a, b = list(by_seed_a.values()), list(by_seed_b.values())
    row = {"network": network, "measure": measure, "baseline": base.label,
           "study": study.label, "baseline_bank": base.bank, "study_bank": study.bank,
           "baseline_mean": None, "study_mean": None,
           "difference": None, "ci_low": None, "ci_high": None, "method": "", "df": None,
           "p_value": None, "n_baseline": len(a), "n_study": len(b), "caveat": ""}
    caveats = []
    missing = [s.label for s, values in ((base, a), (study, b)) if not values]
    if missing:
        row["caveat"] = "no epochs in " + ", ".join(missing)
        return row
    shared = [s for s in by_seed_a if s in by_seed_b]
    if len(shared) >= 2:
        # Paired by seed (docs/study.md#statistics): d_s = study(s) − baseline(s), shared seeds.
        paired = paired_difference(by_seed_b, by_seed_a)
        row.update(baseline_mean=_mean(by_seed_a[s] for s in shared),
                   study_mean=_mean(by_seed_b[s] for s in shared),
                   difference=_rounded(paired.mean), ci_low=_rounded(paired.low),
                   ci_high=_rounded(paired.high), method=PAIRED.format(n=paired.n),
                   df=paired.n - 1, p_value=paired.p_value)
        for which, values in ((base, by_seed_a), (study, by_seed_b)):
            unpaired = [str(s) for s in values if s not in by_seed_a or s not in by_seed_b]
            if unpaired:
                caveats.append(f"seed{'s' if len(unpaired) > 1 else ''} "
                               f"{','.join(unpaired)} of {which.label} unpaired, left out")
    else:
        result = welch_difference(a, b)
        row.update(baseline_mean=_mean(a), study_mean=_mean(b),
                   difference=_rounded(result.difference))
        if len(a) < 2 or len(b) < 2:
            row["method"] = ONE_SEED
            caveats.append(ONE_SEED if len(a) < 2 and len(b) < 2 else
                           f"{ONE_SEED} in {base.label if len(a) < 2 else study.label}")
        else:
            row.update(ci_low=_rounded(result.low), ci_high=_rounded(result.high),
                       method=WELCH, df=None if math.isnan(result.df) else result.df,
                       p_value=result.p_value)
    for which in (base, study):
        done, planned = which.epochs_done(network), which.state.planned_epochs
        if planned and done < planned:
            caveats.append(f"{which.label}: {done} of {planned} epochs")
    row["caveat"] = "; ".join(caveats)
    return row


def _mean(values) -> float:
    values = list(values)
    return sum(values) / len(values)


def _rounded(value: float) -> float:
    # Differences of equal means come out as ±1e-16; rounded as study.analysis.statistics does.
    return round(value, DIFFERENCE_DECIMALS) + 0.0


def studies_csv_columns(comparison: MultiComparison) -> tuple[str, ...]:
    """studies.csv's columns: study, its bank (when shows_bank), the differing settings, then
    the per-network figures."""
    bank = (BANK_SETTING,) if comparison.shows_bank else ()
    settings = (key for key, _ in comparison.settings if key != BANK_SETTING)
    return (*STUDY_COLUMNS_HEAD, *bank, *settings, *STUDY_COLUMNS_TAIL)


def difference_csv_columns(comparison: MultiComparison) -> tuple[str, ...]:
    """differences.csv's columns: DIFFERENCE_COLUMNS, with both studies' banks after `study`
    when shows_bank."""
    if not comparison.shows_bank:
        return DIFFERENCE_COLUMNS
    at = DIFFERENCE_COLUMNS.index("study") + 1
    return (*DIFFERENCE_COLUMNS[:at], *DIFFERENCE_BANK_COLUMNS, *DIFFERENCE_COLUMNS[at:])


def _blank(row: dict) -> dict:
    return {k: "" if v is None else v for k, v in row.items()}


# ----- writing --------------------------------------------------------------------------------
# A writer adds files to the folder being built and returns their paths.
CompareWriter = Callable[[MultiComparison, Path], Iterable[Path]]


def is_compare_folder(folder: Path) -> bool:
    """True if `folder` holds the marker of a Kernel Lab comparison."""
    try:
        marker = load_json_limited(Path(folder) / MARKER)
        return marker.get("format") == MARKER_FORMAT
    except (OSError, ValueError, AttributeError):
        return False


def check_compare_destination(out_dir, force: bool = False) -> bool:
    """CompareError if `out_dir` may not be written; True if an earlier comparison is there
    (replaced with `force`). A non-empty folder that is not a comparison is never replaced."""
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise CompareError(f"{out_dir} exists and is not a folder; choose another --out folder")
    if not out_dir.is_dir() or not any(out_dir.iterdir()):
        return False
    if not is_compare_folder(out_dir):
        raise CompareError(f"{out_dir} is not empty and is not a Kernel Lab comparison (it has "
                           f"no {MARKER}); choose an empty or new folder")
    if not force:
        raise CompareError(f"{out_dir} already holds a comparison; use --force to replace it, "
                           "or choose another folder")
    return True


def write_csv_files(comparison: MultiComparison, folder: Path) -> list[Path]:
    """studies.csv and differences.csv into `folder`."""
    studies = Path(folder) / "studies.csv"
    write_export_file(studies, csv_text(studies_csv_columns(comparison),
                                        [_blank(r) for r in comparison.rows]))
    differences = Path(folder) / "differences.csv"
    write_export_file(differences, csv_text(difference_csv_columns(comparison),
                                            [_blank(r) for r in comparison.differences]))
    return [studies, differences]


def write_comparison(comparison: MultiComparison, out_dir, force: bool = False,
                     extra_writers: Iterable[CompareWriter] = ()) -> list[str]:
    """Write the comparison's files into `out_dir`; returns the file names. CompareError when
    the destination is refused or writing fails (an earlier comparison is then left intact)."""
    out_dir = Path(out_dir)
    replacing = check_compare_destination(out_dir, force)
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        staging = fresh_sibling(out_dir, PARTIAL)
        staging.mkdir()
    except OSError as exc:
        raise CompareError(f"compare failed: could not write {out_dir}: "
                           f"{exc.strerror or exc}") from None
    try:
        files = write_csv_files(comparison, staging)
        for writer in extra_writers:
            files.extend(Path(p) for p in writer(comparison, staging))
        names = sorted(str(Path(p).relative_to(staging)) for p in files)
        marker = {"format": MARKER_FORMAT, "version": 1,
                  "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                  "studies": [str(s.folder.resolve()) for s in comparison.studies],
                  "baseline": comparison.studies[0].label, "files": names}
        write_export_file(staging / MARKER, json.dumps(marker, indent=2) + "\n")
        move_into_place(staging, out_dir, replacing)
    except BaseException as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(exc, OSError | StoreError | ExportError):
            kept = (" The earlier comparison is intact." if replacing
                    else f" Nothing was written to {out_dir}.")
            raise CompareError(f"compare failed: {exc}.{kept}") from None
        raise
    return sorted([*names, MARKER])

