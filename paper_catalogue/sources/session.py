"""The one HTTP stack every request to both APIs goes through.

Layers, top to bottom::

    HttpClient.get/post_json   retries (tenacity), circuit breaker, stats, API key header
    requests_cache.CachedSession   SQLite cache; only 200s that passed validation are stored
    PoliteAdapter              per-API spacing and body validation, network requests only

Why this order: a cache hit must never wait for politeness, and a body must be validated before
the cache can keep it (a cached truncated feed would be served forever). Stale-on-error is not
switched on globally (requests-cache's ``stale_if_error`` would hide 429s from the retries); the
stages keep the last good record themselves and flag it stale.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable, Mapping
from contextlib import closing
from datetime import timedelta
from pathlib import Path
from typing import Any

import requests
from requests_cache import DEFAULT_IGNORED_PARAMS, CachedSession
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    stop_any,
    wait_exponential_jitter,
)

from paper_catalogue import __version__
from paper_catalogue.config import Settings
from paper_catalogue.errors import Api, FetchError
from paper_catalogue.sources.errors import EmptyPageError, InvalidResponseError
from paper_catalogue.sources.politeness import Gate, PoliteAdapter, ValidationContext
from paper_catalogue.sources.retry_rules import (
    EMPTY_PAGE_ATTEMPTS,
    RATE_LIMIT_PAUSE_MAX_S,
    RATE_LIMIT_TRIP_FACTOR,
    RETRY_STATUSES,
    UNREACHABLE_ATTEMPTS,
    UNREACHABLE_TRIPS,
    UNREACHABLE_WAIT_S,
    ApiStats,
    CircuitOpenError,
    HostPauses,
    HttpStats,
    RetryableStatus,
    RetryBudget,
    StopWhen,
    is_unreachable,
    parse_retry_after,
)
from paper_catalogue.storage import move_aside

log = logging.getLogger(__name__)

API_LABELS = {"arxiv": "arXiv", "s2": "Semantic Scholar"}
#: Next to the HTTP cache: when a host that answered only 429 may be asked again (``retry_rules.HostPauses``).
PAUSES_FILE = "rate_limit_pauses.json"

#: Every spelling of the S2 key header we could ever send. requests-cache redacts only the exact
#: names listed (its default is ``X-API-Key`` only), so all casings go in.
API_KEY_HEADERS = ("X-API-Key", "x-api-key", "X-Api-Key", "X-API-KEY")


def _keep_response(response: requests.Response) -> bool:
    """Cache filter, second line of defence after validation: never store an error body."""
    if response.status_code != 200:
        return False
    body = response.content or b""
    return not (b"<title>Error</title>" in body or body.lstrip().startswith(b'{"error"'))


def cache_damage(path: Path) -> str | None:
    """Why the SQLite file at ``path`` cannot serve as the HTTP cache (random bytes, cut short), or None."""
    if not path.exists():
        return None
    try:
        with closing(sqlite3.connect(path)) as db:
            rows = db.execute("PRAGMA quick_check").fetchall()
    except sqlite3.Error as exc:
        return str(exc)
    problems = [str(row[0]) for row in rows if row and row[0] != "ok"]
    return "; ".join(problems[:3]) if problems else None


def recover_cache(path: Path) -> str | None:
    """A damaged cache is moved aside (kept for inspection) and the run starts an empty one; says so, else None.

    The cache is only a cache: what a run paid for is in the stage stores, so an empty cache costs only the
    requests that are due anyway, and a damaged one left in place would stop every run.
    """
    damage = cache_damage(path)
    if damage is None:
        return None
    kept = move_aside(path, companions=("-wal", "-shm", "-journal"))
    note = (
        f"the HTTP cache {path} was damaged ({damage}); moved it to {kept.name} and started an empty one"
        " (the stage stores in the interim folder keep every record already fetched)"
    )
    log.warning("%s", note)
    return note


def build_cached_session(settings: Settings) -> CachedSession:
    settings.paths.cache.parent.mkdir(parents=True, exist_ok=True)
    return CachedSession(
        str(settings.paths.cache),
        backend="sqlite",
        wal=True,
        allowable_methods=("GET", "HEAD", "POST"),
        allowable_codes=(200,),
        ignored_parameters=[*DEFAULT_IGNORED_PARAMS, *API_KEY_HEADERS],
        expire_after=timedelta(days=settings.arxiv.records_expire_days),
        filter_fn=_keep_response,
        stale_if_error=False,
        # Our expiry is per request; ignore any Cache-Control a server sends.
        cache_control=False,
    )


class _SessionShim:
    """What ``arxiv.Client`` calls (``self._session.get(url, headers=...)``), routed through HttpClient."""

    def __init__(self, client: HttpClient, api: Api, **options: Any) -> None:
        self.client, self.api, self.options = client, api, options

    def get(self, url: str, headers: Mapping[str, str] | None = None, **_: Any) -> requests.Response:
        return self.client.get(self.api, url, **self.options)


class HttpClient:
    """Implements :class:`paper_catalogue.errors.Http` over one cached session."""

    def __init__(self, settings: Settings, session: CachedSession | None = None) -> None:
        self.settings = settings
        #: What the run summary should say about the HTTP layer (a damaged cache moved aside ...).
        self.notes: list[str] = []
        if session is None and (note := recover_cache(settings.paths.cache)):
            self.notes.append(note)
        self.session = session or build_cached_session(settings)
        self.stats = HttpStats()
        self._lock = threading.Lock()
        self._context = ValidationContext()
        s2 = settings.semantic_scholar
        # S2's limit is "1 request per second across all endpoints": the Graph and the Datasets API share a gate.
        self.prefixes: dict[str, Api] = {settings.arxiv.base_url: "arxiv", s2.base_url: "s2", s2.datasets_url: "s2"}
        arxiv_gate = Gate(settings.arxiv.min_interval_s, exclusive=True)
        # One request in flight per API: arrival times at the server then keep the spacing we gave the starts
        # (overlapping requests can arrive out of order or bunched), at little cost: S2 answers well within 1 s.
        s2_gate = Gate(settings.semantic_scholar.min_interval_s, exclusive=True)
        self.stats.gates = {"arxiv": arxiv_gate, "s2": s2_gate}
        adapter = PoliteAdapter(
            {prefix: self.stats.gates[api] for prefix, api in self.prefixes.items()},
            self._context,
            self._on_network,
            pool_maxsize=8,
        )
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        contact = f"; {settings.http.contact}" if settings.http.contact else ""
        self.session.headers["User-Agent"] = f"paper-catalogue/{__version__} (python-requests{contact})"
        self._timeouts = {"arxiv": settings.arxiv.timeout_s, "s2": settings.semantic_scholar.timeout_s}
        #: ``http.retry_budget_s`` is per run and per host: every request to a host draws on the same budget.
        self.budgets = {api: RetryBudget(settings.http.retry_budget_s) for api in ("arxiv", "s2")}
        self.pauses = HostPauses(settings.paths.cache.with_name(PAUSES_FILE))
        for api in ("arxiv", "s2"):
            until = self.pauses.paused_until(api)
            if until is None:
                continue
            stats = self.stats.apis[api]
            stats.circuit_open = True
            stats.paused_until = until.isoformat().replace("+00:00", "Z")
            self.notes.append(
                f"{API_LABELS[api]} answered only 429 (rate limited) in an earlier run: not asked until"
                f" {stats.paused_until} (cached answers are still used; delete {self.pauses.path} to ask it sooner)"
            )

    # ------------------------------------------------------------------ bookkeeping

    def _on_network(self, prefix: str, status: int | None, exc: BaseException | None) -> None:
        api = self.prefixes.get(prefix)
        if api is None:
            return
        with self._lock:
            s = self.stats.apis[api]
            s.network_requests += 1
            if status is not None and status not in RETRY_STATUSES:
                s.ok_answers += 1
            s.statuses[str(status) if status is not None else type(exc).__name__] += 1
            unreachable = is_unreachable(exc)
            s.consecutive_unreachable = s.consecutive_unreachable + 1 if unreachable else 0
            # A 429 burst is weather; hundreds in a row (a revoked key, an exhausted shared pool) is
            # climate: after RATE_LIMIT_TRIP_FACTOR x the breaker limit the host is left alone until next run.
            s.consecutive_rate_limited = s.consecutive_rate_limited + 1 if status == 429 else 0
            if s.consecutive_rate_limited >= RATE_LIMIT_TRIP_FACTOR * self.settings.http.circuit_breaker_failures:
                if not s.circuit_open:
                    log.error(
                        "%s: %d rate-limited answers in a row; leaving it alone for this run",
                        api,
                        s.consecutive_rate_limited,
                    )
                s.circuit_open = True
                s.rate_limit_tripped = True
            if status is None or status >= 500:
                s.consecutive_failures += 1
                limit = self.settings.http.circuit_breaker_failures
                if s.consecutive_failures >= limit or s.consecutive_unreachable >= min(UNREACHABLE_TRIPS, limit):
                    if not s.circuit_open:
                        log.error(
                            "%s: %d failures in a row; treating it as down for this run", api, s.consecutive_failures
                        )
                    s.circuit_open = True
            else:
                s.consecutive_failures = 0

    def _headers(self, api: Api) -> dict[str, str]:
        if api == "s2" and self.settings.s2_api_key:
            # Exactly this spelling: it is the one requests-cache redacts by default too.
            return {"X-API-Key": self.settings.s2_api_key}
        return {}

    # ------------------------------------------------------------------ requests

    def get(
        self,
        api: Api,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        expire_after: timedelta | None = None,
        force_refresh: bool = False,
        validate: Callable[[requests.Response], None] | None = None,
    ) -> requests.Response:
        return self._request(
            api,
            "GET",
            url,
            params=params,
            json=None,
            expire_after=expire_after,
            force_refresh=force_refresh,
            validate=validate,
        )

    def post_json(
        self,
        api: Api,
        url: str,
        body: Any,
        *,
        params: Mapping[str, str] | None = None,
        expire_after: timedelta | None = None,
        force_refresh: bool = False,
        validate: Callable[[requests.Response], None] | None = None,
    ) -> requests.Response:
        return self._request(
            api,
            "POST",
            url,
            params=params,
            json=body,
            expire_after=expire_after,
            force_refresh=force_refresh,
            validate=validate,
        )

    def as_session(
        self,
        api: Api,
        *,
        expire_after: timedelta | None = None,
        force_refresh: bool = False,
        validate: Callable[[requests.Response], None] | None = None,
    ) -> _SessionShim:
        return _SessionShim(self, api, expire_after=expire_after, force_refresh=force_refresh, validate=validate)

    def _request(
        self,
        api: Api,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None,
        json: Any,
        expire_after: timedelta | None,
        force_refresh: bool,
        validate: Callable[[requests.Response], None] | None,
    ) -> requests.Response:
        cfg = self.settings.http
        stats = self.stats.apis[api]
        backoff = wait_exponential_jitter(
            multiplier=cfg.backoff_initial_s, max=cfg.backoff_max_s, jitter=cfg.backoff_initial_s
        )

        def wait(state: RetryCallState) -> float:
            exc = state.outcome.exception() if state.outcome else None
            base = backoff(state)
            if is_unreachable(exc):
                return min(base, UNREACHABLE_WAIT_S)
            if isinstance(exc, RetryableStatus) and exc.response is not None:
                after = parse_retry_after(exc.response.headers.get("Retry-After"))
                if after is not None:
                    return min(max(after, base), cfg.retry_budget_s)
            return base

        def retryable(exc: BaseException) -> bool:
            if isinstance(exc, EmptyPageError):
                return True
            return isinstance(
                exc,
                (
                    RetryableStatus,
                    InvalidResponseError,
                    requests.ConnectionError,
                    requests.Timeout,
                    requests.exceptions.ChunkedEncodingError,
                ),
            )

        empty_pages = 0

        def stop_empty(state: RetryCallState) -> bool:
            return empty_pages >= EMPTY_PAGE_ATTEMPTS

        def stop_unreachable(state: RetryCallState) -> bool:
            exc = state.outcome.exception() if state.outcome else None
            return is_unreachable(exc) and state.attempt_number >= UNREACHABLE_ATTEMPTS

        budget = self.budgets[api]
        budget_stopped = False

        def stop_budget(state: RetryCallState) -> bool:
            nonlocal budget_stopped
            if budget.take(state.upcoming_sleep):
                return False
            budget_stopped = True
            return True

        def before_sleep(state: RetryCallState) -> None:
            with self._lock:
                stats.retries += 1
            exc = state.outcome.exception() if state.outcome else None
            log.info("%s: retrying %s after %s (attempt %d)", api, _safe_url(url), _describe(exc), state.attempt_number)

        retrying = Retrying(
            retry=retry_if_exception(retryable),
            wait=wait,
            stop=stop_any(
                stop_after_attempt(cfg.max_attempts),
                StopWhen(stop_empty),
                StopWhen(stop_unreachable),
                StopWhen(stop_budget),  # last: it reserves the wait, so only when nothing else stops first
            ),
            before_sleep=before_sleep,
            reraise=True,
        )

        def attempt() -> requests.Response:
            nonlocal empty_pages
            if stats.circuit_open:
                cached = self._from_cache_only(method, url, params, json, expire_after, force_refresh)
                if cached is not None:
                    with self._lock:
                        stats.cache_hits += 1
                    return cached
                if stats.paused_until and not stats.network_requests:
                    raise CircuitOpenError(
                        f"{api} answered only 429 in an earlier run; not asked again until {stats.paused_until}"
                    )
                raise CircuitOpenError(f"{api} failed repeatedly in this run")
            self._context.validate = validate
            try:
                response = self.session.request(
                    method,
                    url,
                    params=params,
                    json=json,
                    headers=self._headers(api),
                    timeout=self._timeouts[api],
                    expire_after=expire_after,
                    force_refresh=force_refresh,
                )
            except EmptyPageError:
                empty_pages += 1
                raise
            finally:
                self._context.validate = None
            if getattr(response, "from_cache", False):
                with self._lock:
                    stats.cache_hits += 1
                return response
            if response.status_code in RETRY_STATUSES:
                raise RetryableStatus(response)
            return response

        try:
            return retrying(attempt)
        except CircuitOpenError as exc:
            self._fail(stats)
            raise FetchError(api, "circuit_open", str(exc)) from None
        except RetryableStatus as exc:
            self._fail(stats)
            status = exc.response.status_code if exc.response is not None else None
            if budget_stopped:
                raise FetchError(
                    api,
                    "retry_budget",
                    f"HTTP {status} from {_safe_url(url)}; the retry budget of {budget.seconds:g}s for this host"
                    " in this run is used up",
                    status,
                ) from None
            reason = "rate_limited" if status == 429 else "server_error"
            raise FetchError(api, reason, f"HTTP {status} from {_safe_url(url)}", status) from None
        except EmptyPageError as exc:
            self._fail(stats)
            raise FetchError(api, "empty_page", f"{exc} ({_safe_url(url)})") from None
        except InvalidResponseError as exc:
            self._fail(stats)
            raise FetchError(api, "invalid_body", f"{exc} ({_safe_url(url)})") from None
        except requests.RequestException as exc:
            self._fail(stats)
            raise FetchError(api, "connection", f"{_describe(exc)} ({_safe_url(url)})") from None

    def _fail(self, stats: ApiStats) -> None:
        with self._lock:
            stats.failures += 1

    def _from_cache_only(
        self,
        method: str,
        url: str,
        params: Mapping[str, str] | None,
        json: Any,
        expire_after: timedelta | None,
        force_refresh: bool,
    ) -> requests.Response | None:
        """A fresh cached answer for a host that is down or paused (never for a forced refresh), else None."""
        if force_refresh:
            return None
        response = self.session.request(
            method, url, params=params, json=json, expire_after=expire_after, only_if_cached=True
        )
        return response if getattr(response, "from_cache", False) and response.status_code == 200 else None

    def finish(self) -> list[str]:
        """The notes for the run summary; a host that ended this run answering only 429 is paused for later runs.

        Called once, when the run's requests are over. A host that answered in this run (and did not end it
        refusing us) is no longer paused.
        """
        for api in ("arxiv", "s2"):
            stats, budget = self.stats.apis[api], self.budgets[api]
            refused = stats.rate_limit_tripped or (budget.exhausted and stats.consecutive_rate_limited > 0)
            if refused:
                until = self.pauses.trip(api)
                strikes = self.pauses.entries[api]["strikes"]
                when = until.isoformat().replace("+00:00", "Z")
                stats.paused_until = when
                self.notes.append(
                    f"{API_LABELS[api]} answered only 429 (rate limited): later runs leave it alone until {when}"
                    f" (run {strikes} in a row; the pause doubles each time, at most"
                    f" {RATE_LIMIT_PAUSE_MAX_S / 3600:g} h)"
                )
            elif stats.ok_answers:
                self.pauses.clear(api)
            if budget.exhausted:
                self.notes.append(
                    f"{API_LABELS[api]}: the retry budget of {budget.seconds:g}s for this run was used up;"
                    " later failures were not retried"
                )
        try:
            self.pauses.save()
        except OSError as exc:
            log.warning("could not write %s: %s", self.pauses.path, exc)
        return list(self.notes)

    def close(self) -> None:
        self.session.close()


def _safe_url(url: str) -> str:
    """URLs are logged without query strings: they can be long, and never need to carry secrets."""
    return url.split("?", 1)[0]


def _describe(exc: BaseException | None) -> str:
    if exc is None:
        return "no error"
    if isinstance(exc, RetryableStatus) and exc.response is not None:
        return f"HTTP {exc.response.status_code}"
    return type(exc).__name__


def build_http(settings: Settings) -> HttpClient:
    return HttpClient(settings)


__all__ = ["HttpClient", "build_cached_session", "build_http", "is_unreachable", "parse_retry_after"]
