"""Errors and the HTTP interface the sources are written against.

The sources (``arxiv_source``, ``s2_source``) only know this module: they never import
requests-cache or tenacity, so they can be tested with any object that behaves like
:class:`Http`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Literal, Protocol

if TYPE_CHECKING:  # the protocol names requests' Response; only the sources import requests itself
    import requests

Api = Literal["arxiv", "s2"]

#: Why a request finally failed. "no match" is never one of these: a source that could not be
#: asked says so, and the resolver records ``error``, not ``unmatched``.
FAILURE_REASONS = (
    "rate_limited",  # 429 until the request's attempts ran out
    "retry_budget",  # the run's retry budget for the host (http.retry_budget_s) was used up
    "server_error",  # 5xx until the retry budget ran out
    "connection",  # refused, reset, DNS failure, timeout
    "invalid_body",  # truncated or unparseable 200 bodies, retries exhausted
    "empty_page",  # an arXiv page that must not be empty stayed empty
    "circuit_open",  # the host failed repeatedly in this run; not tried again
    "client_error",  # a 4xx other than 429/404 (not retried)
)


class PipelineError(Exception):
    """Base class for errors the CLI reports as a message (no traceback)."""


class FetchError(PipelineError):
    """A request that could not be answered, after the retries that made sense."""

    def __init__(self, api: str, reason: str, message: str, status: int | None = None) -> None:
        super().__init__(f"{api}: {reason}: {message}")
        self.api = api
        self.reason = reason
        self.status = status


class InputError(PipelineError):
    """A reading list or config that cannot be used; the message names the file and line."""


class Http(Protocol):
    """What the sources need from the HTTP layer (implemented by ``session.HttpClient``).

    ``get``/``post_json`` return the response for any status that retrying cannot change
    (2xx, 3xx, 4xx other than 429), and raise :class:`FetchError` once retryable failures
    (429, 5xx, connection errors, :class:`InvalidResponseError`, :class:`EmptyPageError` raised by
    ``validate``) have used up the retry budget. ``validate`` runs on every 200 that came from the
    network, before it is cached; raising from it rejects the body (not cached) and retries.
    """

    def get(
        self,
        api: Api,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        expire_after: timedelta | None = None,
        force_refresh: bool = False,
        validate: Callable[[requests.Response], None] | None = None,
    ) -> requests.Response: ...

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
    ) -> requests.Response: ...

    def as_session(
        self,
        api: Api,
        *,
        expire_after: timedelta | None = None,
        force_refresh: bool = False,
        validate: Callable[[requests.Response], None] | None = None,
    ) -> Any:
        """An object with ``get(url, headers=None, **kw)`` that goes through ``self.get``.

        It is what we hand to ``arxiv.Client`` as its ``_session``, so the arxiv package's
        requests get our cache, politeness, validation and retries.
        """
        ...
