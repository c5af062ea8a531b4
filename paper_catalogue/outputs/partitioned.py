"""The catalogue as a hive-partitioned Parquet dataset: ``catalogue_partitioned/year=2019/part-<token>-0.parquet``.

Why a second copy: past one notebook's memory (snapshot mode, 100,000+ rows) the catalogue is read by Spark, DuckDB or
Polars, which read a folder of Parquet files partitioned by a column directly and skip the partitions a query
filters out. ``catalogue.parquet`` and ``catalogue.csv`` stay the contract and are written as before; this folder is
the same frame, cut by ``year``, written only when ``[outputs] partitioned`` asks for it.

Layout (the Hive convention every one of those readers knows):

- partitioned by ``year``, a column the catalogue already has, so reading the folder gives no extra column;
  ``year=__HIVE_DEFAULT_PARTITION__/`` holds the rows without a year (read back as null);
- the files hold the other columns in the catalogue's order and types, and exactly ``catalogue.parquet``'s schema
  metadata: the run metadata ``paper_catalogue.*`` (:func:`paper_catalogue.outputs.catalogue.run_metadata`) and
  pyarrow's ``pandas`` key, so pandas gets the catalogue's nullable dtypes back;
- hive readers put the partition column last, typed by their own guess (DuckDB BIGINT, Polars Int64, pyarrow int32,
  pandas a dictionary it cannot convert: ``pandas.read_parquet(folder)`` needs ``partitioning=PARTITIONING``).
  :data:`PARTITIONING` (``year`` as the catalogue's int64) and :func:`read_partitioned` give exactly
  ``catalogue.parquet``'s columns, order and types.

Writing is atomic at the folder level: the dataset is built in a hidden temporary folder beside the target, flushed,
then swapped in by two renames (old aside, new in) and the old one deleted, so the path always holds one whole
dataset (for the instant between the renames, none). File names carry a token new at every write: a reader that
listed the old files and opens one after the swap gets "file not found", never a silent mix of two runs.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from paper_catalogue.outputs.catalogue import ARROW_SCHEMA, COLUMNS, frame_from_arrow, to_arrow
from paper_catalogue.storage import FILE_MODE

log = logging.getLogger(__name__)

#: The dataset's folder inside the enriched folder.
PARTITIONED_DIR = "catalogue_partitioned"
#: The partition column: the catalogue's own ``year`` (S2's publication year, else the year of arXiv v1).
PARTITION_KEY = "year"
#: ``[outputs] partitioned = "auto"`` writes the dataset for a catalogue of more rows than this (or in snapshot mode):
#: about where a pandas frame of the catalogue (abstracts included) stops being comfortable in one notebook.
AUTO_PARTITION_ROWS = 100_000
#: How the folder names are read back: ``year`` as the catalogue's int64, not the int32 or dictionary readers guess.
PARTITIONING = ds.partitioning(pa.schema([ARROW_SCHEMA.field(PARTITION_KEY)]), flavor="hive")

#: Temporary folders of a write (``.tmp``) and the previous dataset being deleted (``.old``); mkdtemp's 8 characters.
_LEFTOVER = re.compile(rf"^\.{re.escape(PARTITIONED_DIR)}\.[a-z0-9_]{{8}}\.(tmp|old)$")
#: Folders get the mode a new folder of this user gets (0755 under umask 022), not mkdtemp's 0700.
_DIR_MODE = FILE_MODE | (FILE_MODE & 0o444) >> 2


def should_partition(mode: str, rows: int, snapshot_mode: bool) -> bool:
    """Whether this catalogue gets the partitioned copy: ``always``, ``never``, or ``auto`` when it is large.

    ``auto`` also writes it in snapshot mode, whatever the size: that is the mode for whole fields, and a run that
    grows past the threshold next week should not change what the analysts' Spark job finds.
    """
    if mode == "always":
        return True
    if mode == "never":
        return False
    return snapshot_mode or rows > AUTO_PARTITION_ROWS


def write_partitioned(frame: pd.DataFrame, folder: Path, metadata: Mapping[str, str]) -> Path:
    """Write ``folder/catalogue_partitioned/`` from the catalogue frame, swapping it in whole; returns its path."""
    target = folder / PARTITIONED_DIR
    folder.mkdir(parents=True, exist_ok=True)
    remove_leftovers(folder)
    table = to_arrow(frame, metadata)
    tmp = Path(tempfile.mkdtemp(prefix=f".{PARTITIONED_DIR}.", suffix=".tmp", dir=folder))
    try:
        _write_dataset(table, tmp)
        _settle(tmp)
        _swap(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    log.info("wrote %s: %d rows", target, table.num_rows)
    return target


def remove_partitioned(folder: Path) -> bool:
    """Remove a dataset an earlier run wrote (it no longer matches catalogue.parquet); True when there was one.

    Renamed aside first, so a crash halfway through deleting leaves a hidden leftover, not a half dataset.
    """
    remove_leftovers(folder)
    target = folder / PARTITIONED_DIR
    if not target.is_dir() or target.is_symlink():
        return False
    aside = folder / f".{PARTITIONED_DIR}.{_token8()}.old"
    os.replace(target, aside)
    _fsync_dir(folder)
    shutil.rmtree(aside, ignore_errors=True)
    return True


def remove_leftovers(folder: Path) -> list[Path]:
    """Delete the temporary and old dataset folders a killed run left beside the dataset (the run holds the lock)."""
    removed: list[Path] = []
    try:
        entries = list(folder.iterdir())
    except OSError:
        return removed
    for path in entries:
        if _LEFTOVER.match(path.name) and path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return sorted(removed)


def read_partitioned(path: Path | str) -> pd.DataFrame:
    """The dataset as :func:`paper_catalogue.outputs.catalogue.load_catalogue` gives ``catalogue.parquet``.

    The same columns in the same order with the same dtypes; rows come grouped by year.
    """
    table = ds.dataset(Path(path), format="parquet", partitioning=PARTITIONING).to_table()
    return frame_from_arrow(table.select(list(COLUMNS)))


def _write_dataset(table: pa.Table, root: Path) -> None:
    """The Parquet files of one dataset under ``root`` (an empty folder); an empty catalogue still gets its schema.

    File names carry a token new at every write (see the module docstring).
    """
    name = f"part-{secrets.token_hex(6)}-{{i}}.parquet"
    if table.num_rows == 0:
        # No rows, no partition folders: one empty file keeps the columns and types readable.
        empty = root / f"{PARTITION_KEY}=__HIVE_DEFAULT_PARTITION__"
        empty.mkdir()
        pq.write_table(table.drop_columns([PARTITION_KEY]), empty / name.format(i=0))
        return
    ds.write_dataset(
        table,
        root,
        format="parquet",
        partitioning=PARTITIONING,
        basename_template=name,
        existing_data_behavior="error",
    )


def _settle(root: Path) -> None:
    """Give the new folders the user's normal mode and flush every file and folder to disk before the swap."""
    for path in sorted(root.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        if path.is_file():
            with open(path, "rb+") as handle:
                os.fsync(handle.fileno())
        elif path.is_dir():
            os.chmod(path, _DIR_MODE)
            _fsync_dir(path)
    os.chmod(root, _DIR_MODE)
    _fsync_dir(root)


def _swap(new: Path, target: Path) -> None:
    """Put the folder ``new`` at ``target``: the old dataset renamed aside, the new one renamed in, the old deleted."""
    aside: Path | None = None
    if target.exists() or target.is_symlink():
        aside = target.with_name(f".{target.name}.{_token8()}.old")
        os.replace(target, aside)
    os.replace(new, target)
    _fsync_dir(target.parent)
    if aside is None:
        return
    if aside.is_dir() and not aside.is_symlink():
        shutil.rmtree(aside, ignore_errors=True)
    else:
        aside.unlink(missing_ok=True)


def _token8() -> str:
    """Eight characters as mkdtemp makes them, so :data:`_LEFTOVER` knows the name."""
    return secrets.token_hex(4)


def _fsync_dir(path: Path) -> None:
    """Make renames and new entries in ``path`` durable (POSIX); harmless where folders cannot be opened."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
