"""The whole pipeline against the emulator: seed lists in, a complete catalogue out.

Request counts and politeness are asserted at the emulator (the server), not inferred from the client.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from paper_catalogue.outputs.catalogue import COLUMNS, load_catalogue

#: Every paper of the two seed lists (data/raw), by arXiv id. ALBERT, "Pre-Training with Whole Word
#: Masking", SpanBERT and XLNet appear twice and must be merged.
SEED_PAPERS = {
    # plm-papers-table.md
    "2003.08271",
    "1511.01432",
    "1708.00107",
    "1705.00108",
    "1801.06146",
    "1802.05365",
    "1810.04805",
    "1901.07291",
    "1905.02450",
    "1905.03197",
    "2002.12804",
    "2004.09297",
    "1907.11692",
    "1909.11942",
    "1906.08101",
    "1905.07129",
    "1904.09223",
    "1907.12412",
    "2003.10555",
    "1909.07606",
    "1908.04577",
    "1909.02209",
    "1906.08237",
    "2004.05150",
    "2007.14062",
    "1908.08962",
    "1910.01108",
    "1909.10351",
    "2004.02178",
    "2004.08900",
    "1907.10529",
    "1908.10084",
    "1909.00204",
    "1911.00720",
    "2004.13922",
    "2303.17564",
    "2211.05100",
    "2205.01068",
    "2103.10360",
    # plm-notes.md (SpanBERT and XLNet again)
    "2004.10964",
    "2106.07139",
    "2103.13076",
    "2006.08671",
    "1910.13461",
    "2012.15409",
}
NON_TITLES = ["BERT及其变种", "GPT及其变种", "ERNIE及其变种", "等等", "GPT", "GOOGLE提出", "训练时间长"]


def api_stats(emu: Any, api: str) -> dict[str, Any]:
    return emu.stats()[api]


@pytest.mark.parametrize("batch", [True, False], ids=["batched", "per-title"])
def test_cold_then_warm_run(
    emulator: Any, make_settings: Callable[..., Path], run_cli: Callable[..., tuple[int, str]], batch: bool
) -> None:
    config = make_settings(emulator, extra="" if batch else "[batch]\nenabled = false\n")
    code, out = run_cli("enrich", "--config", str(config), "-q")
    assert code == 0, out
    assert "FIXTURE DATA" in out

    frame = load_catalogue(config.parent / "enriched")
    assert frame is not None
    assert list(frame.columns) == list(COLUMNS)
    matched = frame[frame.match_status == "matched"]
    assert set(matched.arxiv_id) == SEED_PAPERS
    assert len(frame) == len(SEED_PAPERS), frame[frame.match_status != "matched"][["entry_title", "match_note"]]
    assert frame.key.is_unique
    titles = set(frame.entry_title)
    for text in NON_TITLES:
        assert text not in titles
    albert = frame[frame.arxiv_id == "1909.11942"].iloc[0]
    assert len(albert.provenance) == 2
    assert (frame.data_origin == "fixture").all()
    bert = frame[frame.arxiv_id == "1810.04805"].iloc[0]
    assert bert.section == "预训练模型兴起"
    assert bert.list_venue == "ACL" and bert.list_year == 2019
    assert bert.arxiv_version >= 1 and bert.pdf_url.startswith("https://arxiv.org/pdf/")
    assert isinstance(bert.citation_count, (int,)) or pd.notna(bert.citation_count)
    assert bert.published.tzinfo is not None

    arxiv, s2 = api_stats(emulator, "arxiv"), api_stats(emulator, "s2")
    assert arxiv["too_early"] == 0 and s2["too_early"] == 0
    assert arxiv["concurrent"] == 0
    assert s2["by_endpoint"].get("batch") == 1 and arxiv["by_endpoint"].get("id_list") == 1  # records: one call each
    searches = sum(n for e, n in s2["by_endpoint"].items() if e != "batch") + arxiv["by_endpoint"].get("search", 0)
    if batch:
        # 25 titles per bulk query (two pages at most each), then the per-title path for what they left:
        # at most 0.2 search requests per title, and most titles settled by the bulk search alone.
        assert s2["by_endpoint"].get("bulk", 0) <= 4
        assert searches <= 0.2 * len(SEED_PAPERS), (s2, arxiv)
        assert "matched in this run: " in out and " by s2-bulk" in out
        assert (frame.match_route == "s2-bulk").sum() >= 0.8 * len(SEED_PAPERS)
    else:
        # One S2 title match per distinct title; arXiv's title search (and S2's relevance search) only for the
        # few titles S2 matched imperfectly (typos, truncations).
        assert s2["by_endpoint"].get("match") == len(SEED_PAPERS) and "bulk" not in s2["by_endpoint"]
        assert s2["by_endpoint"].get("search", 0) <= 3
        assert arxiv["by_endpoint"].get("search", 0) <= 3

    # Warm rerun: zero requests reach the emulator, and the catalogue is the same.
    emulator.reset_stats()
    code, out = run_cli("enrich", "--config", str(config))
    assert code == 0, out
    assert api_stats(emulator, "arxiv")["requests"] == 0
    assert api_stats(emulator, "s2")["requests"] == 0
    assert "arXiv: 0 network requests" in out and "Semantic Scholar: 0 network requests" in out
    again = load_catalogue(config.parent / "enriched")
    assert again is not None
    pd.testing.assert_frame_equal(
        frame.drop(columns=["fetched_at"]).reset_index(drop=True),
        again.drop(columns=["fetched_at"]).reset_index(drop=True),
    )


def test_api_key_is_sent_but_never_stored(
    emulator: Any,
    make_settings: Callable[..., Path],
    run_cli: Callable[..., tuple[int, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    secret = "s2-key-DO-NOT-LEAK-8f3a"
    monkeypatch.setenv("S2_API_KEY", secret)
    config = make_settings(emulator)
    code, out = run_cli("enrich", "--config", str(config), "-v")
    assert code == 0, out
    assert secret not in out
    assert api_stats(emulator, "s2")["requests_with_api_key"] >= 1
    assert api_stats(emulator, "arxiv")["requests_with_api_key"] == 0
    for path in config.parent.rglob("*"):
        if path.is_file():
            assert secret.encode() not in path.read_bytes(), path
    cache = config.parent / "cache" / "http.sqlite"
    with sqlite3.connect(cache) as db:
        assert db.execute("select count(*) from responses").fetchone()[0] > 0
