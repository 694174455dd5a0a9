"""Sweeps: one study per point of a grid of settings, run here or on a Ray cluster."""
