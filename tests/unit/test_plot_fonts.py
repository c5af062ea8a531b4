"""Plots draw the reading lists' own text: CJK section names come out as glyphs, never as boxes.

The font chain is DejaVu Sans (Latin, unchanged), the system's CJK fonts if any, then the Noto Sans CJK
collection shipped as the ``noto-cjk-sans-otc`` dependency. pyproject.toml makes matplotlib's
"Glyph … missing from font" warning an error in every test; the tests here also catch it themselves,
so they fail on a box even when run with other warning settings.
"""

from __future__ import annotations

import importlib.util
import io
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pytest
from fontTools.ttLib import TTCollection, TTFont
from matplotlib import font_manager, rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from paper_catalogue.lists.load import load_reading_lists
from paper_catalogue.outputs import plots

ROOT = Path(__file__).resolve().parents[2]
SEED_LISTS = ROOT / "data" / "raw"
MISSING_GLYPH = r"Glyph .* missing from font"

#: Other CJK scripts a user's list may be written in: Japanese (kana + kanji), Korean (Hangul), Traditional
#: Chinese; the shipped font has them all.
OTHER_CJK_SECTIONS = (
    "事前学習モデルの探索",
    "カタカナ・ひらがな",
    "사전 학습 언어 모델",
    "長文本預訓練模型",
)
#: Cyrillic and Greek come from DejaVu Sans, first in the chain.
OTHER_SECTIONS = (*OTHER_CJK_SECTIONS, "Предобученные модели", "Προεκπαίδευση μοντέλων")


def seed_sections() -> list[str]:
    """Every section name in the seed reading lists (data/raw), as the parser reads them."""
    loaded = load_reading_lists(SEED_LISTS)
    sections = sorted({e.occurrence.section for e in loaded.entries if e.occurrence.section})
    assert sections, "the seed lists have no sections"
    return sections


def catalogue_with_sections(sections: list[str] | tuple[str, ...]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "key": [f"k{i}" for i in range(len(sections))],
            "section": list(sections),
            "citation_count": [100 * (i + 1) for i in range(len(sections))],
        }
    )


@contextmanager
def glyphs_must_exist() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=MISSING_GLYPH, category=UserWarning)
        yield


def tick_labels(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.axes[0].get_yticklabels()]


def cmap_of(path: str, face_index: int = 0) -> set[str]:
    font = TTCollection(path).fonts[face_index] if path.lower().endswith(".ttc") else TTFont(path, lazy=True)
    return {chr(c) for c in font.getBestCmap()}


def chain_fonts(props: font_manager.FontProperties | None = None) -> list[font_manager.FontPath]:
    """The font files matplotlib resolves a text's fonts (default: the plots' fallback chain) to, in order."""
    props = props or font_manager.FontProperties(family=plots.font_families())
    return font_manager.fontManager._find_fonts_by_props(props)


def uncovered(fig: Figure) -> dict[str, set[str]]:
    """Per tick label, the characters none of the fonts it is drawn with has (a check that no warning
    filter can hide)."""
    out = {}
    for text in fig.axes[0].get_yticklabels():
        covered: set[str] = set()
        for font in chain_fonts(text.get_fontproperties()):
            covered |= cmap_of(font.path, font.face_index)
        if missing := set(text.get_text()) - {" "} - covered:
            out[text.get_text()] = missing
    return out


def test_the_chain_is_dejavu_first_then_a_cjk_font() -> None:
    chain = plots.font_families()
    assert chain[0] == "DejaVu Sans"
    assert plots.BUNDLED_FONT in chain
    assert len(chain) == len(set(chain))
    files = chain_fonts()
    assert Path(files[0]).name == "DejaVuSans.ttf"  # Latin text looks as before


def test_the_shipped_font_is_registered_and_covers_the_seed_sections_and_more() -> None:
    path = plots.bundled_font_path()
    assert path is not None and path.suffix == ".ttc", "noto-cjk-sans-otc is not installed"
    faces = {font["name"].getDebugName(4): i for i, font in enumerate(TTCollection(str(path)).fonts)}
    assert plots.BUNDLED_FONT in faces
    covered = cmap_of(str(path), faces[plots.BUNDLED_FONT])
    needed = set("".join(seed_sections())) - {" "}
    assert needed - covered == set()
    assert set("".join(OTHER_CJK_SECTIONS)) - {" "} - covered == set()
    hangul = {chr(c) for c in range(0xAC00, 0xD7A4)}
    kana = {chr(c) for c in range(0x3041, 0x3097)} | {chr(c) for c in range(0x30A1, 0x30FB)}
    assert hangul <= covered and kana <= covered
    registered = {(f.fname, f.name) for f in font_manager.fontManager.ttflist}
    system = any(name == plots.BUNDLED_FONT and fname != str(path) for fname, name in registered)
    assert system or (str(path), plots.BUNDLED_FONT) in registered


def test_the_chain_covers_every_character_of_the_seed_sections() -> None:
    covered: set[str] = set()
    for font in chain_fonts():
        covered |= cmap_of(font.path, font.face_index)
    assert set("".join(seed_sections())) - {" "} - covered == set()


def test_section_plot_from_the_seed_lists_has_no_missing_glyph() -> None:
    sections = seed_sections()
    assert any("\u4e00" <= ch <= "\u9fff" for ch in "".join(sections)), "expected Chinese section names"
    with glyphs_must_exist():
        fig = plots.citations_by_section(catalogue_with_sections(sections))
        png = plots.png_bytes(fig)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert sorted(tick_labels(fig)) == sorted(plots.label(s, 40) for s in sections)
    assert uncovered(fig) == {}


def test_japanese_korean_traditional_greek_and_cyrillic_sections_draw() -> None:
    with glyphs_must_exist():
        fig = plots.citations_by_section(catalogue_with_sections(OTHER_SECTIONS))
        plots.png_bytes(fig)
    assert sorted(tick_labels(fig)) == sorted(OTHER_SECTIONS)
    assert uncovered(fig) == {}


def test_every_figure_draws_cjk_titles_and_sections() -> None:
    frame = pd.DataFrame(
        {
            "key": ["a", "b", "c"],
            "title": ["预训练模型综述", "事前学習モデル", "사전 학습"],
            "section": ["综述", "長文本", "모델"],
            "year": [2019, 2020, 2021],
            "citation_count": [10, 20, 30],
            "match_status": ["matched"] * 3,
        }
    )
    history = pd.DataFrame(
        {
            "key": ["a", "a", "b", "b"],
            "fetched_at": pd.to_datetime(["2026-01-01", "2026-01-02"] * 2, utc=True),
            "citation_count": [9, 10, 19, 20],
        }
    )
    with glyphs_must_exist():
        for name, build in plots.FIGURES.items():
            assert plots.png_bytes(build(frame, history))[:4] == b"\x89PNG", name


def test_a_missing_glyph_is_caught_without_the_fallback() -> None:
    """The check above is not vacuous: DejaVu Sans alone (the old default) warns on the seed sections."""
    fig = Figure()
    FigureCanvasAgg(fig)
    with rc_context({"font.family": ["DejaVu Sans"]}):
        fig.text(0.5, 0.5, seed_sections()[-1])
        with pytest.warns(UserWarning, match=MISSING_GLYPH):
            fig.savefig(io.BytesIO(), format="png")


def test_system_cjk_fonts_come_before_the_shipped_one(monkeypatch: pytest.MonkeyPatch) -> None:
    plots.font_families()  # the shipped font is registered before the fake system one is added
    manager = font_manager.fontManager
    fake = font_manager.FontEntry(fname="/usr/share/fonts/fake/wqy-zenhei.ttc", name="WenQuanYi Zen Hei")
    monkeypatch.setattr(manager, "ttflist", [*manager.ttflist, fake])
    chain = plots.font_families()
    assert chain.index("DejaVu Sans") < chain.index("WenQuanYi Zen Hei") < chain.index(plots.BUNDLED_FONT)


def test_a_system_copy_of_the_font_is_used_instead_of_registering_ours(monkeypatch: pytest.MonkeyPatch) -> None:
    class FakeManager:
        def __init__(self) -> None:
            self.ttflist = [
                font_manager.FontEntry(fname="/usr/share/fonts/DejaVuSans.ttf", name="DejaVu Sans"),
                font_manager.FontEntry(fname="/usr/share/fonts/opentype/noto/NotoSansCJK.ttc", name=plots.BUNDLED_FONT),
            ]
            self.added: list[object] = []

        def addfont(self, path: object) -> None:
            self.added.append(path)

    fake = FakeManager()
    monkeypatch.setattr(font_manager, "fontManager", fake)
    plots._register_bundled_font.cache_clear()
    try:
        assert plots.font_families() == ["DejaVu Sans", plots.BUNDLED_FONT]
        assert fake.added == []
    finally:
        plots._register_bundled_font.cache_clear()


def test_without_the_package_plots_still_work_and_say_why(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(plots, "bundled_font_path", lambda: None)
    plots._register_bundled_font.cache_clear()
    try:
        with caplog.at_level("WARNING", logger=plots.__name__):
            chain = plots.font_families()
        assert chain[0] == "DejaVu Sans"
        assert "noto-cjk-sans-otc is not installed" in caplog.text
    finally:
        plots._register_bundled_font.cache_clear()


def test_use_fonts_sets_the_process_default(monkeypatch: pytest.MonkeyPatch) -> None:
    import matplotlib

    monkeypatch.setitem(matplotlib.rcParams, "font.family", ["sans-serif"])
    assert plots.use_fonts() == plots.font_families() == matplotlib.rcParams["font.family"]


@pytest.mark.slow
@pytest.mark.skipif(
    any(importlib.util.find_spec(m) is None for m in ("nbclient", "nbformat", "ipykernel")),
    reason="needs nbclient, nbformat and ipykernel (pip install -r requirements-dev.txt)",
)
def test_the_notebook_draws_the_seed_sections_without_missing_glyphs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The notebook's kernel is its own process: its plots must find the font too (no warning on stderr)."""
    import nbformat
    from nbclient import NotebookClient

    from paper_catalogue.outputs.catalogue import to_frame, write_catalogue

    sections = seed_sections()
    rows = [
        {"key": f"arxiv:2001.{i:05d}", "title": f"Paper {i}", "section": s, "citation_count": 10 * (i + 1)}
        for i, s in enumerate(sections)
    ]
    enriched = tmp_path / "enriched"
    write_catalogue(to_frame(rows), enriched, {})
    monkeypatch.setenv("CATALOGUE_DIR", str(enriched))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    notebook = nbformat.read(ROOT / "notebooks" / "explore_catalogue.ipynb", as_version=4)
    # A probe cell at the end: the notebook's own pyplot figures get the chain too (plots.use_fonts()).
    probe = "import matplotlib.pyplot as plt\nfig = plt.figure()\nfig.text(0.1, 0.5, " + repr(" ".join(sections))
    probe += ")\nfig.canvas.draw()\nprint('font.family =', plt.rcParams['font.family'])"
    notebook.cells.append(nbformat.v4.new_code_cell(probe))
    client = NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(ROOT / "notebooks")}}
    )
    client.execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    streams = "\n".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "missing from font" not in streams
    assert plots.BUNDLED_FONT in streams  # the probe printed the process-wide chain
