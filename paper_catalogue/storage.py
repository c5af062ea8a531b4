"""Atomic file writes and JSON loading for stage outputs.

Every output is written to a temporary file in the same folder, flushed to disk and then
renamed over the target, so a run killed at any moment leaves either the old file or the new
one, never half of either.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from paper_catalogue.errors import PipelineError


class CorruptOutputError(PipelineError):
    """An intermediate file exists but cannot be read (e.g. edited by hand)."""


def _umask() -> int:
    """The process umask, read without changing it where the system says (Linux), else set and put back."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


#: mkstemp creates 0600 files; an output ends with the mode any new file of this user gets (0644 under umask 022).
FILE_MODE = 0o666 & ~_umask()

#: What ``atomic_path`` names its temporary files: ``.<target name>.<8 random characters><suffix>``.
_TEMP_NAME = re.compile(r"^\.(?P<name>.+)\.[a-z0-9_]{8}\.[A-Za-z0-9]+$")


@contextmanager
def atomic_path(target: Path, suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path next to ``target``; on success rename it over ``target``.

    Writers that insist on opening the file themselves (pyarrow, pandas) get a path instead of
    a handle. On any exception the temporary file is removed and ``target`` is untouched.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=suffix or ".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        os.chmod(tmp, FILE_MODE)
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, target)
        _fsync_dir(target.parent)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def remove_temp_files(folder: Path, names: Iterable[str] | None = None) -> list[Path]:
    """Delete the temporary files a killed writer left in ``folder`` (for the targets in ``names``, or any).

    Only for folders no other process writes while the caller holds the run's lock.
    """
    wanted = None if names is None else set(names)
    removed: list[Path] = []
    try:
        entries = list(folder.iterdir())
    except OSError:
        return removed
    for path in entries:
        found = _TEMP_NAME.match(path.name)
        if found is None or (wanted is not None and found["name"] not in wanted):
            continue
        try:
            if path.is_file() and not path.is_symlink():
                path.unlink()
                removed.append(path)
        except OSError:
            continue
    return sorted(removed)


def move_aside(path: Path, companions: Iterable[str] = ()) -> Path:
    """Rename a damaged file to ``<name>.damaged-<UTC time>`` next to it (kept for inspection); returns the new path.

    ``companions`` are suffixes of files that belong to it (SQLite's ``-wal``, ``-shm``): they move along, so the
    damaged copy can still be opened as it was.
    """
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.damaged-{stamp}")
    number = 1
    while target.exists():
        number += 1
        target = path.with_name(f"{path.name}.damaged-{stamp}-{number}")
    os.replace(path, target)
    for suffix in companions:
        extra = path.with_name(path.name + suffix)
        if extra.exists():
            os.replace(extra, target.with_name(target.name + suffix))
    _fsync_dir(path.parent)
    return target


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (POSIX); harmless where directories cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_text_atomic(target: Path, text: str) -> Path:
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return target


def write_with_atomic(target: Path, writer: Callable[[IO[str]], None]) -> Path:
    """Stream text into ``target`` atomically (for outputs built line by line)."""
    with atomic_path(target) as tmp, open(tmp, "w", encoding="utf-8", newline="") as handle:
        writer(handle)
    return target


def write_json_atomic(target: Path, data: Any) -> Path:
    return write_text_atomic(target, json.dumps(data, ensure_ascii=False, indent=1, sort_keys=False) + "\n")


def load_json(path: Path, default: Any = None) -> Any:
    """Read a JSON stage output; a missing file gives ``default``, a broken one a clear error."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return default
    except UnicodeDecodeError as exc:
        raise CorruptOutputError(f"{path}: not UTF-8 text (byte {exc.start}); delete it to rebuild it") from None
    except OSError as exc:
        raise CorruptOutputError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise CorruptOutputError(
            f"{path}:{exc.lineno}: cannot read this intermediate file ({exc.msg}); delete it to rebuild it"
        ) from None
