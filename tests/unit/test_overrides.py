"""The overrides file: parsing with file:line errors, and attaching rows to titles."""

from __future__ import annotations

from pathlib import Path

import pytest

from paper_catalogue.lists.overrides_file import load_overrides
from paper_catalogue.matching.overrides import OverridesError, override_line, parse_overrides, title_key
from paper_catalogue.matching.similarity import normalise_title
from paper_catalogue.models import Occurrence, TitleRecord


def rec(title: str) -> TitleRecord:
    return TitleRecord(norm=normalise_title(title), title=title, occurrences=[Occurrence("l.md", 3, None, title)])


def test_parse_pins_none_and_keys() -> None:
    text = (
        "title,arxiv_id,s2_paper_id,note\n"
        "# a comment\n"
        "BERT: Pre-training of Deep Bidirectional Transformers,arXiv:1810.04805v2,,checked\n"
        "Some Internal Memo,none,,not a paper\n"
        f"{title_key('x y')},,{'a' * 40},\n"
    )
    rows = parse_overrides(text, "overrides.csv")
    assert [t for t, _ in rows] == [
        "BERT: Pre-training of Deep Bidirectional Transformers",
        "Some Internal Memo",
        title_key("x y"),
    ]
    assert rows[0][1].arxiv_id == "1810.04805" and rows[0][1].line == "overrides.csv:3"
    assert rows[1][1].none and rows[2][1].s2_paper_id == "a" * 40


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("Title,abc,,", "overrides.csv:2: 'abc' is not an arXiv id"),
        ("Title,,xyz,", "overrides.csv:2: 'xyz' is not a Semantic Scholar paperId"),
        ("Title,,,", "overrides.csv:2: give an arXiv id"),
        (",1810.04805,,", "overrides.csv:2: the first column"),
    ],
)
def test_bad_rows_name_file_and_line(line: str, message: str) -> None:
    with pytest.raises(OverridesError, match=message.replace("(", r"\(")):
        parse_overrides("title,arxiv_id,s2_paper_id,note\n" + line + "\n", "overrides.csv")


def test_rows_attach_by_any_spelling_or_key_and_orphans_are_reported(tmp_path: Path) -> None:
    bert = rec("BERT: Pre-training of Deep Bidirectional Transformers")
    memo = rec("Some Internal Memo")
    (tmp_path / "overrides.csv").write_text(
        "title,arxiv_id,s2_paper_id,note\n"
        "bert  pre-training of deep bidirectional TRANSFORMERS,1810.04805,,\n"
        f"{title_key(memo.norm)},none,,\n"
        "A Title Nobody Has,none,,\n",
        encoding="utf-8",
    )
    matched, orphans = load_overrides(tmp_path, [bert, memo])
    assert matched[bert.norm].arxiv_id == "1810.04805"
    assert matched[memo.norm].none
    assert len(orphans) == 1 and "A Title Nobody Has" in orphans[0] and "overrides.csv:4" in orphans[0]


def test_override_line_round_trips() -> None:
    line = override_line('Title, with "quotes"', "1810.04805", None, "checked by hand")
    ((title, override),) = parse_overrides(line + "\n", "o.csv")
    assert title == 'Title, with "quotes"' and override.arxiv_id == "1810.04805"
