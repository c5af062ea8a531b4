"""arXiv: metadata by id (``id_list`` batches) and candidates by title phrase.

Requests go through the ``arxiv`` package with our session injected (its own 3 s sleep and
retries switched off: politeness and retries belong to ``paper_catalogue.sources.session``). Every 200 body is
checked strictly before the cache may keep it: the package's parser is lenient (a truncated feed
parses to "fewer results"), and an empty page can be a sporadic API fault rather than an answer.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import arxiv
import defusedxml.ElementTree as SafeET
import requests
from defusedxml import DefusedXmlException

from paper_catalogue.config import Settings
from paper_catalogue.errors import FetchError, Http
from paper_catalogue.matching.similarity import normalise_title
from paper_catalogue.models import ArxivRecord, Candidate
from paper_catalogue.sources.errors import EmptyPageError, InvalidResponseError

ATOM = "{http://www.w3.org/2005/Atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"

NEW_ID = re.compile(r"^(\d{4}\.\d{4,5})(v(\d+))?$")
OLD_ID = re.compile(r"^([a-z][a-z\-]*(\.[A-Z]{2})?/\d{7})(v(\d+))?$")
#: Candidates asked of arXiv per title search: a phrase query rarely has more than a few real hits.
TITLE_SEARCH_RESULTS = 10


def parse_arxiv_id(text: str) -> tuple[str, int | None] | None:
    """``(id without version, version or None)`` from an id, ``arXiv:`` id or abs/pdf URL; None if malformed.

    Old-style ids keep their archive and drop the subject class (``math.CA/0611800`` → ``math/0611800``),
    arXiv's preferred external form.
    """
    text = text.strip()
    text = re.sub(r"^(?:https?://(?:export\.)?arxiv\.org/(?:abs|pdf)/)", "", text, flags=re.I)
    text = re.sub(r"^arxiv:", "", text, flags=re.I).removesuffix(".pdf")
    m = NEW_ID.match(text)
    if m:
        return m.group(1), int(m.group(3)) if m.group(3) else None
    m = OLD_ID.match(text)
    if m:
        base = re.sub(r"\.[A-Z]{2}/", "/", m.group(1))
        return base, int(m.group(4)) if m.group(4) else None
    return None


def title_query(title: str) -> str:
    """``ti:"w1 w2 …"`` — quoted, because unquoted words in ``ti:`` are OR-ed by arXiv.

    Words are the normalised title's, so quotes, colons and parentheses in a title can never break
    the query syntax (the 2025 backend answers 400 to unbalanced parentheses).
    """
    words = normalise_title(title).split()
    return f'ti:"{" ".join(words)}"'


# ---------------------------------------------------------------------------------- validation


def _parse_xml(body: bytes) -> Any:
    try:
        return SafeET.fromstring(body)
    except SafeET.ParseError as exc:  # truncated or garbled: reject, retry, never cache
        raise InvalidResponseError(f"arXiv feed is not well-formed XML ({exc})") from None
    except DefusedXmlException as exc:  # entity declarations: never expanded, never passed on to the parser
        raise InvalidResponseError(f"arXiv feed declares XML entities, refused ({type(exc).__name__})") from None


def check_feed(response: requests.Response, *, expect_entries: bool) -> None:
    """Reject a 200 that is not a complete Atom feed, or an empty page where entries must be."""
    root = _parse_xml(response.content)
    if root.tag != f"{ATOM}feed":
        raise InvalidResponseError(f"arXiv answered {root.tag!r}, not an Atom feed")
    entries = root.findall(f"{ATOM}entry")
    for entry in entries:
        if (entry.findtext(f"{ATOM}title") or "").strip() == "Error" and "/api/errors" in (
            entry.findtext(f"{ATOM}id") or ""
        ):
            raise InvalidResponseError(f"arXiv error feed: {entry.findtext(f'{ATOM}summary')}")
    total_text = root.findtext(f"{OPENSEARCH}totalResults")
    start_text = root.findtext(f"{OPENSEARCH}startIndex")
    try:
        total = int(total_text) if total_text is not None else None
        start = int(start_text) if start_text is not None else 0
    except ValueError:
        raise InvalidResponseError("arXiv feed has a non-numeric totalResults/startIndex") from None
    if not entries and total is not None and start < total:
        raise EmptyPageError(f"arXiv page at {start} is empty although {total} results exist")
    if not entries and expect_entries:
        raise EmptyPageError("arXiv returned no entries for ids expected to exist")


def _validator(expect_entries: bool) -> Any:
    return lambda response: check_feed(response, expect_entries=expect_entries)


# -------------------------------------------------------------------------------------- records


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


def _pdf_url(result: arxiv.Result) -> str | None:
    """The pdf link; falls back to any link whose href has /pdf/ (the title attribute vanished in Nov 2025)."""
    if result.pdf_url:
        return result.pdf_url
    for link in result.links:
        if "/pdf/" in (link.href or ""):
            return link.href
    return None


def record_from_result(result: arxiv.Result) -> ArxivRecord:
    parsed = parse_arxiv_id(result.entry_id)
    if parsed is None:
        raise InvalidResponseError(f"arXiv entry id {result.entry_id!r} is not an arXiv id")
    base, version = parsed
    abs_url = next((link.href for link in result.links if link.rel == "alternate"), None)
    return ArxivRecord(
        arxiv_id=base,
        version=version or 1,
        title=" ".join(result.title.split()),
        authors=[a.name for a in result.authors],
        summary=" ".join((result.summary or "").split()),
        published=_utc(result.published),
        updated=_utc(result.updated),
        primary_category=result.primary_category or None,
        categories=list(result.categories),
        doi=result.doi or None,
        journal_ref=result.journal_ref or None,
        comment=result.comment or None,
        pdf_url=_pdf_url(result),
        abs_url=abs_url or f"https://arxiv.org/abs/{base}",
    )


def _client(
    http: Http, settings: Settings, page_size: int, *, expire_after: timedelta, expect_entries: bool
) -> arxiv.Client:
    client = arxiv.Client(page_size=page_size, delay_seconds=0.0, num_retries=0)
    client._session = http.as_session(  # type: ignore[assignment]  # the package's documented seam
        "arxiv", expire_after=expire_after, validate=_validator(expect_entries)
    )
    client.query_url_format = settings.arxiv.base_url + "?{}"
    return client


def _run(http_call: Any, api_label: str = "arxiv") -> list[arxiv.Result]:
    try:
        return list(http_call())
    except arxiv.HTTPError as exc:
        reason = "rate_limited" if exc.status == 429 else "server_error" if exc.status >= 500 else "client_error"
        raise FetchError(api_label, reason, f"HTTP {exc.status} from arXiv", exc.status) from None
    except arxiv.UnexpectedEmptyPageError as exc:
        raise FetchError(api_label, "empty_page", str(exc)) from None


def fetch_records(http: Http, settings: Settings, ids: list[str]) -> tuple[dict[str, ArxivRecord], list[str]]:
    """Latest-version records for up to ``batch_size`` ids in one ``id_list`` request.

    Returns the records by id and the ids arXiv had no entry for. Results are matched by id,
    never by position (arXiv does not keep ``id_list`` order).
    """
    if not ids:
        return {}, []
    wanted = sorted(set(ids))  # sorted: the same set of ids is the same URL, so the same cache entry
    for value in wanted:
        if parse_arxiv_id(value) != (value, None):
            raise ValueError(f"not a bare arXiv id: {value!r}")
    client = _client(
        http,
        settings,
        len(wanted),
        expire_after=timedelta(days=settings.arxiv.records_expire_days),
        expect_entries=True,
    )
    search = arxiv.Search(id_list=wanted, max_results=len(wanted))
    results = _run(lambda: client.results(search))
    records: dict[str, ArxivRecord] = {}
    for result in results:
        record = record_from_result(result)
        if record.arxiv_id in wanted:
            records[record.arxiv_id] = record
    missing = [i for i in wanted if i not in records]
    return records, missing


def fetch_title_candidates(http: Http, settings: Settings, title: str) -> list[Candidate]:
    """arXiv papers whose title contains every word of ``title`` (a quoted ``ti:`` phrase)."""
    if not normalise_title(title):
        return []
    return _search_candidates(http, settings, title_query(title), TITLE_SEARCH_RESULTS, "arxiv-title")


def _search_candidates(http: Http, settings: Settings, query: str, size: int, route: str) -> list[Candidate]:
    """The papers of one ``search_query`` answer (``size`` results in one request), as candidates."""
    client = _client(
        http, settings, size, expire_after=timedelta(hours=settings.arxiv.search_expire_hours), expect_entries=False
    )
    search = arxiv.Search(query=query, max_results=size)
    return [_title_candidate(record_from_result(r), route) for r in _run(lambda: client.results(search))]


#: Hits read per title of an OR-ed query (a phrase can be in many titles: "… for Language Understanding").
BATCH_RESULTS_PER_TITLE = 4
#: arXiv's documented slice: at most 2000 results in one answer.
MAX_RESULTS_PER_REQUEST = 2000


def batch_title_query(titles: list[str]) -> str:
    """``ti:"title one" OR ti:"title two" OR …``: one query for many titles (Boolean OR is documented)."""
    return " OR ".join(title_query(t) for t in titles if normalise_title(t))


def fetch_batch_title_candidates(http: Http, settings: Settings, titles: list[str]) -> list[Candidate]:
    """arXiv papers whose title holds all the words of any of ``titles``: one request for the batch.

    ``max_results`` leaves room for a few hits per title; a title whose phrase has more is simply not
    settled by the batch and is searched alone, as before.
    """
    query = batch_title_query(titles)
    if not query:
        return []
    size = min(MAX_RESULTS_PER_REQUEST, BATCH_RESULTS_PER_TITLE * len(titles))
    return _search_candidates(http, settings, query, size, "arxiv-batch")


def _title_candidate(record: ArxivRecord, route: str) -> Candidate:
    return Candidate(
        route=route,
        title=record.title,
        arxiv_id=record.arxiv_id,
        doi=record.doi,
        year=record.published.year,
        authors=tuple(record.authors),
    )
