"""A study's name and note: part of its config.json, checked, and read back."""

from __future__ import annotations

import pytest

from study.config import MAX_NAME, ConfigError, StudyConfig


def test_name_and_note_round_trip_through_json():
    config = StudyConfig(name="baseline on jax", note="first try\nsecond line").validated()
    again = StudyConfig.from_json(config.to_json())
    assert (again.name, again.note) == ("baseline on jax", "first try\nsecond line")


def test_a_config_without_them_reads_as_unnamed():
    config = StudyConfig.from_dict({"epochs": 3})
    assert (config.name, config.note) == ("", "")


@pytest.mark.parametrize("changes, word", [
    ({"name": "x" * (MAX_NAME + 1)}, "name must be one line"),
    ({"name": "two\nlines"}, "name must be one line"),
    ({"note": 5}, "note must be text"),
])
def test_a_bad_name_or_note_is_one_clear_message(changes, word):
    with pytest.raises(ConfigError, match=word):
        StudyConfig(**changes).validated()
