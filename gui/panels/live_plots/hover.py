"""Hovering a point of the live plots: the read-out beside it (network, seed or the mean of n
seeds, epoch, value, band and smoothed value)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from gui.panels.live_plots.constants import (
    HOVER_PIXELS,
    PLOTS,
    SPREAD_WORDS,
    format_value,
)


class PlotHover:
    """Hovering and what the plots show, read back (mixed into LivePlots)."""

    # ----- hover ------------------------------------------------------------------------------
    def clear_hover(self) -> None:
        """Hide the hover read-out."""
        self.hovered = None
        self.hover_label.setText("")
        self.hover_label.setToolTip("")
        for text in self._hover_texts.values():
            text.hide()

    def hover_at(self, column: str, scene_pos) -> None:
        """The pointer is at `scene_pos` over `column`'s plot: show the nearest point's values
        (within HOVER_PIXELS), or nothing."""
        plot = self.plots[column]
        view = plot.getPlotItem().getViewBox()
        if not view.sceneBoundingRect().contains(scene_pos):
            self.clear_hover()
            return
        point = view.mapSceneToView(scene_pos)
        pixel_w, pixel_h = view.viewPixelSize()
        best = None
        for network in self._networks:
            for item in (self._curves.get((network, column)), self._raw.get((network, column))):
                if item is None or not item.isVisible():
                    continue
                x, y = item.getData()
                if x is None or len(x) == 0:
                    continue
                distance = np.hypot((np.asarray(x) - point.x()) / (pixel_w or 1.0),
                                    (np.asarray(y) - point.y()) / (pixel_h or 1.0))
                distance = np.where(np.isfinite(distance), distance, np.inf)
                index = int(np.argmin(distance))
                if distance[index] <= HOVER_PIXELS and (best is None or distance[index] < best[0]):
                    best = (distance[index], network, float(x[index]), float(y[index]))
        if best is None:
            self.clear_hover()
            return
        _distance, network, x, y = best
        epoch = int(round(x))
        parts = self.point_parts(network, column, epoch)
        self.hovered = (network, column, epoch)
        self.hover_label.setText(" · ".join(parts))
        self.hover_label.setToolTip(" · ".join(parts))
        for other, item in self._hover_texts.items():
            item.setVisible(other == column)
        item = self._hover_texts[column]
        # Beside the point, the short form: who, epoch and value (and the smoothed value).
        short = [network, parts[1], f"epoch {epoch}: {parts[3].split(': ', 1)[1]}",
                 *("smoothed: " + part.split(": ", 1)[1] for part in parts[4:]
                   if part.startswith("smoothed"))]
        item.setText("\n".join(short))
        (x_low, x_high), (y_low, y_high) = view.viewRange()
        # On the side with room for it (in pixels), so the read-out stays inside the plot.
        width = item.boundingRect().width()
        room_right = (x_high - x) / (pixel_w or 1.0)
        room_left = (x - x_low) / (pixel_w or 1.0)
        left = room_right < width and room_left > room_right
        item.setAnchor((1 if left else 0, 0 if y >= (y_low + y_high) / 2 else 1))
        # Where neither side has room, the box is pushed in from the plot's edge.
        span = width * (pixel_w or 1.0)
        item.setPos(max(x, x_low + span) if left else min(x, x_high - span), y)

    def point_text(self, network: str, column: str, epoch: int) -> str:
        """What hovering a point says: "NetA1-HF · seed 0 · epoch 3 · Test accuracy: 72.31 %";
        a multi-seed study names the mean of n seeds and its band; smoothing adds the smoothed
        value."""
        return " · ".join(self.point_parts(network, column, epoch))

    def point_parts(self, network: str, column: str, epoch: int) -> list[str]:
        """point_text's parts, one a line in the read-out beside the point."""
        state = self.model.state
        title, scale = next((t, s) for c, t, _u, s in PLOTS if c == column)
        seeds = state.seeds_of(network)
        if self.multi_seed():
            spread = self.spread()
            band = state.curve_band(network, column, spread)
            epochs, values = band.epochs, band.mean
            where = np.flatnonzero(epochs == epoch)
            who = f"mean of {len(seeds)} seeds"
            extra = ""
            if where.size:
                i = int(where[0])
                low, high = band.low[i] * scale, band.high[i] * scale
                if np.isfinite(low) and np.isfinite(high):
                    extra = (f"{SPREAD_WORDS.get(spread, spread)} "
                             f"{format_value(column, low)} – {format_value(column, high)}")
        else:
            epochs, values = state.curve(network, column)
            where = np.flatnonzero(epochs == epoch)
            who = f"seed {seeds[0]}" if seeds else "seed ?"
            extra = ""
        value = values[int(where[0])] * scale if where.size else float("nan")
        parts = [network, who, f"epoch {epoch}", f"{title}: {format_value(column, value)}"]
        if extra:
            parts.append(extra)
        if self.smoothing() > 0 and where.size:
            x, y = self.drawn_points(network, column)
            drawn = np.flatnonzero(x == epoch)
            if drawn.size:
                parts.append(f"smoothed ({self.smoothing():.2f}): "
                             f"{format_value(column, float(y[int(drawn[0])]))}")
        return parts

    def raw_points(self, network: str, column: str) -> tuple[np.ndarray, np.ndarray]:
        """(epochs, values) of the faint raw points shown beside a smoothed line (empty when
        smoothing is off)."""
        raw = self._raw.get((network, column))
        if raw is None or not raw.isVisible():
            return np.array([]), np.array([])
        x, y = raw.getData()
        return (np.array([]), np.array([])) if x is None else (np.asarray(x), np.asarray(y))

    def curve(self, network: str, column: str) -> pg.PlotDataItem | None:
        """The curve item of a network in one plot (None if it has none)."""
        return self._curves.get((network, column))

    def drawn_points(self, network: str, column: str) -> tuple[np.ndarray, np.ndarray]:
        """(epochs, values) as currently drawn (values scaled as the axis shows them)."""
        curve = self.curve(network, column)
        if curve is None:
            return np.array([]), np.array([])
        x, y = curve.getData()
        if x is None:
            return np.array([]), np.array([])
        return np.asarray(x), np.asarray(y)

    def band(self, network: str, column: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(epochs, low, high) of a network's seed band as drawn (empty when none is shown)."""
        items = self._bands.get((network, column))
        if items is None or not items[2].isVisible():
            return np.array([]), np.array([]), np.array([])
        low, high, _fill = items
        x, y_low = low.getData()
        _, y_high = high.getData()
        if x is None:
            return np.array([]), np.array([]), np.array([])
        return np.asarray(x), np.asarray(y_low), np.asarray(y_high)

    def band_items(self, network: str, column: str):
        """The (low edge, high edge, FillBetweenItem) of a network's band, or None."""
        return self._bands.get((network, column))

    def seed_lines(self, network: str, column: str) -> dict[int, tuple[np.ndarray, np.ndarray]]:
        """{seed: (epochs, values)} of the single-seed lines shown (empty when hidden)."""
        shown = {}
        for (name, seed, col), line in self._seed_lines.items():
            if name == network and col == column and line.isVisible():
                x, y = line.getData()
                shown[seed] = (np.asarray(x), np.asarray(y))
        return shown
