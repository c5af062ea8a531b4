"""Snapshot mode in the stages: titles and records from the local bulk snapshots before any API request.

Resolution: candidates for every title at once by SQL (``sources.snapshot.lookup``), decided by
``matching.decide.decide`` and kept only when ``matching.decide.is_settled`` holds: the rule a batch uses, so the
snapshot can save requests but never accept what the per-title path would have looked further at. Enrichment:
records the snapshot holds (and that are not older than ``[snapshot] max_age_days``) are taken from it, marked
``source = "snapshot"`` with the snapshot's date; the rest is fetched from the APIs as before.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from pipeline.config import MatchSettings, Settings
from pipeline.matching.context import query_title
from pipeline.matching.decide import decide, is_settled
from pipeline.matching.normalise import normalise_title
from pipeline.models import ArxivRecord, Candidate, Resolution, S2Record, TitleRecord
from pipeline.sources.snapshot import lookup, store

log = logging.getLogger(__name__)

SNAPSHOT_SOURCE = "snapshot"


@dataclass
class SnapshotOutcome:
    settled: dict[str, Resolution] = field(default_factory=dict)
    asked: int = 0


#: Titles per decision task of a worker process.
DECIDE_CHUNK = 2_000
#: Below this many titles every decision is made in this process: starting worker processes costs more.
PARALLEL_MIN_TITLES = 20_000
#: Decision tasks queued at most (bounds the candidates held while DuckDB looks up the next titles).
MAX_QUEUED_TASKS = 50

_Task = list[tuple[int, TitleRecord, list[Candidate]]]


def settled_decisions(
    items: _Task, match: MatchSettings, now: str, final: bool = False
) -> list[tuple[int, Resolution]]:
    """``matching.decide.decide`` on each title's candidates, kept only when ``is_settled`` (the batch rule), or
    every decision when the snapshot is ``final`` (``[snapshot] final``: no API search comes after it)."""
    out = []
    for i, record, candidates in items:
        decision = decide(record, candidates, match, now=now)
        if final or is_settled(record, candidates, decision):
            out.append((i, decision))
    return out


def not_in_snapshot(record: TitleRecord, now: str) -> Resolution:
    """A final snapshot proposed no paper for this title: unmatched, and the reason says where we looked."""
    return Resolution(
        norm=record.norm,
        status="unmatched",
        reason="no candidate in the local snapshot (snapshot mode is final: the APIs were not searched)",
        resolved_at=now,
        candidates=[],
    )


def _tasks(chunks: Iterable[dict[int, list[Candidate]]], records: list[TitleRecord]) -> Iterator[_Task]:
    for found in chunks:
        items = [(i, records[i], found[i]) for i in sorted(found)]
        for start in range(0, len(items), DECIDE_CHUNK):
            yield items[start : start + DECIDE_CHUNK]


def _workers(settings: Settings, titles: int) -> int:
    if titles < PARALLEL_MIN_TITLES:
        return 1
    cores = os.cpu_count() or 1
    return max(1, min(cores, settings.snapshot.threads or cores))


def _decisions(tasks: Iterator[_Task], settings: Settings, now: str, workers: int) -> Iterator[tuple[int, Resolution]]:
    """Settled decisions in title order; with ``workers`` > 1 made by a process pool while the main process (and
    DuckDB) produces the next tasks."""
    final = settings.snapshot.final
    if workers <= 1:
        for task in tasks:
            yield from settled_decisions(task, settings.match, now, final)
        return
    queued: deque[Future[list[tuple[int, Resolution]]]] = deque()
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        for task in tasks:
            queued.append(pool.submit(settled_decisions, task, settings.match, now, final))
            while len(queued) > MAX_QUEUED_TASKS or (queued and queued[0].done()):
                yield from queued.popleft().result()
        while queued:
            yield from queued.popleft().result()


def resolve_from_snapshot(
    settings: Settings,
    records: list[TitleRecord],
    now: str,
    on_settled: Callable[[TitleRecord, Resolution], None] | None = None,
) -> SnapshotOutcome:
    """Settle what the snapshot can; every other title is left to the API routes, unchanged. With ``[snapshot]
    final`` every title is decided here (unmatched when the snapshot proposes nothing).

    Candidates come from DuckDB chunk by chunk (``lookup.iter_candidates``); many titles are decided by worker
    processes (one per core, at most ``[snapshot] threads``) while the next chunk is looked up."""
    outcome = SnapshotOutcome()
    if not records or not store.available(settings):
        return outcome
    # The title sentence (a pasted reference read down to its title, a nickname in front read past) and the
    # title as written: a paper titled as written competes with the one the title sentence names.
    spelled = {
        i: [q for q in dict.fromkeys((normalise_title(query_title(r.title)), r.norm)) if q]
        for i, r in enumerate(records)
    }
    queries = {i: q for i, q in spelled.items() if q}
    outcome.asked = len(queries)
    with store.open_db(settings, read_only=True) as con:
        chunks = lookup.iter_candidates(con, queries, settings.snapshot.max_token_papers)
        for i, decision in _decisions(_tasks(chunks, records), settings, now, _workers(settings, len(queries))):
            record = records[i]
            outcome.settled[record.norm] = decision
            if on_settled is not None:
                on_settled(record, decision)
    if settings.snapshot.final:
        for record in records:
            if record.norm not in outcome.settled:
                decision = not_in_snapshot(record, now)
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
