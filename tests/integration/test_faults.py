"""Fault suite: the APIs as they really misbehave (api-facts §1.9, §2.8-2.9, §5), against the emulator.

Every scenario asserts on what reached the emulator, on the catalogue, and on the HTTP cache's contents.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from requests_cache import CachedSession

from paper_catalogue.errors import PipelineError
from paper_catalogue.outputs.catalogue import load_catalogue
from paper_catalogue.outputs.history import load_history
from paper_catalogue.sources import arxiv_source, s2_source
from tests.conftest import ROOT
from tests.integration.test_pipeline_e2e import SEED_PAPERS

Run = Callable[..., tuple[int, str]]
SECRET = "s2-key-FAULTS-never-leak-77e1"


def queue_fault_mix(emulator: Any, seed: int, slots: int = 400) -> dict[str, int]:
    """Queue a random mix per API: 20 % 5xx, 10 % dropped connections, 30 % empty arXiv pages,
    20 % truncated 200s, and bursts of 429; the rest answered normally ("slow" with no delay)."""
    rng = random.Random(seed)
    counts: dict[str, int] = {}
    for api in ("arxiv", "s2"):
        remaining = slots
        while remaining > 0:
            roll = rng.random()
            if roll < 0.05:  # a 429 burst
                burst = rng.randint(2, 4)
                for _ in range(burst):
                    emulator.inject(api, "429")
                counts["429"] = counts.get("429", 0) + burst
                remaining -= burst
                continue
            if roll < 0.25:
                kind = rng.choice(["500", "502", "503"])
            elif roll < 0.35:
                kind = "reset"
            elif roll < 0.55:
                kind = "truncated"
            elif roll < 0.85 and api == "arxiv":
                kind = "empty_page"
            else:
                kind = "slow"
            emulator.inject(api, kind, delay_s=0.0)
            counts[kind] = counts.get(kind, 0) + 1
            remaining -= 1
    return counts


def assert_cache_holds_only_good_answers(cache: Path) -> int:
    """Every stored response must be one our validators accept: no error feeds, empty pages, truncated bodies."""
    session = CachedSession(str(cache), backend="sqlite")
    checked = 0
    try:
        for response in session.cache.filter(valid=True, expired=True):
            assert response.status_code == 200
            if "/api/query" in response.url:
                arxiv_source.check_feed(
                    response, expect_entries="id_list=" in response.url and "id_list=&" not in response.url
                )
            elif "/paper/batch" in response.url:
                assert isinstance(json.loads(response.content), list)
            else:
                s2_source.check_object(response)
            checked += 1
    finally:
        session.close()
    return checked


@pytest.mark.parametrize("batch", [False, True], ids=["per-title", "batched"])
@pytest.mark.parametrize("seed", [1, 2])
def test_fault_mix_completes_within_one_rerun_and_caches_nothing_bad(
    emulator: Any, make_settings: Callable[..., Path], run_cli: Run, seed: int, batch: bool
) -> None:
    config = make_settings(emulator, extra="" if batch else "[batch]\nenabled = false\n")
    counts = queue_fault_mix(emulator, seed)
    code, out = run_cli("enrich", "--config", str(config), "-q")
    if code != 0:
        code, out = run_cli("enrich", "--config", str(config), "-q")
    assert code == 0, out
    stats = emulator.stats()
    assert stats["arxiv"]["too_early"] == 0 and stats["s2"]["too_early"] == 0, stats
    assert stats["arxiv"]["concurrent"] == 0
    faults_served = sum(int(n) for api in stats.values() for s, n in api["by_status"].items() if s != "200")
    # Batched, the whole run is about a dozen requests (the per-title path: about a hundred), every one of
    # them first in line for the queued faults.
    assert faults_served >= (2 if batch else 11), (counts, stats)

    frame = load_catalogue(config.parent / "enriched")
    assert frame is not None
    assert set(frame.arxiv_id.dropna()) == SEED_PAPERS
    assert (frame.match_status == "matched").all()  # a 429/5xx never became "no match"
    assert frame.citation_count.notna().all() and frame.published.notna().all()
    assert assert_cache_holds_only_good_answers(config.parent / "cache" / "http.sqlite") >= (5 if batch else 41)


def test_rate_limits_are_errors_never_no_match(emulator: Any, make_settings: Callable[..., Path], run_cli: Run) -> None:
    config = make_settings(emulator)
    emulator.inject("s2", "429", times=100_000)
    emulator.inject("arxiv", "503", times=100_000)
    code, out = run_cli("enrich", "--config", str(config), "-q")
    assert code == 1
    resolved = json.loads((config.parent / "interim" / "resolved.json").read_text())
    statuses = {r["status"] for r in resolved["resolutions"].values()}
    assert statuses == {"error"}, statuses
    assert "rate_limited" in out or "circuit_open" in out or "server_error" in out
    emulator.clear_faults()
    # S2 answered only 429: it is paused across runs (tests/integration/test_damaged_state.py); once the pause is
    # over (rewound here), the errors are retried by the next run.
    pauses = config.parent / "cache" / "rate_limit_pauses.json"
    assert set(json.loads(pauses.read_text())) == {"s2"}
    pauses.write_text(json.dumps({"s2": {"until": "2000-01-01T00:00:00Z", "strikes": 1}}))
    code, out = run_cli("enrich", "--config", str(config), "-q")
    assert code == 0, out


@pytest.mark.timeout(300)  # the 150 s bound below is the assertion; pytest's 120 s default would pre-empt it
def test_offline_gives_up_fast_keeps_catalogue_and_serves_cache(
    emulator: Any, make_settings: Callable[..., Path], run_cli: Run, tmp_path: Path
) -> None:
    config = make_settings(emulator)
    code, out = run_cli("enrich", "--config", str(config), "-q")
    assert code == 0, out
    enriched = config.parent / "enriched"
    before = load_catalogue(enriched)
    history_before = (enriched / "citations_history.parquet").read_bytes()
    # Go offline, with the real (slow) backoff settings, a new title to resolve and expired S2 records.
    text = config.read_text()
    text = text.replace(emulator.arxiv_url, "http://127.0.0.1:9/api/query")
    text = text.replace(emulator.s2_url, "http://nonexistent.invalid/graph/v1")
    # A host that is not loopback gets S2's published interval (shorter ones are refused for real hosts).
    text = text.replace(f"min_interval_s = {emulator.intervals['s2']}\n", "min_interval_s = 1.0\n")
    text = (
        text.replace("backoff_initial_s = 0.01", "backoff_initial_s = 1.0")
        .replace("backoff_max_s = 0.2", "backoff_max_s = 60.0")
        .replace("retry_budget_s = 20.0", "retry_budget_s = 300.0")
    )
    text = text.replace("[semantic_scholar]\n", "[semantic_scholar]\nrecords_expire_hours = 0.0\n")
    config.write_text(text)
    (config.parent / "raw" / "new.md").write_text("- A Title Added While Offline For Testing\n", encoding="utf-8")

    start = time.monotonic()
    code, out = run_cli("enrich", "--config", str(config), "-q")
    elapsed = time.monotonic() - start
    assert code == 1, out
    # The run must end because the circuit breaker opened, not because the 300 s retry budget ran out:
    # half the budget is the generous bound that tells the two apart.
    assert elapsed < 150, elapsed  # wall-clock: termination bound (the breaker is the behaviour)
    assert "INCOMPLETE" in out and "host marked down" in out
    after = load_catalogue(enriched)
    assert after is not None and before is not None
    known = after[after.arxiv_id.notna()]
    assert len(known) == len(before) and known.stale.all()
    cols = ["key", "title", "arxiv_id", "citation_count", "published", "authors"]
    pd.testing.assert_frame_equal(before[cols].reset_index(drop=True), known[cols].reset_index(drop=True))
    new = after[after.entry_title == "A Title Added While Offline For Testing"]
    assert list(new.match_status) == ["error"]
    assert (enriched / "citations_history.parquet").read_bytes() == history_before


def _spawn(config: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "paper_catalogue", "enrich", "--config", str(config), "-q"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


@pytest.mark.parametrize("kill_after_s", [0.4, 1.2, 2.5])
def test_killed_run_leaves_readable_outputs_and_the_next_run_finishes(
    emulator: Any, make_settings: Callable[..., Path], run_cli: Run, kill_after_s: float
) -> None:
    config = make_settings(emulator)
    code, out = run_cli("enrich", "--config", str(config), "-q")  # a previous good catalogue
    assert code == 0, out
    # Slow answers and fresh work: more titles, every record expired.
    (config.parent / "raw" / "extra.md").write_text(
        "\n".join(f"- Distinct Fixture Paper Title Number {i} About Transformers" for i in range(30)), encoding="utf-8"
    )
    config.write_text(
        config.read_text().replace("[semantic_scholar]\n", "[semantic_scholar]\nrecords_expire_hours = 0.0\n")
    )
    emulator.inject("s2", "slow", times=200, delay_s=0.02)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = _spawn(config, env)
    time.sleep(kill_after_s)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)

    enriched = config.parent / "enriched"
    assert load_catalogue(enriched) is not None
    assert load_history(enriched) is not None
    with sqlite3.connect(config.parent / "cache" / "http.sqlite") as db:
        assert db.execute("pragma integrity_check").fetchone()[0] == "ok"
    for path in (config.parent / "interim").glob("*.json"):
        json.loads(path.read_text())  # never half-written
    emulator.clear_faults()
    code, out = run_cli("enrich", "--config", str(config), "-q")  # the lock died with the process
    assert code == 0, out
    frame = load_catalogue(enriched)
    assert frame is not None and set(SEED_PAPERS) <= set(frame.arxiv_id.dropna())


@pytest.mark.parametrize(
    ("name", "content", "expect"),
    [
        ("binary.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), "binary"),
        ("latin.md", "- Caf\xe9 au lait: A Study of Milk\n".encode("latin-1"), "latin.md:1"),
        ("table.md", "| a | b |\n|---|---|\n| 《Fine Title Here》 | x |\n".encode(), None),
    ],
)
def test_bad_input_is_named_and_loses_nothing(
    emulator: Any, make_settings: Callable[..., Path], run_cli: Run, name: str, content: bytes, expect: str | None
) -> None:
    config = make_settings(emulator)
    code, out = run_cli("enrich", "--config", str(config), "-q")
    assert code == 0, out
    enriched = config.parent / "enriched"
    before = (enriched / "catalogue.parquet").read_bytes()
    (config.parent / "raw" / name).write_bytes(content)
    emulator.reset_stats()
    code, out = run_cli("enrich", "--config", str(config), "-q")
    if expect is None:
        assert code == 0, out
        return
    assert code == 2, out
    assert name in out and expect in out
    assert "Traceback" not in out
    assert (enriched / "catalogue.parquet").read_bytes() == before
    assert emulator.stats()["s2"]["requests"] == 0  # stopped before any network request


def test_bad_config_is_named(tmp_path: Path, run_cli: Run) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[arxiv]\nmin_interval_s = 'three'\n")
    code, out = run_cli("enrich", "--config", str(path))
    assert code == 2 and "config.toml:2" in out and "min_interval_s" in out
    path.write_text("[arxiv]\nmin_intervall_s = 3.0\n")
    code, out = run_cli("enrich", "--config", str(path))
    assert code == 2 and "unknown key 'min_intervall_s'" in out


def test_secret_never_leaks_even_when_things_fail(
    emulator: Any, make_settings: Callable[..., Path], run_cli: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("S2_API_KEY", SECRET)
    config = make_settings(emulator)
    emulator.inject("s2", "503", times=30)
    emulator.inject("s2", "reset", times=5)
    code, out = run_cli("enrich", "--config", str(config), "-v", "--log-json")
    code2, out2 = run_cli("enrich", "--config", str(config), "-v")
    assert SECRET not in out and SECRET not in out2
    assert emulator.stats()["s2"]["requests_with_api_key"] > 0
    for path in config.parent.rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path


def test_untrusted_titles_are_data_in_the_csv(tmp_path: Path) -> None:
    from paper_catalogue.outputs.catalogue import to_csv_frame, to_frame

    frame = to_frame(
        [
            {
                "key": "k",
                "title": '=HYPERLINK("http://evil")',
                "entry_title": "+1",
                "authors": ["@x"],
                "match_status": "matched",
                "data_origin": "fixture",
            }
        ]
    )
    csv = to_csv_frame(frame)
    assert csv.loc[0, "title"].startswith("'=") and csv.loc[0, "entry_title"].startswith("'+")
    assert csv.loc[0, "authors"].startswith("'@")


def test_pipeline_error_is_the_base_of_input_errors() -> None:
    from paper_catalogue.errors import InputError

    assert issubclass(InputError, PipelineError)
