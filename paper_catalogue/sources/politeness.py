"""Per-API politeness, applied to real network requests only.

The gate sits in a transport adapter *below* requests-cache: a cache hit never reaches the
adapter, so a fully cached run never sleeps. Gates are keyed by API (the base URL prefix from
config), not by host, because both APIs may share a host (the local emulator does).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import requests
from requests.adapters import HTTPAdapter

#: Added to every interval: the server measures arrival times, which jitter by a few ms against
#: our send times. 2% plus 15 ms keeps a "just in time" request from landing just too early.
MARGIN_FRACTION = 0.02
MARGIN_S = 0.015
#: Answers to see before the fastest one is trusted as the network + server time (see Gate.mark_answered).
WARM_UP_ANSWERS = 3


@dataclass
class Gate:
    """Start-to-start spacing for one API; ``exclusive`` also allows only one request in flight.

    arXiv's terms ask for one request every three seconds *and* a single connection at a time;
    S2 asks only for a rate, so its requests may overlap as long as their starts are spaced.
    """

    interval_s: float
    exclusive: bool = False
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _inflight: threading.Lock = field(default_factory=threading.Lock)
    _next_start: float = 0.0
    _fastest: float = float("inf")
    _answers: int = 0
    waited_s: float = 0.0

    @contextmanager
    def slot(self) -> Iterator[None]:
        if self.exclusive:
            self._inflight.acquire()
        try:
            with self._lock:
                now = self.clock()
                wait = self._next_start - now
                if wait > 0:
                    self.waited_s += wait
                    self.sleep(wait)
                    now = self.clock()
                self._next_start = now + self._spacing()
            yield
        finally:
            if self.exclusive:
                self._inflight.release()

    def _spacing(self) -> float:
        return self.interval_s * (1 + MARGIN_FRACTION) + MARGIN_S

    def mark_sent(self) -> float:
        """Space the next start from the moment this request is actually handed to the socket layer.

        The slot was granted a little earlier; a thread that stalls in between (the GIL, a busy
        machine) would otherwise send late and let the next request follow it too closely.
        """
        with self._lock:
            now = self.clock()
            self._next_start = max(self._next_start, now + self._spacing())
            return now

    def mark_answered(self, sent_at: float) -> None:
        """Space the next start from when the server most likely *received* this request.

        A stall can also hit after ``mark_sent`` (inside the HTTP library): the request then reaches
        the server late, and the next one, allowed to start as soon as this one is answered, would
        follow it too closely. The quickest answer seen so far bounds the network and server time,
        so the arrival was no earlier than "answered now, minus that": the next start waits for it.
        Until a few answers have been seen (the first ones also pay for new connections), the
        answer time itself stands in for the arrival.
        """
        with self._lock:
            now = self.clock()
            self._fastest = min(self._fastest, now - sent_at)
            self._answers += 1
            arrival = now - self._fastest if self._answers > WARM_UP_ANSWERS else now
            self._next_start = max(self._next_start, arrival + self._spacing())


def _without_scheme(url: str) -> str:
    return url.split("://", 1)[-1]


class ValidationContext(threading.local):
    """The body check for the request this thread is sending (set by ``session.HttpClient``)."""

    validate: Callable[[requests.Response], None] | None = None


class PoliteAdapter(HTTPAdapter):
    """Waits at the API's gate, sends, and rejects broken 200 bodies before the cache can store them.

    Raising from ``send`` is what keeps a body out of requests-cache: the cache writes only
    responses that ``send`` returned.
    """

    def __init__(
        self,
        gates: dict[str, Gate],
        context: ValidationContext,
        on_network: Callable[[str, int | None, BaseException | None], None],
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.gates = gates  # base URL prefix -> gate
        self.context = context
        self.on_network = on_network

    def _api_for(self, url: str) -> str | None:
        """The gate's prefix for a URL, ignoring the scheme: arXiv redirects http:// to https://, and the
        redirected request must wait at the same gate as the first."""
        bare = _without_scheme(url)
        best = None
        for prefix in self.gates:
            if bare.startswith(_without_scheme(prefix)) and (best is None or len(prefix) > len(best)):
                best = prefix
        return best

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        prefix = self._api_for(request.url or "")
        gate = self.gates.get(prefix) if prefix else None
        if gate is None:
            return super().send(request, **kwargs)
        with gate.slot():
            try:
                sent_at = gate.mark_sent()
                response = super().send(request, **kwargs)
                gate.mark_answered(sent_at)
                if response.status_code == 200:
                    response.content  # read the body inside the slot: one connection at a time  # noqa: B018
            except BaseException as exc:
                self.on_network(prefix or "", None, exc)
                raise
        self.on_network(prefix or "", response.status_code, None)
        validate = self.context.validate
        if response.status_code == 200 and validate is not None:
            validate(response)
        return response
