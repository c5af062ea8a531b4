"""The one record type every reading-list module reports problems with.

:class:`ListProblem` lives here, on its own, so the per-format parsers (:mod:`paper_catalogue.lists.markdown`,
:mod:`paper_catalogue.lists.tables`, :mod:`paper_catalogue.lists.bibtex_lists`) and the loader
(:mod:`paper_catalogue.lists.load`) can all build and return problems without importing one another in a cycle.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ListProblem:
    """Something wrong with a list file; ``fatal`` problems stop the stage (see raise_for_fatal)."""

    source_file: str
    line: int  # 1-based; 0 when the problem concerns the folder / whole file
    message: str
    fatal: bool

    @property
    def where(self) -> str:
        """``file:line``, or the file (or folder) alone when the problem is not on a line."""
        return f"{self.source_file}:{self.line}" if self.line > 0 else self.source_file
