"""Paper-catalogue enrichment: reading lists → arXiv + Semantic Scholar → Parquet/CSV catalogue.

Importing the package has no side effects; everything happens behind ``python -m paper_catalogue``.
For analysts, one line: ``from paper_catalogue import load_catalogue; df = load_catalogue("data/enriched")``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

__version__ = "0.2.0"


def load_catalogue(path: Path | str = "data/enriched") -> pd.DataFrame:
    """The catalogue with its own types, from a folder (Parquet, else CSV), a ``.parquet`` or a ``.csv`` file.

    ``arxiv_id``, ``s2_paper_id`` and ``doi`` stay strings (``1911.00720``, not the float 1911.0072 that a
    plain ``pd.read_csv`` makes of it), counts are nullable integers, timestamps UTC, list columns lists.
    """
    from paper_catalogue.outputs.catalogue import read_catalogue  # late: importing pipeline stays free of pandas

    return read_catalogue(path)
