"""The overrides file: a person's decision that every later run obeys without searching.

``data/raw/overrides.csv`` (optional), one decision per line::

    title,arxiv_id,s2_paper_id,note
    "THE COST OF TRAINING NLP MODELS A CONCISE OVERVIEW",2004.08900,,typo in our list
    "Some workshop paper",none,,not online

``title`` is the title as written in a reading list (compared after normalisation) or a row key
from the catalogue (``title:<hash>``). ``arxiv_id`` may be ``none`` to say "not a paper we can
find"; otherwise at least one id is required. The review report prints ready-to-paste lines.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass

from paper_catalogue.errors import InputError
from paper_catalogue.matching.identifiers import pinned_resolution
from paper_catalogue.models import Resolution, TitleRecord


@dataclass(frozen=True)
class Override:
    """A human decision from the overrides file: pins ids, or says the title is not a paper online."""

    arxiv_id: str | None = None
    s2_paper_id: str | None = None
    none: bool = False
    line: str = ""  # where it was written, for the resolution's reason


def override_resolution(record: TitleRecord, override: Override, now: str) -> Resolution:
    if override.none:
        return Resolution(
            norm=record.norm,
            status="unmatched",
            score=None,
            route="override",
            reason=f"marked 'none' in the overrides file ({override.line})",
            resolved_at=now,
        )
    return pinned_resolution(
        record,
        "override",
        override.arxiv_id,
        override.s2_paper_id,
        f"pinned in the overrides file ({override.line})",
        now,
    )


OVERRIDES_FILE = "overrides.csv"
HEADER = ("title", "arxiv_id", "s2_paper_id", "note")

_ARXIV_NEW = re.compile(r"^\d{4}\.\d{4,5}$")
_ARXIV_OLD = re.compile(r"^[a-z][a-z.-]*/\d{7}$", re.IGNORECASE)
_S2_ID = re.compile(r"^[0-9a-f]{40}$")


class OverridesError(InputError):
    pass


def title_key(norm: str) -> str:
    """The catalogue key of a title that has no id (also what the override file accepts)."""
    return "title:" + hashlib.sha1(norm.encode("utf-8")).hexdigest()[:12]


def parse_overrides(text: str, source: str) -> list[tuple[str, Override]]:
    """Rows of an overrides file → (title-or-key, Override); bad rows raise with file:line."""
    reader = csv.reader(io.StringIO(text))
    out: list[tuple[str, Override]] = []
    for number, row in enumerate(reader, start=1):
        if not row or all(not cell.strip() for cell in row) or row[0].lstrip().startswith("#"):
            continue
        cells = [cell.strip() for cell in row] + [""] * (len(HEADER) - len(row))
        if number == 1 and cells[0].lower() == "title":
            continue
        target, arxiv_id, s2_id = cells[0], cells[1], cells[2]
        where = f"{source}:{number}"
        if not target:
            raise OverridesError(f"{where}: the first column (title or key) is empty")
        if arxiv_id.lower() == "none":
            out.append((target, Override(none=True, line=where)))
            continue
        arxiv_id = re.sub(r"v\d+$", "", arxiv_id.removeprefix("arXiv:").removeprefix("arxiv:"))
        if arxiv_id and not (_ARXIV_NEW.match(arxiv_id) or _ARXIV_OLD.match(arxiv_id)):
            raise OverridesError(f"{where}: {cells[1]!r} is not an arXiv id (e.g. 1810.04805) or 'none'")
        if s2_id and not _S2_ID.match(s2_id.lower()):
            raise OverridesError(f"{where}: {s2_id!r} is not a Semantic Scholar paperId (40 hex characters)")
        if not arxiv_id and not s2_id:
            raise OverridesError(f"{where}: give an arXiv id, a Semantic Scholar id, or 'none'")
        out.append((target, Override(arxiv_id=arxiv_id or None, s2_paper_id=s2_id.lower() or None, line=where)))
    return out


def match_overrides(
    parsed: Iterable[tuple[str, Override]], records: Iterable[TitleRecord]
) -> tuple[dict[str, Override], list[str]]:
    """Attach overrides to the records they name (by normalised title or key); report the orphans."""
    from paper_catalogue.matching.similarity import normalise_title

    by_norm: dict[str, TitleRecord] = {}
    by_key: dict[str, TitleRecord] = {}
    for record in records:
        by_norm[record.norm] = record
        by_key[title_key(record.norm)] = record
        for occ in record.occurrences:
            by_norm.setdefault(normalise_title(occ.raw_title), record)
    matched: dict[str, Override] = {}
    orphans: list[str] = []
    first_line: dict[str, str] = {}  # the title (or unmatched target) -> the row that named it first
    for target, override in parsed:
        found: TitleRecord | None = by_key.get(target) or by_norm.get(normalise_title(target))
        same = found.norm if found is not None else "?" + (normalise_title(target) or target)
        if same in first_line:
            raise OverridesError(
                f"{override.line}: {target!r} is the same title as {first_line[same]}; two decisions for one title"
                " would let the last silently win: keep one of the two rows"
            )
        first_line[same] = override.line
        if found is None:
            orphans.append(f"{override.line}: {target!r} matches no title in the reading lists")
            continue
        matched[found.norm] = override
    return matched, orphans


def override_line(title: str, arxiv_id: str | None = None, s2_paper_id: str | None = None, note: str = "") -> str:
    """A ready-to-paste CSV line for the review report."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="").writerow(
        [title, arxiv_id or ("" if s2_paper_id else "none"), s2_paper_id or "", note]
    )
    return buf.getvalue()
