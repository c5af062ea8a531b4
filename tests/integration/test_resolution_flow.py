"""Resolution users can trust, end to end: abstain when unsure, explain, and obey overrides."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from paper_catalogue.outputs.catalogue import load_catalogue
from tests.conftest import ARXIV_INTERVAL_S, S2_INTERVAL_S

Run = Callable[..., tuple[int, str]]
SHARED = "A Shared Title About Pretraining Language Models"


@pytest.fixture
def twin_emulator() -> Iterator[Any]:
    """The seed corpus plus two different (fixture) papers with the same title, and nothing else special."""
    from paper_catalogue_emulator import Emulator, load_seed_corpus

    corpus = load_seed_corpus()
    template = corpus.get_arxiv("1810.04805")
    for n, year in ((1, 2019), (2, 2022)):
        corpus.add(
            dataclasses.replace(
                template,
                arxiv_id=f"2102.0000{n}",
                title=SHARED,
                s2_paper_id=f"{n}" * 40,
                corpus_id=990000 + n,
                year=year,
                publication_date=f"{year}-02-01",
                published=f"{year}-02-01T00:00:00Z",
                updated=f"{year}-02-01T00:00:00Z",
                doi=None,
            )
        )
    with Emulator(corpus=corpus, arxiv_interval_s=ARXIV_INTERVAL_S, s2_interval_s=S2_INTERVAL_S) as emu:
        yield emu


def table(venue_year: str) -> str:
    return f"| 名称 | 来源 |\n| ---- | ---- |\n| 《{SHARED}》 | {venue_year} |\n"


def test_ambiguous_title_is_explained_then_an_override_sticks(
    twin_emulator: Any, make_settings: Callable[..., Path], run_cli: Run
) -> None:
    config = make_settings(twin_emulator)
    raw = config.parent / "raw"
    # The list's year fits neither twin (2019, 2022): the S2 match is checked against arXiv, which finds both.
    (raw / "extra.md").write_text(table("ACL2025"), encoding="utf-8")
    code, out = run_cli("enrich", "--config", str(config), "-q")
    assert code == 0, out  # an abstention is a decision, not a failure
    frame = load_catalogue(config.parent / "enriched")
    assert frame is not None
    row = frame[frame.entry_title == SHARED].iloc[0]
    assert row.match_status == "ambiguous" and row.arxiv_id is pd.NA
    assert "different papers" in row.match_note

    review = (config.parent / "enriched" / "review.md").read_text(encoding="utf-8")
    assert "## Ambiguous (1)" in review and SHARED in review
    pasted = next(line for line in review.splitlines() if line.startswith(SHARED) and "2102.00001" in line)
    (raw / "overrides.csv").write_text("title,arxiv_id,s2_paper_id,note\n" + pasted + "\n", encoding="utf-8")

    twin_emulator.reset_stats()
    code, out = run_cli("enrich", "--config", str(config), "-q")
    assert code == 0, out
    assert twin_emulator.stats()["s2"]["by_endpoint"].get("match", 0) == 0  # obeyed without searching
    frame = load_catalogue(config.parent / "enriched")
    assert frame is not None
    row = frame[frame.entry_title == SHARED].iloc[0]
    assert row.match_status == "matched" and row.arxiv_id == "2102.00001" and row.match_route == "override"
    assert row.published.year == 2019  # and the pinned paper's metadata was fetched


def test_the_lists_year_tells_same_titled_papers_apart(
    twin_emulator: Any, make_settings: Callable[..., Path], run_cli: Run
) -> None:
    config = make_settings(twin_emulator)
    (config.parent / "raw" / "extra.md").write_text(table("ACL2022"), encoding="utf-8")
    code, out = run_cli("enrich", "--config", str(config), "-q")
    assert code == 0, out
    frame = load_catalogue(config.parent / "enriched")
    assert frame is not None
    row = frame[frame.entry_title == SHARED].iloc[0]
    assert row.match_status == "matched" and row.arxiv_id == "2102.00002", row.match_note
    assert "year" in row.match_note


def test_similar_but_wrong_answers_are_rejected_with_the_reason(
    twin_emulator: Any, make_settings: Callable[..., Path], run_cli: Run
) -> None:
    config = make_settings(twin_emulator)
    (config.parent / "raw" / "extra.md").write_text(
        "# Extra\n\n- Longformer 2.0: The Long-Document Transformer\n- Attention Is Not All You Need For Fixtures\n",
        encoding="utf-8",
    )
    code, out = run_cli("enrich", "--config", str(config), "-q")
    assert code == 0, out
    frame = load_catalogue(config.parent / "enriched")
    assert frame is not None
    longformer2 = frame[frame.entry_title == "Longformer 2.0: The Long-Document Transformer"].iloc[0]
    assert longformer2.match_status == "unmatched"
    assert "numbers differ" in longformer2.match_note and "2004.05150" in longformer2.match_note
    # The real Longformer is still matched exactly once, to its own row.
    assert (frame.arxiv_id == "2004.05150").sum() == 1


def test_a_list_identifier_no_source_knows_is_shown_unmatched_with_what_to_check(
    emulator: Any, make_settings: Callable[..., Path], run_cli: Run
) -> None:
    """A mistyped arXiv id is taken without searching, but must not become an empty "matched" row."""
    config = make_settings(emulator)
    (config.parent / "raw" / "extra.md").write_text(
        "# Extra\n\n- https://arxiv.org/abs/2305.99999\n- arXiv:1810.04805\n", encoding="utf-8"
    )
    code, out = run_cli("enrich", "--config", str(config), "-q")
    assert code == 0, out  # the list is wrong, not the run: review.md says what to fix
    frame = load_catalogue(config.parent / "enriched")
    assert frame is not None
    typo = frame[frame.entry_title == "arXiv:2305.99999"].iloc[0]
    assert typo.match_status == "unmatched" and typo.arxiv_id is pd.NA
    assert "neither arXiv nor Semantic Scholar knows" in typo.match_note
    bert = frame[frame.arxiv_id == "1810.04805"].iloc[0]
    assert bert.match_status == "matched" and bert.title.startswith("BERT")  # the real title, from arXiv
    review = (config.parent / "enriched" / "review.md").read_text(encoding="utf-8")
    assert "### arXiv:2305.99999" in review and "check the id in the list" in review
