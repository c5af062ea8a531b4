"""The arXiv and Semantic Scholar stages: resolved ids → ``interim/arxiv.json`` and ``interim/s2.json``.

Records are fetched in batches (about 100 ids per arXiv ``id_list``, up to 500 per S2 batch), only for ids
whose stored record has expired or failed; a batch that fails gets a second pass at the end of its stage.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path
from typing import Any

from paper_catalogue.errors import FetchError
from paper_catalogue.matching.identifiers import ARXIV_NO_ENTRY
from paper_catalogue.models import ArxivRecord, Resolution, TitleRecord
from paper_catalogue.sources import arxiv_source, s2_source
from paper_catalogue.stages.context import (
    ARXIV_FILE,
    S2_FILE,
    Context,
    _mark_failed,
    due_ids,
    fetch_in_batches,
    iso,
    load_store,
    save_store,
)
from paper_catalogue.stages.resolve import current_resolutions
from paper_catalogue.stages.snapshot import SNAPSHOT_SOURCE, snapshot_arxiv, snapshot_available, snapshot_s2

log = logging.getLogger(__name__)


def _take_from_snapshot(ctx: Context, source: str, store: dict[str, dict[str, Any]], due: list[str]) -> list[str]:
    """Store the records of ``due`` ids the local snapshot holds (snapshot mode); return the ids still to fetch.

    Entries say where they came from (``source``, ``snapshot_date``); the catalogue carries both.
    """
    if not due or not snapshot_available(ctx.settings):
        return due
    found: dict[str, Any]
    if source == "arxiv":
        found, taken = snapshot_arxiv(ctx.settings, due, ctx.now)
    else:
        found, taken = snapshot_s2(ctx.settings, due, ctx.now)
    stamp = iso(ctx.now)
    for key, record in found.items():
        store[key] = {
            "record": record.to_dict(),
            "fetched_at": stamp,
            "error": None,
            "source": SNAPSHOT_SOURCE,
            "snapshot_date": taken,
        }
    if found:
        ctx.summary.notes.append(f"{source}: {len(found)} record(s) from the local snapshot of {taken}, not fetched")
    return [key for key in due if key not in found]


def run_arxiv(ctx: Context) -> Path:
    """Fetch arXiv metadata for every resolved arXiv id whose stored record is missing or expired.

    Batches are fetched one by one so that a batch that fails costs only its own ids (kept
    from the previous run, flagged stale), never the whole stage.
    """
    assert ctx.http is not None
    pairs = current_resolutions(ctx)
    ids = {res.arxiv_id for _, res in pairs if res.status == "matched" and res.arxiv_id}
    path = ctx.interim(ARXIV_FILE)
    store = load_store(path, ctx)
    due = due_ids(ids, store, timedelta(days=ctx.settings.arxiv.records_expire_days), ctx.now)
    due = _take_from_snapshot(ctx, "arxiv", store, due)
    calls = -(-len(due) // ctx.settings.arxiv.batch_size)
    every = ctx.settings.arxiv.min_interval_s
    ctx.progress.stage("arxiv", f"{len(ids)} papers, {len(due)} to fetch in {calls} request(s), one every {every:g}s")
    http = ctx.http

    def fetch(batch: list[str]) -> tuple[dict[str, ArxivRecord], list[str]]:
        try:
            return arxiv_source.fetch_records(http, ctx.settings, batch)
        except FetchError as exc:
            # One id, and every retry answered 200 without an entry: arXiv does not know the id (a typo in the
            # list or the overrides file). That is an answer, not an outage: recorded, not asked again every run.
            if exc.reason == "empty_page" and len(batch) == 1:
                return {}, list(batch)
            raise

    answers = fetch_in_batches(ctx, "arxiv", store, due, ctx.settings.arxiv.batch_size, fetch)
    for records, missing in answers:
        stamp = iso(ctx.now)
        for key, record in records.items():
            old = (store.get(key) or {}).get("record")
            if old and old.get("version") and record.version > old["version"]:
                ctx.summary.notes.append(f"new arXiv version: {key} v{old['version']} → v{record.version}")
            store[key] = {"record": record.to_dict(), "fetched_at": stamp, "error": None}
        for key in missing:
            if key in records:
                continue
            if (store.get(key) or {}).get("record"):
                _mark_failed(store, [key], ARXIV_NO_ENTRY, ctx.now)  # known before: keep it, flagged stale
            else:  # never known: remembered as unknown until records expire (``due_ids``)
                store[key] = {"record": None, "fetched_at": stamp, "error": ARXIV_NO_ENTRY, "unknown": True}
        save_store(path, store, ctx)  # checkpoint after every batch
    save_store(path, store, ctx)
    return path


def s2_request_id(record: TitleRecord, res: Resolution) -> str | None:
    """The id we ask S2's batch endpoint for: its own id when known, else the arXiv id or DOI."""
    if res.status != "matched":
        return None
    if res.s2_paper_id:
        return res.s2_paper_id
    if res.arxiv_id:
        return f"ARXIV:{res.arxiv_id}"
    if record.doi:
        return f"DOI:{record.doi}"
    return None


def run_semantic_scholar(ctx: Context, force_refresh: bool = False) -> Path:
    """Fetch S2 records (counts, venue, DOI) in batches of ≤ 500 for papers due a refresh.

    ``force_refresh`` (the refresh command) asks for every paper and bypasses the HTTP cache
    for these calls only: ⌈N/500⌉ requests for N papers.
    """
    assert ctx.http is not None
    pairs = current_resolutions(ctx)
    ids = {rid for rec, res in pairs if (rid := s2_request_id(rec, res))}
    path = ctx.interim(S2_FILE)
    store = load_store(path, ctx)
    if force_refresh:
        due = sorted(ids)
    else:
        due = due_ids(ids, store, timedelta(hours=ctx.settings.semantic_scholar.records_expire_hours), ctx.now)
    due = _take_from_snapshot(ctx, "s2", store, due)
    calls = -(-len(due) // ctx.settings.semantic_scholar.batch_size)
    ctx.progress.stage("semantic_scholar", f"{len(ids)} papers, {len(due)} to fetch in {calls} batch request(s)")
    http = ctx.http
    answers = fetch_in_batches(
        ctx,
        "semantic_scholar",
        store,
        due,
        ctx.settings.semantic_scholar.batch_size,
        lambda b: s2_source.fetch_batch(http, ctx.settings, b, force_refresh=force_refresh),
    )
    for found in answers:
        stamp = iso(ctx.now)
        for key, record in found.items():
            if record is None:
                store[key] = {"record": None, "fetched_at": stamp, "error": None, "unknown": True}
            else:
                store[key] = {"record": record.to_dict(), "fetched_at": stamp, "error": None}
        save_store(path, store, ctx)
    save_store(path, store, ctx)
    return path
