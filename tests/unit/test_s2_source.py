"""Semantic Scholar parsing and batching on real recorded responses (vcrpy cassettes, Paper.json)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from paper_catalogue.config import load_settings
from paper_catalogue.errors import FetchError
from paper_catalogue.sources import s2_source
from paper_catalogue.sources.errors import InvalidResponseError
from tests.recorded import RECORDED, FakeHttp, make_response, s2_interactions


@pytest.fixture
def settings(tmp_path: Path) -> Any:
    (tmp_path / "config.toml").write_text("")
    return load_settings(tmp_path / "config.toml", env={})


def recorded_batch() -> tuple[list[str], bytes]:
    (interaction,) = s2_interactions("test_get_papers_not_found_warning.yaml")
    ids = json.loads(interaction["request"]["body"])["ids"]
    return ids, interaction["response"]["body"]["string"].encode()


def test_parse_full_paper() -> None:
    rec = s2_source.parse_paper(json.loads((RECORDED / "s2" / "Paper.json").read_text()))
    assert rec.paper_id == "2d5673caa9e6af3a7b82a43f19ee920992db07ad"
    assert rec.title == "Computing Machinery and Intelligence"
    assert rec.doi == "10.1093/mind/lix.236.433"  # S2 upper-cases DOIs; we keep one spelling
    assert rec.publication_date == "1950-10-01" and rec.year == 1950
    assert rec.citation_count == 10059 and rec.authors == ["A. Turing"]


def test_parse_paper_with_null_values() -> None:
    rec = s2_source.parse_paper(json.loads((RECORDED / "s2" / "PaperWithNullValues.json").read_text()))
    assert rec.title is None and rec.authors == [] and rec.citation_count is None and rec.doi is None


def test_batch_keeps_nulls_in_place_and_matches_by_position(settings: Any) -> None:
    ids, body = recorded_batch()
    # The recording's request order is the order S2 answered in; our client sorts ids, so serve in sorted order.
    answer = dict(zip(ids, json.loads(body), strict=True))
    http = FakeHttp(lambda m, url, p, b: (200, json.dumps([answer[i] for i in b["ids"]]).encode()))
    found = s2_source.fetch_batch(http, settings, ids)
    assert found["CorpusId:211530585"] is None
    assert found["0f40b1f08821e22e859c6050916cec3667778613"].paper_id == "0f40b1f08821e22e859c6050916cec3667778613"
    assert sum(v is not None for v in found.values()) == 3
    ((method, url, params, sent),) = http.calls
    assert method == "POST" and url.endswith("/paper/batch") and sent == {"ids": sorted(ids)}
    assert "citationCount" in params["fields"]


def test_batch_answer_of_the_wrong_length_or_an_error_object_is_invalid() -> None:
    with pytest.raises(InvalidResponseError):
        s2_source.check_batch(make_response(200, b"[null]"), 2)
    with pytest.raises(InvalidResponseError):
        s2_source.check_batch(make_response(200, b'{"error": "Internal"}'), 1)
    with pytest.raises(InvalidResponseError):
        s2_source.check_batch(make_response(200, b'[{"paperId": "ab"'), 1)


def test_more_than_500_ids_is_refused_before_any_request(settings: Any) -> None:
    http = FakeHttp(lambda *a: (200, b"[]"))
    with pytest.raises(ValueError, match="500"):
        s2_source.fetch_batch(http, settings, [f"ARXIV:2101.{i:05d}" for i in range(501)])
    assert http.calls == []


def test_title_match_real_answer_and_404(settings: Any) -> None:
    (interaction,) = s2_interactions("test_search_paper_match_title.yaml")
    body = interaction["response"]["body"]["string"].encode()
    http = FakeHttp(lambda *a: (200, body))
    cand = s2_source.fetch_title_match(http, settings, "mining association rules between")
    assert cand is not None and cand.route == "s2-match"
    assert cand.title == "Mining association rules between sets of items in large databases"
    assert cand.provider_score and cand.provider_score > 1  # unbounded: never used as our score
    missing = FakeHttp(lambda *a: (404, b'{"error": "Title match not found"}'))
    assert s2_source.fetch_title_match(missing, settings, "totalGarbageNonsense") is None


def test_title_match_hyphens_become_spaces(settings: Any) -> None:
    http = FakeHttp(lambda *a: (404, b'{"error": "Title match not found"}'))
    s2_source.fetch_title_match(http, settings, "Semi-supervised Sequence Learning")
    assert http.calls[0][2]["query"] == "Semi supervised Sequence Learning"


def test_a_400_is_a_client_error(settings: Any) -> None:
    http = FakeHttp(lambda *a: (400, b'{"error": "Unrecognized or unsupported fields: [x]"}'))
    with pytest.raises(FetchError) as info:
        s2_source.fetch_search_candidates(http, settings, "anything")
    assert info.value.reason == "client_error"


def test_search_candidates_from_real_search_page(settings: Any) -> None:
    interaction = s2_interactions("test_search_paper.yaml")[0]
    body = interaction["response"]["body"]["string"].encode()
    http = FakeHttp(lambda *a: (200, body))
    cands = s2_source.fetch_search_candidates(http, settings, "turing")
    assert cands and all(c.route == "s2-search" and c.s2_paper_id for c in cands)
