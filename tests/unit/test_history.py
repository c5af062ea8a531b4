"""Citation history: append-only, one snapshot per paper per UTC day (more only when counts moved), no stale rows."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from paper_catalogue.outputs import history


def row(key: str, count: int, when: datetime, stale: bool = False) -> dict[str, object]:
    return {
        "key": key,
        "s2_paper_id": "a" * 40,
        "arxiv_id": key.removeprefix("arxiv:"),
        "citation_count": count,
        "influential_citation_count": 1,
        "reference_count": 2,
        "fetched_at": when,
        "stale": stale,
        "title": "x",
    }


DAY1 = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
DAY1_LATER = datetime(2026, 11, 24, 20, 0, tzinfo=UTC)
DAY2 = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


def test_append_dedupes_per_day_and_keeps_old_rows(tmp_path: Path) -> None:
    assert history.append_history(tmp_path, [row("arxiv:1", 10, DAY1), row("arxiv:2", 5, DAY1)]) == 2
    assert history.append_history(tmp_path, [row("arxiv:1", 10, DAY1_LATER)]) == 0  # same day, same counts
    assert history.append_history(tmp_path, [row("arxiv:1", 11, DAY1_LATER)]) == 1  # same day, counts moved
    assert history.append_history(tmp_path, [row("arxiv:1", 12, DAY2), row("arxiv:2", 5, DAY2, stale=True)]) == 1
    frame = history.load_history(tmp_path)
    assert frame is not None
    assert list(frame.columns) == list(history.COLUMNS)
    assert sorted(zip(frame.key, frame.citation_count, strict=True)) == [
        ("arxiv:1", 10),
        ("arxiv:1", 11),
        ("arxiv:1", 12),
        ("arxiv:2", 5),
    ]


def test_rows_without_counts_are_not_snapshots() -> None:
    assert history.snapshot_rows([{**row("k", 1, DAY1), "citation_count": None}]) == []


def test_failed_write_leaves_history_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    history.append_history(tmp_path, [row("arxiv:1", 10, DAY1)])
    before = (tmp_path / history.HISTORY_FILE).read_bytes()

    def boom(*a: object, **k: object) -> None:
        raise OSError("killed")

    monkeypatch.setattr(history.pq, "write_table", boom)
    with pytest.raises(OSError):
        history.append_history(tmp_path, [row("arxiv:1", 11, DAY2)])
    assert (tmp_path / history.HISTORY_FILE).read_bytes() == before
