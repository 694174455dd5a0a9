"""Running a study: the runner that trains and emits events, resume, the warm worker, and the
observers that follow the events (TensorBoard)."""
