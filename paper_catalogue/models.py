"""Records shared by the stages. No I/O here.

Each stage writes its records as JSON under ``data/interim/`` (``to_dict``) and the next stage
reads them back (``from_dict``); keeping the shapes in one module is what lets a failed stage
rerun alone.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from typing import Any

MATCH_STATUSES = ("matched", "ambiguous", "unmatched", "error")


@dataclass(frozen=True)
class Occurrence:
    """Where a title was found in a reading list, with the list's own annotations."""

    source_file: str  # path relative to the raw folder, e.g. "plm-papers-table.md"
    line: int  # 1-based
    section: str | None
    raw_title: str  # the title exactly as written (without 《》 or markdown markup)
    venue_hint: str | None = None  # "ACL", "NIPS", "arXiv" ... from the list
    year_hint: int | None = None
    notes: str | None = None
    status: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Occurrence:
        return cls(**data)


@dataclass(frozen=True)
class ListEntry:
    """One title line of a reading list, before duplicates are merged."""

    title: str
    occurrence: Occurrence
    arxiv_id: str | None = None  # an identifier written on the line itself (no search needed)
    doi: str | None = None
    s2_paper_id: str | None = None


@dataclass(frozen=True)
class SkippedLine:
    """A line that looked like it could be an entry but is not a paper title."""

    source_file: str
    line: int
    text: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SkippedLine:
        return cls(**data)


@dataclass
class TitleRecord:
    """A distinct title after merging duplicates; ``norm`` is its identity until it is resolved."""

    norm: str  # normalised title (titles.normalise_title)
    title: str  # the first spelling seen
    occurrences: list[Occurrence] = field(default_factory=list)
    arxiv_id: str | None = None
    doi: str | None = None
    s2_paper_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["occurrences"] = [o.to_dict() for o in self.occurrences]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TitleRecord:
        data = dict(data)
        data["occurrences"] = [Occurrence.from_dict(o) for o in data.get("occurrences", [])]
        return cls(**data)


@dataclass(frozen=True)
class Candidate:
    """A paper some route proposed for a title; scored by us, never trusted as given."""

    route: str  # "s2-match" | "s2-search" | "arxiv-title" | "identifier"
    title: str
    arxiv_id: str | None = None  # without version
    s2_paper_id: str | None = None
    doi: str | None = None
    year: int | None = None
    venue: str | None = None
    authors: tuple[str, ...] = ()
    provider_score: float | None = None  # e.g. S2 matchScore (unbounded, informational only)

    def to_dict(self) -> dict[str, Any]:
        # Field by field, not ``asdict``: its deep copy was a tenth of a large list's decision time.
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["authors"] = list(self.authors)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Candidate:
        data = dict(data)
        data["authors"] = tuple(data.get("authors") or ())
        return cls(**data)


@dataclass
class Resolution:
    """The decision for one title: what it is, how sure we are, and why."""

    norm: str
    status: str  # one of MATCH_STATUSES
    score: float | None = None  # 0-1, our similarity of the accepted (or best) candidate
    route: str | None = None
    arxiv_id: str | None = None
    s2_paper_id: str | None = None
    title: str | None = None  # canonical title of the accepted candidate
    reason: str | None = None  # why it was accepted, or why nothing was
    best_rejected: dict[str, Any] | None = None  # Candidate.to_dict() + "score" + "why"
    resolved_at: str | None = None  # ISO 8601 UTC
    #: The best few scored candidates (Candidate.to_dict() + "score" + "why"), for the review report.
    candidates: list[dict[str, Any]] | None = None

    def __post_init__(self) -> None:
        if self.status not in MATCH_STATUSES:
            raise ValueError(f"unknown match status {self.status!r}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Resolution:
        return cls(**data)


@dataclass
class ArxivRecord:
    """Metadata of one arXiv paper (latest version), as the arXiv API gives it."""

    arxiv_id: str  # without version, e.g. "1810.04805" or "hep-th/9901001"
    version: int
    title: str
    authors: list[str]
    summary: str
    published: datetime  # v1, UTC
    updated: datetime  # this version, UTC
    primary_category: str | None
    categories: list[str]
    doi: str | None
    journal_ref: str | None
    comment: str | None
    pdf_url: str | None
    abs_url: str | None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["published"] = self.published.isoformat()
        data["updated"] = self.updated.isoformat()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ArxivRecord:
        data = dict(data)
        data["published"] = datetime.fromisoformat(data["published"])
        data["updated"] = datetime.fromisoformat(data["updated"])
        return cls(**data)


@dataclass
class S2Record:
    """Metadata of one Semantic Scholar paper, as ``POST /paper/batch`` gives it."""

    paper_id: str
    title: str | None
    venue: str | None
    year: int | None
    publication_date: str | None  # YYYY-MM-DD
    doi: str | None
    arxiv_id: str | None  # externalIds.ArXiv
    authors: list[str]
    citation_count: int | None
    influential_citation_count: int | None
    reference_count: int | None
    url: str | None
    open_access_pdf: str | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> S2Record:
        return cls(**data)
