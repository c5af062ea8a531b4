"""Command line: ``python -m paper_catalogue enrich --config PATH`` and one command per stage.

The only module that reads argv or prints the summary. Exit codes: 0 catalogue complete,
1 catalogue written but incomplete (a source could not be reached; the summary says what is
missing), 2 unusable input or config (nothing written), 3 another run holds the data folder.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import sys
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING

from filelock import FileLock, Timeout

from paper_catalogue import __version__, stages
from paper_catalogue.config import ConfigError, Settings, check_paths, load_settings
from paper_catalogue.errors import PipelineError
from paper_catalogue.progress import JsonLogFormatter, Progress, RunSummary

EXIT_OK, EXIT_INCOMPLETE, EXIT_INPUT, EXIT_LOCKED = 0, 1, 2, 3

if TYPE_CHECKING:
    from paper_catalogue.sources.session import HttpClient

log = logging.getLogger("paper_catalogue")


def _http(settings: Settings) -> HttpClient:
    from paper_catalogue.sources.session import build_http  # imported late: `titles` needs no HTTP stack

    return build_http(settings)


def _enrich(ctx: stages.Context) -> None:
    """Run every stage: titles → resolve → arxiv → semantic_scholar → catalogue."""
    stages.run_titles(ctx)
    stages.run_resolve(ctx)
    stages.run_arxiv(ctx)
    stages.run_semantic_scholar(ctx)
    stages.run_catalogue(ctx)


STAGE_COMMANDS: dict[str, tuple[Callable[[stages.Context], object], bool, str]] = {
    "enrich": (_enrich, True, "Run the whole pipeline: reading lists → catalogue."),
    "titles": (stages.run_titles, False, "Stage 1: extract and merge titles from data/raw."),
    "resolve": (stages.run_resolve, True, "Stage 2: find each title's arXiv and Semantic Scholar ids."),
    "arxiv": (stages.run_arxiv, True, "Stage 3: fetch arXiv metadata in id_list batches."),
    "s2": (stages.run_semantic_scholar, True, "Stage 4: fetch Semantic Scholar records in batches of ≤ 500."),
    "catalogue": (stages.run_catalogue, False, "Stage 5: write catalogue.parquet and catalogue.csv."),
    "refresh": (
        stages.run_refresh,
        True,
        "Refresh citation counts of every resolved paper (S2 batches, cache bypassed); no title searches.",
    ),
}


#: Commands that turn the catalogue into another file: they need no lock, no HTTP and no stage context.
OUTPUT_COMMANDS = {
    "report": "static HTML report with plots → <enriched>/report/index.html",
    "bibtex": "BibTeX of the matched papers → <enriched>/catalogue.bib",
}


#: What ``--help`` says first: plain text (the module docstring's reStructuredText markup is for readers of the code).
DESCRIPTION = (
    "Reading lists of papers → arXiv and Semantic Scholar → catalogue.parquet/.csv."
    " Run the whole pipeline with 'enrich --config PATH', one stage at a time, or turn the catalogue into a"
    " report or BibTeX. Without --config: ./config.toml, else the project's config.toml."
)


def prog_name() -> str:
    """The installed command's name (``pipeline``, ``paper-catalogue``) when started as one, else ``python -m …``."""
    name = Path(sys.argv[0]).name
    return name if name in ("pipeline", "paper-catalogue") else "python -m paper_catalogue"


def _run_output_command(name: str, argv: Sequence[str]) -> int:
    if name == "report":
        from paper_catalogue.outputs import html_report

        return html_report.main(argv, prog=f"{prog_name()} report")
    from paper_catalogue.outputs import bibtex

    return bibtex.main(argv, prog=f"{prog_name()} bibtex")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog_name(), description=DESCRIPTION)
    parser.add_argument("--version", action="version", version=f"paper-catalogue {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (_, _, help_text) in STAGE_COMMANDS.items():
        cmd = sub.add_parser(name, help=help_text, description=help_text)
        cmd.add_argument(
            "--config", default=None, help="config file (default: ./config.toml, else the project's config.toml)"
        )
        cmd.add_argument(
            "--lists",
            type=Path,
            default=None,
            metavar="FOLDER",
            help="read the reading lists (and overrides.csv) from FOLDER instead of the config's paths.raw",
        )
        cmd.add_argument("-q", "--quiet", action="store_true", help="no progress lines (for cron)")
        cmd.add_argument("-v", "--verbose", action="store_true", help="log every request decision")
        cmd.add_argument("--json-summary", action="store_true", help="print the run summary as JSON")
        cmd.add_argument(
            "--log-json", action="store_true", help="logs and progress as JSON lines on stderr, summary as JSON"
        )
    for name, help_text in OUTPUT_COMMANDS.items():
        sub.add_parser(name, help=help_text, description=help_text, add_help=False)
    sub.add_parser(
        "snapshot", help="snapshot mode: import|download|refresh|status of the local bulk snapshots", add_help=False
    )
    return parser


def with_lists(settings: Settings, folder: Path) -> Settings:
    """The settings with ``paths.raw`` replaced by ``folder`` (``--lists``), which must be a folder."""
    raw = folder.expanduser().resolve()
    if not raw.is_dir():
        raise ConfigError(f"--lists {folder}: {'is not a folder' if raw.exists() else 'no such folder'} ({raw})")
    return dataclasses.replace(settings, paths=dataclasses.replace(settings.paths, raw=raw))


def _configure_logging(verbose: bool, quiet: bool, as_json: bool) -> None:
    level = logging.INFO if verbose else (logging.ERROR if quiet else logging.WARNING)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLogFormatter() if as_json else logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in OUTPUT_COMMANDS:
        return _run_output_command(argv[0], argv[1:])
    if argv and argv[0] == "snapshot":  # snapshot mode's database: no lock, no stage context
        from paper_catalogue.stages.snapshot_commands import main as snapshot_main

        return snapshot_main(argv[1:])
    args = build_parser().parse_args(argv)
    _configure_logging(args.verbose, args.quiet, args.log_json)
    started = time.monotonic()
    try:
        settings = load_settings(args.config)
        if args.lists is not None:
            settings = with_lists(settings, args.lists)
        check_paths(settings)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INPUT

    summary = RunSummary(data_origin=settings.run.data_origin)
    progress = Progress(quiet=args.quiet, json_mode=args.log_json)
    if settings.is_fixture:
        progress.say("*** demo run against the local emulator: FIXTURE DATA, not real API data ***")
    func, needs_http, _ = STAGE_COMMANDS[args.command]
    settings.paths.interim.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(settings.paths.interim / ".pipeline.lock"))
    code = EXIT_OK
    with ExitStack() as stack:
        try:
            lock.acquire(timeout=0)
        except Timeout:
            print(
                f"error: another pipeline run is using {settings.paths.interim} (lock file {lock.lock_file});"
                " wait for it to finish, or remove the lock file if no run is active",
                file=sys.stderr,
            )
            return EXIT_LOCKED
        stack.callback(lock.release)
        leftovers = stages.remove_leftovers(settings)
        if leftovers:
            names = ", ".join(p.name for p in leftovers[:3]) + (" …" if len(leftovers) > 3 else "")
            summary.notes.append(f"removed {len(leftovers)} temporary file(s) left by an interrupted run ({names})")
        http = _http(settings) if needs_http else None
        if http is not None:
            stack.callback(http.close)
        ctx = stages.Context(settings, http, progress, summary, stages.utcnow())
        try:
            func(ctx)
        except PipelineError as exc:
            print(f"error: {exc}", file=sys.stderr)
            code = EXIT_INPUT
            summary.stopped = "the error above (exit 2); the catalogue was not updated"
        finally:
            if http is not None:
                summary.notes.extend(http.finish())
                summary.http = http.stats.as_dict()
    summary.seconds = time.monotonic() - started
    if code == EXIT_OK and not summary.complete:
        code = EXIT_INCOMPLETE
    if args.json_summary or args.log_json:
        print(json.dumps(_summary_dict(summary), ensure_ascii=False))
    else:
        print(summary.render())
    return code


def _summary_dict(summary: RunSummary) -> dict[str, object]:
    return {
        "data_origin": summary.data_origin,
        "lists_read": summary.lists_read,
        "title_lines": summary.title_lines,
        "distinct_titles": summary.distinct_titles,
        "skipped_lines": summary.skipped_lines,
        "input_problems": summary.input_problems,
        "statuses": dict(summary.statuses),
        "reused_resolutions": summary.reused_resolutions,
        "matched_by_route": dict(summary.routes),
        "rows": summary.rows,
        "http": summary.http,
        "incomplete": summary.incomplete,
        "notes": summary.notes,
        "outputs": summary.outputs,
        "seconds": round(summary.seconds, 3),
        "complete": summary.complete,
        "stopped": summary.stopped,
    }
