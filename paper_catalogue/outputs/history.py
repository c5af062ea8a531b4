"""Citation history: an append-only record of how counts grew.

``citations_history.parquet`` gets one row per paper per snapshot. A snapshot is identified by
(key, UTC day of ``fetched_at``, the three counts): running twice in a day adds nothing the second
time unless the counts moved in between (then the new observation is kept too), and a
row whose counts were not freshly fetched (a stale row after a failed refresh) is never
appended. Old rows are never rewritten: the new file is the old rows plus the new ones,
written atomically, so a failed or killed run leaves the previous history whole.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from paper_catalogue.storage import atomic_path

HISTORY_FILE = "citations_history.parquet"

HISTORY_SCHEMA = pa.schema(
    [
        pa.field("key", pa.string()),
        pa.field("s2_paper_id", pa.string()),
        pa.field("arxiv_id", pa.string()),
        pa.field("citation_count", pa.int64()),
        pa.field("influential_citation_count", pa.int64()),
        pa.field("reference_count", pa.int64()),
        pa.field("fetched_at", pa.timestamp("us", tz="UTC")),
    ]
)
COLUMNS = tuple(HISTORY_SCHEMA.names)


def snapshot_rows(catalogue_rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """History rows for catalogue rows whose counts are fresh (not stale, with a count and a time)."""
    out = []
    for row in catalogue_rows:
        if row.get("stale") or row.get("citation_count") is None or row.get("fetched_at") is None:
            continue
        out.append({name: row.get(name) for name in COLUMNS})
    return out


COUNTS = ("citation_count", "influential_citation_count", "reference_count")


def _count(value: Any) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def _day_key(row: Mapping[str, Any]) -> tuple[Any, ...]:
    day = pd.Timestamp(row["fetched_at"]).tz_convert("UTC").strftime("%Y-%m-%d")
    return (row["key"], day, *(_count(row.get(c)) for c in COUNTS))


def new_snapshots(existing: pd.DataFrame | None, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows that are not yet in the history (per key and UTC day, unless the counts moved)."""
    seen: set[tuple[Any, ...]] = set()
    if existing is not None and len(existing):
        seen = {_day_key(r) for r in existing.to_dict("records")}
    fresh = []
    for row in rows:
        day = _day_key(row)
        if day not in seen:
            seen.add(day)
            fresh.append(row)
    return fresh


def load_history(folder: Path) -> pd.DataFrame | None:
    path = folder / HISTORY_FILE
    if not path.exists():
        return None
    return pq.read_table(path).to_pandas()


def append_history(folder: Path, catalogue_rows: Iterable[Mapping[str, Any]]) -> int:
    """Append this run's fresh snapshots; returns how many rows were added."""
    existing_table = pq.read_table(folder / HISTORY_FILE) if (folder / HISTORY_FILE).exists() else None
    existing = existing_table.to_pandas() if existing_table is not None else None
    fresh = new_snapshots(existing, snapshot_rows(catalogue_rows))
    if not fresh:
        return 0
    new_table = pa.Table.from_pylist(
        [{**r, "fetched_at": pd.Timestamp(r["fetched_at"]).to_pydatetime()} for r in fresh], schema=HISTORY_SCHEMA
    )
    table = pa.concat_tables([existing_table.cast(HISTORY_SCHEMA), new_table]) if existing_table else new_table
    with atomic_path(folder / HISTORY_FILE, suffix=".parquet") as tmp:
        pq.write_table(table, tmp)
    return len(fresh)
