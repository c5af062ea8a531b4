"""Identifiers written in a reading-list line: arXiv ids, DOIs and Semantic Scholar paper ids. Pure.

Only from forms that name a paper (``arXiv:``, arxiv.org, doi.org, a bare ``10.x/...``, semanticscholar.org/paper),
never from github/zhihu/weixin URLs; a line that gives only an identifier is still an entry (``identifier_title``).
"""

from __future__ import annotations

import re

URL_RE = re.compile(r"(?:https?://|www\.)[^\s<>()\[\]（）]+", re.IGNORECASE)
_ARXIV_URL_RE = re.compile(
    r"arxiv\.org/(?:abs|pdf|html)/((?:\d{4}\.\d{4,5})|(?:[a-z\-]+(?:\.[A-Z]{2})?/\d{7}))(?:v\d+)?",
    re.IGNORECASE,
)
_ARXIV_PREFIX_RE = re.compile(
    r"\barxiv\s*:\s*((?:\d{4}\.\d{4,5})|(?:[a-z\-]+(?:\.[A-Z]{2})?/\d{7}))(?:v\d+)?", re.IGNORECASE
)
_DOI_RE = re.compile(r"\b(10\.\d{4,9}/[^\s\"<>|]+)", re.IGNORECASE)
_DOI_PREFIX_RE = re.compile(r"\bdoi\s*:\s*(10\.\d{4,9}/[^\s\"<>|]+)", re.IGNORECASE)
_ARXIV_DOI_RE = re.compile(r"^10\.48550/arxiv\.(.+)$", re.IGNORECASE)
_S2_URL_RE = re.compile(r"semanticscholar\.org/paper/(?:[^\s/?#]+/)?([0-9a-f]{40})(?![0-9a-z])", re.IGNORECASE)
ARXIV_BARE_RE = re.compile(r"^((?:\d{4}\.\d{4,5})|(?:[a-z\-]+(?:\.[A-Z]{2})?/\d{7}))(?:v\d+)?$", re.IGNORECASE)
_ID_TOKEN_RE = re.compile(r"\b(?:arxiv|doi)\s*:\s*\S+", re.IGNORECASE)


def normalise_arxiv(ident: str) -> str:
    return re.sub(r"v\d+$", "", ident.strip().rstrip(".,;)"))


def extract_identifiers(text: str) -> tuple[str | None, str | None]:
    """(arxiv_id without version, doi) written in ``text``; github/zhihu/... URLs are ignored."""
    arxiv: str | None = None
    doi: str | None = None
    m = _ARXIV_URL_RE.search(text) or _ARXIV_PREFIX_RE.search(text)
    if m:
        arxiv = normalise_arxiv(m.group(1))
    # DOIs: from doi.org URLs, "doi:" tokens, or bare 10.x/... outside any other URL.
    for url in URL_RE.findall(text):
        dm = re.search(r"doi\.org/(10\.\d{4,9}/\S+)", url, re.IGNORECASE)
        if dm:
            doi = dm.group(1)
            break
    if doi is None:
        dm = _DOI_PREFIX_RE.search(text) or _DOI_RE.search(URL_RE.sub(" ", text))
        if dm:
            doi = dm.group(1)
    if doi is not None:
        doi = doi.rstrip(".,;)]》").lower()
        am = _ARXIV_DOI_RE.match(doi)
        if am and arxiv is None:
            arxiv = normalise_arxiv(am.group(1))
    return arxiv, doi


def identifier_title(ids: tuple[str | None, str | None], s2_paper_id: str | None) -> str:
    """What stands for the title of a line that gives only an identifier (``https://arxiv.org/abs/2303.08774``).

    The line names its paper exactly, so it is an entry; the identifier is its written title (unique,
    so two such lines never merge by title) until arXiv / Semantic Scholar supply the real one.
    """
    arxiv_id, doi = ids
    if arxiv_id:
        return f"arXiv:{arxiv_id}"
    if doi:
        return f"doi:{doi}"
    return f"Semantic Scholar paper {s2_paper_id}" if s2_paper_id else ""


def extract_s2_id(text: str) -> str | None:
    """A Semantic Scholar paper id (40 hex digits, lower case) from a semanticscholar.org/paper URL."""
    m = _S2_URL_RE.search(text)
    return m.group(1).lower() if m else None


def remove_identifiers(text: str) -> str:
    text = URL_RE.sub(" ", text)
    text = _ID_TOKEN_RE.sub(" ", text)
    text = _DOI_RE.sub(" ", text)
    text = re.sub(r"\(\s*\)|\[\s*\]|（\s*）", " ", text)
    return text
