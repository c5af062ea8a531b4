"""Atomic writes: a crash while writing leaves the old file whole and no temp file behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from paper_catalogue.storage import CorruptOutputError, atomic_path, load_json, write_json_atomic


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


def test_written_files_get_the_normal_mode_not_mkstemps_0600(tmp_path: Path) -> None:
    import os
    import stat

    from paper_catalogue.storage import FILE_MODE

    mask = os.umask(0o022)
    os.umask(mask)
    assert 0o666 & ~mask == FILE_MODE
    target = write_json_atomic(tmp_path / "x.json", {})
    assert stat.S_IMODE(target.stat().st_mode) == FILE_MODE


def test_remove_temp_files_takes_only_temp_names_of_the_given_targets(tmp_path: Path) -> None:
    from paper_catalogue.storage import remove_temp_files

    names = [".catalogue.csv.abc_1234.csv", ".review.md.zzzzzzzz.tmp", ".pipeline.lock", "catalogue.csv", ".x.y"]
    for name in names:
        (tmp_path / name).write_text("x")
    removed = remove_temp_files(tmp_path, ["catalogue.csv"])
    assert [p.name for p in removed] == [".catalogue.csv.abc_1234.csv"]
    assert [p.name for p in remove_temp_files(tmp_path)] == [".review.md.zzzzzzzz.tmp"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([".pipeline.lock", "catalogue.csv", ".x.y"])
