"""The titles stage: reading lists in ``data/raw/`` → ``interim/titles.json`` (merged titles and skipped lines)."""

from __future__ import annotations

import logging
from pathlib import Path

from paper_catalogue.lists.load import load_reading_lists, merge_entries, raise_for_fatal
from paper_catalogue.models import SkippedLine, TitleRecord
from paper_catalogue.stages.context import TITLES_FILE, Context, _require, iso
from paper_catalogue.stages.stage_files import load_stage_file, reporter
from paper_catalogue.storage import write_json_atomic

log = logging.getLogger(__name__)


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
            "problems": [f"{p.where}: {p.message}" for p in loaded.problems],
        },
    )
    s = ctx.summary
    s.lists_read = (
        len(loaded.files) if hasattr(loaded, "files") else len({e.occurrence.source_file for e in loaded.entries})
    )
    s.title_lines = len(loaded.entries)
    s.distinct_titles = len(records)
    s.skipped_lines = len(loaded.skipped)
    s.input_problems = [f"{p.where}: {p.message}" for p in loaded.problems]
    ctx.progress.say(
        f"[titles] {len(loaded.entries)} title lines → {len(records)} distinct titles;"
        f" {len(loaded.skipped)} lines skipped"
    )
    return out


def load_titles(ctx: Context) -> tuple[list[TitleRecord], list[SkippedLine]]:
    """The titles stage's output; a damaged one (reported, moved aside) is rebuilt from the reading lists first."""
    damaged: list[str] = []
    load_stage_file(ctx.interim(TITLES_FILE), damaged.append)
    if damaged:
        report = reporter(ctx.summary.notes)
        for message in damaged:
            report(message)
        run_titles(ctx)
    data = _require(ctx.interim(TITLES_FILE), "titles", ctx)
    return (
        [TitleRecord.from_dict(r) for r in data["records"]],
        [SkippedLine.from_dict(s) for s in data.get("skipped", [])],
    )
