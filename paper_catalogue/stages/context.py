"""What every stage shares: the run's context, the clock, the stage files and their record stores.

A record store (``arxiv.json``, ``s2.json``) keeps every record a run paid for, with when it was
fetched, so that a later run asks again only for what has expired or failed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import chain
from pathlib import Path
from typing import Any, TypeVar

from paper_catalogue.config import Settings
from paper_catalogue.errors import FetchError, Http, PipelineError
from paper_catalogue.progress import Progress, RunSummary
from paper_catalogue.stages.stage_files import load_stage_file, reporter
from paper_catalogue.storage import remove_temp_files, write_json_atomic

log = logging.getLogger(__name__)

T = TypeVar("T")

TITLES_FILE = "titles.json"
RESOLVED_FILE = "resolved.json"
ARXIV_FILE = "arxiv.json"
S2_FILE = "s2.json"

#: What a run writes into the enriched folder (under the run's lock; the report and BibTeX commands take no lock).
RUN_OUTPUTS = ("catalogue.parquet", "catalogue.csv", "review.md", "citations_history.parquet")


def utcnow() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def iso(ts: datetime) -> str:
    return ts.isoformat().replace("+00:00", "Z")


def parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@dataclass
class Context:
    """What every stage gets: settings, the one HTTP client, progress output and the summary."""

    settings: Settings
    http: Http | None
    progress: Progress
    summary: RunSummary
    now: datetime

    def interim(self, name: str) -> Path:
        return self.settings.paths.interim / name


def remove_leftovers(settings: Settings) -> list[Path]:
    """Temporary files a killed run left behind (``.catalogue.parquet.k3j2x9_a.parquet``): removed at the start
    of the next run, which holds the lock. In the interim folder any; in the enriched folder only the run's own."""
    removed = remove_temp_files(settings.paths.interim)
    removed += remove_temp_files(settings.paths.enriched, RUN_OUTPUTS)
    for path in removed:
        log.info("removed %s, left by an interrupted run", path)
    return removed


class StageOrderError(PipelineError):
    """A stage was run before the stage it depends on."""


def _require(path: Path, stage: str, ctx: Context) -> Any:
    data = load_stage_file(path, reporter(ctx.summary.notes))
    if data is None:
        raise StageOrderError(f"{path} does not exist yet; run the '{stage}' stage first")
    return data


# ------------------------------------------------------------------------------ record stores


def load_store(path: Path, ctx: Context) -> dict[str, dict[str, Any]]:
    """A source's records by id, each ``{"record": {...}|None, "fetched_at": iso, "error": str|None}``.

    Checked against the store's schema: damaged entries (or a damaged file) are reported and fetched again.
    """
    data = load_stage_file(path, reporter(ctx.summary.notes)) or {}
    return dict(data.get("records") or {})


def save_store(path: Path, entries: dict[str, dict[str, Any]], ctx: Context) -> None:
    write_json_atomic(path, {"updated_at": iso(ctx.now), "records": dict(sorted(entries.items()))})


def due_ids(ids: Iterable[str], store: dict[str, dict[str, Any]], max_age: timedelta, now: datetime) -> list[str]:
    """Ids with no good record yet, or whose record is older than its expiry.

    An id the source answered it does not know (``unknown``) counts as a record: asked again when it expires.
    """
    due = []
    for key in sorted(set(ids)):
        entry = store.get(key)
        if (
            entry is None
            or (entry.get("error") and not entry.get("unknown"))
            or not entry.get("fetched_at")
            or now - parse_iso(entry["fetched_at"]) >= max_age
        ):
            due.append(key)
    return due


def _mark_failed(store: dict[str, dict[str, Any]], ids: Iterable[str], reason: str, now: datetime) -> None:
    """Keep the last good record (stale) and note why it could not be refreshed."""
    for key in ids:
        entry = store.setdefault(key, {"record": None, "fetched_at": None})
        entry["error"] = reason
        entry["failed_at"] = iso(now)


def fetch_in_batches(
    ctx: Context,
    stage: str,
    store: dict[str, dict[str, Any]],
    due: list[str],
    size: int,
    fetch: Callable[[list[str]], T],
) -> Iterator[T]:
    """Each batch's answer, in order; the caller stores it, then the stage's progress steps on.

    A batch that fails is marked failed in the store (its ids keep their last good record, flagged
    stale) and gets one more try after the others: a batch that used up its retries in a bad minute
    often succeeds a minute later, and one more try costs nothing when it works and saves a whole
    rerun. An open circuit breaker means the host is down: no second try then.
    """
    batches = chunks(due, size)
    failed: list[list[str]] = []
    for number, batch in enumerate(chain(batches, failed), start=1):
        try:
            answer = fetch(batch)
        except FetchError as exc:
            _mark_failed(store, batch, str(exc), ctx.now)
            if number <= len(batches) and exc.reason != "circuit_open":
                failed.append(batch)
            continue
        yield answer
        ctx.progress.step(stage, min(number, len(batches)), len(batches), force=True)


def chunks(items: list[str], size: int) -> list[list[str]]:
    return [items[i : i + size] for i in range(0, len(items), size)]
