"""What a batch query holds: the title the parser read, normalised, so nothing in a line can break the syntax."""

from __future__ import annotations

from paper_catalogue.models import Candidate, Occurrence, TitleRecord
from paper_catalogue.sources.arxiv_source import batch_title_query
from paper_catalogue.sources.s2_source import bulk_phrase, bulk_query
from paper_catalogue.stages.batch import _CandidateIndex, batch_phrase, group


def record(title: str) -> TitleRecord:
    from paper_catalogue.matching.normalise import normalise_title

    return TitleRecord(norm=normalise_title(title), title=title, occurrences=[Occurrence("x.md", 1, None, title)])


def test_bulk_phrases_are_letters_and_digits_in_quotes() -> None:
    tricky = 'Why "Should" I Trust You? | A -negated (grouped) +plus* title~2'
    assert bulk_phrase(tricky) == '"why should i trust you a negated grouped plus title 2"'
    assert bulk_query(["Attention Is All You Need", "BERT: Pre-training"]) == (
        '"attention is all you need" | "bert pre training"'
    )


def test_arxiv_batch_query_ors_quoted_title_phrases() -> None:
    assert batch_title_query(["Attention Is All You Need", "(Unbalanced: paren", "!!!"]) == (
        'ti:"attention is all you need" OR ti:"unbalanced paren"'
    )


def test_a_batch_asks_for_the_title_the_parser_read_not_the_notes() -> None:
    ref = 'Vaswani, A., et al. (2017). "Attention is all you need." In NeurIPS.'
    assert batch_phrase(record(ref)) == "attention is all you need"
    assert batch_phrase(record("Longformer")) is None  # too short to be worth a place in a batch


def test_groups_respect_both_the_count_and_the_length() -> None:
    phrases = [f"title number {i} " + "word " * 10 for i in range(30)]
    by_count = list(group(phrases, per_query=7, max_chars=100_000))
    assert [len(b) for b in by_count] == [7, 7, 7, 7, 2]
    by_length = list(group(phrases, per_query=100, max_chars=300))
    assert all(sum(len(p) + 10 for p in b) <= 300 for b in by_length)
    assert [p for b in by_length for p in b] == phrases


def test_candidates_are_scored_only_against_titles_sharing_their_words() -> None:
    papers = [
        Candidate(route="s2-bulk", title="Attention Is All You Need", arxiv_id="1706.03762"),
        Candidate(route="s2-bulk", title="Deep Residual Learning for Image Recognition", arxiv_id="1512.03385"),
        Candidate(route="s2-bulk", title="Attention Is All You Need in Speech Separation", arxiv_id="2010.13154"),
    ]
    index = _CandidateIndex(papers)
    near = index.near("attention is all you need")
    assert [c.arxiv_id for c in near] == ["1706.03762", "2010.13154"]  # the near-miss stays a competitor
    assert index.near("deep residual learning for image recognition")[0].arxiv_id == "1512.03385"
