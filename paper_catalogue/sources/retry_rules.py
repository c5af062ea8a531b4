"""When a request is tried again, when a host counts as down, and what the run counts per API.

The rules the HTTP client applies around every network request: which statuses are retryable, how long a
``Retry-After`` asks us to wait, what "unreachable" means (refused, unresolvable, connect timeout: not a busy
host), and the per-API counters the circuit breaker and the run summary read.
"""

from __future__ import annotations

import email.utils
import json
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests
from tenacity import RetryCallState
from tenacity.stop import stop_base
from urllib3.exceptions import NewConnectionError

from paper_catalogue.sources.politeness import Gate
from paper_catalogue.storage import write_json_atomic

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
#: An empty arXiv page is retried a few times only: after that it is more likely a real "no such id".
EMPTY_PAGE_ATTEMPTS = 5
#: A host that refuses connections or whose name does not resolve is not "busy": it is down or we are
#: offline. Such a request is tried twice, one second apart, and three in a row open the circuit, so
#: an offline run gives up within seconds instead of walking the whole backoff ladder.
UNREACHABLE_ATTEMPTS = 2
UNREACHABLE_WAIT_S = 1.0
UNREACHABLE_TRIPS = 3
RATE_LIMIT_TRIP_FACTOR = 5
#: A host that ended a run answering only 429 is left alone by the next runs for this long, doubled after every
#: further run it ends the same way (15 min, 30 min, 1 h … at most 6 h: a daily run is never held back).
RATE_LIMIT_PAUSE_S = 900.0
RATE_LIMIT_PAUSE_MAX_S = 6 * 3600.0


def is_unreachable(exc: BaseException | None) -> bool:
    """Connection refused, DNS failure or connect timeout (not a reset or a slow answer)."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    if not isinstance(exc, requests.ConnectionError):
        return False
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(reason, NewConnectionError) or isinstance(exc.args[0] if exc.args else None, NewConnectionError)


class StopWhen(stop_base):
    """A plain predicate as a tenacity stop condition."""

    def __init__(self, predicate: Callable[[RetryCallState], bool]) -> None:
        self.predicate = predicate

    def __call__(self, retry_state: RetryCallState) -> bool:
        return self.predicate(retry_state)


class RetryableStatus(requests.exceptions.RequestException):
    """A 429/5xx from the network, raised so tenacity sees it."""

    def __init__(self, response: requests.Response) -> None:
        super().__init__(f"HTTP {response.status_code}", response=response)


class CircuitOpenError(Exception):
    """The API failed too often in a row in this run; do not keep knocking."""


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After as seconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


class RetryBudget:
    """The time one host's retries may wait in one run (``http.retry_budget_s``), shared by every request and thread.

    What counts is the backoff before each retry (what tenacity sleeps), reserved before the sleep: once a wait
    no longer fits, that request fails at once and so does every later one that would need a retry.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.spent = 0.0
        self.exhausted = False
        self._lock = threading.Lock()

    def take(self, wait_s: float) -> bool:
        with self._lock:
            if self.exhausted or self.spent + wait_s > self.seconds + 1e-9:
                self.exhausted = True
                return False
            self.spent += wait_s
            return True


class HostPauses:
    """When each host that ended a run answering only 429 may be asked again, kept across runs in a JSON file.

    ``{"s2": {"until": <UTC ISO time>, "strikes": 2, "since": ...}}``; a host that answers again is taken out.
    An unreadable file is a missing one: at worst a paused host is asked once more.
    """

    def __init__(self, path: Path, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.path = path
        self.clock = clock
        self.entries: dict[str, dict[str, Any]] = {}
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        if isinstance(data, dict):
            for api, entry in data.items():
                if isinstance(entry, dict) and self._until(entry) is not None:
                    self.entries[str(api)] = entry

    @staticmethod
    def _until(entry: dict[str, Any]) -> datetime | None:
        try:
            when = datetime.fromisoformat(str(entry["until"]).replace("Z", "+00:00"))
        except (KeyError, ValueError):
            return None
        return when if when.tzinfo else when.replace(tzinfo=UTC)

    def paused_until(self, api: str) -> datetime | None:
        entry = self.entries.get(api)
        until = self._until(entry) if entry else None
        return until if until is not None and until > self.clock() else None

    def trip(self, api: str) -> datetime:
        strikes = int((self.entries.get(api) or {}).get("strikes", 0)) + 1
        pause = min(RATE_LIMIT_PAUSE_S * 2 ** (strikes - 1), RATE_LIMIT_PAUSE_MAX_S)
        now = self.clock()
        until = now + timedelta(seconds=pause)
        self.entries[api] = {"until": _iso(until), "strikes": strikes, "since": _iso(now)}
        return until

    def clear(self, api: str) -> None:
        self.entries.pop(api, None)

    def save(self) -> None:
        if not self.entries and not self.path.exists():
            return
        write_json_atomic(self.path, self.entries)


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@dataclass
class ApiStats:
    network_requests: int = 0
    cache_hits: int = 0
    retries: int = 0
    failures: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    circuit_open: bool = False
    consecutive_failures: int = 0
    consecutive_unreachable: int = 0
    consecutive_rate_limited: int = 0
    #: Set when the host was left alone because it answered only 429 (this run or, with a time, an earlier one).
    rate_limit_tripped: bool = False
    paused_until: str | None = None
    ok_answers: int = 0  # network answers that were not 429/5xx


@dataclass
class HttpStats:
    apis: dict[str, ApiStats] = field(default_factory=lambda: {"arxiv": ApiStats(), "s2": ApiStats()})
    gates: dict[str, Gate] = field(default_factory=dict)

    def as_dict(self) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for api, s in self.apis.items():
            gate = self.gates.get(api)
            out[api] = {
                "network_requests": s.network_requests,
                "cache_hits": s.cache_hits,
                "retries": s.retries,
                "failures": s.failures,
                "circuit_open": s.circuit_open,
                "paused_until": s.paused_until,
                "politeness_wait_s": round(gate.waited_s, 2) if gate else 0.0,
                "statuses": dict(s.statuses),
            }
        return out
