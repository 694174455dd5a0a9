"""The Kernel Lab desktop app: PySide6 + pyqtgraph, nothing else."""
