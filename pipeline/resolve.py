"""Find each title's arXiv id and Semantic Scholar paper id.

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
from dataclasses import dataclass
from typing import Any

from pipeline.config import Settings
from pipeline.errors import FetchError, Http
from pipeline.matching.context import query_title
from pipeline.matching.decide import decide, year_disagrees
from pipeline.models import Candidate, Resolution, TitleRecord
from pipeline.sources import arxiv_source, s2_source

log = logging.getLogger(__name__)

#: Bump when the matcher changes in a way that should revisit earlier non-matches.
RESOLVER_VERSION = 2  # 2: notes, references and whole titles inside a line read past; identifier-only lines

#: Threads working on titles. Two would do for two hosts; a few more keep a host busy while
#: another thread is waiting on the other host's gate.
RESOLVE_THREADS = 4

#: At most this much resolving work (searches already paid for) is lost when a run is killed.
CHECKPOINT_EVERY_S = 15.0

#: An S2 title match at least this close is taken without asking arXiv. Below it (a truncated or
#: misspelt title), or when the list's year disagrees with the match, arXiv's phrase search runs
#: too, so a near-identical *other* paper (the same title plus "in Genomics", or the same title
#: from another year) competes instead of being accepted unseen. Two papers with the very same
#: title and no year in the list cannot be told apart by one title match: that costs a second
#: request per title for every title, which the politeness budget does not allow.
SURE_SCORE = 0.97


@dataclass(frozen=True)
class Override:
    """A human decision from the overrides file: pins ids, or says the title is not a paper online."""

    arxiv_id: str | None = None
    s2_paper_id: str | None = None
    none: bool = False
    line: str = ""  # where it was written, for the resolution's reason


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


def identifier_resolution(record: TitleRecord, now: str) -> Resolution | None:
    """A list line that carries an arXiv id, S2 id or DOI is matched without searching."""
    if not (record.arxiv_id or record.s2_paper_id or record.doi):
        return None
    found = ", ".join(
        f"{label} {value}"
        for label, value in (("arXiv", record.arxiv_id), ("S2", record.s2_paper_id), ("DOI", record.doi))
        if value
    )
    return Resolution(
        norm=record.norm,
        status="matched",
        score=1.0,
        route="identifier",
        arxiv_id=record.arxiv_id,
        s2_paper_id=record.s2_paper_id,
        title=None,
        reason=f"identifier given in the list ({found})",
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
    if res.route != "identifier" or res.status != "matched" or not res.arxiv_id:
        return None
    arxiv_unknown = not arxiv_entry.get("record") and arxiv_entry.get("error") == ARXIV_NO_ENTRY
    s2_unknown = bool(s2_entry.get("unknown")) and not s2_entry.get("record")
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
    return Resolution(
        norm=record.norm,
        status="matched",
        score=1.0,
        route="override",
        arxiv_id=override.arxiv_id,
        s2_paper_id=override.s2_paper_id,
        reason=f"pinned in the overrides file ({override.line})",
        resolved_at=now,
    )


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
    if (
        decision.status == "matched"
        and decision.arxiv_id
        and (decision.score or 0) >= SURE_SCORE
        and not year_disagrees(record, candidates, decision)
    ):
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
    for record in records:
        override = overrides.get(record.norm)
        if override is not None:
            results[record.norm] = override_resolution(record, override, now)
            continue
        given = identifier_resolution(record, now)
        if given is not None:
            results[record.norm] = given
            continue
        prior = previous.get(record.norm)
        if prior is not None and not needs_resolving(prior, previous_version):
            results[record.norm] = prior
            continue
        todo.append(record)

    lock = threading.Lock()
    last_checkpoint = time.monotonic()
    done = 0
    total = len(todo)
    if on_start is not None:
        on_start(total)
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
