"""The five stages: titles → resolve → arxiv → semantic_scholar → catalogue.

Each stage reads the previous stage's output from ``data/interim/`` (and its own previous
output, to keep what earlier runs paid for), calls pure code, and writes only its own file,
atomically. So a failed stage reruns alone, and a killed run loses nothing already written.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import chain
from pathlib import Path
from typing import Any

from pipeline import resolve
from pipeline.config import Settings
from pipeline.errors import FetchError, Http, PipelineError
from pipeline.lists.load import load_reading_lists, merge_entries, raise_for_fatal
from pipeline.matching.overrides import load_overrides, title_key
from pipeline.models import ArxivRecord, Occurrence, Resolution, S2Record, SkippedLine, TitleRecord
from pipeline.outputs import catalogue, history, review
from pipeline.progress import Progress, RunSummary
from pipeline.sources import arxiv_source, s2_source
from pipeline.storage import load_json, write_json_atomic, write_text_atomic

log = logging.getLogger(__name__)

TITLES_FILE = "titles.json"
RESOLVED_FILE = "resolved.json"
ARXIV_FILE = "arxiv.json"
S2_FILE = "s2.json"


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


# --------------------------------------------------------------------------------------- titles


def run_titles(ctx: Context) -> Path:
    """Extract titles from every reading list, merge duplicates, report skipped lines."""
    raw = ctx.settings.paths.raw
    ctx.progress.stage("titles", f"reading lists in {raw}")
    loaded = load_reading_lists(raw)
    raise_for_fatal(loaded.problems)
    records = merge_entries(loaded.entries)
    out = ctx.interim(TITLES_FILE)
    write_json_atomic(
        out,
        {
            "generated_at": iso(ctx.now),
            "raw": str(raw),
            "files": sorted({e.occurrence.source_file for e in loaded.entries}),
            "title_lines": len(loaded.entries),
            "records": [r.to_dict() for r in records],
            "skipped": [s.to_dict() for s in loaded.skipped],
            "problems": [f"{p.source_file}:{p.line}: {p.message}" for p in loaded.problems],
        },
    )
    s = ctx.summary
    s.lists_read = (
        len(loaded.files) if hasattr(loaded, "files") else len({e.occurrence.source_file for e in loaded.entries})
    )
    s.title_lines = len(loaded.entries)
    s.distinct_titles = len(records)
    s.skipped_lines = len(loaded.skipped)
    s.input_problems = [f"{p.source_file}:{p.line}: {p.message}" for p in loaded.problems]
    ctx.progress.say(
        f"[titles] {len(loaded.entries)} title lines → {len(records)} distinct titles;"
        f" {len(loaded.skipped)} lines skipped"
    )
    return out


def load_titles(ctx: Context) -> tuple[list[TitleRecord], list[SkippedLine]]:
    data = _require(ctx.interim(TITLES_FILE), "titles")
    return (
        [TitleRecord.from_dict(r) for r in data["records"]],
        [SkippedLine.from_dict(s) for s in data.get("skipped", [])],
    )


# -------------------------------------------------------------------------------------- resolve


def load_resolutions(ctx: Context) -> tuple[dict[str, Resolution], int]:
    data = load_json(ctx.interim(RESOLVED_FILE), default=None) or {}
    resolutions = {norm: Resolution.from_dict(r) for norm, r in (data.get("resolutions") or {}).items()}
    return resolutions, int(data.get("resolver_version", resolve.RESOLVER_VERSION))


def _save_resolutions(ctx: Context, resolutions: dict[str, Resolution], keep: dict[str, Resolution]) -> None:
    """Write decisions; titles no longer in the lists are kept, so re-adding one costs nothing."""
    merged = dict(keep)
    merged.update(resolutions)
    write_json_atomic(
        ctx.interim(RESOLVED_FILE),
        {
            "resolver_version": resolve.RESOLVER_VERSION,
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
        pace = f"; at least {todo * interval:.0f}s at Semantic Scholar's pace of one request every {interval:g}s"
        ctx.progress.stage(
            "resolve", f"{len(records)} titles, {todo} to search{pace if todo else ' (all decided earlier)'}"
        )

    def progress(done: int, total: int, res: Resolution) -> None:
        ctx.progress.step("resolve", done, total, f"last: {res.status}")

    results = resolve.resolve_all(
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


class StageOrderError(PipelineError):
    """A stage was run before the stage it depends on."""


def _require(path: Path, stage: str) -> Any:
    data = load_json(path, default=None)
    if data is None:
        raise StageOrderError(f"{path} does not exist yet; run the '{stage}' stage first")
    return data


# ------------------------------------------------------------------------------ record stores


def load_store(path: Path) -> dict[str, dict[str, Any]]:
    """A source's records by id, each ``{"record": {...}|None, "fetched_at": iso, "error": str|None}``."""
    data = load_json(path, default=None) or {}
    return dict(data.get("records") or {})


def save_store(path: Path, entries: dict[str, dict[str, Any]], ctx: Context) -> None:
    write_json_atomic(path, {"updated_at": iso(ctx.now), "records": dict(sorted(entries.items()))})


def due_ids(ids: Iterable[str], store: dict[str, dict[str, Any]], max_age: timedelta, now: datetime) -> list[str]:
    """Ids with no good record yet, or whose record is older than its expiry."""
    due = []
    for key in sorted(set(ids)):
        entry = store.get(key)
        if (
            entry is None
            or entry.get("error")
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


# -------------------------------------------------------------------------------------- arxiv


def _with_second_pass(batches: list[list[str]], failed: list[list[str]]) -> Iterator[list[str]]:
    """The batches, then those of them that failed, once more (``failed`` is filled during the first pass).

    A batch that used up its retries in a bad minute often succeeds a minute later; one more try
    before giving up costs nothing when it works and saves a whole rerun.
    """
    return chain(batches, failed)


def chunks(items: list[str], size: int) -> list[list[str]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def run_arxiv(ctx: Context) -> Path:
    """Fetch arXiv metadata for every resolved arXiv id whose stored record is missing or expired.

    Batches are fetched one by one so that a batch that fails costs only its own ids (kept
    from the previous run, flagged stale), never the whole stage.
    """
    assert ctx.http is not None
    pairs = current_resolutions(ctx)
    ids = {res.arxiv_id for _, res in pairs if res.status == "matched" and res.arxiv_id}
    path = ctx.interim(ARXIV_FILE)
    store = load_store(path)
    due = due_ids(ids, store, timedelta(days=ctx.settings.arxiv.records_expire_days), ctx.now)
    calls = -(-len(due) // ctx.settings.arxiv.batch_size)
    every = ctx.settings.arxiv.min_interval_s
    ctx.progress.stage("arxiv", f"{len(ids)} papers, {len(due)} to fetch in {calls} request(s), one every {every:g}s")
    batches = chunks(due, ctx.settings.arxiv.batch_size)
    failed: list[list[str]] = []
    for number, batch in enumerate(_with_second_pass(batches, failed), start=1):
        try:
            records, missing = arxiv_source.fetch_records(ctx.http, ctx.settings, batch)
        except FetchError as exc:
            _mark_failed(store, batch, str(exc), ctx.now)
            if number <= len(batches) and exc.reason != "circuit_open":
                failed.append(batch)
            continue
        stamp = iso(ctx.now)
        for key, record in records.items():
            old = (store.get(key) or {}).get("record")
            if old and old.get("version") and record.version > old["version"]:
                ctx.summary.notes.append(f"new arXiv version: {key} v{old['version']} → v{record.version}")
            store[key] = {"record": record.to_dict(), "fetched_at": stamp, "error": None}
        for key in missing:
            if key not in records:
                _mark_failed(store, [key], resolve.ARXIV_NO_ENTRY, ctx.now)
        save_store(path, store, ctx)  # checkpoint after every batch
        ctx.progress.step("arxiv", min(number, len(batches)), len(batches), force=True)
    save_store(path, store, ctx)
    return path


# ------------------------------------------------------------------------------ semantic scholar


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
    store = load_store(path)
    if force_refresh:
        due = sorted(ids)
    else:
        due = due_ids(ids, store, timedelta(hours=ctx.settings.semantic_scholar.records_expire_hours), ctx.now)
    calls = -(-len(due) // ctx.settings.semantic_scholar.batch_size)
    ctx.progress.stage("semantic_scholar", f"{len(ids)} papers, {len(due)} to fetch in {calls} batch request(s)")
    batches = chunks(due, ctx.settings.semantic_scholar.batch_size)
    failed: list[list[str]] = []
    for number, batch in enumerate(_with_second_pass(batches, failed), start=1):
        try:
            found = s2_source.fetch_batch(ctx.http, ctx.settings, batch, force_refresh=force_refresh)
        except FetchError as exc:
            _mark_failed(store, batch, str(exc), ctx.now)
            if number <= len(batches) and exc.reason != "circuit_open":
                failed.append(batch)
            continue
        stamp = iso(ctx.now)
        for key, record in found.items():
            if record is None:
                store[key] = {"record": None, "fetched_at": stamp, "error": None, "unknown": True}
            else:
                store[key] = {"record": record.to_dict(), "fetched_at": stamp, "error": None}
        save_store(path, store, ctx)
        ctx.progress.step("semantic_scholar", min(number, len(batches)), len(batches), force=True)
    save_store(path, store, ctx)
    return path


# -------------------------------------------------------------------------------------- catalogue


def paper_key(arxiv_id: str | None, s2_paper_id: str | None, norm: str) -> str:
    if arxiv_id:
        return f"arxiv:{arxiv_id}"
    if s2_paper_id:
        return f"s2:{s2_paper_id}"
    return title_key(norm)


def _occurrence_notes(occ: Iterable[Occurrence]) -> str | None:
    notes = [o.notes for o in occ if o.notes]
    return "\n---\n".join(dict.fromkeys(notes)) or None


def build_rows(
    pairs: list[tuple[TitleRecord, Resolution]],
    arxiv_store: dict[str, dict[str, Any]],
    s2_store: dict[str, dict[str, Any]],
    data_origin: str,
) -> tuple[list[dict[str, Any]], list[str]]:
    """Join list entries, decisions and source records into catalogue rows (pure).

    Titles that resolve to the same paper become one row with every provenance. Returns the
    rows and the reasons the catalogue is incomplete (sources that could not be reached).
    """
    rows: dict[str, dict[str, Any]] = {}
    incomplete: list[str] = []
    for record, res in pairs:
        s2_entry = s2_store.get(s2_request_id(record, res) or "", {})
        s2 = S2Record.from_dict(s2_entry["record"]) if s2_entry.get("record") else None
        arxiv_id = res.arxiv_id or (s2.arxiv_id if s2 else None)
        ax_entry = arxiv_store.get(arxiv_id or "", {})
        ax = ArxivRecord.from_dict(ax_entry["record"]) if ax_entry.get("record") else None
        s2_id = (s2.paper_id if s2 else None) or res.s2_paper_id
        key = paper_key(
            arxiv_id if res.status == "matched" else None, s2_id if res.status == "matched" else None, record.norm
        )
        first = record.occurrences[0] if record.occurrences else None
        provenance = [f"{o.source_file}:{o.line}" for o in record.occurrences]

        if key in rows:  # a second spelling of a paper already in the catalogue
            row = rows[key]
            row["provenance"] = list(dict.fromkeys(row["provenance"] + provenance))
            continue

        stale = False
        if res.status == "error":
            incomplete.append(f"{record.title!r}: {res.reason}")
        if res.status == "matched":
            if arxiv_id and ax_entry.get("error"):
                stale = True
                incomplete.append(f"{record.title!r}: arXiv record for {arxiv_id} not refreshed ({ax_entry['error']})")
            if s2_entry.get("error"):
                stale = True
                incomplete.append(f"{record.title!r}: Semantic Scholar record not refreshed ({s2_entry['error']})")
        fetched = [e.get("fetched_at") for e in (s2_entry, ax_entry) if e.get("record") and e.get("fetched_at")]

        rows[key] = {
            "key": key,
            "entry_title": first.raw_title if first else record.title,
            "source_file": first.source_file if first else None,
            "section": first.section if first else None,
            "title": (ax.title if ax else None) or (s2.title if s2 else None) or res.title or record.title,
            "arxiv_id": arxiv_id if res.status == "matched" else None,
            "arxiv_version": ax.version if ax else None,
            "s2_paper_id": s2_id if res.status == "matched" else None,
            "doi": (ax.doi if ax and ax.doi else None) or (s2.doi if s2 else None) or record.doi,
            "authors": (ax.authors if ax else None) or (s2.authors if s2 else None),
            "published": ax.published if ax else None,
            "updated": ax.updated if ax else None,
            "year": (s2.year if s2 and s2.year else None) or (ax.published.year if ax else None),
            "venue": (s2.venue or None) if s2 else None,
            "primary_category": ax.primary_category if ax else None,
            "categories": ax.categories if ax else None,
            "citation_count": s2.citation_count if s2 else None,
            "influential_citation_count": s2.influential_citation_count if s2 else None,
            "reference_count": s2.reference_count if s2 else None,
            "pdf_url": (ax.pdf_url if ax else None) or (s2.open_access_pdf if s2 else None),
            "abs_url": ax.abs_url if ax else None,
            "match_score": res.score,
            "match_status": res.status,
            "fetched_at": parse_iso(str(fetched[0])) if fetched else None,
            "match_route": res.route,
            "match_note": _match_note(res),
            "abstract": ax.summary if ax else None,
            "list_venue": first.venue_hint if first else None,
            "list_year": first.year_hint if first else None,
            "list_notes": _occurrence_notes(record.occurrences),
            "list_status": next((o.status for o in record.occurrences if o.status), None),
            "provenance": provenance,
            "s2_url": s2.url if s2 else None,
            "stale": stale,
            "data_origin": data_origin,
        }
    return list(rows.values()), incomplete


def confirm_identifiers(
    pairs: list[tuple[TitleRecord, Resolution]],
    arxiv_store: dict[str, dict[str, Any]],
    s2_store: dict[str, dict[str, Any]],
) -> list[tuple[TitleRecord, Resolution]]:
    """The decisions, with list identifiers that no source knows shown as unmatched (``resolve.unknown_identifier``)."""
    out = []
    for record, res in pairs:
        entry_arxiv = arxiv_store.get(res.arxiv_id or "", {})
        entry_s2 = s2_store.get(s2_request_id(record, res) or "", {})
        out.append((record, resolve.unknown_identifier(res, entry_arxiv, entry_s2) or res))
    return out


def _match_note(res: Resolution) -> str | None:
    note = res.reason or ""
    if res.best_rejected and res.status != "matched":
        best = res.best_rejected
        ident = best.get("arxiv_id") or best.get("s2_paper_id") or "?"
        note += f" | best rejected: {best.get('title')!r} ({ident}, score {best.get('score')}: {best.get('why')})"
    return note or None


def run_catalogue(ctx: Context) -> tuple[Path, ...]:
    """Merge everything into ``catalogue.parquet`` and ``catalogue.csv`` (atomically)."""
    arxiv_store = load_store(ctx.interim(ARXIV_FILE))
    s2_store = load_store(ctx.interim(S2_FILE))
    pairs = confirm_identifiers(current_resolutions(ctx), arxiv_store, s2_store)
    rows, incomplete = build_rows(pairs, arxiv_store, s2_store, ctx.settings.run.data_origin)
    frame = catalogue.to_frame(rows)
    meta = catalogue.run_metadata(
        catalogue.config_digest(ctx.settings.config_path), iso(ctx.now), ctx.settings.run.data_origin
    )
    paths = catalogue.write_catalogue(frame, ctx.settings.paths.enriched, meta)
    s2_ids = {rec.norm: rid for rec, res in pairs if (rid := s2_request_id(rec, res))}
    review_text = review.build_review(
        pairs,
        review.disagreements(pairs, s2_store, s2_ids),
        generated_at=iso(ctx.now),
        data_origin=ctx.settings.run.data_origin,
        accept_score=ctx.settings.match.accept_score,
    )
    review_path = write_text_atomic(ctx.settings.paths.enriched / "review.md", review_text)
    added = history.append_history(ctx.settings.paths.enriched, rows)
    written: tuple[Path, ...] = (*paths, review_path, ctx.settings.paths.enriched / history.HISTORY_FILE)
    s = ctx.summary
    if added:
        s.notes.append(f"citation history: {added} new snapshot row(s)")
    s.rows = len(rows)
    s.statuses.clear()
    s.statuses.update(r["match_status"] for r in rows)
    s.incomplete.extend(incomplete)
    s.outputs.extend(str(p) for p in written)
    return written


def run_refresh(ctx: Context) -> None:
    """Fresh citation counts for every resolved paper: no title searches, arXiv only when expired."""
    run_arxiv(ctx)
    run_semantic_scholar(ctx, force_refresh=True)
    run_catalogue(ctx)
