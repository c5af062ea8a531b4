"""Catalogue contract: columns, real Parquet types, CSV view, atomic writes."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from paper_catalogue.outputs import catalogue

CONTRACT = [
    "key",
    "entry_title",
    "source_file",
    "section",
    "title",
    "arxiv_id",
    "arxiv_version",
    "s2_paper_id",
    "doi",
    "authors",
    "published",
    "updated",
    "year",
    "venue",
    "primary_category",
    "categories",
    "citation_count",
    "influential_citation_count",
    "reference_count",
    "pdf_url",
    "abs_url",
    "match_score",
    "match_status",
    "fetched_at",
]


def row(**kw: object) -> dict[str, object]:
    base: dict[str, object] = {
        "key": "arxiv:1810.04805",
        "title": "BERT",
        "authors": ["Jacob Devlin", "Ming-Wei Chang"],
        "categories": ["cs.CL"],
        "published": datetime(2018, 10, 11, 0, 38, 15, tzinfo=UTC),
        "citation_count": 100,
        "match_score": 0.97,
        "match_status": "matched",
        "provenance": ["a.md:3", "b.md:9"],
        "stale": False,
    }
    base.update(kw)
    return base


def test_contract_columns_come_first_in_order() -> None:
    assert list(catalogue.COLUMNS[: len(CONTRACT)]) == CONTRACT


def test_parquet_has_real_types_and_run_metadata(tmp_path: Path) -> None:
    frame = catalogue.to_frame(
        [row(), row(key="title:abc", authors=None, citation_count=None, match_status="unmatched")]
    )
    meta = catalogue.run_metadata("digest", "2026-11-25T00:00:00Z", "fixture")
    parquet, _ = catalogue.write_catalogue(frame, tmp_path, meta)
    table = pq.read_table(parquet)
    schema = table.schema
    assert schema.field("authors").type == pa.list_(pa.string())
    assert schema.field("published").type == pa.timestamp("us", tz="UTC")
    assert schema.field("citation_count").type == pa.int64()
    assert schema.field("match_score").type == pa.float64()
    assert table.column("citation_count").to_pylist() == [100, None]
    assert table.column("authors").to_pylist()[0] == ["Jacob Devlin", "Ming-Wei Chang"]
    assert schema.metadata[b"paper_catalogue.data_origin"] == b"fixture"
    assert schema.metadata[b"paper_catalogue.config_digest"] == b"digest"


def test_csv_joins_lists_and_neutralises_formulas(tmp_path: Path) -> None:
    frame = catalogue.to_frame([row(title='=HYPERLINK("http://x")', list_notes="@SUM(A1)", entry_title="-1+2")])
    _, csv = catalogue.write_catalogue(frame, tmp_path, {})
    text = csv.read_text(encoding="utf-8")
    assert "Jacob Devlin; Ming-Wei Chang" in text
    assert "a.md:3; b.md:9" in text
    assert "'=HYPERLINK" in text and "'@SUM(A1)" in text and "'-1+2" in text
    assert "2018-10-11T00:38:15Z" in text


def test_unknown_column_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown catalogue columns"):
        catalogue.to_frame([row(citations=3)])


def test_failed_write_leaves_previous_catalogue(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    catalogue.write_catalogue(catalogue.to_frame([row()]), tmp_path, {})
    before = (tmp_path / "catalogue.parquet").read_bytes()

    def boom(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(catalogue.pq, "write_table", boom)
    with pytest.raises(OSError):
        catalogue.write_catalogue(catalogue.to_frame([row(), row(key="x")]), tmp_path, {})
    assert (tmp_path / "catalogue.parquet").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["catalogue.csv", "catalogue.parquet"]


def test_roundtrip_load(tmp_path: Path) -> None:
    catalogue.write_catalogue(catalogue.to_frame([row()]), tmp_path, {})
    frame = catalogue.load_catalogue(tmp_path)
    assert frame is not None
    assert list(frame.columns) == list(catalogue.COLUMNS)
    assert frame.loc[0, "citation_count"] == 100
    assert catalogue.load_catalogue(tmp_path / "missing") is None


def test_readme_data_dictionary_lists_every_column() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Data dictionary", 1)[1].split("\n## ", 1)[0]
    documented = [line.split("|")[1].strip().strip("`") for line in section.splitlines() if line.startswith("| `")]
    assert documented == list(catalogue.COLUMNS)


def test_an_empty_catalogue_can_be_written(tmp_path: Path) -> None:
    from paper_catalogue.outputs.catalogue import load_catalogue, to_frame, write_catalogue

    write_catalogue(to_frame([]), tmp_path, {})
    frame = load_catalogue(tmp_path)
    assert frame is not None and len(frame) == 0 and list(frame.columns) == list(catalogue.COLUMNS)
