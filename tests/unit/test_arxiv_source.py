"""arXiv parsing and batching on real recorded 2026 responses."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from paper_catalogue.config import load_settings
from paper_catalogue.errors import FetchError
from paper_catalogue.sources import arxiv_source
from paper_catalogue.sources.errors import EmptyPageError, InvalidResponseError
from tests.recorded import FakeHttp, arxiv_body, make_response


@pytest.fixture
def settings(tmp_path: Path) -> Any:
    (tmp_path / "config.toml").write_text("[arxiv]\nbase_url = 'https://export.arxiv.org/api/query'\n")
    return load_settings(tmp_path / "config.toml", env={})


def serve_by_id_list(url: str) -> tuple[int, bytes]:
    ids = parse_qs(urlsplit(url).query)["id_list"][0]
    prefix = "id_" + ids.replace(",", "_").replace("/", "_")
    return arxiv_body(prefix)


def test_record_from_real_feed(settings: Any) -> None:
    http = FakeHttp(lambda m, url, p, b: serve_by_id_list(url))
    records, missing = arxiv_source.fetch_records(http, settings, ["1605.08386"])
    assert missing == []
    rec = records["1605.08386"]
    assert rec.version == 1
    assert rec.title.startswith("Heat-bath random walks with Markov bases")
    assert rec.published.tzinfo is not None and rec.published.utcoffset() == UTC.utcoffset(None)
    assert rec.updated >= rec.published
    assert rec.pdf_url is not None and rec.pdf_url.startswith("https://arxiv.org/pdf/1605.08386")
    assert rec.abs_url == "https://arxiv.org/abs/1605.08386v1"
    assert rec.primary_category and rec.primary_category in rec.categories
    assert rec.authors and all(isinstance(a, str) and a for a in rec.authors)
    # One request, id_list set, max_results matching the batch size.
    ((_, url, _, _),) = http.calls
    query = parse_qs(urlsplit(url).query)
    assert query["id_list"] == ["1605.08386"] and query["max_results"] == ["1"]


def test_old_style_id_and_unknown_id_in_a_mixed_batch(settings: Any) -> None:
    http = FakeHttp(lambda m, url, p, b: serve_by_id_list(url))
    records, _ = arxiv_source.fetch_records(http, settings, ["astro-ph/0601001"])
    assert list(records) == ["astro-ph/0601001"]
    records, missing = arxiv_source.fetch_records(http, settings, ["1707.08567", "0808.05394"])
    assert list(records) == ["1707.08567"] and missing == ["0808.05394"]


def test_batch_ids_are_sorted_so_the_cache_key_is_stable(settings: Any) -> None:
    http = FakeHttp(lambda m, url, p, b: serve_by_id_list(url))
    arxiv_source.fetch_records(http, settings, ["1707.08567", "0808.05394"])
    arxiv_source.fetch_records(http, settings, ["0808.05394", "1707.08567", "1707.08567"])
    assert http.calls[0][1] == http.calls[1][1]


def test_an_all_unknown_batch_is_treated_as_a_suspect_empty_page(settings: Any) -> None:
    status, body = arxiv_body("id_0808.05394_s0")
    with pytest.raises(EmptyPageError):
        arxiv_source.check_feed(make_response(status, body), expect_entries=True)
    arxiv_source.check_feed(make_response(status, body), expect_entries=False)  # a search may find nothing


def test_malformed_id_gives_a_client_error_not_a_retry(settings: Any) -> None:
    status, body = arxiv_body("id_abc")
    assert status == 400
    with pytest.raises(InvalidResponseError, match="incorrect id format"):
        arxiv_source.check_feed(make_response(200, body), expect_entries=False)
    http = FakeHttp(lambda m, url, p, b: (status, body))
    with pytest.raises(FetchError) as info:
        arxiv_source.fetch_title_candidates(http, settings, "anything at all")
    assert info.value.reason == "client_error" and info.value.status == 400


def test_truncated_feed_is_rejected(settings: Any) -> None:
    _, body = arxiv_body("id_1605.08386")
    with pytest.raises(InvalidResponseError, match="well-formed"):
        arxiv_source.check_feed(make_response(200, body[: len(body) // 2]), expect_entries=True)


def test_empty_page_with_results_left_is_rejected() -> None:
    _, body = arxiv_body("q_testing_s10_m10")
    text = body.decode()
    head, _, _ = text.partition("<entry>")
    empty = (head + "</feed>").encode()
    with pytest.raises(EmptyPageError):
        arxiv_source.check_feed(make_response(200, empty), expect_entries=False)
    arxiv_source.check_feed(make_response(200, body), expect_entries=False)


def test_pdf_link_falls_back_to_href_when_its_title_vanished(settings: Any) -> None:
    _, body = arxiv_body("id_1605.08386")
    stripped = body.replace(b' title="pdf"', b"")
    assert stripped != body
    http = FakeHttp(lambda m, url, p, b: (200, stripped))
    records, _ = arxiv_source.fetch_records(http, settings, ["1605.08386"])
    assert records["1605.08386"].pdf_url.startswith("https://arxiv.org/pdf/1605.08386")


def test_title_zero_is_a_title(settings: Any) -> None:
    http = FakeHttp(lambda m, url, p, b: arxiv_body("id_2104.12255v1"))
    records, _ = arxiv_source.fetch_records(http, settings, ["2104.12255"])
    assert records["2104.12255"].title == "0"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1810.04805", ("1810.04805", None)),
        ("arXiv:1810.04805v2", ("1810.04805", 2)),
        ("https://arxiv.org/abs/2101.00001v3", ("2101.00001", 3)),
        ("http://arxiv.org/abs/hep-th/9901001v1", ("hep-th/9901001", 1)),
        ("math.CA/0611800v2", ("math/0611800", 2)),
        ("https://arxiv.org/pdf/1706.03762.pdf", ("1706.03762", None)),
        ("abc", None),
        ("0112019", None),
    ],
)
def test_parse_arxiv_id(text: str, expected: Any) -> None:
    assert arxiv_source.parse_arxiv_id(text) == expected


def test_title_query_is_a_quoted_phrase_that_cannot_break_the_syntax() -> None:
    assert arxiv_source.title_query('ZEN: Pre-training Chinese (Z) "Text"') == 'ti:"zen pre training chinese z text"'


def test_feed_with_external_entities_is_refused_before_the_arxiv_parser_sees_it() -> None:
    evil = (
        b'<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>&x;</title></entry></feed>'
    )
    with pytest.raises(InvalidResponseError, match="entities"):
        arxiv_source.check_feed(make_response(200, evil), expect_entries=False)
