"""What the pipeline asks of the snapshot: candidate papers for many titles at once, and records by id.

Titles go to DuckDB as one registered table, never one query per title. A paper is a candidate for a title when
its normalised title is the same (an equi-join on ``norm``), or when it holds enough of the title's rarest
content words (a join on the ``tokens`` table: the blocking key). Candidates are only proposals: the caller
scores them with the same scorer and guards as every other route.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime
from typing import Any

import duckdb
import pandas as pd

from pipeline.models import ArxivRecord, Candidate, S2Record
from pipeline.sources.arxiv_source import parse_arxiv_id
from pipeline.sources.snapshot.store import CONTENT_WORD_SQL

ROUTE = "snapshot"
#: The rarest content words of a title used as its blocking key, and how many a paper must share.
RARE_WORDS = 3
SHARED_RARE_WORDS = 2
#: At most this many blocked candidates per title (best string similarity first); exact-title ones always count.
MAX_BLOCKED = 10


def _register(con: duckdb.DuckDBPyConnection, name: str, frame: pd.DataFrame) -> None:
    con.register(name, frame)


def candidates(
    con: duckdb.DuckDBPyConnection, titles: dict[int, str], max_token_papers: int
) -> dict[int, list[Candidate]]:
    """Candidate papers for every ``{key: normalised title}``, by SQL joins over the whole snapshot."""
    if not titles:
        return {}
    _register(con, "q_titles", pd.DataFrame({"tkey": list(titles), "norm": list(titles.values())}))
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE q_tok AS
        SELECT DISTINCT tkey, tok FROM (SELECT tkey, unnest(string_split(norm, ' ')) AS tok FROM q_titles)
        WHERE {CONTENT_WORD_SQL}"""
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE q_rare AS
        SELECT tkey, tok, count(*) OVER (PARTITION BY tkey) AS n FROM (
            SELECT q.tkey, q.tok, row_number() OVER (PARTITION BY q.tkey ORDER BY d.df, q.tok) AS rn
            FROM q_tok q JOIN token_df d ON d.token = q.tok WHERE d.df <= {int(max_token_papers)}
        ) WHERE rn <= {RARE_WORDS}"""
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE q_pairs AS
        WITH blocked AS (
            SELECT r.tkey, t.source, t.key FROM q_rare r JOIN tokens t ON t.token = r.tok
            GROUP BY r.tkey, t.source, t.key HAVING count(*) >= least({SHARED_RARE_WORDS}, max(r.n))
        ),
        blocked_titles AS (
            SELECT b.tkey, b.source, b.key, coalesce(a.norm, s.norm) AS norm FROM blocked b
            LEFT JOIN arxiv a ON b.source = 'arxiv' AND a.arxiv_id = b.key
            LEFT JOIN s2 s ON b.source = 's2' AND s.corpusid = TRY_CAST(b.key AS BIGINT)
        ),
        ranked AS (
            SELECT bt.tkey, bt.source, bt.key FROM blocked_titles bt JOIN q_titles q USING (tkey)
            QUALIFY row_number() OVER (
                PARTITION BY bt.tkey ORDER BY jaro_winkler_similarity(bt.norm, q.norm) DESC, bt.key
            ) <= {MAX_BLOCKED}
        )
        SELECT tkey, source, key FROM ranked
        UNION
        SELECT q.tkey, 'arxiv', a.arxiv_id FROM q_titles q JOIN arxiv a ON a.norm = q.norm
        UNION
        SELECT q.tkey, 's2', s.corpusid::VARCHAR FROM q_titles q JOIN s2 s ON s.norm = q.norm"""
    )
    out: dict[int, list[Candidate]] = defaultdict(list)
    rows = con.execute(
        """SELECT p.tkey, a.title, a.arxiv_id, a.doi, year(a.published), a.authors
        FROM q_pairs p JOIN arxiv a ON p.source = 'arxiv' AND a.arxiv_id = p.key ORDER BY p.tkey, a.arxiv_id"""
    ).fetchall()
    for tkey, title, arxiv_id, doi, year, authors in rows:
        out[int(tkey)].append(
            Candidate(ROUTE, title or "", arxiv_id=arxiv_id, doi=doi, year=year, authors=tuple(authors or ()))
        )
    rows = con.execute(
        """SELECT p.tkey, s.title, s.arxiv_id, s.paper_id, s.doi, s.year, s.venue, s.authors
        FROM q_pairs p JOIN s2 s ON p.source = 's2' AND s.corpusid = TRY_CAST(p.key AS BIGINT)
        ORDER BY p.tkey, s.corpusid"""
    ).fetchall()
    for tkey, title, arxiv_id, paper_id, doi, year, venue, authors in rows:
        out[int(tkey)].append(
            Candidate(
                ROUTE,
                title or "",
                arxiv_id=arxiv_id,
                s2_paper_id=paper_id,
                doi=doi,
                year=year,
                venue=venue,
                authors=tuple(authors or ()),
            )
        )
    con.unregister("q_titles")
    return dict(out)


def _utc(value: Any) -> datetime:
    if value is None:
        return datetime(1970, 1, 1, tzinfo=UTC)
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


def arxiv_records(con: duckdb.DuckDBPyConnection, ids: list[str]) -> dict[str, ArxivRecord]:
    """The snapshot's records for these arXiv ids (without version), shaped as the API's."""
    if not ids:
        return {}
    _register(con, "q_ids", pd.DataFrame({"arxiv_id": sorted(set(ids))}))
    rows = con.execute(
        """SELECT a.arxiv_id, a.version, a.title, a.authors, a.abstract, a.published, a.updated,
        a.primary_category, a.categories, a.doi, a.journal_ref, a.comments
        FROM q_ids q JOIN arxiv a USING (arxiv_id)"""
    ).fetchall()
    con.unregister("q_ids")
    out = {}
    for arxiv_id, version, title, authors, abstract, published, updated, primary, cats, doi, jref, comment in rows:
        vid = f"{arxiv_id}v{version}"
        out[arxiv_id] = ArxivRecord(
            arxiv_id=arxiv_id,
            version=int(version),
            title=title or "",
            authors=list(authors or []),
            summary=abstract or "",
            published=_utc(published),
            updated=_utc(updated or published),
            primary_category=primary,
            categories=list(cats or []),
            doi=doi,
            journal_ref=jref,
            comment=comment,
            pdf_url=f"https://arxiv.org/pdf/{vid}",
            abs_url=f"https://arxiv.org/abs/{vid}",
        )
    return out


def _s2_key(request_id: str) -> tuple[str, str] | None:
    """Which column a pipeline S2 request id looks up: paper_id, ``ARXIV:``, ``DOI:``, ``CorpusId:``."""
    kind, sep, value = request_id.partition(":")
    if not sep:
        return "paper_id", request_id
    kind = kind.upper()
    if kind == "ARXIV":
        parsed = parse_arxiv_id(value)
        return ("arxiv_id", parsed[0]) if parsed else None
    if kind == "DOI":
        return "doi", value.lower()
    if kind == "CORPUSID":
        return "corpusid", value
    return None


def s2_records(con: duckdb.DuckDBPyConnection, request_ids: list[str]) -> dict[str, S2Record]:
    """The snapshot's records for the S2 request ids the pipeline uses, shaped as ``POST /paper/batch``'s."""
    wanted = [(rid, k) for rid in sorted(set(request_ids)) if (k := _s2_key(rid))]
    if not wanted:
        return {}
    frame = pd.DataFrame(
        {"rid": [r for r, _ in wanted], "col": [k[0] for _, k in wanted], "val": [k[1] for _, k in wanted]}
    )
    _register(con, "q_s2", frame)
    cols = "s.paper_id, s.title, s.venue, s.year, s.publication_date, s.doi, s.arxiv_id, s.authors, " + (
        "s.citation_count, s.influential_citation_count, s.reference_count, s.url"
    )
    joins = {
        "paper_id": "s.paper_id = q.val",
        "arxiv_id": "s.arxiv_id = q.val",
        "doi": "s.doi = q.val",
        "corpusid": "s.corpusid = TRY_CAST(q.val AS BIGINT)",
    }
    union = " UNION ALL ".join(
        f"SELECT q.rid, {cols} FROM q_s2 q JOIN s2 s ON q.col = '{col}' AND {on}" for col, on in joins.items()
    )
    rows = con.execute(f"SELECT * FROM ({union}) ORDER BY rid, citation_count DESC NULLS LAST").fetchall()
    con.unregister("q_s2")
    out: dict[str, S2Record] = {}
    for rid, paper_id, title, venue, year, pub, doi, arxiv_id, authors, cites, infl, refs, url in rows:
        if rid in out:
            continue
        out[rid] = S2Record(
            paper_id=paper_id,
            title=title,
            venue=venue,
            year=year,
            publication_date=pub,
            doi=doi,
            arxiv_id=arxiv_id,
            authors=list(authors or []),
            citation_count=cites,
            influential_citation_count=infl,
            reference_count=refs,
            url=url,
            open_access_pdf=None,  # the papers dataset has isopenaccess, not the PDF link
        )
    return out


def snapshot_date_iso(value: date | None) -> str | None:
    return value.isoformat() if value else None
