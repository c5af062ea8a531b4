"""A self-contained static HTML report of the catalogue: ``<out>/index.html`` plus PNGs.

No JavaScript, no external CSS or fonts: one HTML file with inline styles and the plots as PNG
files next to it. Every string that comes from the data (titles, notes, sections, metadata,
review.md) is HTML-escaped; links are emitted only for http(s) URLs. Each file is written
atomically (temporary file + rename), the PNGs first and index.html last.

    python -m paper_catalogue.outputs.html_report --config PATH   # writes <enriched>/report/index.html
"""

from __future__ import annotations

import html
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq

from paper_catalogue.outputs.catalogue import require_catalogue
from paper_catalogue.outputs.command import run_output_command
from paper_catalogue.outputs.history import load_history
from paper_catalogue.outputs.plots import FIGURES, FIXTURE_BANNER, is_fixture, png_bytes, status_counts, top_cited_rows
from paper_catalogue.outputs.review import format_score
from paper_catalogue.storage import atomic_path

REPORT_DIR = "report"
INDEX = "index.html"
TOP_N = 15
META_PREFIX = "paper_catalogue."
_FIGURE_CAPTIONS = {
    "match_status": "How many reading-list titles were matched, ambiguous, unmatched or failed.",
    "papers_per_year": "Papers per publication year (Semantic Scholar year, else year of arXiv v1).",
    "citations_by_year": "Citation counts by publication year (box: quartiles; dots: papers).",
    "citations_by_section": "Total citations per reading-list section.",
    "top_cited": f"The {TOP_N} most-cited papers.",
    "citation_growth": (
        "Citation counts across history snapshots for the most-cited papers. It fills one point per refresh run:"
        " every run and every refresh (make refresh, daily from cron) adds one snapshot per paper per UTC day"
        " (a second the same day only when the counts moved), and a paper is drawn once it has two."
    ),
}
#: Added to the growth caption for fixture data: the demo's counts grow only because the emulator makes them.
_FIXTURE_GROWTH_NOTE = (
    " FIXTURE: in the offline demo the growth is simulated by the emulator (its counts advance one step per"
    " start, so each make demo-refresh adds a point); it is not real citation growth."
)

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:72rem;
padding:0 1rem;color:#222;line-height:1.4}
h1{margin-bottom:.2rem}h2{border-bottom:1px solid #ddd;padding-bottom:.2rem;margin-top:2rem}
.fixture{background:#c62828;color:#fff;font-size:1.4rem;font-weight:bold;padding:.8rem 1rem;
border-radius:4px;text-align:center;margin:1rem 0}
.cards{display:flex;flex-wrap:wrap;gap:.8rem}
.card{border:1px solid #ddd;border-radius:4px;padding:.5rem .9rem;min-width:8rem}
.card .n{font-size:1.6rem;font-weight:bold}.card .l{color:#555;font-size:.85rem}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{border:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f5f5f5}td.num{text-align:right;font-variant-numeric:tabular-nums}
figure{margin:1rem 0}figure img{max-width:100%;height:auto;border:1px solid #eee}
figcaption{color:#555;font-size:.9rem}
pre{background:#f7f7f7;border:1px solid #ddd;padding:.8rem;overflow-x:auto;white-space:pre-wrap;
font-size:.8rem}
.muted{color:#777}
"""


def esc(value: Any) -> str:
    """HTML-escape anything (None/NA → empty string)."""
    if value is None:
        return ""
    try:
        if not isinstance(value, list | tuple) and pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return html.escape(str(value), quote=True)


def _fmt_ts(value: Any) -> str:
    if value is None or pd.isna(value):
        return "—"
    return pd.Timestamp(value).tz_convert("UTC").strftime("%Y-%m-%d %H:%M:%S UTC")


def _fmt_int(value: Any) -> str:
    if value is None or pd.isna(value):
        return ""
    return f"{int(value):,}"


def _link(url: Any, text: Any) -> str:
    if isinstance(url, str) and url.lower().startswith(("http://", "https://")):
        return f'<a href="{esc(url)}" rel="noopener noreferrer">{esc(text)}</a>'
    return esc(text)


def run_metadata(enriched_folder: Path) -> dict[str, str]:
    """The run info stored in the Parquet file's schema metadata (without the column docs)."""
    path = enriched_folder / "catalogue.parquet"
    try:
        raw = pq.read_schema(path).metadata or {}
    except (OSError, ValueError):
        return {}
    out = {}
    for key, value in raw.items():
        name = key.decode("utf-8", "replace")
        if not name.startswith(META_PREFIX) or name == META_PREFIX + "columns":
            continue
        out[name[len(META_PREFIX) :]] = value.decode("utf-8", "replace")
    return out


def headline(frame: pd.DataFrame) -> dict[str, Any]:
    """The numbers at the top of the report (also used by tests)."""
    counts = status_counts(frame)
    stale = int(frame["stale"].fillna(False).astype(bool).sum()) if "stale" in frame.columns else 0
    fetched = pd.to_datetime(frame["fetched_at"], utc=True, errors="coerce") if "fetched_at" in frame else None
    return {
        "papers": len(frame),
        **{k: counts.get(k, 0) for k in ("matched", "ambiguous", "unmatched", "error")},
        "stale": stale,
        "fetched_min": fetched.min() if fetched is not None and fetched.notna().any() else None,
        "fetched_max": fetched.max() if fetched is not None and fetched.notna().any() else None,
    }


def _save_png(fig: Any, target: Path) -> Path:
    data = png_bytes(fig)
    with atomic_path(target, suffix=".png") as tmp:
        tmp.write_bytes(data)
        _readable(tmp)
    return target


def _readable(path: Path) -> None:
    """mkstemp creates 0600 files; a report is meant to be opened/served, so make it 0644."""
    os.chmod(path, 0o644)


def _cards(numbers: dict[str, Any]) -> str:
    items = [
        ("papers", "papers"),
        ("matched", "matched"),
        ("ambiguous", "ambiguous"),
        ("unmatched", "unmatched"),
        ("error", "error"),
        ("stale", "stale rows"),
    ]
    cells = "".join(
        f'<div class="card"><div class="n" data-metric="{name}">{numbers[name]}</div>'
        f'<div class="l">{esc(label)}</div></div>'
        for name, label in items
    )
    return f'<div class="cards">{cells}</div>'


def _top_table(frame: pd.DataFrame) -> str:
    top = top_cited_rows(frame, TOP_N)
    if top.empty:
        return '<p class="muted">No citation counts in the catalogue.</p>'
    rows = []
    for rank, (_, row) in enumerate(top.iterrows(), start=1):
        title = row.get("title") if isinstance(row.get("title"), str) else row.get("entry_title")
        url = row.get("abs_url") if isinstance(row.get("abs_url"), str) else row.get("s2_url")
        rows.append(
            f'<tr><td class="num">{rank}</td><td>{_link(url, title)}</td><td>{esc(row.get("year"))}</td>'
            f'<td class="num">{_fmt_int(row.get("citation_count"))}</td>'
            f'<td class="num">{_fmt_int(row.get("influential_citation_count"))}</td>'
            f"<td>{esc(row.get('section'))}</td><td>{esc(row.get('arxiv_id'))}</td></tr>"
        )
    return (
        '<table id="top-cited"><thead><tr><th>#</th><th>Title</th><th>Year</th><th>Citations</th>'
        "<th>Influential</th><th>Section</th><th>arXiv</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
    )


def _rows_table(frame: pd.DataFrame, table_id: str, empty: str) -> str:
    if frame.empty:
        return f'<p class="muted">{esc(empty)}</p>'
    rows = []
    for _, row in frame.iterrows():
        where = row.get("provenance")
        where_text = "; ".join(str(w) for w in where) if isinstance(where, list | tuple) else row.get("source_file")
        rows.append(
            f"<tr><td>{esc(row.get('entry_title'))}</td><td>{esc(row.get('match_status'))}</td>"
            f'<td class="num">{esc(_score(row.get("match_score")))}</td><td>{esc(row.get("match_note"))}</td>'
            f"<td>{esc(where_text)}</td></tr>"
        )
    return (
        f'<table id="{table_id}"><thead><tr><th>Title in the list</th><th>Status</th><th>Score</th>'
        "<th>Note</th><th>Where</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
    )


def _score(value: Any) -> str:
    if value is None or pd.isna(value):
        return ""
    return format_score(value)


def _by_status(frame: pd.DataFrame, statuses: tuple[str, ...]) -> pd.DataFrame:
    if frame.empty or "match_status" not in frame.columns:
        return frame.iloc[0:0]
    mask = frame["match_status"].astype("string").isin(list(statuses)).fillna(False)
    part = frame[mask]
    if "entry_title" in part.columns:
        part = part.assign(_o=part["entry_title"].astype("string").fillna("")).sort_values("_o").drop(columns="_o")
    return part


def _caption(name: str, fixture: bool) -> str:
    """A figure's caption; for fixture data the growth panel also says who made the growth."""
    caption = _FIGURE_CAPTIONS.get(name, name)
    return caption + _FIXTURE_GROWTH_NOTE if fixture and name == "citation_growth" else caption


def render_html(frame: pd.DataFrame, metadata: dict[str, str], images: dict[str, str], review_text: str | None) -> str:
    fixture = is_fixture(frame) or metadata.get("data_origin") == "fixture"
    numbers = headline(frame)
    title = "Paper catalogue report" + (f" — {FIXTURE_BANNER}" if fixture else "")
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{esc(title)}</h1>",
    ]
    if fixture:
        parts.append(
            f'<div class="fixture" id="fixture-banner">{esc(FIXTURE_BANNER)}: '
            "made-up values from the offline emulator, not real arXiv or Semantic Scholar answers.</div>"
        )
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    parts.append(f'<p class="muted">Generated {esc(generated)}.</p>')

    parts.append("<h2>Headline numbers</h2>")
    parts.append(_cards(numbers))
    parts.append(
        "<p>Sources' freshness (<code>fetched_at</code>): oldest "
        f'<span data-metric="fetched_min">{esc(_fmt_ts(numbers["fetched_min"]))}</span>, newest '
        f'<span data-metric="fetched_max">{esc(_fmt_ts(numbers["fetched_max"]))}</span>.</p>'
    )
    if metadata:
        meta_rows = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in sorted(metadata.items()))
        parts.append(f'<h3>Run</h3><table id="run-metadata">{meta_rows}</table>')
    else:
        parts.append('<p class="muted">No run metadata in the Parquet file.</p>')

    parts.append("<h2>Plots</h2>")
    for name, filename in images.items():
        caption = _caption(name, fixture)
        parts.append(
            f'<figure id="fig-{esc(name)}"><img src="{esc(filename)}" alt="{esc(caption)}">'
            f"<figcaption>{esc(caption)}</figcaption></figure>"
        )

    parts.append(f"<h2>Top {TOP_N} cited papers</h2>")
    parts.append(_top_table(frame))

    parts.append("<h2>Resolution review</h2>")
    parts.append("<p>Ambiguous matches: a person should pick the right paper (see review.md for override lines).</p>")
    parts.append(_rows_table(_by_status(frame, ("ambiguous",)), "review", "No ambiguous titles."))
    parts.append("<h2>Unresolved</h2>")
    parts.append("<p>Titles with no match, or whose lookup failed (<code>error</code>: try again later).</p>")
    parts.append(_rows_table(_by_status(frame, ("unmatched", "error")), "unresolved", "Every title was resolved."))
    if review_text is not None:
        parts.append("<h2>review.md</h2>")
        parts.append(
            f'<details><summary>Full review written by the run</summary><pre id="review-md">'
            f"{esc(review_text)}</pre></details>"
        )
    parts.append("</body></html>\n")
    return "\n".join(parts)


def build_report(enriched_folder: Path, out_folder: Path) -> Path:
    """Write ``out_folder/index.html`` and its PNGs from the catalogue in ``enriched_folder``."""
    enriched_folder = Path(enriched_folder)
    out_folder = Path(out_folder)
    frame = require_catalogue(enriched_folder)
    history = load_history(enriched_folder)
    out_folder.mkdir(parents=True, exist_ok=True)
    images: dict[str, str] = {}
    for name, build in FIGURES.items():
        fig = build(frame, history)
        filename = f"{name}.png"
        _save_png(fig, out_folder / filename)
        images[name] = filename
    review_path = enriched_folder / "review.md"
    review_text = review_path.read_text(encoding="utf-8", errors="replace") if review_path.exists() else None
    text = render_html(frame, run_metadata(enriched_folder), images, review_text)
    index = out_folder / INDEX
    with atomic_path(index, suffix=".html") as tmp:
        tmp.write_text(text, encoding="utf-8")
        _readable(tmp)
    return index


def main(argv: Sequence[str] | None = None, prog: str = "python -m paper_catalogue.outputs.html_report") -> int:
    return run_output_command(
        prog,
        "Write <enriched>/report/index.html and its plots",
        lambda enriched: build_report(enriched, enriched / REPORT_DIR),
        argv,
    )


if __name__ == "__main__":
    sys.exit(main())
