"""Generate ``notebooks/explore_catalogue.ipynb`` (without outputs) from the cells below.

The notebook is committed as generated, so a review of this file is a review of the notebook.

    .venv/bin/python notebooks/make_notebook.py       # rewrite the notebook
    .venv/bin/python notebooks/make_notebook.py --check   # exit 1 if the notebook is out of date
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent
NOTEBOOK = HERE / "explore_catalogue.ipynb"

CELLS: list[tuple[str, str]] = [
    (
        "md",
        """# Exploring the paper catalogue

This notebook reads the catalogue written by the pipeline with the public one-line loader,
`from paper_catalogue import load_catalogue; df = load_catalogue("data/enriched")` (the catalogue's own types: ids stay
strings, counts nullable integers, timestamps UTC), reads its citation history, and plots both with
`paper_catalogue.outputs.plots` (the same figures as the static report, `make report`).
Labels in any script the lists use (the seed lists' sections are Chinese) are drawn with the Noto Sans CJK
font shipped as a dependency when the machine has no CJK font; `plots.use_fonts()` makes that font chain
the default for your own matplotlib plots in this notebook too.

The first cell picks the catalogue: the folder in the `CATALOGUE_DIR` environment variable, else
`data/enriched` when the live pipeline has written one (`make enrich`), else the offline demo's
`data/demo/enriched` (`make demo`). Demo rows are **fixture data**: made-up values from the emulator.""",
    ),
    (
        "code",
        """import sys
from pathlib import Path

# Make the project importable whether the kernel starts in notebooks/ or in the project root
# (after `make install` it is installed in .venv and this changes nothing).
ROOT = next(p for p in [Path.cwd(), *Path.cwd().parents] if (p / "paper_catalogue" / "__init__.py").exists())
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))""",
    ),
    (
        "code",
        """import os

import pandas as pd
from IPython.display import HTML, Image, Markdown, display

from paper_catalogue import load_catalogue
from paper_catalogue.outputs import plots
from paper_catalogue.outputs.history import load_history

plots.use_fonts()  # DejaVu Sans, then a CJK font (the system's, else the shipped Noto Sans CJK), for any plot


def find_catalogue_dir() -> Path:
    if os.environ.get("CATALOGUE_DIR"):
        return Path(os.environ["CATALOGUE_DIR"]).expanduser().resolve()
    live = ROOT / "data" / "enriched"
    if (live / "catalogue.parquet").exists():
        return live
    return ROOT / "data" / "demo" / "enriched"


CATALOGUE_DIR = find_catalogue_dir()
# The public loader: the folder's catalogue.parquet, else its catalogue.csv, with the same types either way;
# a FileNotFoundError saying to run make demo or make enrich when there is neither.
catalogue = load_catalogue(CATALOGUE_DIR)
history = load_history(CATALOGUE_DIR)
FIXTURE = plots.is_fixture(catalogue)

source = next(CATALOGUE_DIR / n for n in ("catalogue.parquet", "catalogue.csv") if (CATALOGUE_DIR / n).is_file())
print(f"Catalogue: {source} ({len(catalogue)} rows)")
print(f"History snapshots: {0 if history is None else len(history)} rows")
if FIXTURE:
    display(HTML(
        '<div style="background:#c62828;color:#fff;font-size:1.3em;font-weight:bold;padding:0.6em;'
        'text-align:center">FIXTURE DATA — not real: made-up emulator values,'
        ' not arXiv/Semantic Scholar answers</div>'
    ))
    print("FIXTURE DATA — not real")


def show(fig):
    \"\"\"Display a paper_catalogue.outputs.plots figure as a PNG (works with any matplotlib backend).\"\"\"
    display(Image(data=plots.png_bytes(fig)))""",
    ),
    (
        "md",
        """## Overview

Row counts per match status, how many rows are stale (a source failed in the latest run and the
row keeps older values), and when the counts were fetched. The table below shows the main columns;
see the README's data dictionary for all of them.""",
    ),
    (
        "code",
        """status = plots.status_counts(catalogue)
fetched = pd.to_datetime(catalogue["fetched_at"], utc=True)
overview = pd.Series({
    "papers": len(catalogue),
    **status,
    "stale rows": int(catalogue["stale"].fillna(False).astype(bool).sum()),
    "oldest fetched_at": fetched.min(),
    "newest fetched_at": fetched.max(),
    "data origin": ", ".join(sorted(catalogue["data_origin"].dropna().astype(str).unique())),
}, name="value").to_frame()
display(overview)
show(plots.match_status_counts(catalogue))
cols = ["title", "year", "venue", "section", "citation_count", "match_status", "arxiv_id"]
catalogue[cols].head(20)""",
    ),
    (
        "md",
        """## Papers per year

Publication year is Semantic Scholar's, else the year of the first arXiv version.""",
    ),
    ("code", "show(plots.papers_per_year(catalogue))"),
    (
        "md",
        """## Citations by year and by section

Citation counts are Semantic Scholar's at `fetched_at`. Older papers have had longer to collect
citations, so compare within a year rather than across years.""",
    ),
    (
        "code",
        """show(plots.citations_by_year(catalogue))
show(plots.citations_by_section(catalogue))""",
    ),
    ("md", "## Top cited papers"),
    (
        "code",
        """show(plots.top_cited(catalogue))
top_cols = ["title", "year", "citation_count", "influential_citation_count", "section"]
plots.top_cited_rows(catalogue, 15)[top_cols]""",
    ),
    (
        "md",
        """## Citation growth

From `citations_history.parquet`. It fills one point per refresh run: every run and every refresh
(`make refresh`, daily from cron) adds one snapshot per paper per UTC day (a second the same day only
when the counts moved). A paper's line needs at least two snapshots; until then the figure says so.

In the offline demo the growth is **simulated by the emulator (fixture)**: its counts advance one step
per emulator start, so `make demo`, then `make demo-refresh` twice, gives three points per paper.""",
    ),
    (
        "code",
        """if FIXTURE:
    display(Markdown(
        "**FIXTURE DATA — not real:** any growth below was simulated by the offline emulator"
        " (one step per `make demo-refresh`), not counted by Semantic Scholar."
    ))
show(plots.citation_growth(history, catalogue))""",
    ),
    (
        "md",
        """## Unresolved and to review

`ambiguous` titles need a person to pick the paper; `unmatched` found nothing good enough;
`error` means a source could not be asked (try again later). `review.md` next to the catalogue
has the candidates and ready-to-paste override lines.""",
    ),
    (
        "code",
        """todo = catalogue[catalogue["match_status"].astype("string") != "matched"]
display(todo[["entry_title", "match_status", "match_score", "match_note", "source_file"]])
review = CATALOGUE_DIR / "review.md"
if review.exists():
    display(Markdown("See `review.md`: " + str(review)))""",
    ),
]


def build() -> nbformat.NotebookNode:
    cells = [new_markdown_cell(src) if kind == "md" else new_code_cell(src) for kind, src in CELLS]
    for index, cell in enumerate(cells):
        cell["id"] = f"cell-{index:02d}"  # stable ids: regenerating gives a byte-identical file
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nb.metadata["language_info"] = {"name": "python"}
    nbformat.validate(nb)
    return nb


def render() -> str:
    return nbformat.writes(build()) + "\n"


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        current = NOTEBOOK.read_text(encoding="utf-8") if NOTEBOOK.exists() else ""
        if current != text:
            print(f"{NOTEBOOK} is out of date: run python notebooks/make_notebook.py", file=sys.stderr)
            return 1
        return 0
    NOTEBOOK.write_text(text, encoding="utf-8")
    print(NOTEBOOK)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
