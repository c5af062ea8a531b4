"""The retry budget is shared by a host's requests in one run; a host that answers only 429 is paused across runs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from paper_catalogue.sources.retry_rules import RATE_LIMIT_PAUSE_MAX_S, RATE_LIMIT_PAUSE_S, HostPauses, RetryBudget


def test_budget_reserves_waits_until_one_no_longer_fits_then_refuses_all() -> None:
    budget = RetryBudget(1.0)
    assert budget.take(0.5) and budget.take(0.5)
    assert not budget.take(0.01) and budget.exhausted
    assert not budget.take(0.0)  # once used up, no request retries any more in this run
    assert RetryBudget(0.0).take(0.1) is False


def test_pauses_double_up_to_the_cap_survive_a_restart_and_ignore_a_damaged_file(tmp_path: Path) -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    path = tmp_path / "pauses.json"
    pauses = HostPauses(path, clock=lambda: now)
    lengths = [(pauses.trip("s2") - now).total_seconds() for _ in range(8)]
    assert lengths[:3] == [RATE_LIMIT_PAUSE_S, 2 * RATE_LIMIT_PAUSE_S, 4 * RATE_LIMIT_PAUSE_S]
    assert max(lengths) == RATE_LIMIT_PAUSE_MAX_S
    pauses.save()
    again = HostPauses(path, clock=lambda: now + timedelta(minutes=1))
    assert again.paused_until("s2") == now + timedelta(seconds=RATE_LIMIT_PAUSE_MAX_S)
    assert again.paused_until("arxiv") is None
    assert HostPauses(path, clock=lambda: now + timedelta(days=1)).paused_until("s2") is None
    path.write_bytes(b"\xff garbage")
    assert HostPauses(path).paused_until("s2") is None
