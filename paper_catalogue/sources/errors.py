"""What a broken answer raises inside the HTTP stack: retryable, never cached, never shown as "no match".

They subclass requests' own exception so that the retry policy treats them like a dropped connection.
"""

from __future__ import annotations

import requests


class InvalidResponseError(requests.exceptions.RequestException):
    """A 200 whose body is broken (truncated XML/JSON, S2's ``{"error": ...}``). Retryable, never cached."""


class EmptyPageError(requests.exceptions.RequestException):
    """An arXiv feed with no entries where entries were expected (sporadic empty page). Retryable."""
