"""The session stack (cache, politeness, validation, retries) against the loopback emulator.

Counts are read at the emulator: what matters is what reached the server, not what the client believes.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from paper_catalogue.config import Settings, load_settings
from paper_catalogue.errors import FetchError
from paper_catalogue.sources import arxiv_source, s2_source
from paper_catalogue.sources.session import HttpClient
from tests.conftest import config_text

SECRET = "s2-key-NEVER-STORE-5b1c"


@pytest.fixture
def make_http(tmp_path: Path) -> Iterator[Callable[..., HttpClient]]:
    clients: list[HttpClient] = []

    def make(emu: Any, *, extra: str = "", key: str | None = None) -> HttpClient:
        path = tmp_path / "config.toml"
        path.write_text(config_text(emu, extra=extra), encoding="utf-8")
        settings = load_settings(path, env={"S2_API_KEY": key} if key else {})
        client = HttpClient(settings)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


def settings_of(http: HttpClient) -> Settings:
    return http.settings


def test_politeness_holds_under_concurrency_and_cache_hits_never_wait(
    emulator: Any, make_http: Callable[..., HttpClient]
) -> None:
    http = make_http(emulator)
    s = settings_of(http)
    titles = [
        "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding",
        "RoBERTa: A Robustly Optimized BERT Pretraining Approach",
        "XLNet: Generalized Autoregressive Pretraining for Language Understanding",
        "Longformer: The Long-Document Transformer",
        "SpanBERT: Improving Pre-training by Representing and Predicting Spans",
        "TinyBERT: Distilling BERT for Natural Language Understanding",
        "OPT: Open Pre-trained Transformer Language Models",
        "Big Bird: Transformers for Longer Sequences",
    ]

    def work(title: str) -> None:
        assert s2_source.fetch_title_match(http, s, title) is not None
        assert arxiv_source.fetch_title_candidates(http, s, title)

    threads = [threading.Thread(target=work, args=(t,)) for t in titles]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stats = emulator.stats()
    assert stats["arxiv"]["requests"] == len(titles) and stats["s2"]["requests"] == len(titles)
    assert stats["arxiv"]["too_early"] == 0 and stats["s2"]["too_early"] == 0
    assert stats["arxiv"]["concurrent"] == 0

    waited = {api: gate.waited_s for api, gate in http.stats.gates.items()}
    for title in titles:  # all cached now
        work(title)
    assert emulator.stats()["arxiv"]["requests"] == len(titles) and emulator.stats()["s2"]["requests"] == len(titles)
    assert {api: gate.waited_s for api, gate in http.stats.gates.items()} == waited
    assert http.stats.apis["arxiv"].cache_hits == len(titles)


def test_batch_request_counts(emulator: Any, make_http: Callable[..., HttpClient]) -> None:
    http = make_http(emulator)
    s = settings_of(http)
    ids = ["1810.04805", "1907.11692", "1909.11942", "0000.00000"]
    records, missing = arxiv_source.fetch_records(http, s, ids)
    assert set(records) == set(ids) - {"0000.00000"} and missing == ["0000.00000"]
    found = s2_source.fetch_batch(http, s, [f"ARXIV:{i}" for i in ids])
    assert found["ARXIV:0000.00000"] is None and found["ARXIV:1810.04805"] is not None
    stats = emulator.stats()
    assert stats["arxiv"]["by_endpoint"] == {"id_list": 1} and stats["s2"]["by_endpoint"] == {"batch": 1}


@pytest.mark.parametrize("kind", ["429", "503", "truncated", "reset"])
def test_retryable_faults_are_retried_and_never_cached(
    emulator: Any, make_http: Callable[..., HttpClient], kind: str
) -> None:
    http = make_http(emulator)
    s = settings_of(http)
    emulator.inject("arxiv", kind)
    records, _ = arxiv_source.fetch_records(http, s, ["1810.04805"])
    assert "1810.04805" in records
    assert emulator.stats()["arxiv"]["requests"] == 2
    arxiv_source.fetch_records(http, s, ["1810.04805"])  # the good answer was cached, the fault was not
    assert emulator.stats()["arxiv"]["requests"] == 2
    assert http.stats.apis["arxiv"].retries == 1


def test_sporadic_empty_page_is_retried_not_cached(emulator: Any, make_http: Callable[..., HttpClient]) -> None:
    http = make_http(emulator)
    emulator.inject("arxiv", "empty_page")
    records, _ = arxiv_source.fetch_records(http, settings_of(http), ["1810.04805", "1907.11692"])
    assert set(records) == {"1810.04805", "1907.11692"}
    assert emulator.stats()["arxiv"]["requests"] == 2


def test_s2_truncated_json_is_retried(emulator: Any, make_http: Callable[..., HttpClient]) -> None:
    http = make_http(emulator)
    emulator.inject("s2", "truncated")
    found = s2_source.fetch_batch(http, settings_of(http), ["ARXIV:1810.04805"])
    assert found["ARXIV:1810.04805"] is not None
    assert emulator.stats()["s2"]["requests"] == 2


def test_error_feed_and_404_are_not_retried_nor_cached(emulator: Any, make_http: Callable[..., HttpClient]) -> None:
    http = make_http(emulator)
    s = settings_of(http)
    for _ in range(2):
        response = http.get("arxiv", s.arxiv.base_url, params={"id_list": "abc"})
        assert response.status_code == 400
        assert s2_source.fetch_title_match(http, s, "total garbage nonsense qqq zzz") is None
    stats = emulator.stats()
    assert stats["arxiv"]["requests"] == 2 and stats["s2"]["requests"] == 2  # no retries, no cache


def test_retry_after_is_honoured(emulator: Any, make_http: Callable[..., HttpClient]) -> None:
    http = make_http(emulator)
    emulator.inject("s2", "429", retry_after=1)
    start = time.monotonic()
    s2_source.fetch_batch(http, settings_of(http), ["ARXIV:1810.04805"])
    assert time.monotonic() - start >= 1.0  # wall-clock: lower bound (the wait is the behaviour)


def test_budget_exhaustion_reports_the_reason(emulator: Any, tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(config_text(emulator).replace("[http]\n", "[http]\ncircuit_breaker_failures = 100\n"))
    http = HttpClient(load_settings(path, env={}))
    emulator.inject("s2", "503", times=50)
    with pytest.raises(FetchError) as info:
        s2_source.fetch_batch(http, settings_of(http), ["ARXIV:1810.04805"])
    assert info.value.reason == "server_error"
    assert emulator.stats()["s2"]["requests"] == http.settings.http.max_attempts


def test_circuit_breaker_stops_knocking(emulator: Any, tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        config_text(emulator).replace("[http]\n", "[http]\ncircuit_breaker_failures = 3\nmax_attempts = 2\n")
    )
    http = HttpClient(load_settings(path, env={}))
    try:
        emulator.inject("arxiv", "reset", times=10)
        reasons = []
        for arxiv_id in ["1810.04805", "1907.11692", "1909.11942"]:
            with pytest.raises(FetchError) as info:
                arxiv_source.fetch_records(http, http.settings, [arxiv_id])
            reasons.append(info.value.reason)
        assert reasons[0] == "connection" and reasons[-1] == "circuit_open"
        assert emulator.stats()["arxiv"]["requests"] == 3
    finally:
        http.close()


def test_force_refresh_goes_to_the_network(emulator: Any, make_http: Callable[..., HttpClient]) -> None:
    http = make_http(emulator)
    s = settings_of(http)
    s2_source.fetch_batch(http, s, ["ARXIV:1810.04805"])
    s2_source.fetch_batch(http, s, ["ARXIV:1810.04805"])
    assert emulator.stats()["s2"]["requests"] == 1
    s2_source.fetch_batch(http, s, ["ARXIV:1810.04805"], force_refresh=True)
    assert emulator.stats()["s2"]["requests"] == 2


def test_expired_entries_are_refetched(emulator: Any, make_http: Callable[..., HttpClient]) -> None:
    http = make_http(emulator)
    url = f"{settings_of(http).semantic_scholar.base_url}/paper/search/match"
    params = {"query": "BERT pre training", "fields": "title"}
    http.get("s2", url, params=params, expire_after=timedelta(seconds=1))
    http.get("s2", url, params=params, expire_after=timedelta(seconds=1))
    assert emulator.stats()["s2"]["requests"] == 1
    time.sleep(1.1)
    http.get("s2", url, params=params, expire_after=timedelta(seconds=1))
    assert emulator.stats()["s2"]["requests"] == 2


def test_api_key_is_sent_to_s2_only_and_redacted_from_the_cache(
    emulator: Any, make_http: Callable[..., HttpClient]
) -> None:
    http = make_http(emulator, key=SECRET)
    s = settings_of(http)
    s2_source.fetch_batch(http, s, ["ARXIV:1810.04805"])
    s2_source.fetch_title_match(
        http, s, "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding"
    )
    arxiv_source.fetch_records(http, s, ["1810.04805"])
    stats = emulator.stats()
    assert stats["s2"]["requests_with_api_key"] == 2 and stats["arxiv"]["requests_with_api_key"] == 0
    http.close()
    cache = s.paths.cache
    for path in cache.parent.iterdir():
        assert SECRET.encode() not in path.read_bytes(), path
    with sqlite3.connect(cache) as db:
        assert db.execute("select count(*) from responses").fetchone()[0] == 3


def test_a_redirected_request_waits_at_the_same_gate(emulator: Any, make_http: Callable[..., HttpClient]) -> None:
    from paper_catalogue.sources.politeness import PoliteAdapter

    http = make_http(emulator)
    adapter = http.session.get_adapter(emulator.arxiv_url)
    assert isinstance(adapter, PoliteAdapter)
    https_form = emulator.arxiv_url.replace("http://", "https://") + "?id_list=1810.04805"
    assert adapter._api_for(https_form) == http.settings.arxiv.base_url
