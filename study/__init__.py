"""The experiment itself: config, data, runner, study folders, comparisons. No Qt."""
