"""Scheduled runs: cheap refresh, history, incremental enrichment, nothing lost when an API fails."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
from filelock import FileLock

from paper_catalogue.outputs.catalogue import load_catalogue
from paper_catalogue.outputs.history import load_history

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


def test_demo_refreshes_with_citation_growth_add_a_history_point_each(
    tmp_path: Path, make_settings: Callable[..., Path], run_cli: Run
) -> None:
    """`make demo`, then `make demo-refresh` twice, with the emulator's simulated growth (FIXTURE) on: each start is
    a new epoch, the refresh bypasses the HTTP cache for its batch calls, so each refresh adds a point per paper."""
    from paper_catalogue.outputs import plots
    from paper_catalogue_emulator import Emulator, load_seed_corpus
    from paper_catalogue_emulator.growth import grown_corpus
    from tests.conftest import ARRIVAL_TOLERANCE_S, ARXIV_INTERVAL_S, S2_INTERVAL_S

    state = tmp_path / "emulator-epoch.json"

    def started() -> Emulator:
        return Emulator(
            corpus=load_seed_corpus(),
            arxiv_interval_s=ARXIV_INTERVAL_S,
            s2_interval_s=S2_INTERVAL_S,
            tolerance_s=ARRIVAL_TOLERANCE_S,
            citation_growth=state,
        )

    with started() as emu:  # make demo
        config = make_settings(emu)
        code, out = run_cli("enrich", "--config", str(config), "-q")
        assert code == 0, out
    for _ in range(2):  # make demo-refresh, twice: a new emulator (a new port, the next epoch) each time
        with started() as emu:
            make_settings(emu)
            code, out = run_cli("refresh", "--config", str(config), "-q")
            assert code == 0, out
            assert emu.stats()["s2"]["by_endpoint"] == {"batch": 1}
    assert emu.epoch == 3

    enriched = config.parent / "enriched"
    hist = load_history(enriched)
    catalogue = load_catalogue(enriched)
    assert hist is not None and catalogue is not None
    hist = hist.sort_values(["key", "fetched_at"])
    assert (hist.influential_citation_count <= hist.citation_count).all()
    series = hist.groupby("key")["citation_count"].apply(list)
    assert all(counts == sorted(counts) for counts in series)  # never down
    grew = [counts for counts in series if len(counts) == 3 and counts[0] < counts[1] < counts[2]]
    assert len(grew) >= 0.8 * len(series)  # most papers: one point per run, each refresh's counts different
    third = grown_corpus(load_seed_corpus(), 3).get_arxiv("1810.04805")
    assert third is not None
    bert = catalogue.set_index("arxiv_id").loc["1810.04805"]
    assert (bert.citation_count, bert.influential_citation_count) == (
        third.citation_count,
        third.influential_citation_count,
    )
    fig = plots.citation_growth(hist, catalogue)
    assert len(fig.axes[0].lines) == 10  # the panel fills: the ten most-cited papers' lines
    assert "simulated by the emulator" in fig.axes[0].get_title()
