"""Per-network summary of a study's epochs (docs/study.md#training): peak accuracy, epoch, times."""

from __future__ import annotations

from dataclasses import asdict, dataclass

METRICS_COLUMNS = ("network", "seed", "epoch", "train_loss", "test_loss", "test_accuracy",
                   "train_seconds", "eval_seconds")
# Study folders written before seeds existed have no "seed" column; they are read as one seed.
LEGACY_METRICS_COLUMNS = tuple(c for c in METRICS_COLUMNS if c != "seed")
SUMMARY_COLUMNS = ("network", "seed", "peak_test_accuracy", "peak_epoch", "final_test_accuracy",
                   "seconds_per_epoch", "total_seconds")


@dataclass(frozen=True)
class SummaryRow:
    """One network's summary: accuracies as fractions, times in seconds of training."""

    network: str
    seed: int
    peak_test_accuracy: float
    peak_epoch: int
    final_test_accuracy: float
    seconds_per_epoch: float
    total_seconds: float

    def as_dict(self) -> dict:
        """The row as a dict keyed by SUMMARY_COLUMNS."""
        return asdict(self)


def summarize(network: str, epochs: list[dict], seed: int = 0) -> SummaryRow | None:
    """Summary of one network's epoch rows with one seed (dicts with METRICS_COLUMNS; a row
    without "seed" counts as `seed`); None if it has none.

    The peak epoch is the first epoch that reached the highest test accuracy. Times are training
    time only (evaluation is recorded apart), as the report's "time per epoch" was.
    """
    rows = sorted((r for r in epochs
                   if r["network"] == network and int(r.get("seed", seed)) == int(seed)),
                  key=lambda r: int(r["epoch"]))
    if not rows:
        return None
    accuracies = [float(r["test_accuracy"]) for r in rows]
    peak = max(accuracies)
    peak_index = accuracies.index(peak)
    total = sum(float(r["train_seconds"]) for r in rows)
    return SummaryRow(
        network=network,
        seed=int(seed),
        peak_test_accuracy=peak,
        peak_epoch=int(rows[peak_index]["epoch"]),
        final_test_accuracy=accuracies[-1],
        seconds_per_epoch=total / len(rows),
        total_seconds=total,
    )


def summarize_all(networks, epochs: list[dict], seeds=(0,)) -> list[SummaryRow]:
    """Summaries of every (network, seed) with at least one epoch: networks in the order of
    `networks`, seeds in the order of `seeds` within each network."""
    rows = (summarize(name, epochs, seed) for name in networks for seed in seeds)
    return [row for row in rows if row is not None]


