"""The demo on your own list (issue 17, item 2): `--lists FOLDER` (what `make demo LISTS=…` passes), titles the
fixture corpus does not hold said to be missing from the offline corpus (rows, review, summary), override lines
below the accept score marked as guesses, and the review naming the overrides file the run actually reads."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from paper_catalogue.models import Occurrence, Resolution, TitleRecord
from paper_catalogue.outputs.catalogue import load_catalogue
from paper_catalogue.outputs.review import build_review, format_score, override_note

Run = Callable[..., tuple[int, str]]
RESNET = "Deep Residual Learning for Image Recognition"  # a real paper the fixture corpus does not hold
BERT = "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding"


def test_own_lists_in_the_demo_say_what_the_offline_corpus_lacks(
    emulator: Any, make_settings: Callable[..., Path], run_cli: Run, tmp_path: Path
) -> None:
    config = make_settings(emulator, lists=None)
    mine = tmp_path / "my lists"
    mine.mkdir()
    (mine / "reading.md").write_text(f"# To read\n\n- {RESNET}\n- {BERT}\n", encoding="utf-8")
    code, out = run_cli("enrich", "--config", str(config), "--lists", str(mine))
    assert code == 0, out
    assert "1 matched, 0 ambiguous, 1 unmatched" in out
    assert "1 title(s) unmatched because the offline demo corpus (FIXTURE data) does not hold them" in out

    frame = load_catalogue(config.parent / "enriched")
    assert frame is not None and set(frame.entry_title) == {RESNET, BERT}
    resnet = frame[frame.entry_title == RESNET].iloc[0]
    assert resnet.match_status == "unmatched"
    assert resnet.match_note.startswith("not in the offline demo corpus: the emulator's FIXTURE corpus")
    assert "score 0.54:" in resnet.match_note and "0.5378" not in resnet.match_note  # rounded

    review = (config.parent / "enriched" / "review.md").read_text(encoding="utf-8")
    assert f"`{mine / 'overrides.csv'}`" in review and "data/raw/overrides.csv" not in review
    block = review.split(f"### {RESNET}", 1)[1].split("```csv", 1)[1].split("```", 1)[0]
    pins = [line for line in block.strip().splitlines() if ",none," not in line]
    assert pins and all("GUESS: score 0." in line and "< 0.90 — check before pasting" in line for line in pins)
    assert "checked by hand" not in block
    assert "0.5378" not in review


def test_lists_must_be_a_folder(emulator: Any, make_settings: Callable[..., Path], run_cli: Run, tmp_path: Path):
    config = make_settings(emulator, lists=None)
    code, out = run_cli("enrich", "--config", str(config), "--lists", str(tmp_path / "nowhere"))
    assert code == 2 and "--lists" in out and "no such folder" in out


def test_live_unmatched_titles_keep_their_reason_and_scores_are_rounded() -> None:
    record = TitleRecord(norm="t", title="Some Title", occurrences=[Occurrence("a.md", 3, None, "Some Title")])
    near = {"title": "Some Titles", "arxiv_id": "2101.00001", "score": 0.8999, "why": "edit similarity 0.90"}
    sure = {"title": "Some Title", "arxiv_id": "2101.00002", "score": 0.9512, "why": "exact"}
    res = Resolution(norm="t", status="ambiguous", score=0.9512, reason="2 papers", candidates=[sure, near])
    text = build_review(
        [(record, res)], [], generated_at="now", data_origin="live", accept_score=0.9, overrides_path="/x/overrides.csv"
    )
    assert "`/x/overrides.csv`" in text
    assert "Some Title,2101.00002,,checked by hand" in text
    assert "Some Title,2101.00001,,GUESS: score 0.8999 < 0.90 — check before pasting" in text
    assert "| 0.95 |" in text and "0.9512" not in text
    assert format_score(0.5378) == "0.54" and format_score(None) == "" and format_score(1) == "1.00"
    assert format_score(0.896, 0.9) == "0.896"  # never shown as reaching the threshold it missed
    assert override_note(0.9, 0.9) == "checked by hand"
