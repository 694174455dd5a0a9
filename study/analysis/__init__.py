"""What a study's numbers say: statistics over seeds, summaries, the comparisons and the report's
conclusions, confusion matrices, kernels, cross-study comparison, export. No Qt, no Keras."""
