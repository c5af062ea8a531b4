"""Outputs that load cleanly (issue 17, item 3): the CSV read back with the catalogue's own types, equal to the
Parquet, through the one-liner analysts import (``from paper_catalogue import load_catalogue``)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

import paper_catalogue
from paper_catalogue.outputs import catalogue

ROOT = Path(__file__).resolve().parents[2]


def _rows() -> list[dict]:
    when = datetime(2019, 11, 2, 8, 30, 15, 123456, tzinfo=UTC)
    return [
        {
            "key": "arxiv:1911.00720",
            "entry_title": 'ZEN: Pre-training Chinese (Z) Text Encoder, "quoted"\nsecond line',
            "title": '=HYPERLINK("http://x")',
            "arxiv_id": "1911.00720",
            "arxiv_version": 2,
            "s2_paper_id": "0" * 39 + "1",
            "doi": "10.1000/0123",
            "authors": ["Shizhe Diao", "Jiaxin Bai"],
            "published": when,
            "updated": when,
            "year": 2019,
            "categories": ["cs.CL"],
            "citation_count": 0,
            "match_score": 0.9472136,
            "match_status": "matched",
            "fetched_at": when,
            "list_notes": "'=already quoted",
            "provenance": ["a.md:3", "b.md:7"],
            "stale": True,
            "data_origin": "fixture",
        },
        {
            "key": "title:abc",
            "entry_title": "NA",
            "title": "None",
            "match_status": "unmatched",
            "list_notes": "-2 points; @someone",
            "provenance": ["a.md:9"],
            "stale": False,
            "data_origin": "fixture",
        },
    ]


def test_csv_reads_back_with_the_parquets_types_and_values(tmp_path: Path) -> None:
    catalogue.write_catalogue(catalogue.to_frame(_rows()), tmp_path, {})
    assert pd.read_csv(tmp_path / "catalogue.csv")["arxiv_id"].iloc[0] == pytest.approx(1911.0072)  # the trap
    from_parquet = paper_catalogue.load_catalogue(tmp_path / "catalogue.parquet")
    from_csv = paper_catalogue.load_catalogue(tmp_path / "catalogue.csv")
    assert from_csv["arxiv_id"].iloc[0] == "1911.00720"
    assert list(from_csv.columns) == list(catalogue.COLUMNS)
    assert dict(from_csv.dtypes) == dict(from_parquet.dtypes)
    pd.testing.assert_frame_equal(from_csv, from_parquet)
    assert from_csv["authors"].iloc[0] == ["Shizhe Diao", "Jiaxin Bai"]
    assert from_csv["title"].iloc[0] == '=HYPERLINK("http://x")'
    assert from_csv["list_notes"].iloc[0] == "'=already quoted"
    assert from_csv["entry_title"].iloc[1] == "NA" and from_csv["title"].iloc[1] == "None"
    assert from_csv["citation_count"].iloc[0] == 0 and from_csv["citation_count"].iloc[1] is pd.NA
    assert str(from_csv["published"].dtype) == "datetime64[us, UTC]"


def test_a_folder_loads_its_parquet_else_its_csv(tmp_path: Path) -> None:
    catalogue.write_catalogue(catalogue.to_frame(_rows()), tmp_path, {})
    assert len(paper_catalogue.load_catalogue(tmp_path)) == 2
    (tmp_path / "catalogue.parquet").unlink()
    assert paper_catalogue.load_catalogue(str(tmp_path))["arxiv_id"].iloc[0] == "1911.00720"
    with pytest.raises(FileNotFoundError, match="make demo"):
        paper_catalogue.load_catalogue(tmp_path / "missing")


def test_an_empty_csv_catalogue_loads_with_its_types(tmp_path: Path) -> None:
    catalogue.write_catalogue(catalogue.to_frame([]), tmp_path, {})
    frame = paper_catalogue.load_catalogue(tmp_path / "catalogue.csv")
    assert len(frame) == 0 and dict(frame.dtypes) == dict(paper_catalogue.load_catalogue(tmp_path).dtypes)


def test_readme_shows_the_loader_and_dtype() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    analysts = readme.split("## For analysts", 1)[1].split("\n## ", 1)[0]
    assert "from paper_catalogue import load_catalogue" in analysts and "dtype=" in analysts


def test_the_citation_growth_panel_says_how_it_fills() -> None:
    from paper_catalogue.outputs import html_report

    caption = html_report._FIGURE_CAPTIONS["citation_growth"]
    assert "refresh" in caption and "per UTC day" in caption and "two" in caption
