"""A study folder on disk: its layout, the writer that follows a study's events, the private
reader behind StudyState.from_folder, liveness, and staging (build hidden, then move in)."""
