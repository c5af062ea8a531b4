"""Static HTML report: escaping of hostile data, valid PNGs, numbers that match the frame, CLI."""

from __future__ import annotations

import re
import struct
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from paper_catalogue.outputs import html_report, plots
from paper_catalogue.outputs.catalogue import ARROW_SCHEMA, run_metadata, to_frame, write_catalogue
from paper_catalogue.outputs.history import append_history

HOSTILE = "<script>alert(1)</script>"
CJK_SECTION = "预训练模型探索 Pretraining"  # the seed lists' sections are Chinese
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def sample_rows(origin: str = "live") -> list[dict[str, object]]:
    statuses = ["matched"] * 6 + ["ambiguous", "unmatched", "error"]
    rows = []
    for i, status in enumerate(statuses):
        matched = status == "matched"
        rows.append(
            {
                "key": f"arxiv:2001.{i:05d}" if matched else f"title:{i:04d}",
                "entry_title": f"List title {i}" if i != 7 else f"Unmatched {HOSTILE}",
                "source_file": "plm-notes.md",
                "section": [CJK_SECTION, "Fine-tuning & <Transfer>", None][i % 3],
                "title": (f"Paper {i} {HOSTILE}" if i == 0 else f"Paper {i} costs $5 & more") if matched else None,
                "arxiv_id": f"2001.{i:05d}" if matched else None,
                "authors": [f"Author{i} Smith"] if matched else None,
                "year": 2017 + i % 4 if matched else None,
                "citation_count": (i + 1) * 1000 if matched else None,
                "influential_citation_count": i if matched else None,
                "abs_url": f"https://arxiv.org/abs/2001.{i:05d}" if matched and i != 1 else "javascript:alert(2)",
                "match_status": status,
                "match_score": 1.0 if matched else 0.5,
                "match_note": f"note {HOSTILE}" if status == "ambiguous" else "ok",
                "fetched_at": T0 + timedelta(days=i),
                "stale": i == 2,
                "provenance": [f"plm-notes.md:{i + 1}"],
                "data_origin": origin,
            }
        )
    return rows


def write_sample(folder: Path, origin: str = "live", snapshots: int = 2) -> pd.DataFrame:
    rows = sample_rows(origin)
    frame = to_frame(rows)
    write_catalogue(frame, folder, run_metadata("cafe0123", "2026-01-09T10:00:00Z", origin))
    for s in range(snapshots):
        append_history(
            folder,
            [
                {
                    **r,
                    "citation_count": (r["citation_count"] or 0) + 10 * s,
                    "fetched_at": r["fetched_at"] + timedelta(days=2 * s),
                }
                for r in rows
                if r["citation_count"] is not None
            ],
        )
    (folder / "review.md").write_text(f"# Review\n\n| title |\n|---|\n| {HOSTILE} |\n", encoding="utf-8")
    return frame


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == PNG_MAGIC, f"{path.name} is not a PNG"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def metric(text: str, name: str) -> str:
    found = re.search(rf'data-metric="{name}">([^<]*)<', text)
    assert found, name
    return found.group(1)


@pytest.fixture
def report(tmp_path: Path) -> tuple[pd.DataFrame, Path]:
    enriched = tmp_path / "enriched"
    frame = write_sample(enriched)
    return frame, html_report.build_report(enriched, enriched / "report")


def test_hostile_strings_only_appear_escaped(report: tuple[pd.DataFrame, Path]) -> None:
    _, index = report
    text = index.read_text(encoding="utf-8")
    assert "<script" not in text.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "Fine-tuning &amp; &lt;Transfer&gt;" in text
    assert "javascript:" not in text  # non-http links are rendered as text, not hrefs
    assert text.count("&lt;script&gt;") >= 4  # title, entry_title, match_note, review.md


def test_no_external_resources(report: tuple[pd.DataFrame, Path]) -> None:
    _, index = report
    text = index.read_text(encoding="utf-8")
    assert not re.search(r"<(script|link)\b", text, flags=re.I)
    srcs = re.findall(r'src="([^"]+)"', text)
    assert srcs and all(re.fullmatch(r"[a-z_]+\.png", s) for s in srcs)


def test_pngs_exist_and_are_valid(report: tuple[pd.DataFrame, Path]) -> None:
    _, index = report
    text = index.read_text(encoding="utf-8")
    for name in plots.FIGURES:
        png = index.parent / f"{name}.png"
        assert f'src="{name}.png"' in text
        width, height = png_size(png)
        assert width >= 400 and height >= 300
        assert png.stat().st_size > 5_000, f"{png.name} looks empty"
    assert not [p for p in index.parent.iterdir() if p.name.startswith(".")]  # no temp files left


def test_numbers_match_the_frame(report: tuple[pd.DataFrame, Path]) -> None:
    frame, index = report
    text = index.read_text(encoding="utf-8")
    assert metric(text, "papers") == str(len(frame)) == "9"
    for status in ("matched", "ambiguous", "unmatched", "error"):
        assert metric(text, status) == str(int((frame["match_status"] == status).sum()))
    assert metric(text, "matched") == "6"
    assert metric(text, "stale") == "1"
    assert metric(text, "fetched_min") == "2026-01-01 00:00:00 UTC"
    assert metric(text, "fetched_max") == "2026-01-09 00:00:00 UTC"
    # Run metadata from the Parquet file.
    assert "cafe0123" in text and "2026-01-09T10:00:00Z" in text
    # Top-cited table: ranked by citation_count, the most cited first.
    table = text.split('id="top-cited"')[1].split("</table>")[0]
    counts = [int(c.replace(",", "")) for c in re.findall(r'<td class="num">([\d,]+)</td><td class="num">', table)]
    assert counts == sorted(frame["citation_count"].dropna().astype(int), reverse=True)
    # Review and unresolved lists hold exactly the non-matched rows.
    review = text.split('id="review"')[1].split("</table>")[0]
    unresolved = text.split('id="unresolved"')[1].split("</table>")[0]
    assert review.count("<tr>") - 1 == 1
    assert unresolved.count("<tr>") - 1 == 2
    assert "FIXTURE" not in text


def test_cjk_sections_are_text_in_the_page_and_glyphs_in_the_pngs(tmp_path: Path) -> None:
    enriched = tmp_path / "enriched"
    write_sample(enriched)
    with warnings.catch_warnings():  # a box in any embedded PNG is a missing glyph: fail on it
        warnings.filterwarnings("error", message=r"Glyph .* missing from font", category=UserWarning)
        index = html_report.build_report(enriched, enriched / "report")
    text = index.read_text(encoding="utf-8")
    assert '<meta charset="utf-8">' in text
    assert f"<td>{CJK_SECTION}</td>" in text  # as characters, not entities or boxes
    png_size(index.parent / "citations_by_section.png")


def test_fixture_data_is_flagged_everywhere(tmp_path: Path) -> None:
    enriched = tmp_path / "enriched"
    frame = write_sample(enriched, origin="fixture", snapshots=1)
    index = html_report.build_report(enriched, tmp_path / "out")
    text = index.read_text(encoding="utf-8")
    assert "<title>Paper catalogue report — FIXTURE DATA — not real</title>" in text
    assert 'id="fixture-banner"' in text
    for name, build in plots.FIGURES.items():
        fig = build(frame, None)
        assert fig._suptitle is not None and fig._suptitle.get_text() == plots.FIXTURE_BANNER, name


def test_build_is_atomic_and_rebuilds(report: tuple[pd.DataFrame, Path]) -> None:
    _, index = report
    first = index.read_text(encoding="utf-8")
    again = html_report.build_report(index.parent.parent, index.parent)
    assert again == index
    assert again.read_text(encoding="utf-8").split("Generated")[1][30:] == first.split("Generated")[1][30:]


def test_empty_and_all_null_catalogues_do_not_crash(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    # An empty catalogue as the pipeline's schema says (to_frame([]) cannot be written: see the report).
    pq.write_table(ARROW_SCHEMA.empty_table(), empty / "catalogue.parquet")
    index = html_report.build_report(empty, empty / "report")
    text = index.read_text(encoding="utf-8")
    assert metric(text, "papers") == "0"
    assert metric(text, "fetched_min") == "—"
    nulls = tmp_path / "nulls"
    write_catalogue(to_frame([{"key": "title:1"}, {"key": "title:2"}]), nulls, {})
    text = html_report.build_report(nulls, nulls / "report").read_text(encoding="utf-8")
    assert metric(text, "papers") == "2"
    for name in plots.FIGURES:
        png_size(nulls / "report" / f"{name}.png")


def test_growth_needs_two_snapshots() -> None:
    frame = to_frame(sample_rows())
    one = pd.DataFrame({"key": ["a"], "fetched_at": [pd.Timestamp(T0)], "citation_count": [1]})
    fig = plots.citation_growth(one, frame)
    assert any("at least 2 snapshots" in t.get_text() for t in fig.axes[0].texts)
    two = pd.DataFrame(
        {
            "key": ["a", "a"],
            "fetched_at": [pd.Timestamp(T0), pd.Timestamp(T0 + timedelta(days=1))],
            "citation_count": [1, 5],
        }
    )
    fig = plots.citation_growth(two, frame)
    assert len(fig.axes[0].lines) == 1
    assert plots.citation_growth(None).axes[0].texts


def test_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[paths]\nenriched = "enriched"\n', encoding="utf-8")
    assert html_report.main(["--config", str(config)]) == 1
    assert "run make demo or make enrich first" in capsys.readouterr().err
    write_sample(tmp_path / "enriched")
    assert html_report.main(["--config", str(config)]) == 0
    out = capsys.readouterr().out.strip()
    assert out == str(tmp_path / "enriched" / "report" / "index.html")
    assert Path(out).exists()


def test_report_and_bibtex_are_commands_of_the_one_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from paper_catalogue import cli

    config = tmp_path / "config.toml"
    config.write_text('[paths]\nenriched = "enriched"\n', encoding="utf-8")
    write_sample(tmp_path / "enriched")
    assert cli.main(["report", "--config", str(config)]) == 0
    assert capsys.readouterr().out.strip() == str(tmp_path / "enriched" / "report" / "index.html")
    assert cli.main(["bibtex", "--config", str(config)]) == 0
    assert capsys.readouterr().out.strip() == str(tmp_path / "enriched" / "catalogue.bib")


def test_plots_accept_empty_frames_and_dollar_titles() -> None:
    empty = to_frame([])
    for name, build in plots.FIGURES.items():
        assert build(empty, None).axes, name
    frame = to_frame([{"key": "k", "title": "Unbalanced $ dollar $$ signs $", "citation_count": 3}])
    fig = plots.top_cited(frame)
    fig.savefig(__import__("io").BytesIO(), format="png")  # mathtext would raise on unescaped $
