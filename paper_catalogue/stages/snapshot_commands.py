"""``python -m paper_catalogue snapshot import|download|refresh|status``: build and update the snapshot database.

No stage context and no lock on the interim folder: these commands touch only ``paths.snapshots``.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from paper_catalogue.config import ConfigError, Settings, load_settings
from paper_catalogue.errors import FetchError
from paper_catalogue.sources.snapshot import arxiv_import, download, s2_import, store

EXIT_OK, EXIT_FAILED, EXIT_INPUT = 0, 1, 2


def _parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.splitlines()[0] if __doc__ else None)
    sub = parser.add_subparsers(dest="action", required=True)

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        cmd = sub.add_parser(name, help=help_text, description=help_text)
        cmd.add_argument("--config", default=None, help="config file (default: the project's config.toml)")
        return cmd

    imp = add("import", "Import downloaded snapshot files into <paths.snapshots>/snapshot.duckdb.")
    imp.add_argument("--arxiv", nargs="+", type=Path, default=[], help="arxiv-metadata-oai-snapshot.json (or .gz)")
    imp.add_argument("--arxiv-date", type=date.fromisoformat, default=None, help="the arXiv snapshot's date")
    imp.add_argument("--s2", nargs="+", type=Path, default=[], help="S2 papers release files or their folder")
    imp.add_argument("--s2-release", type=date.fromisoformat, default=None, help="the S2 release id (YYYY-MM-DD)")
    dl = add("download", "Download a Semantic Scholar dataset release (needs the API key): resumable, checked.")
    dl.add_argument("--release", default="latest", help="release id (YYYY-MM-DD) or 'latest'")
    dl.add_argument("--dataset", default="papers")
    dl.add_argument("--import", dest="then_import", action="store_true", help="import the files when done")
    ref = add("refresh", "Apply S2 release diffs (newer citation counts) to the snapshot instead of the API.")
    ref.add_argument("--updates", nargs="*", type=Path, default=[], help="diff update files (skip the download)")
    ref.add_argument("--deletes", nargs="*", type=Path, default=[], help="diff delete files (skip the download)")
    ref.add_argument("--to-release", type=date.fromisoformat, default=None, help="the release the diff leads to")
    ref.add_argument("--dataset", default="papers")
    add("status", "What the snapshot database holds: sources, snapshot dates, records.")
    return parser


def _import(settings: Settings, args: argparse.Namespace) -> int:
    if not args.arxiv and not args.s2:
        print("error: nothing to import: give --arxiv FILE and/or --s2 DIR_OR_FILES", file=sys.stderr)
        return EXIT_INPUT
    with store.open_db(settings) as con:
        if args.arxiv:
            started = time.monotonic()
            n = arxiv_import.import_arxiv(con, args.arxiv, args.arxiv_date)
            print(f"arXiv: {n} records imported in {time.monotonic() - started:.1f}s")
        if args.s2:
            started = time.monotonic()
            n = s2_import.import_release(con, args.s2, args.s2_release)
            print(f"Semantic Scholar: {n} records imported in {time.monotonic() - started:.1f}s")
        _status(con)
    return EXIT_OK


def _status(con: object) -> None:
    for row in store.describe(con):  # type: ignore[arg-type]
        print(
            f"{row['source']}: {row['records']} records, snapshot {row['snapshot_date']}, imported {row['imported_at']}"
        )


def _http(settings: Settings):  # type: ignore[no-untyped-def]
    from paper_catalogue.sources.session import build_http

    return build_http(settings)


def _download(settings: Settings, args: argparse.Namespace) -> int:
    if not settings.s2_api_key:
        print(
            f"error: the Datasets API's files need an API key: set {settings.semantic_scholar.api_key_env}",
            file=sys.stderr,
        )
        return EXIT_INPUT
    http = _http(settings)
    try:
        release_id, files = download.download_release(
            http, settings, args.release, args.dataset, settings.paths.snapshots / "s2"
        )
    finally:
        http.close()
    print(f"{len(files)} file(s) of {args.dataset} {release_id} in {settings.paths.snapshots / 's2' / release_id}")
    if args.then_import:
        with store.open_db(settings) as con:
            n = s2_import.import_release(con, files, date.fromisoformat(release_id))
            print(f"Semantic Scholar: {n} records imported")
    return EXIT_OK


def _refresh(settings: Settings, args: argparse.Namespace) -> int:
    if not settings.snapshot_db.is_file():
        print(f"error: no snapshot database at {settings.snapshot_db}: run 'snapshot import' first", file=sys.stderr)
        return EXIT_INPUT
    steps: list[tuple[list[Path], list[Path], date]]
    if args.updates or args.deletes:
        steps = [(args.updates, args.deletes, args.to_release or date.today())]
    else:
        if not settings.s2_api_key:
            print(
                "error: downloading diffs needs an API key: set"
                f" {settings.semantic_scholar.api_key_env}, or give --updates/--deletes files",
                file=sys.stderr,
            )
            return EXIT_INPUT
        with store.open_db(settings, read_only=True) as con:
            current = store.snapshot_dates(con).get("s2")
        if current is None:
            print("error: no S2 release imported yet: run 'snapshot import --s2' first", file=sys.stderr)
            return EXIT_INPUT
        http = _http(settings)
        try:
            found = download.diffs(http, settings, current.isoformat(), "latest", args.dataset)
            steps = []
            for diff in found:
                to_id = str(diff.get("to_release"))
                folder = settings.paths.snapshots / "s2" / "diffs" / to_id / args.dataset
                ups = download.download_links(list(diff.get("update_files") or []), folder / "updates", settings)
                dels = download.download_links(list(diff.get("delete_files") or []), folder / "deletes", settings)
                steps.append((ups, dels, date.fromisoformat(to_id)))
        finally:
            http.close()
    with store.open_db(settings) as con:
        for ups, dels, release in steps:
            updated, deleted = s2_import.apply_diff(con, ups, dels, release)
            print(f"diff to {release}: {updated} record(s) updated, {deleted} deleted")
        _status(con)
    return EXIT_OK


def main(argv: Sequence[str], prog: str = "python -m paper_catalogue snapshot") -> int:
    args = _parser(prog).parse_args(list(argv))
    try:
        settings = load_settings(args.config)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    try:
        if args.action == "import":
            return _import(settings, args)
        if args.action == "download":
            return _download(settings, args)
        if args.action == "refresh":
            return _refresh(settings, args)
        if not settings.snapshot_db.is_file():
            print(f"no snapshot database at {settings.snapshot_db}")
            return EXIT_OK
        with store.open_db(settings, read_only=True) as con:
            _status(con)
        return EXIT_OK
    except (FileNotFoundError, ValueError, download.DownloadError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except FetchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
