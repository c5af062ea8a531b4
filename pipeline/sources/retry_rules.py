"""When a request is tried again, when a host counts as down, and what the run counts per API.

The rules the HTTP client applies around every network request: which statuses are retryable, how long a
``Retry-After`` asks us to wait, what "unreachable" means (refused, unresolvable, connect timeout: not a busy
host), and the per-API counters the circuit breaker and the run summary read.
"""

from __future__ import annotations

import email.utils
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import requests
from tenacity import RetryCallState
from tenacity.stop import stop_base
from urllib3.exceptions import NewConnectionError

from pipeline.sources.politeness import Gate

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
                "politeness_wait_s": round(gate.waited_s, 2) if gate else 0.0,
                "statuses": dict(s.statuses),
            }
        return out
