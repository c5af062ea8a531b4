"""Atomic writes: a crash while writing leaves the old file whole and no temp file behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.storage import CorruptOutputError, atomic_path, load_json, write_json_atomic


def test_write_then_load(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "x.json"
    write_json_atomic(target, {"a": [1, "二"]})
    assert load_json(target) == {"a": [1, "二"]}
    assert load_json(tmp_path / "missing.json", default={}) == {}


def test_exception_inside_keeps_old_content(tmp_path: Path) -> None:
    target = tmp_path / "x.json"
    write_json_atomic(target, {"v": 1})
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text('{"v": 2', encoding="utf-8")
        raise RuntimeError("killed mid-write")
    assert load_json(target) == {"v": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["x.json"]


def test_corrupt_file_names_path_and_line(tmp_path: Path) -> None:
    target = tmp_path / "x.json"
    target.write_text('{\n "a": 1,\n oops\n}', encoding="utf-8")
    with pytest.raises(CorruptOutputError, match=r"x.json:3: cannot read"):
        load_json(target)
