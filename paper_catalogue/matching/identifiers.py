"""Decisions for a list line that carries an identifier: taken without searching, unless no source knows it.

Pure: the records the sources answered are passed in.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from paper_catalogue.models import Resolution, TitleRecord


def identifier_resolution(record: TitleRecord, now: str) -> Resolution | None:
    """A list line that carries an arXiv id, S2 id or DOI is matched without searching."""
    if not (record.arxiv_id or record.s2_paper_id or record.doi):
        return None
    found = ", ".join(
        f"{label} {value}"
        for label, value in (("arXiv", record.arxiv_id), ("S2", record.s2_paper_id), ("DOI", record.doi))
        if value
    )
    return pinned_resolution(
        record, "identifier", record.arxiv_id, record.s2_paper_id, f"identifier given in the list ({found})", now
    )


def pinned_resolution(
    record: TitleRecord, route: str, arxiv_id: str | None, s2_paper_id: str | None, reason: str, now: str
) -> Resolution:
    """A match that ids written by a person decide (in the list or the overrides file): no search, score 1."""
    return Resolution(
        norm=record.norm,
        status="matched",
        score=1.0,
        route=route,
        arxiv_id=arxiv_id,
        s2_paper_id=s2_paper_id,
        title=None,
        reason=reason,
        resolved_at=now,
    )


#: What the arXiv stage records for an id that the API answered without an entry (unknown to arXiv).
ARXIV_NO_ENTRY = "arXiv returned no entry for this id"


def unknown_identifier(
    res: Resolution, arxiv_entry: Mapping[str, Any], s2_entry: Mapping[str, Any]
) -> Resolution | None:
    """The decision to show instead when a list's arXiv id is known to neither arXiv nor Semantic Scholar.

    An identifier on the line is taken without searching, but a mistyped one (``2305.14341``) names no
    paper: presenting it as matched would put an empty row in the catalogue. Only when *both* sources
    say so (arXiv answered without an entry, S2's batch answered null) is it a typo rather than a
    bad minute at one of them; the row then shows as unmatched with what to check.
    """
    if res.status != "matched":
        return None
    arxiv_unknown = not arxiv_entry.get("record") and arxiv_entry.get("error") == ARXIV_NO_ENTRY
    s2_unknown = bool(s2_entry.get("unknown")) and not s2_entry.get("record")
    if res.route == "override":
        return bad_override(res, arxiv_unknown, s2_unknown)
    if res.route == "identifier" and not res.arxiv_id and res.s2_paper_id and s2_unknown:
        return unknown_s2_id(res)
    if res.route != "identifier" or not res.arxiv_id:
        return None
    if not (arxiv_unknown and s2_unknown):
        return None
    return dataclasses.replace(
        res,
        status="unmatched",
        score=None,
        reason=(
            f"the list gives arXiv {res.arxiv_id}, which neither arXiv nor Semantic Scholar knows:"
            " check the id in the list (a typo?)"
        ),
    )


#: How the reason of an override that names an unknown id starts (the run summary lists them as input problems).
BAD_OVERRIDE = "bad override"


def bad_override(res: Resolution, arxiv_unknown: bool, s2_unknown: bool) -> Resolution | None:
    """An override whose id the source it names does not know: a bad override, shown as unmatched, never matched.

    The person's id is trusted without searching, so a typo in it would otherwise stay ``matched`` to nothing.
    An arXiv id alone counts as unknown when both sources say so (as for a list's identifier); a Semantic
    Scholar id when S2's batch answered null for it.
    """
    unknown: list[str] = []
    if res.arxiv_id and arxiv_unknown and (res.s2_paper_id or s2_unknown):
        both = "" if res.s2_paper_id else " and Semantic Scholar"
        unknown.append(f"arXiv {res.arxiv_id}, unknown to arXiv{both}")
    if res.s2_paper_id and s2_unknown:
        unknown.append(f"Semantic Scholar {res.s2_paper_id}, unknown to Semantic Scholar")
    if not unknown:
        return None
    return dataclasses.replace(
        res,
        status="unmatched",
        score=None,
        reason=f"{BAD_OVERRIDE}: {res.reason} gives {'; '.join(unknown)}; fix the id or remove the row",
    )


def unknown_s2_id(res: Resolution) -> Resolution:
    """A list's Semantic Scholar paper id that Semantic Scholar answers with null: unmatched, with what to check.

    S2 is the only source of its own ids, so its null is the answer (an arXiv id needs both sources to say so).
    """
    return dataclasses.replace(
        res,
        status="unmatched",
        score=None,
        reason=(
            f"the list links Semantic Scholar paper {res.s2_paper_id}, which Semantic Scholar does not know:"
            " check the link in the list"
        ),
    )
