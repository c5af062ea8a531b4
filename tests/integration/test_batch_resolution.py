"""Batched title resolution against the loopback emulator: fewer requests, the same decisions.

A batch only gathers candidates; the decision rules are the per-title path's. These tests pin that the
two paths agree, that a paper which only *mentions* a title in its abstract is never taken for it, and
that a batch that fails or a title a batch cannot find falls back to the per-title path.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from paper_catalogue.config import load_settings
from paper_catalogue.errors import FetchError
from paper_catalogue.lists.load import load_reading_lists, merge_entries
from paper_catalogue.matching.normalise import normalise_title
from paper_catalogue.models import Occurrence, Resolution, TitleRecord
from paper_catalogue.sources import s2_source
from paper_catalogue.sources.session import HttpClient
from paper_catalogue.stages.resolve import resolve_all
from paper_catalogue_emulator import Emulator, load_seed_corpus, synthetic_corpus
from paper_catalogue_emulator.papers import Corpus, Paper
from tests.conftest import ARXIV_INTERVAL_S, S2_INTERVAL_S, SEED_LISTS, config_text

NOW = "2026-01-01T00:00:00Z"


@pytest.fixture
def resolve(tmp_path: Path) -> Iterator[Callable[..., dict[str, Resolution]]]:
    clients: list[HttpClient] = []

    def run(emu: Any, records: list[TitleRecord], *, batch: bool = True) -> dict[str, Resolution]:
        folder = tmp_path / ("batched" if batch else "per-title")
        folder.mkdir(exist_ok=True)
        path = folder / "config.toml"
        path.write_text(config_text(emu, extra="" if batch else "[batch]\nenabled = false\n"), encoding="utf-8")
        http = HttpClient(load_settings(path, env={}))
        clients.append(http)
        return resolve_all(http, http.settings, records, {}, 2, {}, NOW)

    yield run
    for client in clients:
        client.close()


def record(title: str) -> TitleRecord:
    return TitleRecord(norm=normalise_title(title), title=title, occurrences=[Occurrence("x.md", 1, None, title)])


def searches(emu: Emulator) -> int:
    stats = emu.stats()
    return sum(stats["s2"]["by_endpoint"].values()) + sum(stats["arxiv"]["by_endpoint"].values())


def test_batched_and_per_title_decide_the_seed_lists_alike(emulator: Any, resolve: Callable[..., Any]) -> None:
    records = merge_entries(load_reading_lists(SEED_LISTS).entries)
    batched = resolve(emulator, records)
    batched_requests = searches(emulator)
    emulator.reset_stats()
    per_title = resolve(emulator, records, batch=False)
    per_title_requests = searches(emulator)
    assert {n: (r.status, r.arxiv_id) for n, r in batched.items()} == {
        n: (r.status, r.arxiv_id) for n, r in per_title.items()
    }
    assert batched_requests <= 0.2 * len(records) < per_title_requests
    routes = [r.route for r in batched.values()]
    assert routes.count("s2-bulk") >= 0.8 * len(records)


def test_a_paper_that_only_mentions_the_title_in_its_abstract_is_not_taken(resolve: Callable[..., Any]) -> None:
    seed = load_seed_corpus()
    elmo = seed.get_arxiv("1802.05365")
    assert elmo is not None
    citing = dataclasses.replace(
        elmo,
        arxiv_id="2199.77777",
        s2_paper_id="f" * 40,
        corpus_id=999_999_999,
        doi=None,
        title="A Study of Sequence Models for Translation",
        summary="We revisit Deep contextualized word representations and measure what its layers learn.",
        citation_count=elmo.citation_count * 10,  # first on the most-cited-first page
    )
    others = [p for p in seed if p.arxiv_id != "1802.05365"]
    with Emulator(Corpus([citing, *others]), arxiv_interval_s=ARXIV_INTERVAL_S, s2_interval_s=S2_INTERVAL_S) as emu:
        wanted = record("Deep contextualized word representations")
        got = resolve(emu, [wanted, record("Semi-supervised Sequence Learning")])[wanted.norm]
        bulk_served = emu.stats()["s2"]["by_endpoint"].get("bulk", 0)
    assert bulk_served >= 1  # the batch ran and brought the citing paper back
    assert got.status != "matched" and got.arxiv_id is None  # the paper itself is not in this corpus


def test_a_failing_batch_falls_back_to_the_per_title_path(
    emulator: Any, resolve: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(*_: Any, **__: Any) -> Any:
        raise FetchError("s2", "client_error", "HTTP 400 from /paper/search/bulk", 400)

    monkeypatch.setattr(s2_source, "fetch_bulk_candidates", refused)
    title = "Universal Language Model Fine-tuning for Text Classification"
    got = resolve(emulator, [record(title)])[normalise_title(title)]
    assert (got.status, got.arxiv_id) == ("matched", "1801.06146")
    assert got.route != "s2-bulk"


def test_a_typo_breaks_the_phrase_and_the_per_title_path_finds_it(emulator: Any, resolve: Callable[..., Any]) -> None:
    typo = record("Universal Langauge Model Fine-tuning for Text Classification")
    got = resolve(emulator, [typo])[typo.norm]
    assert (got.status, got.arxiv_id) == ("matched", "1801.06146")
    assert got.route not in ("s2-bulk", "arxiv-batch")


def test_a_thousand_clean_titles_cost_under_a_fifth_of_a_request_each(resolve: Callable[..., Any]) -> None:
    corpus = synthetic_corpus(1000, seed=7)
    with Emulator(corpus, arxiv_interval_s=0.001, s2_interval_s=0.001) as emu:
        records = list({r.norm: r for r in (record(p.title) for p in corpus)}.values())
        got = resolve(emu, records)
        requests = searches(emu)
        stats = emu.stats()
    assert stats["s2"]["too_early"] == 0 and stats["arxiv"]["too_early"] == 0
    wrong = [r for r in records if got[r.norm].status == "matched" and not got[r.norm].arxiv_id]
    assert not wrong
    assert sum(r.status == "matched" for r in got.values()) >= 0.95 * len(records)
    assert requests <= 0.2 * len(records), stats


def test_an_s2_link_that_s2_does_not_know_is_searched_by_its_title_or_reported(
    emulator: Any, resolve: Callable[..., Any]
) -> None:
    unknown = "0123456789abcdef0123456789abcdef01234567"
    text = (
        f"- [Semi-supervised Sequence Learning](https://www.semanticscholar.org/paper/{unknown})\n"
        f"- https://www.semanticscholar.org/paper/{'f' * 40}\n"
    )
    from paper_catalogue.lists.load import parse_markdown

    records = merge_entries(parse_markdown(text, "l.md")[0])
    got = resolve(emulator, records)
    titled, bare = (got[r.norm] for r in records)
    assert (titled.status, titled.arxiv_id) == ("matched", "1511.01432") and titled.route != "identifier"
    assert bare.status == "unmatched" and "Semantic Scholar does not know" in (bare.reason or "")
    assert emulator.stats()["s2"]["by_endpoint"].get("batch") == 1  # one check for both ids


def test_a_typo_is_never_settled_on_a_sibling_another_title_brought_back(resolve: Callable[..., Any]) -> None:
    seed = load_seed_corpus()
    base = seed.get_arxiv("1802.05365")
    assert base is not None

    def made_up(n: int, title: str) -> Paper:
        return dataclasses.replace(
            base, arxiv_id=f"2199.8888{n}", s2_paper_id=f"{n}" * 40, corpus_id=990_000_000 + n, doi=None, title=title
        )

    encoders = made_up(1, "Learning Interpretable Encoders for Low-Resource Machine Translation")
    decoders = made_up(2, "Learning Interpretable Decoders for Low-Resource Machine Translation")
    with Emulator(Corpus([encoders, decoders]), arxiv_interval_s=ARXIV_INTERVAL_S, s2_interval_s=S2_INTERVAL_S) as emu:
        typo = record("Learning Interpretable Encoders for Low-Resource Machine Tarnslation")
        other = record("Learning Interpretable Decoders for Low-Resource Machine Translation")
        got = resolve(emu, [typo, other])
    assert got[other.norm].route == "s2-bulk" and got[other.norm].arxiv_id == "2199.88882"
    assert got[typo.norm].arxiv_id != "2199.88882"  # the sibling the other title brought back is never taken
    assert got[typo.norm].route != "s2-bulk"
