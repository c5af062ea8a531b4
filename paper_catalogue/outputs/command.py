"""The small command line shared by the commands that turn a catalogue into another file (report, BibTeX).

They all read a config to find the enriched folder, write one thing from the catalogue there, and
print its path; a missing config or catalogue is a one-line error with exit 1, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from paper_catalogue.config import ConfigError, load_settings
from paper_catalogue.outputs.catalogue import NoCatalogueError


def run_output_command(
    prog: str, description: str, write: Callable[[Path], Path], argv: Sequence[str] | None = None
) -> int:
    """Parse ``--config``, call ``write(enriched_folder)`` and print the path it returns."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument(
        "--config", type=Path, default=None, help="config file (default: ./config.toml, else the project's)"
    )
    args = parser.parse_args(argv)
    try:
        settings = load_settings(args.config)
        path = write(settings.paths.enriched)
    except (ConfigError, NoCatalogueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(path)
    return 0
