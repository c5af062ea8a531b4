"""Import the arXiv metadata snapshot (``arxiv-metadata-oai-snapshot.json``, JSON lines) into the database.

The file is read by DuckDB's ``read_json`` in newline-delimited mode, chunk by chunk, so memory stays bounded
by the configured ``memory_limit`` whatever the file's size (3.5+ GB, ~2.9 million records). Plain or gzip
(``.gz``) files are both read. A re-import replaces the previous arXiv snapshot as a whole.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

from paper_catalogue.sources.snapshot import store

#: The snapshot's fields we read, with their types (api-facts §1.10); other fields are ignored.
COLUMNS = {
    "id": "VARCHAR",
    "title": "VARCHAR",
    "authors": "VARCHAR",
    "authors_parsed": "VARCHAR[][]",
    "abstract": "VARCHAR",
    "categories": "VARCHAR",
    "doi": "VARCHAR",
    "journal-ref": "VARCHAR",
    "comments": "VARCHAR",
    "versions": "STRUCT(version VARCHAR, created VARCHAR)[]",
    "update_date": "VARCHAR",
}


def _collapse(expr: str) -> str:
    return f"nullif(trim(regexp_replace({expr}, '\\s+', ' ', 'g')), '')"


#: RFC-822 dates of ``versions[].created`` ("Mon, 2 Apr 2007 19:18:42 GMT").
_CREATED = "'%a, %d %b %Y %H:%M:%S %Z'"


def select_sql(files: list[Path]) -> str:
    """The snapshot's rows as the ``arxiv`` table's columns."""
    source = store.read_json_sql(files, COLUMNS)
    name = "trim(concat_ws(' ', nullif(trim(x[2]), ''), trim(x[1]), nullif(trim(x[3]), '')))"
    return f"""
        SELECT
            trim(id) AS arxiv_id,
            coalesce(TRY_CAST(substr(versions[-1].version, 2) AS INTEGER), len(versions), 1) AS version,
            {_collapse("title")} AS title,
            norm_title({_collapse("title")}) AS norm,
            CASE WHEN authors_parsed IS NOT NULL
                 THEN list_filter(list_transform(authors_parsed, lambda x: {name}), lambda n: n <> '')
                 ELSE list_transform(string_split(replace(authors, ' and ', ', '), ','), lambda n: trim(n)) END
                AS authors,
            coalesce({_collapse("abstract")}, '') AS abstract,
            try_strptime(versions[1].created, {_CREATED}) AS published,
            try_strptime(versions[-1].created, {_CREATED}) AS updated,
            nullif(split_part(trim(categories), ' ', 1), '') AS primary_category,
            list_filter(string_split(trim(categories), ' '), lambda c: c <> '') AS categories,
            nullif(trim(doi), '') AS doi,
            {_collapse('"journal-ref"')} AS journal_ref,
            {_collapse("comments")} AS comments,
            TRY_CAST(update_date AS DATE) AS update_date
        FROM {source}
        WHERE id IS NOT NULL AND title IS NOT NULL
    """


def import_arxiv(con: duckdb.DuckDBPyConnection, files: list[Path], snapshot_date: date | None = None) -> int:
    """Replace the arXiv snapshot with ``files``; returns the number of records. The date defaults to the
    latest ``update_date`` in the file (the snapshot carries no date of its own)."""
    for path in files:
        if not path.is_file():
            raise FileNotFoundError(f"{path}: no such arXiv snapshot file")
    con.execute("BEGIN TRANSACTION")
    try:
        store.drop_indexes(con, "arxiv")
        con.execute("DELETE FROM arxiv")
        # One row per id: a snapshot lists an id once; should a file hold it twice, the later version wins.
        con.execute(
            f"INSERT INTO arxiv SELECT * FROM ({select_sql(files)})"
            " QUALIFY row_number() OVER (PARTITION BY arxiv_id ORDER BY version DESC) = 1"
        )
        row = con.execute("SELECT count(*) FROM arxiv").fetchone()
        if not (row and row[0]) and any(p.stat().st_size > 0 for p in files):
            raise ValueError(f"no record could be read from {files[0]}: not the arXiv snapshot's JSON lines")
        store.rebuild_tokens(con, "arxiv", "arxiv_id", "arxiv")
        store.create_indexes(con, "arxiv")
        if snapshot_date is None:
            row = con.execute("SELECT max(update_date) FROM arxiv").fetchone()
            snapshot_date = row[0] if row and row[0] else date.today()
        records = store.set_meta(con, "arxiv", snapshot_date, [str(p) for p in files])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return records
