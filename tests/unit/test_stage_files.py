"""Stage files are checked on load, a schema per file: a bad entry is named and dropped, a bad file moved aside."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from paper_catalogue.models import Resolution
from paper_catalogue.stages.stage_files import load_stage_file, record_problem


def test_record_problem_names_the_field() -> None:
    good = Resolution(norm="a b", status="matched", score=1.0).to_dict()
    assert record_problem(Resolution, good) is None
    assert record_problem(Resolution, {k: v for k, v in good.items() if k != "status"}) == "no 'status'"
    assert record_problem(Resolution, {**good, "score": "high"}) == "'score' is \"high\""
    assert record_problem(Resolution, {**good, "status": "maybe"}) == "unknown match status 'maybe'"
    assert record_problem(Resolution, {**good, "extra": 1}) == "unknown field 'extra'"
    assert record_problem(Resolution, None) == "null instead of an object"
    assert record_problem(Resolution, {**good, "score": True}) == "'score' is true"


def test_bad_entries_are_dropped_and_the_original_kept(tmp_path: Path) -> None:
    path = tmp_path / "resolved.json"
    good = Resolution(norm="a", status="unmatched").to_dict()
    path.write_text(json.dumps({"resolver_version": "two", "resolutions": {"a": good, "b": None, "c": {**good}}}))
    notes: list[str] = []
    data = load_stage_file(path, notes.append)
    assert data is not None and list(data["resolutions"]) == ["a"] and data["resolver_version"] == 0
    assert len(notes) == 1 and "3 damaged entries dropped ('b': null instead of an object;" in notes[0]
    assert "'c': its 'norm' is not its key" in notes[0] and "'resolver_version' is \"two\"" in notes[0]
    assert json.loads(path.read_text()) == data  # written back clean: the next reader says nothing
    assert load_stage_file(path, notes.append) == data and len(notes) == 1
    assert len(list(tmp_path.glob("resolved.json.damaged-*"))) == 1


@pytest.mark.parametrize("content", [b"\xff\xfe\x00", b"{not json", b"[1, 2]", b'{"records": "x"}', b"null"])
def test_a_file_unusable_as_a_whole_is_moved_aside(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "s2.json"
    path.write_bytes(content)
    notes: list[str] = []
    assert load_stage_file(path, notes.append) is None
    assert not path.exists() and [p.read_bytes() for p in tmp_path.glob("s2.json.damaged-*")] == [content]
    assert notes and notes[0].startswith(f"{path} was damaged (")


def test_a_missing_file_is_not_damage(tmp_path: Path) -> None:
    notes: list[str] = []
    assert load_stage_file(tmp_path / "arxiv.json", notes.append) is None and notes == []
