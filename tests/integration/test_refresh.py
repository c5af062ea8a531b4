"""Scheduled runs: cheap refresh, history, incremental enrichment, nothing lost when an API fails."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
from filelock import FileLock

from pipeline.outputs.catalogue import load_catalogue
from pipeline.outputs.history import load_history

Run = Callable[..., tuple[int, str]]


def cold(emulator: Any, make_settings: Callable[..., Path], run_cli: Run, arxiv_extra: str = "") -> Path:
    config = make_settings(emulator)
    config.write_text(config.read_text().replace("[arxiv]\n", f"[arxiv]\n{arxiv_extra}"))
    code, out = run_cli("enrich", "--config", str(config), "-q")
    assert code == 0, out
    emulator.reset_stats()
    return config


def test_refresh_costs_one_batch_per_500_papers_and_no_arxiv(
    emulator: Any, make_settings: Callable[..., Path], run_cli: Run
) -> None:
    config = cold(emulator, make_settings, run_cli)
    before = load_catalogue(config.parent / "enriched")
    assert before is not None
    bert = emulator.corpus.get_arxiv("1810.04805")
    bert.citation_count += 1000

    code, out = run_cli("refresh", "--config", str(config), "-q")
    assert code == 0, out
    stats = emulator.stats()
    assert stats["s2"]["by_endpoint"] == {"batch": math.ceil(len(before) / 500)}
    assert stats["arxiv"]["requests"] == 0

    after = load_catalogue(config.parent / "enriched")
    assert after is not None and len(after) == len(before)
    row = after.set_index("arxiv_id").loc["1810.04805"]
    assert row.citation_count == bert.citation_count
    hist = load_history(config.parent / "enriched")
    assert hist is not None
    bert_hist = hist[hist.arxiv_id == "1810.04805"].sort_values("fetched_at")
    assert list(bert_hist.citation_count) == [bert.citation_count - 1000, bert.citation_count]
    # Unchanged papers got no duplicate snapshot on the same day.
    assert len(hist) == len(before) + 1


def test_failed_refresh_keeps_every_value_flags_stale_and_exits_nonzero(
    emulator: Any, make_settings: Callable[..., Path], run_cli: Run
) -> None:
    config = cold(emulator, make_settings, run_cli)
    enriched = config.parent / "enriched"
    before = load_catalogue(enriched)
    history_before = (enriched / "citations_history.parquet").read_bytes()
    emulator.inject("s2", "503", times=10_000)

    code, out = run_cli("refresh", "--config", str(config), "-q")
    assert code == 1, out
    assert "INCOMPLETE" in out and "Semantic Scholar record not refreshed" in out
    after = load_catalogue(enriched)
    assert after is not None and before is not None and len(after) == len(before)
    assert after.stale.all()
    value_columns = [c for c in before.columns if c not in ("stale",)]
    pd.testing.assert_frame_equal(before[value_columns], after[value_columns])
    assert (enriched / "citations_history.parquet").read_bytes() == history_before
    emulator.clear_faults()

    code, out = run_cli("refresh", "--config", str(config), "-q")  # the next run fills them
    assert code == 0, out
    final = load_catalogue(enriched)
    assert final is not None and not final.stale.any()


def test_new_titles_cost_searches_old_ones_nothing(
    emulator: Any, make_settings: Callable[..., Path], run_cli: Run
) -> None:
    config = cold(emulator, make_settings, run_cli)
    (config.parent / "raw" / "more.md").write_text(
        "# More\n\n- Big Bird: Transformers for Longer Sequences\n- Attention Is All You Need in Fixture Land\n",
        encoding="utf-8",
    )
    code, out = run_cli("enrich", "--config", str(config), "-q")
    stats = emulator.stats()
    # Big Bird is already known (merged); only the new title is searched.
    assert stats["s2"]["by_endpoint"].get("match", 0) == 1, out
    assert stats["s2"]["by_endpoint"].get("batch", 0) == 0  # nothing new matched, nothing expired
    assert stats["arxiv"]["by_endpoint"].get("id_list", 0) == 0
    frame = load_catalogue(config.parent / "enriched")
    assert frame is not None
    bigbird = frame[frame.arxiv_id == "2007.14062"].iloc[0]
    assert any(p.startswith("more.md:") for p in bigbird.provenance)


def test_new_arxiv_version_shows_in_catalogue_and_summary(
    emulator: Any, make_settings: Callable[..., Path], run_cli: Run
) -> None:
    # arXiv records expire at once (as if three weeks had passed between the runs).
    config = cold(emulator, make_settings, run_cli, arxiv_extra="records_expire_days = 0.0\n")
    paper = emulator.corpus.get_arxiv("1907.11692")
    old_version = paper.version
    paper.version += 1
    paper.updated = "2026-11-27T10:00:00Z"
    code, out = run_cli("enrich", "--config", str(config))
    assert code == 0, out
    assert f"new arXiv version: 1907.11692 v{old_version} → v{old_version + 1}" in out
    frame = load_catalogue(config.parent / "enriched")
    assert frame is not None
    row = frame.set_index("arxiv_id").loc["1907.11692"]
    assert row.arxiv_version == old_version + 1
    assert row.updated == pd.Timestamp("2026-11-27T10:00:00Z")


def test_concurrent_runs_are_refused(emulator: Any, make_settings: Callable[..., Path], run_cli: Run) -> None:
    config = make_settings(emulator)
    lock = FileLock(str(config.parent / "interim" / ".pipeline.lock"))
    (config.parent / "interim").mkdir(exist_ok=True)
    with lock:
        code, out = run_cli("enrich", "--config", str(config), "-q")
    assert code == 3
    assert "another pipeline run" in out
    assert emulator.stats()["s2"]["requests"] == 0
