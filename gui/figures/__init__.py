"""The static figures: PNGs of a study's curves, comparisons, confusion matrices, kernel grids
and several studies overlaid, drawn with pyqtgraph and saved by its exporters (offscreen)."""
