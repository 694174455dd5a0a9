"""The compare panel's table cells, tooltips, colours and headers (no widget state)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QTableWidget,
    QTableWidgetItem,
)

from gui.colors import (
    CELL_TEXT_COLOR,
    DOES_NOT_HOLD_COLOR,
    DOES_NOT_HOLD_ONE_SEED_COLOR,
    HOLDS_COLOR,
    HOLDS_ONE_SEED_COLOR,
    NOT_APPLICABLE_COLOR,
    NOT_RESOLVED_COLOR,
)
from study.analysis.conclusions import (
    DOES_NOT_HOLD,
    FINAL,
    HOLDS,
    MEASURE_WORDS,
    NOT_APPLICABLE,
    NOT_RESOLVED,
    PEAK,
    TIME,
)
from study.analysis.formats import (
    MISSING,
    ci_tip,
    defined,
    interval_text,
    mean_ci_text,
    mean_epoch_text,
    p_text,
    signed_text,
    verdict_text,
)

TABLE_HEADERS = ("Network", "Epochs", "Peak test acc.", "Peak epoch", "Final test acc.",
                 "Time / epoch", "Total (mm:ss.ss)", "Report: peak", "Report: s / epoch",
                 "Report: total", "Seeds")

SEEDS_COLUMN = 10

REPORT_COLUMNS = (7, 8, 9)

# The time columns' titles when the figures are isolated-timing estimates (all-at-once).
ISOLATED_TIME_HEADERS = {5: "Time / epoch\n(isolated est.)", 6: "Total\n(isolated est.)"}

TIME_COLUMNS = tuple(ISOLATED_TIME_HEADERS)

EPOCHS_COLUMN = 1

VERDICT_COLORS = {HOLDS: HOLDS_COLOR, DOES_NOT_HOLD: DOES_NOT_HOLD_COLOR,
                  NOT_RESOLVED: NOT_RESOLVED_COLOR, NOT_APPLICABLE: NOT_APPLICABLE_COLOR}

# A one-seed verdict is muted: the sign of one difference, not a resolved interval.
ONE_SEED_VERDICT_COLORS = {HOLDS: HOLDS_ONE_SEED_COLOR,
                           DOES_NOT_HOLD: DOES_NOT_HOLD_ONE_SEED_COLOR}


def verdict_color(verdict: str, n_seeds: int) -> str:
    """The verdict cell's background: full green / red only for a verdict over seeds."""
    if n_seeds == 1 and verdict in ONE_SEED_VERDICT_COLORS:
        return ONE_SEED_VERDICT_COLORS[verdict]
    return VERDICT_COLORS.get(verdict, NOT_APPLICABLE_COLOR)

# The conclusions table: what the report concluded, the verdict here, the numbers of the part
# that decides it (difference of the seed-paired means, its 95 % CI, p, seeds), the caveat; the
# evidence (seed means, every part's numbers) is the verdict's tooltip.
CONCLUSION_HEADERS = ("The report concluded", "In this study", "Measure", "Difference",
                      "95 % CI", "p", "n", "Caveat", "On the report's\nfigures")

CONCLUSION_TIPS = (
    "", "holds: the whole 95 % interval of every part is on the claimed side of 0; does not "
    "hold: some part's interval is wholly on the other side; not resolved: neither (more seeds "
    "may settle it); n.a.: a network it needs has no results",
    "The measure the claim is checked on", "Mean over the seeds of the paired difference of the "
    "part that decides the verdict (accuracy in points, time in seconds)",
    "95 % Student-t interval of that mean (empty with one seed)",
    "Two-sided p-value of a one-sample t test of the paired differences against 0",
    "Seeds paired", "Why the verdict may mislead",
    "The same check on the report's own printed figures (one number each)",
)

(CONCLUSION_COLUMN, VERDICT_COLUMN, MEASURE_COLUMN, DIFFERENCE_COLUMN, CI_COLUMN, P_COLUMN,
 N_COLUMN, CAVEAT_COLUMN, REPORT_VERDICT_COLUMN) = range(9)

MEASURE_SHORT = {PEAK: "peak acc.", FINAL: "final acc.", TIME: "time / epoch"}

# Which accuracy measures the conclusions table checks (the timing claims come with each).
MEASURE_CHOICES = (((PEAK,), "peak test accuracy (the report's)"),
                   ((FINAL,), "final-epoch test accuracy"),
                   ((PEAK, FINAL), "peak and final"))

EMPTY_TEXT = "Open a study (File > Open) or run one to compare its networks."

def _swatch(color: str) -> QIcon:
    pixmap = QPixmap(12, 12)
    pixmap.fill(QColor(color))
    return QIcon(pixmap)


def _percent(value) -> str:
    return MISSING if value is None else f"{100 * value:.2f} %"


def _item(text: str, tip: str = "", background: str | None = None,
          align=Qt.AlignmentFlag.AlignCenter) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setTextAlignment(align | Qt.AlignmentFlag.AlignVCenter)
    if tip:
        item.setToolTip(tip)
    if background:
        item.setBackground(QColor(background))
        item.setForeground(QColor(CELL_TEXT_COLOR))
    return item


def _read_only_table(columns: int, headers) -> QTableWidget:
    table = QTableWidget(0, columns)
    table.setHorizontalHeaderLabels(list(headers))
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setWordWrap(True)
    table.verticalHeader().setMinimumSectionSize(24)
    return table


def table_headers(isolated: bool = False) -> tuple[str, ...]:
    """The comparison table's titles; the time columns say when they are isolated estimates."""
    if not isolated:
        return TABLE_HEADERS
    return tuple(ISOLATED_TIME_HEADERS.get(column, text)
                 for column, text in enumerate(TABLE_HEADERS))


def _seeded(row: dict) -> bool:
    return (row.get("n_seeds") or 0) > 1


def comparison_cells(row: dict) -> list[str]:
    """The panel's texts for one comparison-table row (study.analysis.compare.TABLE_COLUMNS).

    With several seeds the measured cells are means ± the half-width of their 95 % interval
    and the peak epoch a mean ("12.4"); with one seed they read as they always did.
    """
    measured = row["peak_test_accuracy"] is not None
    if _seeded(row):
        def ci(measure, scale, unit):
            return mean_ci_text(row[measure], row.get(f"{measure}_ci_low"),
                                row.get(f"{measure}_ci_high"), scale=scale, unit=unit)

        peak, final = ci("peak_test_accuracy", 100, "%"), ci("final_test_accuracy", 100, "%")
        peak_epoch, seconds = mean_epoch_text(row["peak_epoch"]), ci("seconds_per_epoch", 1, "s")
    else:
        peak, final = _percent(row["peak_test_accuracy"]), _percent(row["final_test_accuracy"])
        peak_epoch = str(row["peak_epoch"]) if measured else MISSING
        seconds = f"{row['seconds_per_epoch']:.2f} s" if measured else MISSING
    return [
        row["network"],
        str(row["epochs"]) if row.get("epochs") is not None else (MISSING if not measured else ""),
        peak,
        peak_epoch,
        final,
        seconds,
        row["total_time"] or MISSING,
        f"{100 * row['report_peak_test_accuracy']:.1f} %",
        f"{row['report_seconds_per_epoch']:.2f} s",
        row["report_total_time"],
        str(row.get("n_seeds") or MISSING) if measured else MISSING,
    ]


def comparison_tips(row: dict) -> dict[int, str]:
    """Tooltips of a multi-seed comparison row's cells: the intervals and the seeds."""
    if not _seeded(row):
        return {}
    n = row["n_seeds"]
    tips = {}
    for column, measure, scale, unit in ((2, "peak_test_accuracy", 100, "%"),
                                         (4, "final_test_accuracy", 100, "%"),
                                         (5, "seconds_per_epoch", 1, "s")):
        tips[column] = ci_tip(row[measure], row.get(f"{measure}_ci_low"),
                              row.get(f"{measure}_ci_high"), n, scale=scale, unit=unit)
    tips[3] = f"mean over {n} seeds of the epoch that reached the peak"
    tips[6] = f"mean over {n} seeds"
    tips[SEEDS_COLUMN] = f"{n} seeds: {row.get('seeds', '')}"
    return tips


def verdict_seeds(conclusion) -> int:
    """The seed count that mutes a verdict: the conclusion's n_seeds when some part was decided
    by the sign of one seed's difference, else 0 (every part has an interval, as a time claim
    on timing rounds or epochs has with one seed)."""
    if any(not defined(part.ci_low) for part in conclusion.parts):
        return conclusion.n_seeds
    return 0


def conclusion_cells(conclusion, report_verdict: str) -> list[str]:
    """The conclusions table's texts for one study.analysis.compare.Conclusion
    (CONCLUSION_HEADERS)."""
    part = next((p for p in conclusion.parts if p.label == conclusion.part), None)
    measure = part.measure if part is not None else conclusion.measure
    scale, decimals, unit = (1.0, 3, "s") if measure == TIME else (100.0, 2, "pts")
    claim = conclusion.conclusion
    if len(conclusion.parts) > 1 and conclusion.part:
        # A compound claim's numbers are its deciding part's: the row names that part.
        claim = f"{claim}\ndecided by: {conclusion.part}"
    return [
        claim,
        verdict_text(conclusion.verdict, verdict_seeds(conclusion)),
        MEASURE_SHORT.get(conclusion.measure, conclusion.measure),
        signed_text(conclusion.difference_mean, scale=scale, decimals=decimals, unit=unit),
        interval_text(conclusion.ci_low, conclusion.ci_high, scale=scale, decimals=decimals,
                      unit=unit),
        p_text(conclusion.p_value),
        str(conclusion.n_seeds) if conclusion.n_seeds else MISSING,
        conclusion.caveat,
        report_verdict,
    ]


def _verdict_tip(conclusion) -> str:
    """The evidence behind a verdict, one part per line."""
    lines = [f"{conclusion.verdict}: {conclusion.conclusion}"]
    if conclusion.part:
        lines.append(f"decided by: {conclusion.part}")
    lines += [f"• {part.label} ({MEASURE_WORDS[part.measure]}): {part.verdict} — "
              f"{part.evidence}" for part in conclusion.parts] or [conclusion.evidence]
    if conclusion.caveat:
        lines.append(f"caveat: {conclusion.caveat}")
    return "\n".join(lines)


def _heat(share: float, diagonal: bool) -> QColor:
    """Cell colour: green for the diagonal (right), red off it (wrong), stronger when larger."""
    base = (46, 125, 50) if diagonal else (198, 40, 40)
    strength = min(1.0, max(0.0, share)) ** 0.6 if share > 0 else 0.0
    return QColor(*(round(255 + (b - 255) * strength) for b in base))


def _fit_height(table: QTableWidget) -> None:
    """Make a short table exactly as tall as its header and rows, so none hides behind a scroll."""
    height = table.horizontalHeader().sizeHint().height() + 2 * table.frameWidth()
    height += sum(table.rowHeight(r) for r in range(table.rowCount()))
    if table.horizontalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOn:
        height += table.horizontalScrollBar().sizeHint().height()
    if table.height() != height + 2 or table.minimumHeight() != height + 2:
        table.setFixedHeight(height + 2)
