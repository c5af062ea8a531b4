"""What the pipeline asks of the snapshot: candidate papers for many titles at once, and records by id.

Titles go to DuckDB as one registered table, never one query per title. A paper is a candidate for a title when
its normalised title is the same (an equi-join on ``norm``), or when it holds enough of the title's rarest
content words (a join on the ``tokens`` table: the blocking key). Candidates are only proposals: the caller
scores them with the same scorer and guards as every other route.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

from paper_catalogue.models import ArxivRecord, Candidate, S2Record
from paper_catalogue.sources.arxiv_source import parse_arxiv_id
from paper_catalogue.sources.snapshot.store import CONTENT_WORD_SQL

ROUTE = "snapshot"
#: The rarest content words of a title used as its blocking key, and how many a paper must share.
RARE_WORDS = 3
SHARED_RARE_WORDS = 2
#: At most this many blocked candidates per title, the most alike first (most content words in common, then the
#: nearest word count, then Jaro-Winkler similarity): a cheap ranking, before the scorer. Exact and near-identical
#: titles (``near_identical_sql``) are kept beyond it.
MAX_BLOCKED = 10
#: A blocked paper is scored only if it holds at least this share of the title's content words: the batch
#: route's pre-filter (``stages.batch.MIN_SHARED_WORDS``; the scorer would reject the others anyway).
MIN_SHARED_WORDS = 0.5
#: Jaro-Winkler similarity of the normalised titles at or above which a paper is near-identical: always kept.
NEAR_SIMILARITY = 0.95
#: Titles per SQL round: bounds the pair tables DuckDB holds and the candidates Python holds at once.
CHUNK_TITLES = 50_000


#: A title to look up: its normalised spelling, or several (the title sentence and the title as written).
Spellings = str | Sequence[str]


def _titles_table(titles: Mapping[int, Spellings]) -> pa.Table:
    """One row per (title, distinct spelling): ``tkey`` numbers the spellings, ``title_key`` is the caller's key."""
    keys: list[int] = []
    norms: list[str] = []
    for key, spelled in titles.items():
        for norm in dict.fromkeys([spelled] if isinstance(spelled, str) else spelled):
            if norm:
                keys.append(key)
                norms.append(norm)
    return pa.table(
        {
            "tkey": pa.array(range(len(keys)), pa.int64()),
            "title_key": pa.array(keys, pa.int64()),
            "norm": pa.array(norms, pa.string()),
        }
    )


def near_identical_sql(m: str) -> str:
    """SQL: a paper's normalised title is the title's or nearly (``{m}``: a row of the ``measured`` pairs).

    Nearly: the same apart from spacing, Jaro-Winkler similarity at least ``NEAR_SIMILARITY``, or all the title's
    content words but one (two at least) in a title at most one word longer ("... in Genomics" for "... in
    Proteomics", "Attention Is Not All You Need" for "Attention Is All You Need"). Such a paper is never dropped
    by the cap: a near-identical rival keeps an ambiguous title ambiguous."""
    return (
        f"({m}.same OR {m}.jw >= {NEAR_SIMILARITY}"
        f" OR ({m}.shared >= 2 AND {m}.shared >= {m}.nq - 1 AND {m}.nc_all <= {m}.nq_all + 1))"
    )


def _pairs_sql(max_blocked: int) -> str:
    return f"""
CREATE OR REPLACE TEMP TABLE q_pairs AS
WITH blocked AS (
    SELECT r.tkey, t.source, t.key FROM q_rare r JOIN tokens t ON t.token = r.tok
    GROUP BY r.tkey, t.source, t.key HAVING count(*) >= least({SHARED_RARE_WORDS}, max(r.n))
),
paired AS (
    SELECT b.tkey, b.source, b.key, a.norm FROM blocked b JOIN arxiv a ON a.arxiv_id = b.key
    WHERE b.source = 'arxiv'
    UNION ALL
    SELECT b.tkey, b.source, b.key, s.norm FROM blocked b JOIN s2 s ON s.corpusid = TRY_CAST(b.key AS BIGINT)
    WHERE b.source = 's2'
),
measured AS (
    SELECT p.tkey, p.source, p.key, q.nq, q.nq_all, length(p.norm) - length(replace(p.norm, ' ', '')) + 1 AS nc_all,
        list_sum(list_transform(q.words, lambda w: contains(' ' || p.norm || ' ', ' ' || w || ' ')::INTEGER))
            AS shared,
        -- Jaro-Winkler >= {NEAR_SIMILARITY} needs lengths within 3/4 of each other: the others are not computed.
        least(length(p.norm), length(q.norm)) >= 0.75 * greatest(length(p.norm), length(q.norm)) AS close,
        CASE WHEN close THEN jaro_winkler_similarity(p.norm, q.norm) ELSE 0 END AS jw,
        CASE WHEN close THEN replace(p.norm, ' ', '') = replace(q.norm, ' ', '') ELSE false END AS same
    FROM paired p JOIN q_words q USING (tkey)
),
judged AS (
    SELECT tkey, source, key, jw, nc_all, nq_all, shared, {near_identical_sql("m")} AS near,
        shared >= {MIN_SHARED_WORDS} * nq AS enough
    FROM measured m
)
SELECT tkey, source, key FROM judged WHERE near
UNION ALL
SELECT tkey, source, key FROM (
    SELECT tkey, source, key FROM judged WHERE enough AND NOT near
    QUALIFY row_number() OVER (
        PARTITION BY tkey ORDER BY shared DESC, abs(nc_all - nq_all), jw DESC, source, key
    ) <= {int(max_blocked)}
)
UNION
SELECT q.tkey, 'arxiv', a.arxiv_id FROM q_titles q JOIN arxiv a ON a.norm = q.norm
UNION
SELECT q.tkey, 's2', s.corpusid::VARCHAR FROM q_titles q JOIN s2 s ON s.norm = q.norm
"""


def _register(con: duckdb.DuckDBPyConnection, name: str, frame: pd.DataFrame) -> None:
    con.register(name, frame)


def _candidates_of_chunk(
    con: duckdb.DuckDBPyConnection, titles: Mapping[int, Spellings], max_token_papers: int, max_blocked: int
) -> dict[int, list[Candidate]]:
    con.register("q_titles", _titles_table(titles))
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE q_tok AS
        SELECT DISTINCT tkey, tok FROM (SELECT tkey, unnest(string_split(norm, ' ')) AS tok FROM q_titles)
        WHERE {CONTENT_WORD_SQL}"""
    )
    con.execute(
        """CREATE OR REPLACE TEMP TABLE q_words AS
        SELECT q.tkey, q.norm, coalesce(w.words, []) AS words, len(coalesce(w.words, [])) AS nq,
            list_distinct(string_split(q.norm, ' ')) AS all_words, len(string_split(q.norm, ' ')) AS nq_all
        FROM q_titles q LEFT JOIN (SELECT tkey, list(tok) AS words FROM q_tok GROUP BY tkey) w USING (tkey)"""
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE q_rare AS
        SELECT tkey, tok, count(*) OVER (PARTITION BY tkey) AS n FROM (
            SELECT q.tkey, q.tok, row_number() OVER (PARTITION BY q.tkey ORDER BY d.df, q.tok) AS rn
            FROM q_tok q JOIN token_df d ON d.token = q.tok WHERE d.df <= {int(max_token_papers)}
        ) WHERE rn <= {RARE_WORDS}"""
    )
    con.execute(_pairs_sql(max_blocked))
    con.execute(
        """CREATE OR REPLACE TEMP TABLE q_found AS
        SELECT DISTINCT q.title_key AS tkey, p.source, p.key FROM q_pairs p JOIN q_titles q USING (tkey)"""
    )
    out: dict[int, list[Candidate]] = defaultdict(list)
    rows = con.execute(
        """SELECT p.tkey, a.title, a.arxiv_id, a.doi, year(a.published), a.authors
        FROM q_found p JOIN arxiv a ON a.arxiv_id = p.key WHERE p.source = 'arxiv' ORDER BY p.tkey, a.arxiv_id"""
    ).fetchall()
    for tkey, title, arxiv_id, doi, year, authors in rows:
        out[tkey].append(
            Candidate(ROUTE, title or "", arxiv_id=arxiv_id, doi=doi, year=year, authors=tuple(authors or ()))
        )
    rows = con.execute(
        """SELECT p.tkey, s.title, s.arxiv_id, s.paper_id, s.doi, s.year, s.venue, s.authors
        FROM q_found p JOIN s2 s ON s.corpusid = TRY_CAST(p.key AS BIGINT) WHERE p.source = 's2'
        ORDER BY p.tkey, s.corpusid"""
    ).fetchall()
    for tkey, title, arxiv_id, paper_id, doi, year, venue, authors in rows:
        out[tkey].append(
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
    for table in ("q_found", "q_pairs", "q_rare", "q_words", "q_tok"):
        con.execute(f"DROP TABLE IF EXISTS {table}")
    return dict(out)


def iter_candidates(
    con: duckdb.DuckDBPyConnection,
    titles: Mapping[int, Spellings],
    max_token_papers: int,
    chunk: int = CHUNK_TITLES,
    max_blocked: int = MAX_BLOCKED,
) -> Iterator[dict[int, list[Candidate]]]:
    """Candidate papers for ``{key: normalised title or spellings}``, ``chunk`` titles per SQL round (set-based
    joins over the whole snapshot each round, never one query per title); titles without a candidate are left out."""
    keys = list(titles)
    for start in range(0, len(keys), max(1, chunk)):
        part = {k: titles[k] for k in keys[start : start + chunk]}
        yield _candidates_of_chunk(con, part, max_token_papers, max_blocked)


def candidates(
    con: duckdb.DuckDBPyConnection,
    titles: Mapping[int, Spellings],
    max_token_papers: int,
    max_blocked: int = MAX_BLOCKED,
) -> dict[int, list[Candidate]]:
    """Candidate papers for every ``{key: normalised title or spellings}``, by SQL joins over the whole snapshot.
    Every spelling of a title is looked up alone; the title's candidates are the union.

    A paper is proposed when its normalised title is the title's (all such papers), or when it shares the title's
    rarest content words (``RARE_WORDS``, words in at most ``max_token_papers`` titles) and then either is
    near-identical (``near_identical_sql``: all such papers, so an ambiguous title stays ambiguous) or holds at
    least ``MIN_SHARED_WORDS`` of the title's content words and is among the ``max_blocked`` most alike."""
    out: dict[int, list[Candidate]] = {}
    for part in iter_candidates(con, titles, max_token_papers, max_blocked=max_blocked):
        out.update(part)
    return out


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
