"""Simulated citation growth (``paper_catalogue_emulator.growth``, the demo's ``--citation-growth``): FIXTURE counts
that advance one epoch per emulator start, never go down, keep influential ≤ total in every endpoint, and stay fixed
when off."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import requests

from paper_catalogue_emulator import Emulator, load_seed_corpus, synthetic_corpus
from paper_catalogue_emulator.growth import (
    STATE_NOTICE,
    GrowthStateError,
    advance_epoch,
    grown_corpus,
    grown_counts,
    load_epoch,
)

ROOT = Path(__file__).resolve().parents[2]
#: The emulator's command line, as the Makefile runs it.
EMULATOR = [sys.executable, "-m", "paper_catalogue_emulator"]
COUNT_FIELDS = "title,externalIds,citationCount,influentialCitationCount"


def counts_by_arxiv(corpus: Any) -> dict[str, tuple[int, int]]:
    return {p.arxiv_id: (p.citation_count, p.influential_citation_count) for p in corpus}


def test_counts_advance_across_epochs_monotone_and_consistent() -> None:
    for corpus in (load_seed_corpus(), synthetic_corpus(500)):
        epochs = [counts_by_arxiv(grown_corpus(corpus, e)) for e in range(6)]
        assert epochs[0] == counts_by_arxiv(corpus)  # epoch 0 is the corpus itself
        for before, after in zip(epochs, epochs[1:], strict=False):
            moved = 0
            for arxiv_id, (total, influential) in after.items():
                old_total, old_influential = before[arxiv_id]
                assert total >= old_total and influential >= old_influential, arxiv_id
                assert 0 <= influential <= total, arxiv_id
                moved += total != old_total
            assert moved >= 0.8 * len(after)  # most papers move each epoch; about one in ten is dormant
        assert epochs[5] == counts_by_arxiv(grown_corpus(corpus, 5))  # deterministic


def test_a_paper_without_citations_or_influence_still_consistent() -> None:
    assert grown_counts("2101.00001", 0, 0, 0) == (0, 0)
    for epoch in range(1, 5):
        total, influential = grown_counts("2101.00001", 0, 0, epoch)
        assert influential == 0 and total >= 0
        total, influential = grown_counts("2101.00001", 10, 10, epoch)
        assert influential <= total


def test_growing_leaves_the_given_corpus_alone() -> None:
    corpus = load_seed_corpus()
    before = counts_by_arxiv(corpus)
    grown = grown_corpus(corpus, 3)
    assert counts_by_arxiv(corpus) == before
    assert grown is not corpus and "simulated growth, epoch 3" in grown.notice


def test_the_epoch_advances_once_per_advance_and_is_labelled_fixture(tmp_path: Path) -> None:
    state = tmp_path / "demo" / "emulator-epoch.json"
    assert load_epoch(state) == 0
    assert [advance_epoch(state), advance_epoch(state), advance_epoch(state)] == [1, 2, 3]
    saved = json.loads(state.read_text(encoding="utf-8"))
    assert saved == {"_notice": STATE_NOTICE, "epoch": 3} and "FIXTURE" in saved["_notice"]
    assert not [p for p in state.parent.iterdir() if p.name != state.name]  # no temp file left behind


@pytest.mark.parametrize("text", ["", "not json", '{"epoch": -1}', '{"epoch": "2"}', '{"epoch": true}', "[1]"])
def test_a_damaged_state_file_is_refused_not_reset(tmp_path: Path, text: str) -> None:
    state = tmp_path / "emulator-epoch.json"
    state.write_text(text, encoding="utf-8")
    with pytest.raises(GrowthStateError, match="delete it"):
        advance_epoch(state)
    assert state.read_text(encoding="utf-8") == text  # kept as it was: restarting at 0 would make counts drop


def served_counts(emu: Emulator, paper: Any) -> list[tuple[str, int, int]]:
    """(endpoint, citationCount, influentialCitationCount) of one paper from every S2 endpoint that returns them."""
    s2 = emu.s2_url
    params = {"fields": COUNT_FIELDS}
    answers = {
        "batch": requests.post(f"{s2}/paper/batch", params=params, json={"ids": [f"ARXIV:{paper.arxiv_id}"]}).json()[0],
        "paper": requests.get(f"{s2}/paper/ARXIV:{paper.arxiv_id}", params=params).json(),
        "match": requests.get(f"{s2}/paper/search/match", params={**params, "query": paper.title}).json()["data"][0],
    }
    bulk = requests.get(f"{s2}/paper/search/bulk", params={**params, "query": f'"{paper.title}"'}).json()["data"]
    answers["bulk"] = next(d for d in bulk if d["paperId"] == paper.s2_paper_id)
    search = requests.get(f"{s2}/paper/search", params={**params, "query": paper.title, "limit": 100}).json()["data"]
    answers["search"] = next(d for d in search if d["paperId"] == paper.s2_paper_id)
    out = []
    for endpoint, item in answers.items():
        assert item["paperId"] == paper.s2_paper_id, endpoint
        out.append((endpoint, item["citationCount"], item["influentialCitationCount"]))
    return out


SAMPLE = ("1810.04805", "1907.11692", "2211.05100")


def test_every_endpoint_serves_the_grown_counts_of_its_start(tmp_path: Path) -> None:
    state = tmp_path / "emulator-epoch.json"
    seen: list[dict[str, tuple[int, int]]] = []
    for expected_epoch in (1, 2):
        with Emulator(arxiv_interval_s=0, s2_interval_s=0, citation_growth=state) as emu:
            assert emu.epoch == expected_epoch == load_epoch(state)
            grown = counts_by_arxiv(grown_corpus(load_seed_corpus(), expected_epoch))
            assert counts_by_arxiv(emu.corpus) == grown
            for arxiv_id in SAMPLE:
                paper = emu.corpus.get_arxiv(arxiv_id)
                assert paper is not None
                for endpoint, total, influential in served_counts(emu, paper):
                    assert (total, influential) == grown[arxiv_id], (endpoint, arxiv_id)
                    assert influential <= total
            ranked = requests.get(
                f"{emu.s2_url}/paper/search/bulk",
                params={"query": "language", "sort": "citationCount:desc", "fields": "citationCount"},
            ).json()["data"]
            cites = [d["citationCount"] for d in ranked]
            assert len(cites) > 5 and cites == sorted(cites, reverse=True)  # the sort sees the grown counts too
            seen.append(grown)
    assert all(seen[1][a][0] > seen[0][a][0] for a in SAMPLE)


def test_growth_off_serves_the_corpus_counts_and_writes_nothing(tmp_path: Path) -> None:
    fixed = counts_by_arxiv(load_seed_corpus())
    for _ in range(2):
        with Emulator(arxiv_interval_s=0, s2_interval_s=0) as emu:
            assert emu.epoch == 0 and emu.citation_growth is None
            for arxiv_id in SAMPLE:
                paper = emu.corpus.get_arxiv(arxiv_id)
                assert paper is not None
                for endpoint, total, influential in served_counts(emu, paper):
                    assert (total, influential) == fixed[arxiv_id], endpoint
    assert list(tmp_path.iterdir()) == []


def test_cli_run_with_growth_advances_the_state_and_says_it_is_simulated(tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = tmp_path / "config.toml"
    config.write_text(
        f'[arxiv]\nbase_url = "http://127.0.0.1:{port}/api/query"\nmin_interval_s = 0.05\n'
        f'[semantic_scholar]\nbase_url = "http://127.0.0.1:{port}/graph/v1"\nmin_interval_s = 0.02\n'
    )
    state = tmp_path / "data" / "emulator-epoch.json"
    fetch = (
        "import json, urllib.request\n"
        f"url = 'http://127.0.0.1:{port}/graph/v1/paper/ARXIV:1810.04805?fields=citationCount'\n"
        "print('count', json.load(urllib.request.urlopen(url))['citationCount'])\n"
    )
    counts = []
    for epoch in (1, 2):
        p = subprocess.run(
            [*EMULATOR, "run", "--config", str(config), "--citation-growth", str(state)]
            + ["--", sys.executable, "-c", fetch],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert p.returncode == 0, p.stderr
        assert f"citation growth: ON, epoch {epoch} (simulated, FIXTURE" in p.stdout
        counts.append(int(p.stdout.split("count ", 1)[1].split()[0]))
        assert load_epoch(state) == epoch
    bert = load_seed_corpus().get_arxiv("1810.04805")
    assert bert is not None and bert.citation_count < counts[0] < counts[1]

    state.write_text("garbage", encoding="utf-8")
    p = subprocess.run(
        [*EMULATOR, "run", "--config", str(config), "--citation-growth", str(state)] + ["--", "true"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert p.returncode == 2 and "citation-growth state" in p.stderr and "Traceback" not in p.stderr
