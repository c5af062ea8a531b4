"""Snapshot candidates by SQL: the cap on blocked candidates never drops an exact or near-identical title, so a
title with a near-identical rival stays ambiguous; papers sharing too few of the title's words are not proposed.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import duckdb
import pytest

from paper_catalogue.config import MatchSettings, SnapshotSettings
from paper_catalogue.matching.context import query_title
from paper_catalogue.matching.decide import decide, is_settled
from paper_catalogue.matching.normalise import normalise_title
from paper_catalogue.models import Occurrence, TitleRecord
from paper_catalogue.sources.snapshot import lookup, store
from paper_catalogue.stages.snapshot import settled_decisions

TITLE = "Zyphorian Graph Networks for Protein Folding"
RIVAL = "Zyphorian Graph Networks for Protein Foldings"  # near-identical: one word differs by a letter
#: Alike by words but longer: more of them than the cap, all sharing every word of the title.
JUNK = [f"Zyphorian Graph Networks for Protein Folding with Extraordinarily Elaborate Wording{i}" for i in range(15)]
#: Holds the title's rarest word but fewer than half of its content words.
STRANGER = "Zyphorian Tales"


def _db(tmp_path: Path, titles: list[str]) -> duckdb.DuckDBPyConnection:
    settings: Any = SimpleNamespace(snapshot=SnapshotSettings(memory_limit="256MB", threads=1))
    con = store.connect(tmp_path / "snapshot.duckdb", settings)
    for i, title in enumerate(titles):
        con.execute(
            "INSERT INTO arxiv (arxiv_id, version, title, norm, authors, published) VALUES (?, 1, ?, ?, [], ?)",
            [f"2401.{i:05d}", title, normalise_title(title), "2024-01-02 00:00:00+00"],
        )
    store.rebuild_tokens(con, "arxiv", "arxiv_id", "arxiv")
    return con


@pytest.fixture
def con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = _db(tmp_path, [TITLE, RIVAL, *JUNK, STRANGER])
    yield connection
    connection.close()


def _record(title: str) -> TitleRecord:
    return TitleRecord(normalise_title(title), title, [Occurrence("list.md", 1, None, title)])


def test_the_cap_keeps_exact_and_near_identical_titles(con: duckdb.DuckDBPyConnection) -> None:
    # no ranked candidate at all: only the never-dropped ones
    found = lookup.candidates(con, {0: normalise_title(TITLE)}, max_token_papers=1000, max_blocked=0)
    assert sorted(c.title for c in found[0]) == sorted([TITLE, RIVAL])


def test_blocked_candidates_are_capped_and_need_half_the_words(con: duckdb.DuckDBPyConnection) -> None:
    found = lookup.candidates(con, {0: normalise_title(TITLE)}, max_token_papers=1000)
    titles = [c.title for c in found[0]]
    assert TITLE in titles and RIVAL in titles
    assert STRANGER not in titles, "shares 1 of 6 content words: fewer than MIN_SHARED_WORDS"
    assert len([t for t in titles if t in JUNK]) == lookup.MAX_BLOCKED


def test_a_title_with_a_near_identical_rival_stays_ambiguous(con: duckdb.DuckDBPyConnection) -> None:
    record = _record(TITLE)
    candidates = lookup.candidates(con, {0: record.norm}, max_token_papers=1000, max_blocked=0)[0]
    decision = decide(record, candidates, MatchSettings(), now="2026-01-01T00:00:00Z")
    assert decision.status == "ambiguous"
    assert not is_settled(record, candidates, decision)
    assert settled_decisions([(0, record, candidates)], MatchSettings(), "2026-01-01T00:00:00Z") == []


def test_chunks_give_the_same_candidates_as_one_round(tmp_path: Path) -> None:
    titles = [TITLE, RIVAL, *JUNK[:3], STRANGER, "Quorvex Attention for Entity Linking"]
    connection = _db(tmp_path, titles)
    queries = {i: normalise_title(t) for i, t in enumerate(titles)}
    whole = lookup.candidates(connection, queries, max_token_papers=1000)
    parts: dict[int, list[object]] = {}
    for part in lookup.iter_candidates(connection, queries, max_token_papers=1000, chunk=2):
        parts.update(part)
    connection.close()
    assert parts == whole
    assert set(whole) == set(queries), "every title finds itself"


def test_the_title_as_written_is_looked_up_too(tmp_path: Path) -> None:
    """The title sentence reads a nickname in front as a label; the paper titled as written must compete with the
    paper the rest names, or the title would be settled on the other paper."""
    written, other = "Zegenphaze: Recurrent Memory for Speech Recognition", "Recurrent Memory for Speech Recognition"
    connection = _db(tmp_path, [written, other])
    record = _record("Zegenphaze - Recurrent Memory For Speech Recognition")
    sentence = normalise_title(query_title(record.title))
    assert sentence == normalise_title(other), "the nickname is read past"
    # every word of the title sentence too common to block on: only the exact joins propose papers
    alone = lookup.candidates(connection, {0: sentence}, max_token_papers=1)
    found = lookup.candidates(connection, {0: [sentence, record.norm]}, max_token_papers=1)
    connection.close()
    assert [c.title for c in alone[0]] == [other]
    assert sorted(c.title for c in found[0]) == sorted([written, other])
    decision = decide(record, found[0], MatchSettings(), now="2026-01-01T00:00:00Z")
    assert not (decision.status == "matched" and decision.title == other)


@pytest.mark.parametrize(
    ("limit", "parts", "share"),
    [("2GB", 2, "1000MB"), ("3GB", 2, "1500MB"), ("512MB", 4, "128MB"), ("1.5GiB", 2, "805MB"), ("2gb", 2, "1000MB")],
)
def test_worker_processes_share_the_memory_limit(limit: str, parts: int, share: str) -> None:
    """``[snapshot] memory_limit`` holds for the run: resolving worker processes get a part each."""
    assert store.share_of_memory(limit, parts) == share


@pytest.mark.parametrize(("limit", "parts"), [("2GB", 1), ("80%", 2)])
def test_a_limit_that_cannot_be_split_is_kept(limit: str, parts: int) -> None:
    assert store.share_of_memory(limit, parts) == limit
