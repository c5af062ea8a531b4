"""Snapshot mode in the stages: titles and records from the local bulk snapshots before any API request.

Resolution: candidates for every title at once by SQL (``sources.snapshot.lookup``), decided by
``matching.decide.decide`` and kept only when ``matching.decide.is_settled`` holds: the rule a batch uses, so the
snapshot can save requests but never accept what the per-title path would have looked further at. Enrichment:
records the snapshot holds (and that are not older than ``[snapshot] max_age_days``) are taken from it, marked
``source = "snapshot"`` with the snapshot's date; the rest is fetched from the APIs as before.
"""

from __future__ import annotations

import atexit
import logging
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta

import duckdb

from paper_catalogue.config import MatchSettings, Settings, SnapshotSettings
from paper_catalogue.matching.context import query_title
from paper_catalogue.matching.decide import decide, is_settled
from paper_catalogue.matching.normalise import normalise_title
from paper_catalogue.models import ArxivRecord, Candidate, Resolution, S2Record, TitleRecord
from paper_catalogue.sources.snapshot import lookup, store

log = logging.getLogger(__name__)

SNAPSHOT_SOURCE = "snapshot"


@dataclass
class SnapshotOutcome:
    settled: dict[str, Resolution] = field(default_factory=dict)
    asked: int = 0


#: Titles per task: one SQL round (candidates by set-based joins) and their decisions. Below about 10,000 titles a
#: round's fixed cost (a pass over the blocking table) shows; above it, memory grows and workers idle at the end.
TASK_TITLES = 10_000
#: Below this many titles everything happens in this process: starting worker processes costs more.
PARALLEL_MIN_TITLES = 20_000

#: One task: (index, title record, spellings to look up) for each of its titles.
_Task = list[tuple[int, TitleRecord, list[str]]]


def settled_decisions(
    items: list[tuple[int, TitleRecord, list[Candidate]]], match: MatchSettings, now: str, final: bool = False
) -> list[tuple[int, Resolution]]:
    """``matching.decide.decide`` on each title's candidates, kept only when ``is_settled`` (the batch rule), or
    every decision when the snapshot is ``final`` (``[snapshot] final``: no API search comes after it)."""
    out = []
    for i, record, candidates in items:
        decision = decide(record, candidates, match, now=now)
        if final or is_settled(record, candidates, decision):
            out.append((i, decision))
    return out


def settle_task(
    con: duckdb.DuckDBPyConnection, task: _Task, snapshot: SnapshotSettings, match: MatchSettings, now: str
) -> list[tuple[int, Resolution]]:
    """One task's candidates from the snapshot (one SQL round), then its settled decisions."""
    found = lookup.candidates(con, {i: spelled for i, _, spelled in task}, snapshot.max_token_papers)
    items = [(i, record, found[i]) for i, record, _ in task if i in found]
    return settled_decisions(items, match, now, snapshot.final)


def not_in_snapshot(record: TitleRecord, now: str) -> Resolution:
    """A final snapshot proposed no paper for this title: unmatched, and the reason says where we looked."""
    return Resolution(
        norm=record.norm,
        status="unmatched",
        reason="no candidate in the local snapshot (snapshot mode is final: the APIs were not searched)",
        resolved_at=now,
        candidates=[],
    )


def _workers(settings: Settings, titles: int) -> int:
    if titles < PARALLEL_MIN_TITLES:
        return 1
    cores = os.cpu_count() or 1
    return max(1, min(cores, settings.snapshot.threads or cores))


#: A worker process's own read-only connection to the snapshot, opened once by ``_open_worker_db``.
_worker_db: duckdb.DuckDBPyConnection | None = None


def _open_worker_db(settings: Settings) -> None:
    global _worker_db
    _worker_db = store.connect(settings.snapshot_db, settings, read_only=True)
    atexit.register(_worker_db.close)


def _settle_in_worker(
    task: _Task, snapshot: SnapshotSettings, match: MatchSettings, now: str
) -> list[tuple[int, Resolution]]:
    assert _worker_db is not None, "the pool's initializer opens the snapshot"
    return settle_task(_worker_db, task, snapshot, match, now)


def _per_worker(settings: Settings, workers: int) -> Settings:
    """Each worker's share of ``[snapshot] memory_limit`` and of the threads (one each by default): the limits
    hold for the run as a whole, not once per process."""
    cores = os.cpu_count() or 1
    threads = max(1, (settings.snapshot.threads or cores) // workers)
    memory = store.share_of_memory(settings.snapshot.memory_limit, workers)
    return replace(settings, snapshot=replace(settings.snapshot, threads=threads, memory_limit=memory))


def _settle_all(settings: Settings, tasks: list[_Task], now: str, workers: int) -> Iterator[tuple[int, Resolution]]:
    """Settled decisions, task by task in title order. With ``workers`` > 1 each worker process looks up and
    decides whole tasks on its own connection: the SQL runs in parallel too, and only titles go to a worker and
    only settled decisions come back (candidates never cross a process boundary)."""
    if workers <= 1:
        with store.open_db(settings, read_only=True) as con:
            for task in tasks:
                yield from settle_task(con, task, settings.snapshot, settings.match, now)
        return
    context = multiprocessing.get_context("spawn")
    shared = _per_worker(settings, workers)
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_open_worker_db, initargs=(shared,)) as pool:
        queued: deque[Future[list[tuple[int, Resolution]]]] = deque()
        for task in tasks:
            queued.append(pool.submit(_settle_in_worker, task, settings.snapshot, settings.match, now))
            while len(queued) > 2 * workers:  # a few tasks ahead: workers never wait, memory stays bounded
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

    Titles go in tasks of ``TASK_TITLES``; many titles are shared among worker processes (one per core, at most
    ``[snapshot] threads``), each looking up candidates by SQL and deciding its own tasks."""
    outcome = SnapshotOutcome()
    if not records or not store.available(settings):
        return outcome
    # The title sentence (a pasted reference read down to its title, a nickname in front read past) and the
    # title as written: a paper titled as written competes with the one the title sentence names.
    spelled = {
        i: [q for q in dict.fromkeys((normalise_title(query_title(r.title)), r.norm)) if q]
        for i, r in enumerate(records)
    }
    queries = [(i, records[i], q) for i, q in spelled.items() if q]
    outcome.asked = len(queries)
    tasks = [queries[start : start + TASK_TITLES] for start in range(0, len(queries), TASK_TITLES)]
    for i, decision in _settle_all(settings, tasks, now, _workers(settings, len(queries))):
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
