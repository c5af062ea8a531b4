"""The snapshot database: schema, opening, and what each source's snapshot is (its date, its files).

One DuckDB file under ``paths.snapshots``. Tables:

* ``arxiv``: one row per arXiv paper of the metadata snapshot (latest version), with ``norm``, the title
  normalised exactly as the matcher normalises titles (``matching.normalise.normalise_title``).
* ``s2``: one row per Semantic Scholar paper of a ``papers`` release (primary key ``corpusid``).
* ``tokens``: (content word of ``norm``, source, paper key): the blocking key of the title lookup.
* ``token_df``: how many titles hold each word, so a lookup uses a title's rare words only.
* ``meta``: per source, the snapshot date, when and from which files it was imported, how many records.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from paper_catalogue.config import Settings
from paper_catalogue.matching.normalise import STOPWORDS, normalise_title

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    source VARCHAR PRIMARY KEY, snapshot_date DATE, imported_at TIMESTAMPTZ, files VARCHAR, records BIGINT
);
CREATE TABLE IF NOT EXISTS arxiv (
    arxiv_id VARCHAR, version INTEGER, title VARCHAR, norm VARCHAR, authors VARCHAR[], abstract VARCHAR,
    published TIMESTAMPTZ, updated TIMESTAMPTZ, primary_category VARCHAR, categories VARCHAR[], doi VARCHAR,
    journal_ref VARCHAR, comments VARCHAR, update_date DATE
);
CREATE TABLE IF NOT EXISTS s2 (
    corpusid BIGINT, paper_id VARCHAR, arxiv_id VARCHAR, doi VARCHAR, title VARCHAR, norm VARCHAR,
    authors VARCHAR[], venue VARCHAR, year INTEGER, publication_date VARCHAR, citation_count BIGINT,
    influential_citation_count BIGINT, reference_count BIGINT, url VARCHAR, is_open_access BOOLEAN
);
CREATE TABLE IF NOT EXISTS tokens (token VARCHAR, source VARCHAR, key VARCHAR);
CREATE TABLE IF NOT EXISTS token_df (token VARCHAR, df BIGINT);
"""

#: Indexes made after a bulk load (an index kept up during the load would slow every insert).
INDEXES = {
    "arxiv_id_idx": "arxiv (arxiv_id)",
    "arxiv_norm_idx": "arxiv (norm)",
    "s2_corpusid_idx": "s2 (corpusid)",
    "s2_paper_id_idx": "s2 (paper_id)",
    "s2_arxiv_idx": "s2 (arxiv_id)",
    "s2_norm_idx": "s2 (norm)",
}

#: The matcher's content words in SQL: ``matching.normalise.content_words`` (no stopwords, longer than 1).
_STOP_SQL = ", ".join(f"'{w}'" for w in sorted(STOPWORDS))
CONTENT_WORD_SQL = f"length(tok) > 1 AND tok NOT IN ({_STOP_SQL})"


def compression_of(path: Path) -> str:
    """``gzip`` or ``none`` by the file's first bytes: S2's release files are gzip without a ``.gz`` name."""
    with path.open("rb") as stream:
        return "gzip" if stream.read(2) == b"\x1f\x8b" else "none"


def read_json_sql(files: list[Path], columns: dict[str, str]) -> str:
    """A streaming ``read_json`` over newline-delimited files (one per compression kind, ``UNION ALL``)."""
    cols = "{" + ", ".join(f"'{k}': '{v}'" for k, v in columns.items()) + "}"
    groups: dict[str, list[Path]] = {}
    for path in files:
        groups.setdefault(compression_of(path), []).append(path)
    parts = []
    for kind, paths in sorted(groups.items()):
        listed = "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths) + "]"
        parts.append(
            f"SELECT * FROM read_json({listed}, format = 'newline_delimited', columns = {cols},"
            f" compression = '{kind}', maximum_object_size = 16777216, ignore_errors = true)"
        )
    return "(" + " UNION ALL ".join(parts) + ")"


def _norm_arrow(column: pa.Array) -> pa.Array:
    return pa.array([normalise_title(t) if t is not None else None for t in column.to_pylist()], type=pa.string())


_MEMORY = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(i?)B\s*$", re.IGNORECASE)


def share_of_memory(limit: str, parts: int) -> str:
    """``limit`` (DuckDB's spelling: "2GB", "512MB", "1.5GiB") divided among ``parts`` connections, in MB; a
    spelling this does not read (a percentage) is returned as it is."""
    found = _MEMORY.match(limit)
    if found is None or parts <= 1:
        return limit
    number, unit, binary = found.groups()
    size = float(number) * (1024 if binary else 1000) ** "BKMGT".index(unit.upper() or "B")
    return f"{max(1, int(size / parts / 1_000_000))}MB"


def connect(path: Path, settings: Settings, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (or create) the database with the configured memory limit and threads, ``norm_title`` registered."""
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path), read_only=read_only)
    con.execute(f"SET memory_limit = '{settings.snapshot.memory_limit}'")
    con.execute("SET preserve_insertion_order = false")
    if read_only:  # resolution: the run's own progress lines say how far it is (and -q means quiet)
        con.execute("SET enable_progress_bar = false")
    if settings.snapshot.threads:
        con.execute(f"SET threads = {int(settings.snapshot.threads)}")
    temp = path.parent / (path.name + ".tmp")
    con.execute(f"SET temp_directory = '{temp}'")
    con.create_function("norm_title", _norm_arrow, ["VARCHAR"], "VARCHAR", type="arrow")  # type: ignore[call-overload]
    if not read_only:
        con.execute(SCHEMA)
    return con


@contextmanager
def open_db(settings: Settings, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    con = connect(settings.snapshot_db, settings, read_only=read_only)
    try:
        yield con
    finally:
        con.close()


def available(settings: Settings) -> bool:
    """Snapshot mode is on and the database has been made."""
    return settings.snapshot.enabled and settings.snapshot_db.is_file()


def drop_indexes(con: duckdb.DuckDBPyConnection, table: str) -> None:
    for name, target in INDEXES.items():
        if target.startswith(table + " "):
            con.execute(f"DROP INDEX IF EXISTS {name}")


def create_indexes(con: duckdb.DuckDBPyConnection, table: str) -> None:
    for name, target in INDEXES.items():
        if target.startswith(table + " "):
            con.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")


def rebuild_tokens(con: duckdb.DuckDBPyConnection, source: str, key_sql: str, table: str) -> None:
    """The (content word, paper) rows of one source, then every word's title count."""
    con.execute("DELETE FROM tokens WHERE source = ?", [source])
    con.execute(
        f"""INSERT INTO tokens
        SELECT DISTINCT tok AS token, '{source}' AS source, key FROM (
            SELECT unnest(string_split(norm, ' ')) AS tok, {key_sql} AS key FROM {table} WHERE norm <> ''
        ) WHERE {CONTENT_WORD_SQL}"""
    )
    rebuild_token_df(con)


def rebuild_token_df(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("DELETE FROM token_df")
    con.execute("INSERT INTO token_df SELECT token, count(*) FROM tokens GROUP BY token")


def set_meta(con: duckdb.DuckDBPyConnection, source: str, snapshot_date: date, files: list[str]) -> int:
    table = "arxiv" if source == "arxiv" else "s2"
    row = con.execute(f"SELECT count(*) FROM {table}").fetchone()
    records = int(row[0]) if row else 0
    con.execute("DELETE FROM meta WHERE source = ?", [source])
    con.execute("INSERT INTO meta VALUES (?, ?, now(), ?, ?)", [source, snapshot_date, "\n".join(files), records])
    return records


def snapshot_dates(con: duckdb.DuckDBPyConnection) -> dict[str, date]:
    """The snapshot date of each imported source (``arxiv``, ``s2``)."""
    return {str(s): d for s, d in con.execute("SELECT source, snapshot_date FROM meta").fetchall()}


def describe(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    rows = con.execute("SELECT source, snapshot_date, imported_at, records FROM meta ORDER BY source").fetchall()
    return [{"source": s, "snapshot_date": d, "imported_at": i, "records": n} for s, d, i, n in rows]
