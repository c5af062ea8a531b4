"""What the resolver sends to the search engines for a line of a reading list (no sockets: a fake HTTP client)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from paper_catalogue.config import load_settings
from paper_catalogue.matching.similarity import normalise_title
from paper_catalogue.models import Occurrence, TitleRecord
from paper_catalogue.stages.resolve import resolve_title
from tests.recorded import FakeHttp, arxiv_body

REFERENCE = (
    "Vaswani A, Shazeer N, Parmar N, et al. Attention is all you need[J]. Advances in neural information"
    " processing systems, 2017, 30"
)


@pytest.fixture
def settings(tmp_path: Path) -> Any:
    (tmp_path / "config.toml").write_text("[arxiv]\nbase_url = 'https://export.arxiv.org/api/query'\n")
    return load_settings(tmp_path / "config.toml", env={})


def _nothing_found(method: str, url: str, params: Any, body: Any) -> tuple[int, bytes]:
    if "search/match" in url:
        return 404, b'{"error": "Title match not found"}'
    if "/paper/search" in url:
        return 200, b'{"total": 0, "offset": 0, "data": []}'
    return arxiv_body("id_0808.05394")  # a real feed with no entries


def test_a_pasted_reference_is_searched_by_its_title_and_scored_as_written(settings: Any) -> None:
    http = FakeHttp(_nothing_found)
    occurrence = Occurrence("list.md", 1, None, REFERENCE, None, None, None, None)
    record = TitleRecord(norm=normalise_title(REFERENCE), title=REFERENCE, occurrences=[occurrence])
    resolution = resolve_title(http, settings, record, now="2026-01-01T00:00:00Z")
    assert resolution.status == "unmatched"  # nothing found is an answer, not an error

    s2_queries = [params["query"] for _, url, params, _ in http.calls if "semanticscholar" in url or "paper/" in url]
    arxiv_queries = [parse_qs(urlsplit(url).query)["search_query"][0] for _, url, _, _ in http.calls if "arxiv" in url]
    assert s2_queries and all(q == "Attention is all you need" for q in s2_queries), s2_queries
    assert arxiv_queries == ['ti:"attention is all you need"']
