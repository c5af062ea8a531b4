"""Semantic Scholar: records by id (``POST /paper/batch``), and candidates by title.

The ``semanticscholar`` package talks httpx, which our requests-cache session never sees, so
the calls go through ``paper_catalogue.sources.session`` and only the package's ``Paper`` model is used, to read
the JSON the same way the package's users get it.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import requests
from semanticscholar.Paper import Paper

from paper_catalogue.config import Settings
from paper_catalogue.errors import FetchError, Http
from paper_catalogue.matching.normalise import normalise_title
from paper_catalogue.models import Candidate, S2Record
from paper_catalogue.sources.arxiv_source import parse_arxiv_id
from paper_catalogue.sources.errors import InvalidResponseError

#: Fields asked of every endpoint (one list, so every answer parses the same way).
S2_FIELDS = (
    "title,venue,year,publicationDate,externalIds,authors,citationCount,"
    "influentialCitationCount,referenceCount,url,openAccessPdf"
)
#: The bulk search has no nested data; the paper fields the scorer and the catalogue read are the same.
S2_BULK_FIELDS = S2_FIELDS
#: The batch endpoint's documented maximum.
MAX_BATCH = 500
SEARCH_LIMIT = 10


def _json(response: requests.Response) -> Any:
    try:
        return json.loads(response.content)
    except ValueError:
        raise InvalidResponseError("Semantic Scholar body is not valid JSON (truncated?)") from None


def check_batch(response: requests.Response, count: int) -> None:
    """A batch answer is a list as long as the request, entries objects or null; anything else is broken."""
    data = _json(response)
    if isinstance(data, dict):
        raise InvalidResponseError(f"Semantic Scholar batch answered an object: {str(data)[:200]}")
    if not isinstance(data, list) or len(data) != count:
        got = len(data) if isinstance(data, list) else type(data).__name__
        raise InvalidResponseError(f"Semantic Scholar batch answered {got} entries for {count} ids")
    if any(item is not None and not (isinstance(item, dict) and item.get("paperId")) for item in data):
        raise InvalidResponseError("Semantic Scholar batch entry without paperId")


def check_object(response: requests.Response) -> None:
    data = _json(response)
    if not isinstance(data, dict) or "error" in data or not isinstance(data.get("data"), list):
        raise InvalidResponseError(f"Semantic Scholar answered an unexpected body: {str(data)[:200]}")


def _get(paper: Paper, name: str) -> Any:
    """The model's property, or None: ``Paper`` leaves attributes unset when a field is null or absent."""
    try:
        return getattr(paper, name)
    except AttributeError:
        return None


def parse_paper(data: dict[str, Any]) -> S2Record:
    """One paper JSON object (any endpoint) as an :class:`S2Record`."""
    if not isinstance(data, dict) or not data.get("paperId"):
        raise InvalidResponseError(f"Semantic Scholar paper without paperId: {str(data)[:200]}")
    paper = Paper(data)
    external = _get(paper, "externalIds") or {}
    arxiv_raw = external.get("ArXiv")
    parsed = parse_arxiv_id(str(arxiv_raw)) if arxiv_raw else None
    pdf = _get(paper, "openAccessPdf") or {}
    date = _get(paper, "publicationDate")
    return S2Record(
        paper_id=str(data["paperId"]),
        title=_get(paper, "title"),
        venue=_get(paper, "venue") or None,
        year=_get(paper, "year"),
        publication_date=date.date().isoformat() if date else None,
        # DOIs are case-insensitive and S2 sometimes upper-cases them; keep one spelling.
        doi=str(external["DOI"]).lower() if external.get("DOI") else None,
        arxiv_id=parsed[0] if parsed else None,
        authors=[a.name for a in (_get(paper, "authors") or []) if a.name],
        citation_count=_get(paper, "citationCount"),
        influential_citation_count=_get(paper, "influentialCitationCount"),
        reference_count=_get(paper, "referenceCount"),
        url=_get(paper, "url"),
        open_access_pdf=(pdf.get("url") or None) if isinstance(pdf, dict) else None,
    )


def candidate_from(data: dict[str, Any], route: str) -> Candidate:
    record = parse_paper(data)
    score = data.get("matchScore")
    return Candidate(
        route=route,
        title=record.title or "",
        arxiv_id=record.arxiv_id,
        s2_paper_id=record.paper_id,
        doi=record.doi,
        year=record.year,
        venue=record.venue,
        authors=tuple(record.authors),
        provider_score=float(score) if isinstance(score, (int, float)) else None,
    )


def fetch_batch(
    http: Http, settings: Settings, ids: list[str], *, force_refresh: bool = False
) -> dict[str, S2Record | None]:
    """Records for up to 500 ids (paperIds, ``ARXIV:…``, ``DOI:…``); ``None`` for ids S2 does not know.

    The ids are de-duplicated and sorted before posting: the body is part of the cache key, so the
    same set of papers must always be the same request.
    """
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    if len(wanted) > MAX_BATCH:
        raise ValueError(f"{len(wanted)} ids: the batch endpoint takes at most {MAX_BATCH}")
    url = f"{settings.semantic_scholar.base_url}/paper/batch"
    response = http.post_json(
        "s2",
        url,
        {"ids": wanted},
        params={"fields": S2_FIELDS},
        expire_after=timedelta(hours=settings.semantic_scholar.records_expire_hours),
        force_refresh=force_refresh,
        validate=lambda r: check_batch(r, len(wanted)),
    )
    if response.status_code != 200:
        raise FetchError(
            "s2",
            "client_error",
            f"HTTP {response.status_code} from /paper/batch: {response.text[:200]}",
            response.status_code,
        )
    data = _json(response)
    return {key: (parse_paper(item) if item else None) for key, item in zip(wanted, data, strict=True)}


def fetch_title_match(http: Http, settings: Settings, title: str) -> Candidate | None:
    """S2's single best title match, or None on its 404 "Title match not found". Not trusted: scored by the caller."""
    # "Hyphenated query terms yield no matches" (S2 search docs): hyphens become spaces.
    query = " ".join(title.replace("-", " ").split())
    response = http.get(
        "s2",
        f"{settings.semantic_scholar.base_url}/paper/search/match",
        params={"query": query, "fields": S2_FIELDS},
        expire_after=timedelta(hours=settings.semantic_scholar.search_expire_hours),
        validate=check_object,
    )
    if response.status_code == 404:
        return None
    if response.status_code != 200:
        raise FetchError(
            "s2", "client_error", f"HTTP {response.status_code} from /paper/search/match", response.status_code
        )
    items = _json(response)["data"]
    return candidate_from(items[0], "s2-match") if items else None


def fetch_search_candidates(http: Http, settings: Settings, title: str) -> list[Candidate]:
    """The first page of S2's relevance search for the title."""
    query = " ".join(title.replace("-", " ").split())
    response = http.get(
        "s2",
        f"{settings.semantic_scholar.base_url}/paper/search",
        params={"query": query, "fields": S2_FIELDS, "limit": str(SEARCH_LIMIT)},
        expire_after=timedelta(hours=settings.semantic_scholar.search_expire_hours),
        validate=check_object,
    )
    if response.status_code != 200:
        raise FetchError("s2", "client_error", f"HTTP {response.status_code} from /paper/search", response.status_code)
    return [candidate_from(item, "s2-search") for item in _json(response)["data"]]


#: ``/paper/search/bulk`` answers at most this many papers a page (documented).
BULK_PAGE_SIZE = 1000
#: Most-cited first: when a title phrase is also written in many abstracts (papers citing it by name), the
#: paper itself is almost always more cited than those that mention it, so it is on the first page.
BULK_SORT = "citationCount:desc"


def bulk_phrase(title: str) -> str:
    """One title as a bulk-search phrase: its normalised words in quotes.

    Normalised words are letters and digits only, so a title's own quotes, ``|``, ``+``, ``-`` or
    parentheses can never be read as query operators.
    """
    return '"' + normalise_title(title) + '"'


def bulk_query(titles: list[str]) -> str:
    """``"title one" | "title two" | …``: any of the phrases (the default between terms is AND)."""
    return " | ".join(bulk_phrase(t) for t in titles)


def fetch_bulk_candidates(
    http: Http, settings: Settings, titles: list[str], max_pages: int
) -> tuple[list[Candidate], bool]:
    """Papers whose title or abstract holds any of the titles as a phrase, and whether every page was read.

    Pages are followed with the continuation ``token`` up to ``max_pages``; each page is one request,
    paced and cached like every other. The caller scores each paper against every title.
    """
    query = bulk_query(titles)
    out: list[Candidate] = []
    token: str | None = None
    for _ in range(max_pages):
        params = {"query": query, "fields": S2_BULK_FIELDS, "sort": BULK_SORT}
        if token:
            params["token"] = token
        response = http.get(
            "s2",
            f"{settings.semantic_scholar.base_url}/paper/search/bulk",
            params=params,
            expire_after=timedelta(hours=settings.semantic_scholar.search_expire_hours),
            validate=check_object,
        )
        if response.status_code != 200:
            raise FetchError(
                "s2", "client_error", f"HTTP {response.status_code} from /paper/search/bulk", response.status_code
            )
        body = _json(response)
        out += [candidate_from(item, "s2-bulk") for item in body["data"] if isinstance(item, dict)]
        token = body.get("token") or None
        if token is None:
            return out, True
    return out, False
