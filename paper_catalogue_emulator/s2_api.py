"""Semantic Scholar Graph API v1 (``/graph/v1``): paper batch, title match, relevance and bulk search, single paper."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from paper_catalogue_emulator import s2_query
from paper_catalogue_emulator.papers import Corpus, Paper, words

JSON_CT = "application/json"

SUPPORTED_FIELDS = (
    "paperId",
    "corpusId",
    "title",
    "venue",
    "year",
    "publicationDate",
    "externalIds",
    "authors",
    "citationCount",
    "influentialCitationCount",
    "referenceCount",
    "url",
    "openAccessPdf",
    "isOpenAccess",
    "abstract",
    "publicationTypes",
    "journal",
)
AUTHOR_SUBFIELDS = ("authorId", "name")
#: Documented FullPaper fields the fixture corpus has no data for: accepted (the real API knows them, and the
#: semanticscholar package asks for all of them by default) and answered with null / empty values.
EMPTY_FIELDS: dict[str, Any] = {
    "publicationVenue": None,
    "fieldsOfStudy": None,
    "s2FieldsOfStudy": [],
    "tldr": None,
    "citationStyles": None,
    "embedding": None,
    "citations": [],
    "references": [],
    "textAvailability": None,
}

TOO_MANY = {
    "message": "Too Many Requests. Please wait and try again or apply for a key for higher rate limits. "
    "https://www.semanticscholar.org/product/api#api-key-form",
    "code": "429",
}

MATCH_THRESHOLD = 0.5

#: ``/paper/search/bulk`` answers "up to 1,000 papers per call" [S2-OAS]; the recorded pages hold exactly 1000
#: even though the client sent ``limit=100`` (bulk has no ``limit``/``offset``: both are ignored).
BULK_PAGE_SIZE = 1000
#: Sort fields bulk search accepts, as ``field`` or ``field:asc|desc`` (default ``paperId:asc``) [S2-OAS].
BULK_SORT_FIELDS = ("paperId", "publicationDate", "citationCount")
#: Nested data "is not available via this method" [S2-OAS]: asking for it is a 400 here.
BULK_NESTED_FIELDS = ("citations", "references")

#: S2 is served through CloudFront (``Via: … CloudFront`` on every recorded response), whose documented quota is
#: "Maximum length of a URL: 8,192 bytes" (AWS CloudFront quotas page). The real URL is this origin plus the path
#: and query the emulator sees, so the emulator counts the origin in. That CloudFront then answers 414 is an
#: assumption (no recorded 414 from S2 exists).
MAX_URL_BYTES = 8192
PUBLIC_ORIGIN = "https://api.semanticscholar.org"


def url_too_long(path_and_query: str) -> bool:
    """Whether the public URL for this request target would exceed CloudFront's URL limit."""
    return len(PUBLIC_ORIGIN) + len(path_and_query.encode("latin-1", "replace")) > MAX_URL_BYTES


class S2Error(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class S2Answer:
    status: int
    payload: Any
    ids_requested: int = 0

    @property
    def body(self) -> str:
        return json.dumps(self.payload) + "\n"


def parse_fields(raw: str | None) -> list[str]:
    """Requested fields in canonical order; unknown ones raise a 400 like the real API."""
    if raw is None or raw.strip() == "":
        return ["title"]
    wanted = [f.strip() for f in raw.split(",") if f.strip()]
    bad = []
    norm = set()
    for f in wanted:
        if f.startswith("authors.") and f.split(".", 1)[1] in AUTHOR_SUBFIELDS:
            norm.add("authors")
        elif f in SUPPORTED_FIELDS or f in EMPTY_FIELDS:
            norm.add(f)
        elif f.split(".", 1)[0] in EMPTY_FIELDS:  # sub-fields such as citations.title or embedding.specter_v2
            norm.add(f.split(".", 1)[0])
        else:
            bad.append(f)
    if bad:
        raise S2Error(400, f"Unrecognized or unsupported fields: [{', '.join(bad)}]")
    return [f for f in (*SUPPORTED_FIELDS, *EMPTY_FIELDS) if f in norm and f != "paperId"]


def project(p: Paper, fields: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {"paperId": p.s2_paper_id}
    for f in fields:
        if f == "corpusId":
            out[f] = p.corpus_id
        elif f == "title":
            out[f] = p.title
        elif f == "venue":
            out[f] = p.venue
        elif f == "year":
            out[f] = p.year
        elif f == "publicationDate":
            out[f] = p.publication_date
        elif f == "externalIds":
            ext: dict[str, Any] = {"ArXiv": p.arxiv_id}
            if p.doi:
                ext["DOI"] = p.doi
            ext["CorpusId"] = p.corpus_id
            out[f] = ext
        elif f == "authors":
            out[f] = [{"authorId": p.author_id(i), "name": a} for i, a in enumerate(p.authors)]
        elif f == "citationCount":
            out[f] = p.citation_count
        elif f == "influentialCitationCount":
            out[f] = p.influential_citation_count
        elif f == "referenceCount":
            out[f] = p.reference_count
        elif f == "url":
            out[f] = f"https://www.semanticscholar.org/paper/{p.s2_paper_id}"
        elif f == "openAccessPdf":
            out[f] = {"url": f"https://arxiv.org/pdf/{p.arxiv_id}", "status": "GREEN"}
        elif f == "isOpenAccess":
            out[f] = True
        elif f == "abstract":
            out[f] = p.summary
        elif f == "publicationTypes":
            out[f] = ["JournalArticle"] if p.journal_ref else (["Conference"] if p.venue != "arXiv.org" else None)
        elif f == "journal":
            out[f] = {"name": p.venue}
        elif f in EMPTY_FIELDS:
            out[f] = EMPTY_FIELDS[f]
    return out


def _relevance(corpus: Corpus, query: str) -> list[tuple[int, float]]:
    qw = set(words(query))
    scores: dict[int, float] = {}
    for w in qw:
        for i in corpus.index["ti"].get(w, ()):
            scores[i] = scores.get(i, 0.0) + 2.0
        for i in corpus.index["abs"].get(w, ()):
            scores[i] = scores.get(i, 0.0) + 0.5
    papers = corpus.papers
    return sorted(scores.items(), key=lambda kv: (-kv[1], -papers[kv[0]].citation_count, papers[kv[0]].arxiv_id))


def best_match(corpus: Corpus, title: str) -> tuple[Paper, float] | None:
    """Best title by token overlap (Dice over normalised word sets); None under the threshold."""
    qw = set(words(title))
    if not qw:
        return None
    best_i, best_ratio = -1, -1.0
    papers = corpus.papers
    for i, common in corpus.title_candidates(qw).items():
        ratio = 2.0 * common / (len(qw) + len(corpus.title_words[i]))
        if ratio > best_ratio or (ratio == best_ratio and papers[i].arxiv_id < papers[best_i].arxiv_id):
            best_i, best_ratio = i, ratio
    if best_i < 0 or best_ratio < MATCH_THRESHOLD:
        return None
    return papers[best_i], best_ratio


def match_score(p: Paper, ratio: float, corpus: Corpus) -> float:
    n = len(corpus.title_words[p._idx])
    return round(min(300.0, 40.0 + ratio * (20.0 + 14.0 * n)), 5)


def _required(params: dict[str, str], name: str) -> str:
    v = params.get(name)
    if v is None or v.strip() == "":
        raise S2Error(400, f"Missing required parameter: '{name}'")
    return v


def _int(params: dict[str, str], name: str, default: int) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise S2Error(400, f"Unacceptable query params: [{name}={raw}]") from None


def _bulk_sort(raw: str | None) -> tuple[str, bool]:
    """(field, descending) from ``sort=field[:asc|desc]``; the order defaults to asc (recorded: ``sort=citationCount``
    came back lowest first)."""
    if raw is None or raw.strip() == "":
        return "paperId", False
    field, _, order = raw.strip().partition(":")
    if field not in BULK_SORT_FIELDS or order not in ("", "asc", "desc"):
        raise S2Error(400, f"Unacceptable query params: [sort={raw}]")
    return field, order == "desc"


_SORT_VALUE: dict[str, Callable[[Paper], Any]] = {
    "paperId": lambda p: p.s2_paper_id,
    "publicationDate": lambda p: p.publication_date,
    "citationCount": lambda p: p.citation_count,
}


def _bulk_order(corpus: Corpus, hits: set[int], field: str, descending: bool) -> list[int]:
    """Hits sorted by the field, ties broken by paperId in the same direction (as recorded for
    ``citationCount:desc``); papers without a value come last whichever the direction [S2-OAS]."""
    papers, value = corpus.papers, _SORT_VALUE[field]
    keyed = [(value(papers[i]), papers[i].s2_paper_id, i) for i in hits]
    known = sorted((k for k in keyed if k[0] not in (None, "")), reverse=descending)
    unknown = sorted(k[1:] for k in keyed if k[0] in (None, ""))
    return [k[2] for k in known] + [k[1] for k in unknown]


def _bulk_fingerprint(query: str, sort: tuple[str, bool]) -> str:
    return hashlib.sha1(f"{query}\n{sort[0]}:{sort[1]}".encode()).hexdigest()[:12]


def bulk_token(offset: int, fingerprint: str) -> str:
    """An opaque continuation token in the recorded alphabet (upper-case base32, no padding), new for every page."""
    return base64.b32encode(f"{offset}|{fingerprint}".encode()).decode().rstrip("=")


def _bulk_offset(token: str, fingerprint: str) -> int:
    """Where a token continues; a token that is garbled or from another query/sort is a 400 (the emulator's choice:
    the real service's answer to a foreign token is not documented)."""
    try:
        raw = base64.b32decode(token + "=" * (-len(token) % 8)).decode()
        offset_s, fp = raw.split("|", 1)
        offset = int(offset_s)
    except ValueError:  # binascii.Error and UnicodeDecodeError are ValueErrors too
        raise S2Error(400, "Invalid token") from None
    if fp != fingerprint or offset < 0:
        raise S2Error(400, "Invalid token")
    return offset


def _bulk(corpus: Corpus, params: dict[str, str], empty_page: bool) -> S2Answer:
    """``GET /paper/search/bulk``: every match (boolean query over title and abstract), in sort order, 1000 a page.

    Shape as recorded: ``{"total", "token", "data"}`` in that order, and on the last page ``"token": null``
    (the key stays; the docs say the token is "absent" when done, the recordings show null).
    """
    if "query" not in params:
        raise S2Error(400, "Missing required parameter: 'query'")
    query = params["query"]
    fields = parse_fields(params.get("fields"))
    nested = [f for f in fields if f in BULK_NESTED_FIELDS]
    if nested:
        raise S2Error(400, f"Unrecognized or unsupported fields: [{', '.join(nested)}]")
    sort = _bulk_sort(params.get("sort"))
    fp = _bulk_fingerprint(query, sort)
    token = params.get("token", "")
    offset = _bulk_offset(token, fp) if token else 0
    order = _bulk_order(corpus, s2_query.match(corpus, s2_query.parse(query)), *sort)
    end = offset + BULK_PAGE_SIZE
    page = [] if empty_page else order[offset:end]
    return S2Answer(
        200,
        {
            "total": len(order),
            "token": bulk_token(end, fp) if end < len(order) else None,
            "data": [project(corpus.papers[i], fields) for i in page],
        },
    )


def handle(
    corpus: Corpus,
    method: str,
    endpoint: str,
    rest: str,
    params: dict[str, str],
    body: bytes,
    empty_page: bool = False,
) -> S2Answer:
    try:
        return _handle(corpus, method, endpoint, rest, params, body, empty_page)
    except S2Error as e:
        return S2Answer(e.status, {"error": e.message})


def _handle(
    corpus: Corpus,
    method: str,
    endpoint: str,
    rest: str,
    params: dict[str, str],
    body: bytes,
    empty_page: bool,
) -> S2Answer:
    if endpoint == "batch":
        if method != "POST":
            raise S2Error(405, "Method Not Allowed")
        fields = parse_fields(params.get("fields"))
        try:
            data = json.loads(body.decode("utf-8")) if body else None
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise S2Error(400, "Request body is not valid JSON") from None
        if not isinstance(data, dict) or "ids" not in data:
            raise S2Error(400, "Missing required field 'ids' in request body")
        ids = data["ids"]
        if not isinstance(ids, list) or not all(isinstance(x, str) for x in ids):
            raise S2Error(400, "'ids' must be a list of strings")
        if len(ids) > 500:
            return S2Answer(400, {"error": "Cannot fetch more than 500 ids"}, len(ids))
        out = []
        for ident in ids:
            p = corpus.resolve_s2(ident)
            out.append(project(p, fields) if p else None)
        return S2Answer(200, out, len(ids))
    if method != "GET":
        raise S2Error(405, "Method Not Allowed")
    if endpoint == "match":
        query = _required(params, "query")
        fields = parse_fields(params.get("fields"))
        found = best_match(corpus, query)
        if found is None:
            raise S2Error(404, "Title match not found")
        p, ratio = found
        item = {"paperId": p.s2_paper_id, "title": p.title, "matchScore": match_score(p, ratio, corpus)}
        for k, v in project(p, fields).items():
            item.setdefault(k, v)
        return S2Answer(200, {"data": [item]})
    if endpoint == "bulk":
        return _bulk(corpus, params, empty_page)
    if endpoint == "search":
        query = _required(params, "query")
        fields = parse_fields(params.get("fields"))
        offset, limit = _int(params, "offset", 0), _int(params, "limit", 10)
        if limit < 1 or limit > 100:
            raise S2Error(400, "Limit must be between 1 and 100")
        if offset < 0 or offset + limit > 1000:
            raise S2Error(400, "offset + limit must be < 1000")
        ranked = _relevance(corpus, query)
        page = [] if empty_page else ranked[offset : offset + limit]
        payload: dict[str, Any] = {"total": len(ranked), "offset": offset}
        if offset + limit < len(ranked):
            payload["next"] = offset + limit
        payload["data"] = [project(corpus.papers[i], fields) for i, _ in page]
        return S2Answer(200, payload)
    if endpoint == "paper":
        fields = parse_fields(params.get("fields"))
        p = corpus.resolve_s2(rest)
        if p is None:
            raise S2Error(404, f"Paper with id {rest} not found")
        return S2Answer(200, project(p, fields))
    raise S2Error(404, "Not Found")
