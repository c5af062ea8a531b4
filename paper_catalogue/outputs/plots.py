"""Plots of the catalogue for the notebook and the static report.

Pure functions: each takes the catalogue (and, for growth, the citation history) as DataFrames
and returns a matplotlib Figure; nothing is shown or written here. The Agg backend is used so
they work headless. Every figure built from fixture rows carries a "FIXTURE DATA — not real"
suptitle. Figures are built without pyplot (no global state, nothing to close). Empty frames
and all-null columns give a figure that says there is nothing to plot.

Fonts: Latin text is set in matplotlib's default DejaVu Sans; glyphs it lacks (the seed lists'
sections are Chinese) fall back per glyph to the system's CJK fonts when installed, then to the
Noto Sans CJK collection shipped as a dependency (``noto-cjk-sans-otc``, SIL OFL 1.1), so a fresh
machine draws them too. A glyph no font has still gives matplotlib's "Glyph … missing from font"
warning (the tests turn it into an error).
"""

from __future__ import annotations

import functools
import io
import logging
import os
import textwrap
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import ParamSpec

import matplotlib
import pandas as pd
from matplotlib import font_manager, rc_context
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

FIXTURE_BANNER = "FIXTURE DATA — not real"
MATCH_STATUSES = ("matched", "ambiguous", "unmatched", "error")
_STATUS_COLOURS = {"matched": "#2e7d32", "ambiguous": "#f9a825", "unmatched": "#9e9e9e", "error": "#c62828"}


P = ParamSpec("P")
_log = logging.getLogger(__name__)

#: System fonts tried after DejaVu Sans for glyphs it lacks (the reading lists' sections are Chinese), in
#: this order; only the installed ones are used, and all of them come before the shipped font below.
CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "PingFang SC",
    "Hiragino Sans GB",
    "SimHei",
)
#: The face of the shipped collection (package noto-cjk-sans-otc: Noto Sans CJK Regular, JP/KR/SC/TC/HK
#: faces, each with all 44,810 characters: CJK, kana, Hangul) that plots use: Simplified Chinese forms.
BUNDLED_FONT = "Noto Sans CJK SC"


def bundled_font_path() -> Path | None:
    """The shipped Noto Sans CJK collection (a .ttc file), or None when the package is not installed."""
    try:
        import noto_cjk_sans_otc
    except ImportError:
        return None
    path = Path(os.fspath(noto_cjk_sans_otc.FONT_PATH))
    return path if path.is_file() else None


@functools.cache
def _register_bundled_font() -> str | None:
    """Register the shipped collection with matplotlib once per process; the name of the face to use, or None.

    Not registered when the system already has a font of that name (the system's copy is used then).
    """
    path = bundled_font_path()
    if path is None:
        _log.warning("noto-cjk-sans-otc is not installed: CJK text in plots needs a system CJK font")
        return None
    manager = font_manager.fontManager
    if not any(f.name == BUNDLED_FONT for f in manager.ttflist):
        manager.addfont(path)
    return BUNDLED_FONT


def font_families() -> list[str]:
    """The font.family fallback chain: DejaVu Sans, the installed system CJK fonts, then the shipped one."""
    bundled = _register_bundled_font()
    shipped = os.fspath(bundled_font_path() or "")
    system = {f.name for f in font_manager.fontManager.ttflist if f.fname != shipped}
    chain = ["DejaVu Sans", *[name for name in CJK_FONTS if name in system]]
    if bundled is not None and bundled not in chain:
        chain.append(bundled)
    return chain


def use_fonts() -> list[str]:
    """Make the fallback chain the process-wide default (for the notebook's own plots); returns it."""
    chain = font_families()
    matplotlib.rcParams["font.family"] = chain
    return chain


def is_fixture(frame: pd.DataFrame | None) -> bool:
    """True when any row of the frame says it came from the fixture (emulator) corpus."""
    if frame is None or "data_origin" not in frame.columns or frame.empty:
        return False
    return bool((frame["data_origin"].astype("string") == "fixture").fillna(False).any())


def label(text: object, width: int = 48) -> str:
    """Data text made safe as a matplotlib label: one line, shortened, ``$`` not read as mathtext."""
    flat = " ".join(str(text).split())
    return textwrap.shorten(flat, width=width, placeholder="…").replace("$", r"\$")


def short_title(row: pd.Series | dict, width: int = 48) -> str:
    """A label for a paper: its title (else the list's title, else the key), shortened."""
    for name in ("title", "entry_title", "key"):
        value = row.get(name) if hasattr(row, "get") else None
        if isinstance(value, str) and value.strip():
            return label(value, width)
    return "(untitled)"


def _numeric(frame: pd.DataFrame, column: str) -> pd.Series:
    if frame is None or column not in frame.columns:
        return pd.Series([], dtype="float64")
    return pd.to_numeric(frame[column], errors="coerce").astype("float64")


def _new_figure(title: str, frame: pd.DataFrame | None, size: tuple[float, float] = (8.0, 4.5)) -> tuple[Figure, Axes]:
    fig = Figure(figsize=size, dpi=100)
    FigureCanvasAgg(fig)  # Agg canvas per figure: headless, and no global pyplot state or backend switch
    ax = fig.add_subplot(1, 1, 1)
    ax.set_title(title)
    if is_fixture(frame):
        fig.suptitle(FIXTURE_BANNER, color="#c62828", fontsize=14, fontweight="bold")
    return fig, ax


@contextmanager
def _fonts() -> Iterator[None]:
    """The font fallback chain (see font_families); a glyph no font in it has still warns."""
    with rc_context({"font.family": font_families()}):
        logger = logging.getLogger("matplotlib.font_manager")  # "Failed to find font weight normal for …"
        level = logger.level
        logger.setLevel(logging.ERROR)
        try:
            yield
        finally:
            logger.setLevel(level)


def _with_fonts(build: Callable[P, Figure]) -> Callable[P, Figure]:
    @functools.wraps(build)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> Figure:
        with _fonts():
            return build(*args, **kwargs)

    return wrapper


def _finish(fig: Figure) -> Figure:
    with _fonts():
        fig.tight_layout()
    return fig


def png_bytes(fig: Figure, dpi: int = 100) -> bytes:
    """The figure as PNG bytes (used by the static report and the notebook)."""
    buffer = io.BytesIO()
    with _fonts():
        fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def _empty(fig: Figure, ax: Axes, message: str) -> Figure:
    ax.set_xticks([])
    ax.set_yticks([])
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, fontsize=12, color="#555555")
    return _finish(fig)


@_with_fonts
def papers_per_year(catalogue: pd.DataFrame) -> Figure:
    fig, ax = _new_figure("Papers per publication year", catalogue)
    years = _numeric(catalogue, "year").dropna().astype(int)
    if years.empty:
        return _empty(fig, ax, "No publication years to plot")
    counts = years.value_counts().sort_index()
    full = counts.reindex(range(counts.index.min(), counts.index.max() + 1), fill_value=0)
    ax.bar(full.index, full.to_numpy(), color="#1565c0")
    ax.set_xlabel("Publication year")
    ax.set_ylabel("Papers")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if len(full) > 12:
        ax.tick_params(axis="x", labelrotation=45)
    return _finish(fig)


@_with_fonts
def citations_by_year(catalogue: pd.DataFrame) -> Figure:
    fig, ax = _new_figure("Citations by publication year", catalogue)
    data = pd.DataFrame({"year": _numeric(catalogue, "year"), "cites": _numeric(catalogue, "citation_count")})
    data = data.dropna()
    if data.empty:
        return _empty(fig, ax, "No papers with both a year and a citation count")
    data["year"] = data["year"].astype(int)
    years = sorted(data["year"].unique())
    groups = [data.loc[data["year"] == y, "cites"].to_numpy() for y in years]
    ax.boxplot(groups, positions=range(len(years)), widths=0.6, showfliers=False)
    for i, values in enumerate(groups):
        jitter = [(((j * 37) % 11) - 5) / 40 for j in range(len(values))]
        ax.scatter([i + d for d in jitter], values, s=12, alpha=0.6, color="#1565c0", zorder=3)
    ax.set_xticks(range(len(years)))
    ax.set_xticklabels(
        [str(y) for y in years],
        rotation=45 if len(years) > 10 else 0,
        ha="right" if len(years) > 10 else "center",
    )
    if data["cites"].max() > 0 and data["cites"].max() / max(data["cites"].median(), 1) > 50:
        ax.set_yscale("symlog")
    ax.set_xlabel("Publication year")
    ax.set_ylabel("Citations (Semantic Scholar)")
    return _finish(fig)


@_with_fonts
def citations_by_section(catalogue: pd.DataFrame, max_sections: int = 20) -> Figure:
    fig, ax = _new_figure("Citations by reading-list section", catalogue, size=(8.0, 6.0))
    if catalogue is None or "section" not in catalogue.columns:
        return _empty(fig, ax, "No sections to plot")
    section = catalogue["section"].astype("string").fillna("(no section)")
    data = pd.DataFrame({"section": section, "cites": _numeric(catalogue, "citation_count")}).dropna()
    if data.empty:
        return _empty(fig, ax, "No citation counts to plot")
    totals = data.groupby("section")["cites"].agg(["sum", "median", "count"]).sort_values("sum", ascending=True)
    totals = totals.tail(max_sections)
    labels = [label(s, 40) for s in totals.index]
    ax.barh(range(len(totals)), totals["sum"].to_numpy(), color="#6a1b9a")
    ax.set_yticks(range(len(totals)))
    ax.set_yticklabels(labels, fontsize=8)
    for i, (total, count) in enumerate(zip(totals["sum"], totals["count"], strict=True)):
        ax.text(
            total,
            i,
            f" {int(total):,} ({int(count)} paper{'' if count == 1 else 's'})",
            va="center",
            fontsize=7,
        )
    ax.set_xlabel("Total citations (Semantic Scholar)")
    ax.set_ylabel("Section")
    ax.margins(x=0.25)
    return _finish(fig)


@_with_fonts
def top_cited(catalogue: pd.DataFrame, n: int = 15) -> Figure:
    fig, ax = _new_figure(f"Top {n} most-cited papers", catalogue, size=(9.0, 6.0))
    top = top_cited_rows(catalogue, n)
    if top.empty:
        return _empty(fig, ax, "No citation counts to plot")
    top = top.iloc[::-1]
    labels = [short_title(row) for _, row in top.iterrows()]
    values = _numeric(top, "citation_count").to_numpy()
    ax.barh(range(len(top)), values, color="#ef6c00")
    ax.set_yticks(range(len(top)))
    ax.set_yticklabels(labels, fontsize=8)
    for i, v in enumerate(values):
        ax.text(v, i, f" {int(v):,}", va="center", fontsize=7)
    ax.set_xlabel("Citations (Semantic Scholar)")
    ax.margins(x=0.15)
    return _finish(fig)


def top_cited_rows(catalogue: pd.DataFrame | None, n: int = 15) -> pd.DataFrame:
    """The n rows with the highest citation_count (rows without a count are left out)."""
    if catalogue is None or catalogue.empty or "citation_count" not in catalogue.columns:
        return pd.DataFrame(columns=list(catalogue.columns) if catalogue is not None else [])
    cites = _numeric(catalogue, "citation_count")
    ranked = catalogue.assign(_cites=cites.to_numpy()).dropna(subset=["_cites"])
    sort_cols = ["_cites"] + (["key"] if "key" in ranked.columns else [])
    ranked = ranked.sort_values(sort_cols, ascending=[False] + [True] * (len(sort_cols) - 1), kind="mergesort")
    return ranked.head(n).drop(columns="_cites")


@_with_fonts
def citation_growth(history: pd.DataFrame | None, catalogue: pd.DataFrame | None = None, n: int = 10) -> Figure:
    """Citation count over time for the n most-cited papers with at least two snapshots."""
    fixture = is_fixture(catalogue if catalogue is not None else history)
    title = f"Citation growth (top {n} papers)" + (" — simulated by the emulator" if fixture else "")
    fig, ax = _new_figure(title, catalogue if catalogue is not None else history)
    if history is None or history.empty or not {"key", "fetched_at", "citation_count"} <= set(history.columns):
        return _empty(fig, ax, "No citation history yet")
    hist = pd.DataFrame(
        {
            "key": history["key"].astype("string"),
            "fetched_at": pd.to_datetime(history["fetched_at"], utc=True, errors="coerce"),
            "cites": _numeric(history, "citation_count"),
        }
    ).dropna()
    # Observations, not distinct times: the history keeps one row per snapshot already, and two runs within the
    # same second (a refresh right after an enrich) are two snapshots with one timestamp.
    snapshots = hist.groupby("key").size()
    keys = snapshots[snapshots >= 2].index
    if len(keys) == 0:
        return _empty(
            fig,
            ax,
            "Not enough history yet: a paper is drawn once it has at least 2 snapshots.\n"
            "It fills one point per refresh run (a second the same UTC day only when the counts moved)."
            + ("\nFIXTURE: in the demo the emulator simulates the growth (make demo-refresh)." if fixture else ""),
        )
    latest = hist[hist["key"].isin(keys)].sort_values("fetched_at").groupby("key")["cites"].last()
    chosen = latest.sort_values(ascending=False, kind="mergesort").head(n).index
    labels: dict[str, str] = {}
    if catalogue is not None and "key" in catalogue.columns:
        for _, row in catalogue[catalogue["key"].isin(list(chosen))].iterrows():
            labels[str(row["key"])] = short_title(row, width=40)
    for key in chosen:
        part = hist[hist["key"] == key].sort_values("fetched_at")
        ax.plot(part["fetched_at"], part["cites"], marker="o", markersize=3, label=labels.get(key, label(key, 40)))
    ax.set_xlabel("Snapshot date (UTC)")
    ax.set_ylabel("Citations (Semantic Scholar)")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    fig.autofmt_xdate()
    fig.set_size_inches(11.0, 5.0)
    return _finish(fig)


@_with_fonts
def match_status_counts(catalogue: pd.DataFrame) -> Figure:
    fig, ax = _new_figure("Match status", catalogue)
    counts = status_counts(catalogue)
    if sum(counts.values()) == 0:
        return _empty(fig, ax, "No rows in the catalogue")
    names = list(counts)
    values = [counts[k] for k in names]
    ax.bar(names, values, color=[_STATUS_COLOURS.get(k, "#607d8b") for k in names])
    for i, v in enumerate(values):
        ax.text(i, v, str(v), ha="center", va="bottom", fontsize=9)
    ax.set_xlabel("match_status")
    ax.set_ylabel("Papers")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.margins(y=0.15)
    return _finish(fig)


def status_counts(catalogue: pd.DataFrame | None) -> dict[str, int]:
    """Counts per match_status: the four known ones always present, in order, then any other."""
    counts = {k: 0 for k in MATCH_STATUSES}
    if catalogue is None or catalogue.empty or "match_status" not in catalogue.columns:
        return counts
    for value, count in catalogue["match_status"].astype("string").fillna("(none)").value_counts().items():
        counts[str(value)] = counts.get(str(value), 0) + int(count)
    return counts


#: name → builder, in report order; each builder takes (catalogue, history).
FIGURES: dict[str, Callable[[pd.DataFrame, pd.DataFrame | None], Figure]] = {
    "match_status": lambda cat, hist: match_status_counts(cat),
    "papers_per_year": lambda cat, hist: papers_per_year(cat),
    "citations_by_year": lambda cat, hist: citations_by_year(cat),
    "citations_by_section": lambda cat, hist: citations_by_section(cat),
    "top_cited": lambda cat, hist: top_cited(cat),
    "citation_growth": lambda cat, hist: citation_growth(hist, cat),
}


def all_figures(catalogue: pd.DataFrame, history: pd.DataFrame | None = None) -> dict[str, Figure]:
    return {name: build(catalogue, history) for name, build in FIGURES.items()}
