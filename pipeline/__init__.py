"""Paper-catalogue enrichment: reading lists → arXiv + Semantic Scholar → Parquet/CSV catalogue.

Importing the package has no side effects; everything happens behind ``python -m pipeline``.
"""

__version__ = "0.1.0"
