"""Snapshot mode in the stages: titles and records from the local bulk snapshots before any API request.

Resolution: candidates for every title at once by SQL (``sources.snapshot.lookup``), decided by
``matching.decide.decide`` and kept only when ``matching.decide.is_settled`` holds: the rule a batch uses, so the
snapshot can save requests but never accept what the per-title path would have looked further at. Enrichment:
records the snapshot holds (and that are not older than ``[snapshot] max_age_days``) are taken from it, marked
``source = "snapshot"`` with the snapshot's date; the rest is fetched from the APIs as before.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from pipeline.config import Settings
from pipeline.matching.context import query_title
from pipeline.matching.decide import decide, is_settled
from pipeline.matching.normalise import normalise_title
from pipeline.models import ArxivRecord, Resolution, S2Record, TitleRecord
from pipeline.sources.snapshot import lookup, store

log = logging.getLogger(__name__)

SNAPSHOT_SOURCE = "snapshot"


@dataclass
class SnapshotOutcome:
    settled: dict[str, Resolution] = field(default_factory=dict)
    asked: int = 0


def resolve_from_snapshot(
    settings: Settings,
    records: list[TitleRecord],
    now: str,
    on_settled: Callable[[TitleRecord, Resolution], None] | None = None,
) -> SnapshotOutcome:
    """Settle what the snapshot can; every other title is left to the API routes, unchanged."""
    outcome = SnapshotOutcome()
    if not records or not store.available(settings):
        return outcome
    queries = {i: normalise_title(query_title(r.title)) for i, r in enumerate(records)}
    queries = {i: q for i, q in queries.items() if q}
    outcome.asked = len(queries)
    with store.open_db(settings, read_only=True) as con:
        found = lookup.candidates(con, queries, settings.snapshot.max_token_papers)
    for i, candidates in found.items():
        record = records[i]
        decision = decide(record, candidates, settings.match, now=now)
        if not is_settled(record, candidates, decision):
            continue
        outcome.settled[record.norm] = decision
        if on_settled is not None:
            on_settled(record, decision)
    return outcome


def _fresh(snapshot_date: date | None, settings: Settings, now: datetime) -> bool:
    if snapshot_date is None:
        return False
    taken = datetime(snapshot_date.year, snapshot_date.month, snapshot_date.day, tzinfo=UTC)
    return now - taken <= timedelta(days=settings.snapshot.max_age_days)


def snapshot_arxiv(settings: Settings, ids: list[str], now: datetime) -> tuple[dict[str, ArxivRecord], str | None]:
    """Records of these arXiv ids from the snapshot (none when it is off, missing, or older than allowed)."""
    if not ids or not store.available(settings):
        return {}, None
    with store.open_db(settings, read_only=True) as con:
        when = store.snapshot_dates(con).get("arxiv")
        if not _fresh(when, settings, now):
            return {}, None
        return lookup.arxiv_records(con, ids), lookup.snapshot_date_iso(when)


def snapshot_s2(settings: Settings, ids: list[str], now: datetime) -> tuple[dict[str, S2Record], str | None]:
    """Records of these S2 request ids (paper ids, ``ARXIV:``, ``DOI:``) from the snapshot's release."""
    if not ids or not store.available(settings):
        return {}, None
    with store.open_db(settings, read_only=True) as con:
        when = store.snapshot_dates(con).get("s2")
        if not _fresh(when, settings, now):
            return {}, None
        return lookup.s2_records(con, ids), lookup.snapshot_date_iso(when)


def snapshot_available(settings: Settings) -> bool:
    """Snapshot mode is on and its database exists."""
    return store.available(settings)
