"""The five stages of a run: titles → resolve → arxiv → semantic_scholar → catalogue (and refresh).

In: the reading lists in ``data/raw/`` and the stage files of earlier runs in ``data/interim/``; out: each stage's
own file there, written atomically, and the catalogue in ``data/enriched/``. The CLI imports the names below; the
modules' other names are theirs.
"""

from paper_catalogue.stages.catalogue import run_catalogue, run_refresh
from paper_catalogue.stages.context import Context, remove_leftovers, utcnow
from paper_catalogue.stages.fetch import run_arxiv, run_semantic_scholar
from paper_catalogue.stages.resolve import run_resolve
from paper_catalogue.stages.titles import run_titles

__all__ = [
    "Context",
    "remove_leftovers",
    "run_arxiv",
    "run_catalogue",
    "run_refresh",
    "run_resolve",
    "run_semantic_scholar",
    "run_titles",
    "utcnow",
]
