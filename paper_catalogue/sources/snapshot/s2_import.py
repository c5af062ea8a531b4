"""Import Semantic Scholar ``papers`` release files (gzip JSON lines) and apply release diffs.

Field names are the dataset's own (lower case: ``corpusid``, ``externalids``, ``citationcount`` …). Files are
streamed by DuckDB's ``read_json``; a full release replaces the table, a diff upserts its ``update_files``
records by ``corpusid`` and removes its ``delete_files`` records, in sequence (api-facts §2.10).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import duckdb

from paper_catalogue.sources.snapshot import store

_EXTERNAL = "STRUCT(ArXiv VARCHAR, DOI VARCHAR, CorpusId VARCHAR, MAG VARCHAR, ACL VARCHAR, DBLP VARCHAR)"
COLUMNS = {
    "corpusid": "BIGINT",
    "externalids": _EXTERNAL,
    "url": "VARCHAR",
    "title": "VARCHAR",
    "authors": "STRUCT(authorId VARCHAR, name VARCHAR)[]",
    "venue": "VARCHAR",
    "year": "INTEGER",
    "referencecount": "BIGINT",
    "citationcount": "BIGINT",
    "influentialcitationcount": "BIGINT",
    "isopenaccess": "BOOLEAN",
    "publicationdate": "VARCHAR",
}
_RELEASE_IN_PATH = re.compile(r"(?:^|[/_-])(\d{4}-\d{2}-\d{2})(?=[/_]|$)")


def release_of(path: Path) -> date | None:
    """The release a downloaded file belongs to, from its folder (``…/s2/2025-08-19/papers/…``), if named."""
    found = _RELEASE_IN_PATH.findall(str(path.parent))
    return date.fromisoformat(found[-1]) if found else None


def expand(paths: list[Path]) -> list[Path]:
    """Files as given, folders as the release files inside them (sorted); downloads' ``.part`` files left out."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out += sorted(p for p in path.rglob("*") if p.is_file() and not p.name.endswith((".part", ".json")))
        elif path.is_file():
            out.append(path)
        else:
            raise FileNotFoundError(f"{path}: no such Semantic Scholar release file or folder")
    return out


def _source(files: list[Path], columns: dict[str, str]) -> str:
    return store.read_json_sql(files, columns)


def select_sql(files: list[Path]) -> str:
    arxiv = "regexp_replace(regexp_replace(trim(externalids.ArXiv), 'v[0-9]+$', ''), '\\.[A-Z]{2}/', '/')"
    title = "nullif(trim(regexp_replace(title, '\\s+', ' ', 'g')), '')"
    return f"""
        SELECT
            corpusid,
            coalesce(regexp_extract(url, '([0-9a-f]{{40}})$', 1), '') AS paper_id,
            nullif({arxiv}, '') AS arxiv_id,
            nullif(lower(trim(externalids.DOI)), '') AS doi,
            {title} AS title,
            norm_title({title}) AS norm,
            list_filter(list_transform(authors, lambda a: a.name), lambda n: n IS NOT NULL AND n <> '') AS authors,
            nullif(trim(venue), '') AS venue,
            year,
            nullif(publicationdate, '') AS publication_date,
            citationcount AS citation_count,
            influentialcitationcount AS influential_citation_count,
            referencecount AS reference_count,
            url,
            isopenaccess AS is_open_access
        FROM {_source(files, COLUMNS)}
        WHERE corpusid IS NOT NULL
    """


def _finish(con: duckdb.DuckDBPyConnection, release: date, files: list[Path]) -> int:
    store.create_indexes(con, "s2")
    return store.set_meta(con, "s2", release, [str(p) for p in files])


def _refuse_empty(con: duckdb.DuckDBPyConnection, table: str, files: list[Path]) -> None:
    row = con.execute(f"SELECT count(*) FROM {table}").fetchone()
    if not (row and row[0]) and any(p.stat().st_size > 0 for p in files):
        raise ValueError(f"no record could be read from {files[0]} …: not the expected JSON-lines format")


def import_release(con: duckdb.DuckDBPyConnection, files: list[Path], release: date | None = None) -> int:
    """Replace the S2 snapshot with a full ``papers`` release; returns the number of records."""
    files = expand(files)
    if not files:
        raise FileNotFoundError("no Semantic Scholar release files given")
    release = release or release_of(files[0]) or date.today()
    con.execute("BEGIN TRANSACTION")
    try:
        store.drop_indexes(con, "s2")
        con.execute("DELETE FROM s2")
        con.execute(
            f"INSERT INTO s2 SELECT * FROM ({select_sql(files)})"
            " QUALIFY row_number() OVER (PARTITION BY corpusid ORDER BY citation_count DESC NULLS LAST) = 1"
        )
        con.execute("UPDATE s2 SET paper_id = 'CorpusId:' || corpusid WHERE paper_id = ''")
        _refuse_empty(con, "s2", files)
        store.rebuild_tokens(con, "s2", "corpusid::VARCHAR", "s2")
        records = _finish(con, release, files)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return records


def apply_diff(
    con: duckdb.DuckDBPyConnection, update_files: list[Path], delete_files: list[Path], to_release: date
) -> tuple[int, int]:
    """Upsert ``update_files`` by corpusid, then remove the ``delete_files`` records; returns (updated, deleted).

    The citation counts a newer release carries replace the old ones: this is the refresh without the API.
    """
    con.execute("BEGIN TRANSACTION")
    try:
        store.drop_indexes(con, "s2")
        updated = deleted = 0
        if update_files:
            con.execute(f"CREATE OR REPLACE TEMP TABLE s2_update AS SELECT * FROM ({select_sql(update_files)})")
            con.execute("UPDATE s2_update SET paper_id = 'CorpusId:' || corpusid WHERE paper_id = ''")
            con.execute("DELETE FROM s2 WHERE corpusid IN (SELECT corpusid FROM s2_update)")
            con.execute("INSERT INTO s2 SELECT * FROM s2_update QUALIFY row_number() OVER (PARTITION BY corpusid) = 1")
            row = con.execute("SELECT count(DISTINCT corpusid) FROM s2_update").fetchone()
            updated = int(row[0]) if row else 0
            con.execute("DELETE FROM tokens WHERE source = 's2' AND key IN (SELECT corpusid::VARCHAR FROM s2_update)")
            con.execute(
                f"""INSERT INTO tokens SELECT DISTINCT tok, 's2', key FROM (
                    SELECT unnest(string_split(norm, ' ')) AS tok, corpusid::VARCHAR AS key FROM s2_update
                    WHERE norm <> '') WHERE {store.CONTENT_WORD_SQL}"""
            )
        if delete_files:
            gone = f"SELECT corpusid FROM {_source(delete_files, {'corpusid': 'BIGINT'})} WHERE corpusid IS NOT NULL"
            row = con.execute(f"SELECT count(*) FROM s2 WHERE corpusid IN ({gone})").fetchone()
            deleted = int(row[0]) if row else 0
            con.execute(f"DELETE FROM tokens WHERE source = 's2' AND key IN (SELECT corpusid::VARCHAR FROM ({gone}))")
            con.execute(f"DELETE FROM s2 WHERE corpusid IN ({gone})")
        store.rebuild_token_df(con)
        _finish(con, to_release, [*update_files, *delete_files])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return updated, deleted
