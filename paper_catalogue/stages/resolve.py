"""The resolve stage: find each title's arXiv id and Semantic Scholar paper id.

Routes are tried cheapest first: an identifier written in the list needs no request; S2's
title-match endpoint answers most titles in one request; only when its answer does not pass
our own scoring do we ask arXiv (``ti:"…"`` phrase search) and S2's relevance search. Every
candidate, whichever route proposed it, is scored by ``matching.decide``: no search engine's
first hit is trusted.

Titles are worked on by a few threads so that arXiv fallbacks (one request every 3 s) run
side by side with S2 lookups (one a second); the politeness gates in the HTTP layer keep each
host at its pace whatever the number of threads.

"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from paper_catalogue.config import Settings
from paper_catalogue.errors import FetchError, Http, InputError
from paper_catalogue.lists.identifiers import identifier_title
from paper_catalogue.lists.overrides_file import load_overrides
from paper_catalogue.matching.context import query_title
from paper_catalogue.matching.decide import decide, is_settled
from paper_catalogue.matching.identifiers import identifier_resolution, unknown_s2_id
from paper_catalogue.matching.overrides import Override, override_resolution
from paper_catalogue.models import Candidate, Resolution, TitleRecord
from paper_catalogue.sources import arxiv_source, s2_source
from paper_catalogue.stages.batch import resolve_in_batches
from paper_catalogue.stages.context import RESOLVED_FILE, Context, StageOrderError, iso
from paper_catalogue.stages.snapshot import resolve_from_snapshot, snapshot_available
from paper_catalogue.stages.stage_files import load_stage_file, reporter
from paper_catalogue.stages.titles import load_titles
from paper_catalogue.storage import write_json_atomic

log = logging.getLogger(__name__)

#: Bump when the matcher changes in a way that should revisit earlier non-matches.
#: 2: notes, references and whole titles inside a line read past; identifier-only lines.
#: 3: published lists' title forms; a plain title no longer ties with its "++" or "v2" rival; citations after a title.
RESOLVER_VERSION = 3

#: Threads working on titles. Two would do for two hosts; a few more keep a host busy while
#: another thread is waiting on the other host's gate.
RESOLVE_THREADS = 4

#: At most this much resolving work (searches already paid for) is lost when a run is killed.
CHECKPOINT_EVERY_S = 15.0


def needs_resolving(previous: Resolution | None, previous_resolver_version: int) -> bool:
    """A settled title is never searched again: only new titles and failed searches are.

    ``unmatched``/``ambiguous`` results from an older resolver version are revisited, because
    the matcher may now decide differently; ``matched`` ones are never changed behind the
    user's back (an override is the way to change them).
    """
    if previous is None or previous.status == "error" or previous.route == "override":
        # An override that is no longer in the file no longer holds: decide afresh.
        return True
    if previous.status == "matched":
        return False
    return previous_resolver_version < RESOLVER_VERSION


def resolve_title(http: Http, settings: Settings, record: TitleRecord, now: str) -> Resolution:
    """Search the routes for one title and decide. Network failures give ``error``, never ``unmatched``."""
    candidates: list[Candidate] = []
    failures: list[FetchError] = []
    query = query_title(record.title)  # the title inside a pasted reference; scoring still sees the whole line

    def attempt(fetch: Callable[[], list[Candidate]]) -> None:
        try:
            candidates.extend(fetch())
        except FetchError as exc:
            log.warning("lookup failed for %r: %s", query, exc)
            failures.append(exc)

    def s2_match() -> list[Candidate]:
        found = s2_source.fetch_title_match(http, settings, query)
        return [found] if found is not None else []

    attempt(s2_match)
    decision = decide(record, candidates, settings.match, now=now)
    if is_settled(record, candidates, decision):
        return decision

    # Either S2 did not give an acceptable answer, or it did but knows no arXiv id: ask arXiv
    # by title phrase, and (if still nothing) S2's relevance search.
    attempt(lambda: arxiv_source.fetch_title_candidates(http, settings, query))
    decision = decide(record, candidates, settings.match, now=now)
    if decision.status != "matched":
        # Still nothing: S2's relevance search may find what the single title match and arXiv did not.
        attempt(lambda: s2_source.fetch_search_candidates(http, settings, query))
        decision = decide(record, candidates, settings.match, now=now)

    if decision.status in ("unmatched", "ambiguous") and failures:
        # A route we could not ask might have had the answer: this is not a "no match".
        reasons = "; ".join(sorted({f"{f.api} {f.reason}" for f in failures}))
        return Resolution(
            norm=record.norm,
            status="error",
            score=decision.score,
            route=decision.route,
            reason=f"lookup incomplete ({reasons}); will be retried next run",
            best_rejected=decision.best_rejected,
            resolved_at=now,
        )
    return decision


def _unknown_s2_ids(
    http: Http, settings: Settings, records: list[TitleRecord], results: dict[str, Resolution], now: str
) -> list[TitleRecord]:
    """Check list lines whose only identifier is a Semantic Scholar id; return those to search by title instead.

    S2's batch answers null for an id it does not know (a mistyped or stale link). Such a line is searched by
    the title it also carries; a line that is nothing but the link is unmatched, saying what to check. One
    batch request per 500 ids; when S2 cannot be asked the ids are taken as written (the catalogue stage
    checks them again against what the S2 stage fetched).
    """
    search: list[TitleRecord] = []
    for start in range(0, len(records), s2_source.MAX_BATCH):
        chunk = records[start : start + s2_source.MAX_BATCH]
        try:
            found = s2_source.fetch_batch(http, settings, [r.s2_paper_id or "" for r in chunk])
        except FetchError as exc:
            log.warning("could not check %d Semantic Scholar ids from the lists: %s", len(chunk), exc)
            continue
        for record in chunk:
            if found.get(record.s2_paper_id or "", True) is not None:
                continue
            if record.title and record.title != identifier_title((None, None), record.s2_paper_id):
                search.append(dataclasses.replace(record, s2_paper_id=None))
                del results[record.norm]
            else:
                results[record.norm] = unknown_s2_id(results[record.norm])
    return search


def resolve_all(
    http: Http,
    settings: Settings,
    records: list[TitleRecord],
    previous: Mapping[str, Resolution],
    previous_version: int,
    overrides: Mapping[str, Override],
    now: str,
    on_progress: Callable[[int, int, Resolution], None] | None = None,
    on_checkpoint: Callable[[dict[str, Resolution]], None] | None = None,
    checkpoint_every_s: float = CHECKPOINT_EVERY_S,
    on_start: Callable[[int], None] | None = None,
) -> dict[str, Resolution]:
    """Resolve every record that needs it; returns resolutions for all records, by ``norm``.

    ``on_checkpoint`` is called with everything decided so far at most every ``checkpoint_every_s``
    seconds, so a crash or kill halfway keeps the work already paid for. By time, not by count:
    the checkpoint rewrites the whole file, and every-N-titles made that quadratic in a long run
    (10 MB written every 25 titles at 10,000 titles).
    """
    results: dict[str, Resolution] = {}
    todo: list[TitleRecord] = []
    s2_only: list[TitleRecord] = []  # lines whose only identifier is an S2 paper id: checked before trusting
    for record in records:
        override = overrides.get(record.norm)
        if override is not None:
            results[record.norm] = override_resolution(record, override, now)
            continue
        given = identifier_resolution(record, now)
        if given is not None:
            results[record.norm] = given
            if record.s2_paper_id and not (record.arxiv_id or record.doi):
                s2_only.append(record)
            continue
        prior = previous.get(record.norm)
        if prior is not None and not needs_resolving(prior, previous_version):
            results[record.norm] = prior
            continue
        todo.append(record)

    todo += _unknown_s2_ids(http, settings, s2_only, results, now)
    lock = threading.Lock()
    last_checkpoint = time.monotonic()
    done = 0
    total = len(todo)
    if on_start is not None:
        on_start(total)

    def settled(record: TitleRecord, resolution: Resolution) -> None:
        nonlocal done
        results[record.norm] = resolution
        done += 1
        if on_progress is not None:
            on_progress(done, total, resolution)

    if todo and settings.snapshot.final and not snapshot_available(settings):
        raise InputError(
            f"[snapshot] final = true in {settings.config_path}, but there is no snapshot database at"
            f" {settings.snapshot_db}: run `pipeline snapshot import` first (or set final = false to search the APIs)"
        )
    if todo and snapshot_available(settings):
        # The local bulk snapshot first: no request for a title it settles (same scorer, same rule as a batch).
        from_snapshot = resolve_from_snapshot(settings, todo, now, on_settled=settled)
        todo = [r for r in todo if r.norm not in from_snapshot.settled]
        if on_checkpoint is not None and from_snapshot.settled:
            on_checkpoint(dict(results))
            last_checkpoint = time.monotonic()
    if settings.batch.enabled and todo:
        outcome = resolve_in_batches(http, settings, todo, now, on_settled=settled)
        todo = [r for r in todo if r.norm not in outcome.settled]
        if on_checkpoint is not None and outcome.settled:
            on_checkpoint(dict(results))
            last_checkpoint = time.monotonic()
    with ThreadPoolExecutor(max_workers=RESOLVE_THREADS, thread_name_prefix="resolve") as pool:
        futures = {pool.submit(resolve_title, http, settings, record, now): record for record in todo}
        for future in as_completed(futures):
            record = futures[future]
            resolution = future.result()
            with lock:
                results[record.norm] = resolution
                done += 1
                if on_progress is not None:
                    on_progress(done, total, resolution)
                if on_checkpoint is not None and time.monotonic() - last_checkpoint >= checkpoint_every_s:
                    on_checkpoint(dict(results))
                    last_checkpoint = time.monotonic()
    return {record.norm: results[record.norm] for record in records}


def load_resolutions(ctx: Context) -> tuple[dict[str, Resolution], int]:
    data = load_stage_file(ctx.interim(RESOLVED_FILE), reporter(ctx.summary.notes)) or {}
    resolutions = {norm: Resolution.from_dict(r) for norm, r in (data.get("resolutions") or {}).items()}
    return resolutions, int(data.get("resolver_version", RESOLVER_VERSION))


def _save_resolutions(ctx: Context, resolutions: dict[str, Resolution], keep: dict[str, Resolution]) -> None:
    """Write decisions; titles no longer in the lists are kept, so re-adding one costs nothing."""
    merged = dict(keep)
    merged.update(resolutions)
    write_json_atomic(
        ctx.interim(RESOLVED_FILE),
        {
            "resolver_version": RESOLVER_VERSION,
            "updated_at": iso(ctx.now),
            "resolutions": {norm: r.to_dict() for norm, r in sorted(merged.items())},
        },
    )


def run_resolve(ctx: Context) -> Path:
    """Decide every title that is new or whose last search failed; keep settled decisions."""
    assert ctx.http is not None
    records, _ = load_titles(ctx)
    previous, previous_version = load_resolutions(ctx)
    overrides, orphans = load_overrides(ctx.settings.paths.raw, records)
    ctx.summary.notes.extend(orphans)

    def started(todo: int) -> None:
        interval = ctx.settings.semantic_scholar.min_interval_s
        pace = f"; at most {todo * interval:.0f}s at Semantic Scholar's pace of one request every {interval:g}s"
        if ctx.settings.batch.enabled:
            pace = f", {ctx.settings.batch.s2_titles} titles per batch request first{pace}"
        ctx.progress.stage(
            "resolve", f"{len(records)} titles, {todo} to search{pace if todo else ' (all decided earlier)'}"
        )

    def progress(done: int, total: int, res: Resolution) -> None:
        ctx.progress.step("resolve", done, total, f"last: {res.status}")

    results = resolve_all(
        ctx.http,
        ctx.settings,
        records,
        previous,
        previous_version,
        overrides,
        iso(ctx.now),
        on_progress=progress,
        on_checkpoint=lambda partial: _save_resolutions(ctx, partial, previous),
        on_start=started,
    )
    _save_resolutions(ctx, results, previous)
    ctx.summary.reused_resolutions = sum(1 for norm, r in results.items() if previous.get(norm) is r)
    ctx.summary.routes.update(
        r.route or "?" for norm, r in results.items() if previous.get(norm) is not r and r.status == "matched"
    )
    return ctx.interim(RESOLVED_FILE)


def current_resolutions(ctx: Context) -> list[tuple[TitleRecord, Resolution]]:
    records, _ = load_titles(ctx)
    resolutions, _ = load_resolutions(ctx)
    missing = [r.title for r in records if r.norm not in resolutions]
    if missing:
        raise StageOrderError(
            f"{len(missing)} title(s) have not been resolved yet (e.g. {missing[0]!r}); run the resolve stage"
        )
    return [(r, resolutions[r.norm]) for r in records]
