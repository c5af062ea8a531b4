"""Reading-list parser: the two real lists under data/raw/ and synthetic lists under tests/fixtures/lists/."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from paper_catalogue.errors import InputError
from paper_catalogue.lists.bibtex_lists import latex_to_text, read_bibtex
from paper_catalogue.lists.load import (
    ListProblem,
    extract_identifiers,
    extract_s2_id,
    is_title,
    load_reading_lists,
    merge_entries,
    parse_list_text,
    parse_markdown,
    parse_venue,
    raise_for_fatal,
)
from paper_catalogue.models import ListEntry, Occurrence

ROOT = Path(__file__).resolve().parents[2]
RAW = ROOT / "data" / "raw"
FIXTURES = ROOT / "tests" / "fixtures" / "lists"  # all synthetic


@pytest.fixture
def titles_module() -> Iterator[None]:
    """Kept as a named dependency of the merge tests: they rely on ``matching.similarity.normalise_title``."""
    yield


def _parse_file(path: Path) -> tuple[list, list, list]:
    return parse_markdown(path.read_text(encoding="utf-8"), path.name)


# ------------------------------------------------------------------------------ real lists


@pytest.fixture(scope="module")
def real() -> object:
    return load_reading_lists(RAW)


def _by_file(loaded: object, name: str) -> list[ListEntry]:
    return [e for e in loaded.entries if e.occurrence.source_file == name]  # type: ignore[attr-defined]


def test_real_lists_load_without_problems(real: object) -> None:
    assert real.files == ["plm-notes.md", "plm-papers-table.md"]  # type: ignore[attr-defined]
    assert real.problems == []  # type: ignore[attr-defined]
    raise_for_fatal(real.problems)  # type: ignore[attr-defined]


def test_real_table_titles(real: object) -> None:
    table = _by_file(real, "plm-papers-table.md")
    # 41 rows carry a 《》 title in the file (the brief said 40; the file has 41).
    assert len(table) == 41
    titles = [e.title for e in table]
    assert titles.count("ALBERT: A Lite BERT for Self-supervised Learning of Language Representations") == 2
    assert titles.count("Pre-Training with Whole Word Masking for Chinese BERT") == 2
    assert "ZEN: Pre-training Chinese (Z) Text Encoder Enhanced by N-gram Representations" in titles
    assert all("《" not in t and "》" not in t and t == t.strip() for t in titles)
    assert "NULL" not in titles
    assert not any(re.search(r"[\u4e00-\u9fff]", t) for t in titles)


def test_real_table_bert_row(real: object) -> None:
    (bert,) = [e for e in _by_file(real, "plm-papers-table.md") if e.title.startswith("BERT:")]
    occ = bert.occurrence
    assert occ.line == 12
    assert occ.section == "预训练模型兴起"
    assert (occ.venue_hint, occ.year_hint, occ.status, occ.notes) == ("ACL", 2019, "done", "BERT")
    assert bert.arxiv_id is None and bert.doi is None  # github URL in 备注 gives no identifier


def test_real_table_hints_and_notes(real: object) -> None:
    table = {e.occurrence.line: e.occurrence for e in _by_file(real, "plm-papers-table.md")}
    assert table[4].section == "综述"
    assert (table[4].venue_hint, table[4].year_hint) == ("arXiv", 2020)  # Arxiv2020
    assert table[4].notes is not None and table[4].notes.startswith("邱锡鹏预训练模型综述：\n1 Introduction\n")
    assert "<br" not in table[4].notes
    assert (table[20].venue_hint, table[20].year_hint) == ("arXiv", 2019)  # arXiv2019
    assert (table[22].venue_hint, table[22].year_hint) == ("arXiv", 2019)  # ArXiv2019
    assert (table[6].venue_hint, table[6].year_hint) == ("NIPS", 2015)
    assert (table[13].venue_hint, table[13].year_hint) == (None, 2019)  # "2019"
    assert (table[19].venue_hint, table[19].year_hint) == (None, None)  # "done" is garbage
    assert (table[15].venue_hint, table[15].notes is not None) == (None, True)  # NULL venue
    assert table[27].notes is None and table[27].status is None  # NULL cells
    assert table[49].section == "中文预训练模型"


def test_real_table_skips_null_and_section_rows(real: object) -> None:
    skipped = {s.line: s for s in real.skipped if s.source_file == "plm-papers-table.md"}  # type: ignore
    assert {ln for ln, s in skipped.items() if s.reason == "NULL row"} == {52, 53, 54, 55, 56}
    assert {ln for ln, s in skipped.items() if s.reason == "section row"} == {3, 5, 11, 28, 32, 38, 40, 43}


NOTES_TITLES = [
    "Don't Stop Pretraining: Adapt Language Models to Domains and Tasks",
    "Pre-Trained Models: Past, Present and Future",
    "Finetuning Pretrained Transformers into RNNs",
    "To Pretrain or Not to Pretrain: Examining the Benefits of Pretraining on Resource Rich Tasks",
    "BART: Denoising Sequence-to-Sequence Pre-training for Natural Language Generation, Translation, and Comprehension",
    "SpanBERT: Improving Pre-training by Representing and Predicting Spans",
    "UNIMO: Towards Unified-Modal Understanding and Generation via Cross-Modal Contrastive Learning",
    "XLNet: Generalized autoregressive pretraining for language understanding",
]


def test_real_notes_titles_exactly(real: object) -> None:
    notes = _by_file(real, "plm-notes.md")
    assert [e.title for e in notes] == NOTES_TITLES
    assert [e.occurrence.line for e in notes] == [6, 7, 26, 31, 35, 42, 47, 54]
    by_title = {e.title: e.occurrence for e in notes}
    assert by_title[NOTES_TITLES[0]].section == "综述"
    finetune = by_title["Finetuning Pretrained Transformers into RNNs"]
    assert finetune.section == "BERT瓶颈"  # "：" stripped
    assert finetune.notes is not None and finetune.notes.startswith("替换BERT中的attention")
    # a title heading's section is the enclosing section heading
    assert by_title[NOTES_TITLES[3]].section == "BERT瓶颈"
    assert by_title[NOTES_TITLES[3]].raw_title == NOTES_TITLES[3]  # ﬁ -> fi, trailing space gone


NEVER_ENTRIES = [
    "BERT及其变种",
    "GPT及其变种",
    "ERNIE及其变种",
    "等等",
    "GPT",
    "GOOGLE提出：LAMB优化器 + 超大batch",
    "训练时间长",
    "Our findings",
    "A key advantage",
    "randomly shuffling",
    "arbitrary length spans",
    "SBO",
    "Next Sentence",
    "Single-modal",
    "AR(Auto Regressive)",
    "Permutation",
    "综述",
    "预训练模型列表",
    "看GPTpapaer",
]


def test_real_notes_non_titles_never_entries(real: object) -> None:
    for entry in real.entries:  # type: ignore[attr-defined]
        for bad in NEVER_ENTRIES:
            assert not entry.title.startswith(bad), (bad, entry)
    skipped_text = {s.text for s in real.skipped if s.source_file == "plm-notes.md"}  # type: ignore
    for line in ("- BERT及其变种", "- 等等", "### GPT", "- GOOGLE提出：LAMB优化器 + 超大batch"):
        assert line in skipped_text
    reasons = {s.line: s.reason for s in real.skipped if s.source_file == "plm-notes.md"}  # type: ignore
    assert "quotation" in reasons[33] and "quotation" in reasons[37]
    assert "变种" in reasons[13]
    assert "提出" in reasons[27]
    assert "single token" in reasons[61]


def test_real_merge(real: object, titles_module: None) -> None:
    records = merge_entries(real.entries)  # type: ignore[attr-defined]
    assert len(records) == len({r.norm for r in records})
    by_title = {r.title: r for r in records}
    albert = by_title["ALBERT: A Lite BERT for Self-supervised Learning of Language Representations"]
    assert [(o.source_file, o.line) for o in albert.occurrences] == [
        ("plm-papers-table.md", 19),
        ("plm-papers-table.md", 34),
    ]
    span = by_title["SpanBERT: Improving Pre-training by Representing and Predicting Spans"]
    assert [o.source_file for o in span.occurrences] == ["plm-notes.md", "plm-papers-table.md"]
    xlnet = [r for r in records if r.title.startswith("XLNet")]
    assert len(xlnet) == 1 and xlnet[0].title == NOTES_TITLES[-1]  # notes file sorts first: its spelling
    assert len(records) == 41 + 8 - 2 - 2  # table dups ALBERT/WWM; SpanBERT, XLNet in both files


# ------------------------------------------------------------------------------ is_title


@pytest.mark.parametrize(
    "text",
    [
        "Attention Is All You Need",
        "Don't Stop Pretraining: Adapt Language Models to Domains and Tasks",
        "BLOOM: A 176B-Parameter Open-Access Multilingual Language Model",
        "DistilBERT, a distilled version of BERT: smaller, faster, cheaper and lighter",
        "THE COST OF TRAINING NLP MODELS A CONCISE OVERVIEW",
    ],
)
def test_is_title_accepts(text: str) -> None:
    assert is_title(text) == (True, "")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("NULL", "placeholder"),
        ("GPT", "single token"),
        ("BERT及其变种", "变种"),
        ("等等", "etc"),
        ("GOOGLE提出：LAMB优化器 + 超大batch", "提出"),
        ("训练时间长", "Chinese"),
        ("'Our findings indicate that models might reach a point.'", "quotation"),
        ("‘A key advantage of this setup is the noising flexibility.’", "quotation"),
        ("randomly shuffling the order of theoriginal sentences", "capital"),
        ("L(xi) = LMLM(xi) + LSBO(xi) loss", "formula"),
        ("https://arxiv.org/abs/1810.04805", "link"),
        ("Related Papers:", "colon"),
    ],
)
def test_is_title_rejects(text: str, reason: str) -> None:
    ok, why = is_title(text)
    assert not ok
    assert reason in why


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("ACL2019", ("ACL", 2019)),
        ("NIPS2015", ("NIPS", 2015)),
        ("Arxiv2020", ("arXiv", 2020)),
        ("arXiv2019", ("arXiv", 2019)),
        ("arxiv2022", ("arXiv", 2022)),
        ("2019", (None, 2019)),
        ("done", (None, None)),
        ("NULL", (None, None)),
        ("", (None, None)),
        ("NeurIPS 2021", ("NeurIPS", 2021)),
    ],
)
def test_parse_venue(cell: str, expected: tuple) -> None:
    assert parse_venue(cell) == expected


# ------------------------------------------------------------------------------ synthetic lists


def test_plain_bullets() -> None:
    entries, skipped, problems = _parse_file(FIXTURES / "bullets" / "list.md")
    assert problems == []
    assert [(e.title, e.occurrence.line, e.occurrence.section) for e in entries] == [
        ("Attention Is All You Need", 5, "Transformers"),
        ("Longformer: The Long-Document Transformer", 9, "Transformers"),
        ("Deep Residual Learning for Image Recognition", 10, "Transformers"),
        ("ATTENTION IS ALL YOU NEED", 14, "Misc"),
    ]
    assert entries[1].occurrence.notes == "长文本模型"
    assert entries[2].arxiv_id == "1512.03385"  # version dropped, id removed from the title
    assert entries[0].occurrence.notes is None
    assert {s.line for s in skipped} >= {6, 7, 8, 13}


def test_numbered_list() -> None:
    entries, skipped, _ = _parse_file(FIXTURES / "numbered" / "list.md")
    assert [e.title for e in entries] == [
        "Pre-trained Models for Natural Language Processing: A Survey",
        "A Survey of Large Language Models",  # trailing period removed
        "Language Models are Few-Shot Learners",
    ]
    assert all(e.occurrence.section == "Survey papers" for e in entries)
    assert [s.line for s in skipped if "Chinese" in s.reason] == [5]


def test_markdown_links_give_title_and_arxiv_id() -> None:
    entries, _, _ = _parse_file(FIXTURES / "links" / "list.md")
    got = [(e.title, e.arxiv_id, e.doi) for e in entries]
    assert got[0] == ("Synthetic Paper About Linking Titles", "2101.00001", None)
    assert got[1] == ("Another Synthetic Paper on Versions", "2101.00002", None)
    assert entries[1].occurrence.notes == "(NeurIPS 2021) 好文章"
    assert got[2] == ("Plain Title With A Pdf Link", "2101.00003", None)
    assert got[3] == ("A Paper With A Digital Object Identifier", None, "10.18653/v1/n19-1423")
    assert got[4] == ("Code For Something Else Entirely", None, None)  # github URL: no identifier


def test_merge_by_shared_arxiv_id(titles_module: None) -> None:
    entries, _, _ = _parse_file(FIXTURES / "links" / "list.md")
    records = merge_entries(entries)
    first = records[0]
    assert first.title == "Synthetic Paper About Linking Titles"
    assert first.arxiv_id == "2101.00001"
    assert [o.line for o in first.occurrences] == [3, 8]
    assert len(records) == len(entries) - 1


def test_ragged_table_row_is_skipped_with_a_warning() -> None:
    entries, skipped, problems = _parse_file(FIXTURES / "ragged" / "table.md")
    assert [e.title for e in entries] == [
        "A Synthetic Table Title",
        "Another Synthetic Title",
        "Plain English Table Title Without Brackets",
    ]
    first = entries[0]
    assert first.occurrence.section == "模型"
    assert (first.occurrence.venue_hint, first.occurrence.year_hint) == ("NeurIPS", 2021)
    assert first.occurrence.notes == "第一行\n第二行"
    assert first.arxiv_id is None  # nothing taken from the 备注 column
    assert entries[1].arxiv_id == "2102.00005"
    assert (entries[1].occurrence.venue_hint, entries[1].occurrence.year_hint) == ("arXiv", 2021)
    (problem,) = problems
    assert problem == ListProblem("table.md", 6, problem.message, fatal=False)
    assert "has 3 cells" in problem.message and "has 5" in problem.message
    assert any(s.line == 6 and "expected 5 cells, got 3" in s.reason for s in skipped)
    raise_for_fatal(problems)  # non-fatal: does not raise


def test_non_utf8_file_is_fatal_and_named(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "badenc" / "latin1.md", tmp_path / "latin1.md")
    (tmp_path / "good.md").write_text("- Attention Is All You Need\n", encoding="utf-8")
    loaded = load_reading_lists(tmp_path)
    (problem,) = [p for p in loaded.problems if p.fatal]
    assert problem.source_file == "latin1.md" and problem.line == 2
    assert "not UTF-8" in problem.message and "byte offset" in problem.message
    with pytest.raises(InputError, match=r"latin1\.md:2: not UTF-8"):
        raise_for_fatal(loaded.problems)
    assert [e.title for e in loaded.entries] == ["Attention Is All You Need"]


def test_empty_folder_is_fatal(tmp_path: Path) -> None:
    (tmp_path / "overrides.csv").write_text("a,b\n", encoding="utf-8")
    loaded = load_reading_lists(tmp_path)
    assert loaded.files == [] and loaded.entries == []
    with pytest.raises(InputError, match=r"no reading lists in .*: put \.md files there"):
        raise_for_fatal(loaded.problems)


def test_missing_folder_is_fatal(tmp_path: Path) -> None:
    loaded = load_reading_lists(tmp_path / "nope")
    with pytest.raises(InputError, match="does not exist"):
        raise_for_fatal(loaded.problems)


def test_folder_walk_suffixes_readme_txt_and_empty_file() -> None:
    loaded = load_reading_lists(FIXTURES / "mixed")
    assert loaded.files == ["README.md", "sub/empty.markdown", "sub/more.txt"]  # not .csv / .rst
    assert [(e.occurrence.source_file, e.occurrence.line, e.title) for e in loaded.entries] == [
        ("README.md", 2, "Attention Is All You Need"),
        ("sub/more.txt", 2, "Attention is All You Need"),
    ]
    assert [s.text for s in loaded.skipped] == ["训练时间长"]  # .txt lines are candidates
    (empty,) = loaded.problems
    assert empty.source_file == "sub/empty.markdown" and not empty.fatal and "empty" in empty.message
    raise_for_fatal(loaded.problems)


def test_raise_for_fatal_lists_every_fatal_problem() -> None:
    problems = [
        ListProblem("a.md", 3, "bad one", fatal=True),
        ListProblem("b.md", 0, "bad two", fatal=True),
        ListProblem("c.md", 1, "just a warning", fatal=False),
    ]
    with pytest.raises(InputError) as info:
        raise_for_fatal(problems)
    text = str(info.value)
    assert "a.md:3: bad one" in text and "b.md: bad two" in text and "warning" not in text


def test_merge_normalised_titles_first_spelling_and_order(titles_module: None) -> None:
    def entry(title: str, file: str, line: int, arxiv: str | None = None) -> ListEntry:
        return ListEntry(title, Occurrence(file, line, None, title), arxiv_id=arxiv)

    entries = [
        entry("THE COST OF TRAINING NLP MODELS A CONCISE OVERVIEW", "b.md", 1),
        entry("Some Other Paper Title", "a.md", 9, arxiv="2001.00001"),
        entry("The Cost of Training NLP Models: A Concise Overview", "a.md", 2),
        entry("Different Spelling Same Paper", "c.md", 1, arxiv="2001.00001"),
    ]
    records = merge_entries(entries)
    assert [r.title for r in records] == [
        "The Cost of Training NLP Models: A Concise Overview",
        "Some Other Paper Title",
    ]
    assert [(o.source_file, o.line) for o in records[0].occurrences] == [("a.md", 2), ("b.md", 1)]
    assert [(o.source_file, o.line) for o in records[1].occurrences] == [("a.md", 9), ("c.md", 1)]
    assert records[1].arxiv_id == "2001.00001"
    assert merge_entries(list(reversed(entries))) == records  # deterministic


def test_parse_markdown_misc_structures() -> None:
    text = (
        "```\n- Code Block Title Should Be Ignored\n```\n"
        " ### Leading Space Heading That Is A Paper Title.\n"
        "## Language Models\n"
        "- [ ] Checkbox Item Paper Title\n"
        "Some prose paragraph sentence that is not a list item.\n"
        "Paragraph mentioning 《A Booked Title In Prose》 here\n"
        "- 《一篇中文论文的标题》\n"
    )
    entries, skipped, _ = parse_markdown(text, "x.md")
    assert [(e.title, e.occurrence.line, e.occurrence.section) for e in entries] == [
        ("Leading Space Heading That Is A Paper Title", 4, None),
        ("Checkbox Item Paper Title", 6, "Language Models"),
        ("A Booked Title In Prose", 8, "Language Models"),
        ("一篇中文论文的标题", 9, "Language Models"),  # 《》 is always a title
    ]
    assert [s.line for s in skipped] == [5]  # the short heading, used as a section


# ------------------------------------------------------------------------------ round 2: formats

FORMATS = FIXTURES / "formats"
S2_A = "0123456789abcdef0123456789abcdef01234567"


def _parse_fixture(name: str) -> tuple[list, list, list]:
    path = FORMATS / name
    return parse_list_text(path.read_text(encoding="utf-8"), name)


def _fatal_text(loaded: object) -> str:
    with pytest.raises(InputError) as info:
        raise_for_fatal(loaded.problems)  # type: ignore[attr-defined]
    return str(info.value)


def test_csv_list_columns_identifiers_and_physical_lines() -> None:
    entries, skipped, problems = _parse_fixture("list.csv")
    got = [(e.occurrence.line, e.title) for e in entries]
    assert got == [
        (2, "Attention Is All You Need"),
        (3, "DistilBERT, a distilled version of BERT: smaller, faster, cheaper and lighter"),
        (5, "A Synthetic Paper With A DOI Column"),  # line 4 is the 2nd physical line of row 3
        (6, "A Synthetic Paper With An S2 Link"),
    ]
    first = entries[0]
    assert first.arxiv_id == "1706.03762"  # arXiv column, version dropped
    occ = first.occurrence
    assert (occ.venue_hint, occ.year_hint, occ.notes, occ.status) == ("NeurIPS", 2017, "经典", "done")
    assert (entries[1].occurrence.venue_hint, entries[1].occurrence.year_hint) == ("arXiv", 2019)
    assert entries[1].occurrence.notes == "蒸馏\n两行备注"
    assert entries[2].doi == "10.5555/synth.001"
    assert entries[3].s2_paper_id == S2_A
    reasons = {s.line: s.reason for s in skipped}
    assert "Chinese" in reasons[7] and "no title" in reasons[8] and "ragged" in reasons[9]
    (ragged,) = problems
    assert (ragged.source_file, ragged.line, ragged.fatal) == ("list.csv", 9, False)
    assert "9 cells" in ragged.message and "has 8" in ragged.message


def test_csv_semicolon_delimiter_chinese_header_and_bom() -> None:
    entries, _, problems = _parse_fixture("semi.csv")
    assert problems == []
    assert [(e.occurrence.line, e.title) for e in entries] == [
        (2, "Synthetic Semicolon Title One"),
        (3, "一篇中文论文的标题"),  # 《》: always a title
    ]
    occ = entries[0].occurrence
    assert (occ.venue_hint, occ.year_hint, occ.notes) == ("ICML", 2022, "第一篇")


def test_tsv_list() -> None:
    entries, _, problems = _parse_fixture("list.tsv")
    assert problems == []
    assert [(e.occurrence.line, e.title) for e in entries] == [
        (2, '"Why Should I Trust You?": Explaining the Predictions of Any Classifier'),  # quotes kept
        (3, 'A Quoted "Synthetic" Tab Title'),  # spreadsheet quoting undone
        (4, "Synthetic TSV PDF Link"),
    ]
    assert entries[0].occurrence.notes == "LIME" and entries[0].occurrence.year_hint == 2016
    assert entries[2].arxiv_id == "2101.00009"


def test_csv_without_title_column_is_fatal_and_lists_header(tmp_path: Path) -> None:
    (tmp_path / "papers.csv").write_text("\nfoo,bar,baz\nA Synthetic Title Here,x,y\n", encoding="utf-8")
    loaded = load_reading_lists(tmp_path)
    (problem,) = loaded.problems
    assert problem.fatal and (problem.source_file, problem.line) == ("papers.csv", 2)
    text = _fatal_text(loaded)
    assert text.startswith("papers.csv:2: ") and "'foo', 'bar', 'baz'" in text and "title" in text
    assert loaded.entries == []


def test_overrides_csv_is_never_a_reading_list(tmp_path: Path) -> None:
    (tmp_path / "overrides.csv").write_text("title,arxiv_id,s2_paper_id,note\nSome Pinned Title,none,,\n")
    (tmp_path / "list.csv").write_text("title\nA Synthetic Title Here\n", encoding="utf-8")
    loaded = load_reading_lists(tmp_path)
    assert loaded.files == ["list.csv"]
    assert [e.title for e in loaded.entries] == ["A Synthetic Title Here"]


def test_bibtex_list() -> None:
    entries, skipped, problems = _parse_fixture("refs.bib")
    assert problems == []
    assert [(e.occurrence.line, e.title) for e in entries] == [
        (4, "Attention Is All You Need"),
        (12, "Schütze and École: Synthetic Models & Data — a Study of k-means 1–2"),
        (20, "A Synthetic Misc Entry"),
    ]
    vaswani, schutze, misc = entries
    assert vaswani.arxiv_id == "1706.03762" and vaswani.occurrence.venue_hint == "arXiv"
    assert vaswani.occurrence.year_hint == 2017
    assert schutze.doi == "10.5555/synth--002"  # the DOI is not LaTeX: "--" stays
    assert schutze.occurrence.venue_hint == "Proceedings of the Synthetic ACL 2020"  # @string + '#'
    assert schutze.occurrence.year_hint == 2020
    assert misc.s2_paper_id == "0123456789abcdef0123456789abcdef01234568"
    assert [(s.line, s.text, s.reason) for s in skipped] == [(24, "@book{notitle2019", "BibTeX entry without a title")]


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        (r"{\"u}ber", "über"),
        (r"M\"uller and M\"{u}ller", "Müller and Müller"),
        (r"{\'E}cole na{\"\i}ve", "École naïve"),
        (r"Tom \& Jerry", "Tom & Jerry"),
        (r"pages 1--2, a---b", "pages 1–2, a—b"),
        ("{BERT}:   Pre-training\n   of {D}eep", "BERT: Pre-training of Deep"),
        (r"\emph{Very} \textbf{Bold} $k$-NN", "Very Bold k-NN"),
        (r"Stra{\ss}e {\o}re \c{c}a 100\%", "Straße øre ça 100%"),
    ],
)
def test_latex_to_text(latex: str, text: str) -> None:
    assert latex_to_text(latex) == text


BROKEN_BIB = """\
@article{good1,
  title = {A Good Synthetic Entry},
}
@article{unclosed2020,
  title = {An {Unclosed Synthetic Title},
  year = 2020
}
@inproceedings{nocomma2021,
  title = {Missing Comma After This}
  year = 2021
}
@misc{
  title = {No Key Here}
}
@article{good2, title = {Another Good Synthetic Entry}}
"""


def test_bibtex_syntax_errors_are_fatal_and_name_the_entry(tmp_path: Path) -> None:
    (tmp_path / "refs.bib").write_text(BROKEN_BIB, encoding="utf-8")
    loaded = load_reading_lists(tmp_path)
    fatal = [p for p in loaded.problems if p.fatal]
    assert [(p.source_file, p.line) for p in fatal] == [("refs.bib", 4), ("refs.bib", 8), ("refs.bib", 12)]
    assert "@article{unclosed2020" in fatal[0].message and "unbalanced braces" in fatal[0].message
    assert "@inproceedings{nocomma2021" in fatal[1].message and "missing comma" in fatal[1].message
    assert "'title'" in fatal[1].message
    assert "@misc" in fatal[2].message and "key is missing" in fatal[2].message
    text = _fatal_text(loaded)
    assert "refs.bib:4: BibTeX syntax error in entry @article{unclosed2020" in text
    assert "refs.bib:8:" in text and "refs.bib:12:" in text
    # the reader recovers: the good entries around the broken ones are still found
    assert [e.title for e in loaded.entries] == ["A Good Synthetic Entry", "Another Good Synthetic Entry"]


def test_bibtex_reader_edge_cases() -> None:
    text = (
        "Contact me@example.org about this file.\n"
        '@preamble{ "\\newcommand{\\x}{y}" }\n'
        '@Article(paren2020, Title = "Paren {Delimited} Entry", YEAR = "2020")\n'
        "@misc{bare}\n"
    )
    entries, errors = read_bibtex(text)
    assert errors == []
    got = [(e.entry_type, e.key, e.line) for e in entries]
    assert got == [("article", "paren2020", 3), ("misc", "bare", 4)]
    assert entries[0].fields == {"title": "Paren {Delimited} Entry", "year": "2020"}


def test_markdown_bold_quoted_and_book_titles() -> None:
    entries, skipped, _ = _parse_fixture("emph.md")
    by_line = {e.occurrence.line: e for e in entries}
    assert by_line[3].title == "Attention Is All You Need"
    assert by_line[3].occurrence.notes == "推荐阅读，很经典"
    assert by_line[4].title == "Synthetic Bold Title At The Start"
    assert by_line[4].occurrence.notes == "(NeurIPS 2021)"
    assert by_line[5].title == "A Quoted Synthetic Title In Prose"
    assert (by_line[6].title, by_line[6].occurrence.notes) == ("A Curly Quoted Synthetic Title", "中文评论")
    # a quote that is part of the title does not cut it
    assert by_line[7].title == '"Why Should I Trust You?": Explaining the Predictions of Any Classifier'
    assert by_line[8].title == 'The "Something Something" Paper Title Goes On'
    assert "masking" not in [e.title for e in entries]
    # paragraphs: bold / 《》 titles count, plain prose does not
    assert by_line[10].title == "Another Synthetic Bold Paragraph Title"
    assert by_line[11].title == "书名号里的标题"
    assert 12 not in by_line


def test_identifier_forms() -> None:
    entries, _, _ = _parse_fixture("emph.md")
    by_title = {e.title: e for e in entries}
    assert by_title["S2 only"].s2_paper_id == "0123456789abcdef0123456789abcdef0123456a"
    assert by_title["Synthetic S2 Linked Title"].s2_paper_id == "0123456789abcdef0123456789abcdef0123456b"
    assert by_title["Synthetic PDF Link Title"].arxiv_id == "2101.00007"
    assert by_title["Synthetic DOI URL Title"].doi == "10.5555/synth.003"
    assert by_title["Synthetic arXiv Prefix Title"].arxiv_id == "2101.00008"
    assert extract_identifiers("https://arxiv.org/pdf/2101.00001v2.pdf") == ("2101.00001", None)
    assert extract_identifiers("see arXiv: 2101.00002v1") == ("2101.00002", None)
    assert extract_identifiers("https://doi.org/10.18653/v1/N19-1423") == (None, "10.18653/v1/n19-1423")
    assert extract_s2_id(f"https://www.semanticscholar.org/paper/{S2_A.upper()}") == S2_A
    slug_url = f"https://www.semanticscholar.org/paper/Attention-is-All-you-Need-Vaswani/{S2_A}"
    assert extract_s2_id(slug_url) == S2_A
    assert extract_s2_id("https://www.semanticscholar.org/paper/not-an-id") is None
    assert extract_s2_id(f"https://github.com/x/{S2_A}") is None


def test_merge_by_shared_s2_id() -> None:
    entries = [
        ListEntry("First Spelling", Occurrence("a.md", 1, None, "First Spelling"), s2_paper_id=S2_A),
        ListEntry("Second Spelling", Occurrence("b.bib", 4, None, "Second Spelling"), s2_paper_id=S2_A),
    ]
    (record,) = merge_entries(entries)
    assert record.title == "First Spelling" and record.s2_paper_id == S2_A


# ------------------------------------------------------------------------------ round 2: hostile input


def test_gb18030_file_is_read_with_a_warning(tmp_path: Path) -> None:
    text = "# 笔记\n- Attention Is All You Need  经典论文，必读\n"
    (tmp_path / "gbk.md").write_bytes(text.encode("gb18030"))
    loaded = load_reading_lists(tmp_path)
    assert [(e.title, e.occurrence.line, e.occurrence.notes) for e in loaded.entries] == [
        ("Attention Is All You Need", 2, "经典论文，必读")
    ]
    (problem,) = loaded.problems
    assert not problem.fatal and (problem.source_file, problem.line) == ("gbk.md", 1)
    assert "read as GB18030 (not UTF-8" in problem.message
    assert "consider saving it as UTF-8" in problem.message
    raise_for_fatal(loaded.problems)  # a warning only


@pytest.mark.parametrize(
    "data",
    [
        b"- A Good Synthetic Title\n- Bad \x80\x80 bytes here\n",  # neither UTF-8 nor GB18030
        "- A Good Synthetic Title\n- 中文\x01控制\n".encode("gb18030"),  # GB18030 with a control char
        "- A Good Synthetic Title\n- Caf\u00e9s and Na\u00efve Text\n".encode("latin-1"),  # Latin-1
    ],
)
def test_undecodable_file_is_fatal_with_line_and_offset(tmp_path: Path, data: bytes) -> None:
    (tmp_path / "bad.md").write_bytes(data)
    loaded = load_reading_lists(tmp_path)
    (problem,) = loaded.problems
    assert problem.fatal and (problem.source_file, problem.line) == ("bad.md", 2)
    text = _fatal_text(loaded)
    assert text.startswith("bad.md:2: not UTF-8") and "byte offset" in text
    assert loaded.entries == []


@pytest.mark.parametrize(
    ("name", "encoding", "bom"),
    [
        ("bom8.md", "utf-8", b"\xef\xbb\xbf"),
        ("bom16le.md", "utf-16-le", b"\xff\xfe"),
        ("bom16be.txt", "utf-16-be", b"\xfe\xff"),
        ("bom16.csv", "utf-16-le", b"\xff\xfe"),
    ],
)
def test_bom_encodings_are_accepted(tmp_path: Path, name: str, encoding: str, bom: bytes) -> None:
    is_csv = name.endswith(".csv")
    body = "title,notes\nA Synthetic BOM Title,中文\n" if is_csv else "- A Synthetic BOM Title\n"
    (tmp_path / name).write_bytes(bom + body.replace("\n", "\r\n").encode(encoding))
    loaded = load_reading_lists(tmp_path)
    assert loaded.problems == []
    assert [(e.title, e.occurrence.line) for e in loaded.entries] == [
        ("A Synthetic BOM Title", 2 if name.endswith(".csv") else 1)
    ]


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("figure.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG"),
        ("paper.txt", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        ("sheet.csv", b"PK\x03\x04\x14\x00\x06\x00", "ZIP"),
        ("nul.md", b"- A Title\n\x00\x01\x02 binary junk", "NUL"),
        ("utf16-no-bom.md", "- A Synthetic Title\n".encode("utf-16-le"), "NUL"),
    ],
)
def test_binary_list_file_is_fatal(tmp_path: Path, name: str, data: bytes, kind: str) -> None:
    (tmp_path / name).write_bytes(data)
    (tmp_path / "cover.png").write_bytes(b"\x89PNG\r\n\x1a\n")  # not a list extension: not read at all
    loaded = load_reading_lists(tmp_path)
    assert loaded.files == [name]
    (problem,) = loaded.problems
    assert problem.fatal and problem.source_file == name
    assert "binary file, not a reading list" in problem.message and kind in problem.message
    assert _fatal_text(loaded).startswith(f"{name}: binary file, not a reading list")


@pytest.mark.parametrize("name", ["huge.md", "huge.txt", "huge.csv", "huge.tsv"])
def test_megabyte_line_is_skipped_unparsed(tmp_path: Path, name: str) -> None:
    # How fast it is skipped is measured side by side with a clean file in `make bench` (guards).
    hostile = ("[" * 300_000) + ("*a " * 150_000) + ("# " * 100_000) + ("| " * 50_000)
    head = "title\n" if name.endswith((".csv", ".tsv")) else ""
    body = f"{head}A Synthetic Title Before\n{hostile}\nA Synthetic Title After\n"
    if name.endswith(".md"):
        body = f"- A Synthetic Title Before\n{hostile}\n| a | b |\n{hostile}\n- A Synthetic Title After\n"
    (tmp_path / name).write_text(body, encoding="utf-8")
    loaded = load_reading_lists(tmp_path)
    assert [e.title for e in loaded.entries] == ["A Synthetic Title Before", "A Synthetic Title After"]
    long_lines = [s for s in loaded.skipped if s.reason.startswith("line too long")]
    first = 3 if head else 2
    assert long_lines[0].source_file == name and long_lines[0].line == first
    assert long_lines[0].reason == f"line too long ({len(hostile)} characters)"
    assert len(long_lines[0].text) < 100
    raise_for_fatal(loaded.problems)


def test_line_limit_is_2000_characters() -> None:
    ok_line = "- " + ("Word " * 400)[:1998]
    entries, skipped, _ = parse_markdown(f"{ok_line}\n- {'x' * 1999}\n", "x.md")
    assert [(s.line, s.reason) for s in skipped] == [
        (1, "too long for a title"),
        (2, "line too long (2001 characters)"),
    ]


def test_ten_thousand_duplicates_merge_in_one_pass(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Merging is linear: one title normalisation per entry, however many duplicates (timed in `make bench`)."""
    import paper_catalogue.matching.similarity

    calls = []
    real = paper_catalogue.matching.similarity.normalise_title
    monkeypatch.setattr(paper_catalogue.matching.similarity, "normalise_title", lambda t: calls.append(t) or real(t))
    spellings = ("ATTENTION is all you need.", "Attention Is All You Need")
    lines = [f"- {spellings[i % 2]}" for i in range(10_000)]
    (tmp_path / "dups.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    loaded = load_reading_lists(tmp_path)
    records = merge_entries(loaded.entries)
    assert len(calls) == 10_000
    (record,) = records
    assert len(record.occurrences) == 10_000
    assert [o.line for o in record.occurrences[:3]] == [1, 2, 3]


@pytest.mark.parametrize("name", ["empty.csv", "empty.tsv", "empty.bib", "blank.md"])
def test_empty_files_of_every_format_are_warnings(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_text("" if name.startswith("empty") else "\n  \n", encoding="utf-8")
    loaded = load_reading_lists(tmp_path)
    (problem,) = loaded.problems
    assert (problem.source_file, problem.line, problem.fatal) == (name, 1, False)
    assert "empty" in problem.message
    raise_for_fatal(loaded.problems)


def test_csv_unclosed_quote_is_reported_with_its_line() -> None:
    text = 'title,notes\n"A Synthetic Title,x\nmore text\nOther Synthetic Title,y\n'
    entries, _, problems = parse_list_text(text, "q.csv")
    assert entries == []
    (problem,) = problems
    assert (problem.source_file, problem.line, problem.fatal) == ("q.csv", 2, False)
    assert "left unclosed" in problem.message and "line 5" in problem.message


# ------------------------------------------------------------------------------ round 3: real-world bullets


def _one_bullet(line: str) -> ListEntry:
    entries, skipped, problems = parse_markdown(f"## Papers\n{line}\n", "x.md")
    assert problems == [] and len(entries) == 1, (entries, skipped)
    return entries[0]


def test_lowercase_bullet_that_is_only_a_title_is_a_title() -> None:
    entry = _one_bullet("- attention is all you need")
    assert (entry.title, entry.occurrence.notes, entry.occurrence.section) == (
        "attention is all you need",
        None,
        "Papers",
    )


@pytest.mark.parametrize(
    "text",
    [
        # prose notes of data/raw/plm-notes.md, even outside a title heading
        "arbitrary length spans of text (including zero length) are replaced with a single mask token",
        "* not a title because no capitals *",
        "we found that masking helps a lot",
        "replaces the attention with a kernel, so it runs in linear time",
        "a very long lower case line that goes on and on well past a dozen words of prose",
        "gpt",
        "bert large",
    ],
)
def test_lowercase_prose_bullets_stay_notes(text: str) -> None:
    entries, skipped, _ = parse_markdown(f"## Notes\n- {text}\n", "x.md")
    assert entries == []
    assert [s.line for s in skipped] == [1, 2]


def test_lowercase_bullets_under_a_title_heading_or_nested_are_notes() -> None:
    text = (
        "### BART: Denoising Sequence-to-Sequence Pre-training for Natural Language Generation\n"
        "- randomly shuffling the order of theoriginal sentences\n"
        "## Papers\n"
        "- attention is all you need\n"
        "  - attention is all you need\n"
    )
    entries, skipped, _ = parse_markdown(text, "x.md")
    assert [(e.title, e.occurrence.line) for e in entries] == [
        ("BART: Denoising Sequence-to-Sequence Pre-training for Natural Language Generation", 1),
        ("attention is all you need", 4),
    ]
    assert {s.line for s in skipped} == {2, 3, 5}


def test_real_lowercase_notes_are_still_skipped(real: object) -> None:
    skipped = {s.text for s in real.skipped if s.source_file == "plm-notes.md"}  # type: ignore[attr-defined]
    assert "- randomly shuffling the order of theoriginal sentences" in skipped
    assert "- arbitrary length spans of text (including zero length) are replaced with a single mask token" in skipped


_GPT3 = "Language Models are Few-Shot Learners"
_BIG_BIRD = "Big Bird: Transformers for Longer Sequences"


@pytest.mark.parametrize(
    ("line", "title", "notes"),
    [
        # full-width parenthesised Chinese commentary at the end
        ("- Language Models are Few-Shot Learners（GPT-3 论文）", _GPT3, "（GPT-3 论文）"),
        ("- Some Synthetic Paper Title (GPT-3 论文)", "Some Synthetic Paper Title", "(GPT-3 论文)"),
        # full-width colon, then Chinese commentary (the title's own ":" and hyphens stay)
        (
            "- Llama 2: Open Foundation and Fine-Tuned Chat Models：Meta开源的对话模型",
            "Llama 2: Open Foundation and Fine-Tuned Chat Models",
            "Meta开源的对话模型",
        ),
        # a Chinese lead-in ending in a colon
        ("- 推荐阅读：Big Bird: Transformers for Longer Sequences", _BIG_BIRD, "推荐阅读"),
        ("- 推荐阅读: Big Bird: Transformers for Longer Sequences", _BIG_BIRD, "推荐阅读"),
        # dash separators before Chinese commentary; hyphens inside words stay
        ("- GPT-4 Technical Report —— OpenAI 的技术报告", "GPT-4 Technical Report", "OpenAI 的技术报告"),
        ("- GPT-4 Technical Report — OpenAI 的技术报告", "GPT-4 Technical Report", "OpenAI 的技术报告"),
        ("- GPT-4 Technical Report -- OpenAI 的技术报告", "GPT-4 Technical Report", "OpenAI 的技术报告"),
        (
            "- Sequence-to-Sequence Learning with Neural Networks - 经典的 seq2seq",
            "Sequence-to-Sequence Learning with Neural Networks",
            "经典的 seq2seq",
        ),
        # lead-in and trailing commentary together
        (
            "- 推荐阅读：Language Models are Few-Shot Learners（GPT-3 论文）",
            "Language Models are Few-Shot Learners",
            "推荐阅读 （GPT-3 论文）",
        ),
    ],
)
def test_chinese_commentary_around_a_bullet_title_goes_to_notes(line: str, title: str, notes: str) -> None:
    entry = _one_bullet(line)
    assert (entry.title, entry.occurrence.raw_title, entry.occurrence.notes) == (title, title, notes)


def test_chinese_commentary_rules_keep_rejecting_chinese_notes() -> None:
    text = (
        "## Notes\n"
        "- GOOGLE提出：LAMB优化器 + 超大batch\n"
        "- BERT及其变种\n"
        "- Permutation，相较于前向+后向的改进\n"
        "- 思想：保留AR做法，适用于Generation-like任务\n"
        "- 双流注意力机制（具体做法没细看）\n"
        "- AR(Auto Regressive)模型，指出BERT没有考虑[MASK]之间的联系\n"
    )
    entries, skipped, _ = parse_markdown(text, "x.md")
    assert entries == []
    reasons = {s.line: s.reason for s in skipped}
    assert "提出" in reasons[2] and "变种" in reasons[3]


def test_bracketed_chinese_lead_in_and_trailing_comment_are_notes() -> None:
    line = "- 【必读】Chain-of-Thought Prompting Elicits Reasoning in Large Language Models，思维链的开山之作\n"
    entries, skipped, _ = parse_markdown(line, "x.md")
    assert skipped == []
    assert [e.title for e in entries] == ["Chain-of-Thought Prompting Elicits Reasoning in Large Language Models"]
    assert entries[0].occurrence.notes == "【必读】 思维链的开山之作"


@pytest.mark.parametrize(
    ("line", "title", "arxiv_id", "notes"),
    [
        ("- https://arxiv.org/abs/2303.08774", "arXiv:2303.08774", "2303.08774", None),
        ("- arXiv:1810.04805", "arXiv:1810.04805", "1810.04805", None),
        ("https://arxiv.org/pdf/2002.08155.pdf", "arXiv:2002.08155", "2002.08155", None),
        ("- 必读：arXiv:1810.04805", "arXiv:1810.04805", "1810.04805", "必读"),
    ],
)
def test_a_line_with_only_an_identifier_is_an_entry(line: str, title: str, arxiv_id: str, notes: str | None) -> None:
    entries, skipped, _ = parse_markdown(line + "\n", "ids.md")
    assert [(e.title, e.arxiv_id, e.occurrence.notes) for e in entries] == [(title, arxiv_id, notes)]
    assert not skipped


def test_two_identifier_only_lines_stay_two_records(titles_module: None) -> None:
    entries, _, _ = parse_markdown("- arXiv:1810.04805\n- https://arxiv.org/abs/2303.08774\n", "ids.md")
    assert [r.arxiv_id for r in merge_entries(entries)] == ["1810.04805", "2303.08774"]


@pytest.mark.parametrize(
    ("line", "title", "notes"),
    [
        (
            "- ‘Don’t Stop Pretraining: Adapt Language Models to Domains and Tasks’",
            "Don’t Stop Pretraining: Adapt Language Models to Domains and Tasks",
            None,
        ),
        ("- 'Attention Is All You Need' by Vaswani", "Attention Is All You Need", "by Vaswani"),
        (
            "- BERTScore：Evaluating Text Generation with BERT —— 生成评估指标",
            "BERTScore: Evaluating Text Generation with BERT",
            "生成评估指标",
        ),
        (
            "- Llama 2: Open Foundation and Fine-Tuned Chat Models：Meta开源的对话模型",
            "Llama 2: Open Foundation and Fine-Tuned Chat Models",
            "Meta开源的对话模型",
        ),
        (
            "- 百度 ERNIE 1.0: Enhanced Representation through Knowledge Integration",
            "ERNIE 1.0: Enhanced Representation through Knowledge Integration",
            "百度",
        ),
    ],
)
def test_single_quotes_full_width_colons_and_chinese_lead_ins(line: str, title: str, notes: str | None) -> None:
    entries, skipped, _ = parse_markdown(line + "\n", "quotes.md")
    assert [(e.title, e.occurrence.notes) for e in entries] == [(title, notes)], skipped


def test_a_passage_in_single_quotes_is_not_a_title() -> None:
    line = (
        "- 文本预训练方面：‘All tokens in the selected spans are replaced with either a special [MASK] token, "
        "a random token or the original token’ 结合 span"
    )
    entries, skipped, _ = parse_markdown(line + "\n", "quotes.md")
    assert not entries and len(skipped) == 1


@pytest.mark.parametrize(
    ("line", "title", "notes"),
    [
        (
            "- 百度ERNIE 1.0：ERNIE: Enhanced Representation through Knowledge Integration",
            "ERNIE: Enhanced Representation through Knowledge Integration",
            "百度ERNIE 1.0",
        ),
        (
            "- 清华ERNIE - ERNIE: Enhanced Language Representation with Informative Entities",
            "ERNIE: Enhanced Language Representation with Informative Entities",
            "清华ERNIE",
        ),
        (
            "- Don’t Stop Pre-training:  Adapt Language Models to Domains and Tasks",
            "Don’t Stop Pre-training: Adapt Language Models to Domains and Tasks",
            None,
        ),
        (
            "- attention is not all you need: pure attention loses rank doubly exponentially with depth",
            "attention is not all you need: pure attention loses rank doubly exponentially with depth",
            None,
        ),
    ],
)
def test_glued_chinese_lead_ins_double_spaces_and_long_lower_case_titles(
    line: str, title: str, notes: str | None
) -> None:
    entries, skipped, _ = parse_markdown(line + "\n", "more.md")
    assert [(e.title, e.occurrence.notes) for e in entries] == [(title, notes)], skipped


def test_a_long_lower_case_sentence_without_a_colon_is_still_a_note() -> None:
    entries, skipped, _ = parse_markdown(
        "- randomly shuffle the order of the sentences and then mask a few spans of text in each one\n", "n.md"
    )
    assert not entries and "lower-case text of" in skipped[0].reason
