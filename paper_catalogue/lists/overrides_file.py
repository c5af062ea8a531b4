"""Read ``data/raw/overrides.csv``, the person's decisions, and match them to the reading lists' titles.

The file's rules and its parsing are in :mod:`paper_catalogue.matching.overrides` (pure); this module only reads it.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from paper_catalogue.matching.overrides import (
    OVERRIDES_FILE,
    Override,
    OverridesError,
    match_overrides,
    parse_overrides,
)
from paper_catalogue.models import TitleRecord


def load_overrides(raw_dir: Path, records: Iterable[TitleRecord]) -> tuple[dict[str, Override], list[str]]:
    path = raw_dir / OVERRIDES_FILE
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return {}, []
    except UnicodeDecodeError as exc:
        raise OverridesError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except IsADirectoryError:
        raise OverridesError(
            f"{path}: is a folder; the overrides file must be a CSV file (title,arxiv_id,s2_paper_id,note)"
        ) from None
    except OSError as exc:
        raise OverridesError(f"{path}: cannot read the overrides file ({exc.strerror or exc})") from None
    return match_overrides(parse_overrides(text, str(path)), records)
