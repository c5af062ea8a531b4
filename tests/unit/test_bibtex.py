"""BibTeX export: stable unique ASCII keys, escaping of specials, arXiv fields, CLI."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from paper_catalogue.outputs import bibtex
from paper_catalogue.outputs.catalogue import load_catalogue, run_metadata, to_frame, write_catalogue


def row(**kw: object) -> dict[str, object]:
    base: dict[str, object] = {
        "key": "arxiv:1810.04805",
        "entry_title": "BERT",
        "title": "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding",
        "arxiv_id": "1810.04805",
        "primary_category": "cs.CL",
        "authors": ["Jacob Devlin", "Ming-Wei Chang", "Kenton Lee", "Kristina Toutanova"],
        "year": 2019,
        "venue": "North American Chapter of the Association for Computational Linguistics",
        "doi": "10.18653/v1/N19-1423",
        "abs_url": "https://arxiv.org/abs/1810.04805v2",
        "citation_count": 100,
        "match_status": "matched",
        "fetched_at": datetime(2026, 1, 2, tzinfo=UTC),
        "data_origin": "live",
    }
    base.update(kw)
    return base


def entries(text: str) -> list[str]:
    return [e for e in re.split(r"\n(?=@)", text) if e.startswith("@")]


def keys_of(text: str) -> list[str]:
    return re.findall(r"^@\w+\{([^,]+),", text, flags=re.M)


def test_one_entry_per_matched_row_with_arxiv_fields() -> None:
    frame = to_frame(
        [
            row(),
            row(key="title:x", match_status="unmatched", title=None, arxiv_id=None),
            row(key="title:y", match_status="ambiguous"),
            row(key="title:z", match_status="error"),
        ]
    )
    text = bibtex.to_bibtex(frame)
    assert len(entries(text)) == 1
    entry = entries(text)[0]
    assert entry.startswith("@article{devlin2019bert,")
    assert "  title = {{BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding}}" in entry
    assert "author = {Jacob Devlin and Ming-Wei Chang and Kenton Lee and Kristina Toutanova}" in entry
    assert "year = {2019}" in entry
    assert "eprint = {1810.04805}" in entry
    assert "archivePrefix = {arXiv}" in entry
    assert "primaryClass = {cs.CL}" in entry
    assert "doi = {10.18653/v1/N19-1423}" in entry
    assert "url = {https://arxiv.org/abs/1810.04805v2}" in entry
    assert "journal = {North American Chapter" in entry
    assert "FIXTURE" not in text


def test_preprint_without_venue_is_misc_without_journal() -> None:
    text = bibtex.to_bibtex(to_frame([row(venue=None, doi=None)]))
    assert text.startswith("@misc{devlin2019bert,")
    assert "journal" not in text and "doi" not in text


def test_keys_are_ascii_unique_and_independent_of_row_order() -> None:
    rows = [
        row(
            key="arxiv:2001.00002",
            arxiv_id="2001.00002",
            authors=["José Müller"],
            year=2020,
            title="Attention is all",
        ),
        row(
            key="arxiv:2001.00001",
            arxiv_id="2001.00001",
            authors=["Jose Muller"],
            year=2020,
            title="Attention again",
        ),
        row(
            key="arxiv:2001.00003",
            arxiv_id="2001.00003",
            authors=["Zoë O'Brien-Smith"],
            year=2020,
            title="The Ünicode title",
        ),
        row(key="s2:abc", arxiv_id=None, authors=[], year=None, title="—"),
        row(
            key="arxiv:2001.00004",
            arxiv_id="2001.00004",
            authors=["Müller, José"],
            year=2020,
            title="An attention study",
        ),
    ]
    text = bibtex.to_bibtex(to_frame(rows))
    keys = keys_of(text)
    assert len(keys) == 5 and len(set(keys)) == 5
    assert all(re.fullmatch(r"[a-z0-9]+", k) for k in keys), keys
    # Collisions get a/b/c in order of the catalogue key (2001.00001 < 00002 < 00004).
    assert bibtex.citation_keys(to_frame(rows)) == [
        "muller2020attentiona",
        "muller2020attentionb",
        "obriensmith2020unicode",
        "muller2020attentionc",
        "anonnduntitled",
    ]
    reversed_text = bibtex.to_bibtex(to_frame(list(reversed(rows))))
    assert reversed_text == text
    assert bibtex.to_bibtex(to_frame(rows)) == text  # deterministic


def test_special_characters_are_escaped() -> None:
    hostile = r"Cost & 100% of $5 #1 under_score {x} ~ ^ back\slash"
    text = bibtex.to_bibtex(to_frame([row(title=hostile, authors=["A & B {Jr}"], venue="J_of #stuff")]))
    expected = (
        r"Cost \& 100\% of \$5 \#1 under\_score \{x\} \textasciitilde{} \textasciicircum{} "
        r"back\textbackslash{}slash"
    )
    assert "title = {{" + expected + "}}" in text
    assert r"author = {A \& B \{Jr\}}" in text
    assert r"journal = {J\_of \#stuff}" in text
    # Braces stay balanced in every entry, so BibTeX parses the file.
    for entry in entries(text):
        unescaped = re.sub(r"\\[{}]", "", entry)
        depth = 0
        for ch in unescaped:
            depth += {"{": 1, "}": -1}.get(ch, 0)
            assert depth >= 0
        assert depth == 0


def test_verbatim_fields_cannot_break_the_entry_and_bad_urls_are_dropped() -> None:
    text = bibtex.to_bibtex(to_frame([row(doi="10.1/a}b{c d", abs_url="javascript:alert(1)", s2_url=None)]))
    assert "doi = {10.1/a%7Db%7Bc%20d}" in text
    assert "javascript" not in text and "url =" not in text


def test_titles_newlines_collapse_and_entry_title_is_a_fallback() -> None:
    text = bibtex.to_bibtex(to_frame([row(title=None, entry_title="Line one\n  line two")]))
    assert "title = {{Line one line two}}" in text


def test_fixture_rows_are_marked() -> None:
    text = bibtex.to_bibtex(to_frame([row(data_origin="fixture")]))
    assert text.startswith("% FIXTURE DATA — not real")
    assert "note = {FIXTURE DATA — not real}" in text


def test_empty_frame_gives_empty_text() -> None:
    assert bibtex.to_bibtex(to_frame([])) == ""


def test_write_bibtex_and_cli(tmp_path: Path, capsys: object) -> None:
    enriched = tmp_path / "enriched"
    config = tmp_path / "config.toml"
    config.write_text('[paths]\nenriched = "enriched"\n', encoding="utf-8")
    assert bibtex.main(["--config", str(config)]) == 1
    assert "run make demo or make enrich first" in capsys.readouterr().err  # type: ignore[attr-defined]

    write_catalogue(to_frame([row()]), enriched, run_metadata("d", "2026-01-02T00:00:00Z", "live"))
    assert bibtex.main(["--config", str(config)]) == 0
    out = enriched / "catalogue.bib"
    assert str(out) in capsys.readouterr().out  # type: ignore[attr-defined]
    assert out.read_text(encoding="utf-8") == bibtex.to_bibtex(load_catalogue(enriched))
    assert keys_of(out.read_text(encoding="utf-8")) == ["devlin2019bert"]
    assert not list(enriched.glob(".catalogue.bib.*"))  # no temp file left behind
