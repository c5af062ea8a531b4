"""Real recorded API responses (tests/fixtures/recorded/, MIT-licensed test data of the arxiv and
semanticscholar projects; provenance in LICENSES.md there) and a fake :class:`paper_catalogue.errors.Http`
that serves them, so parsers are tested on the real wire formats without sockets."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import requests
import yaml  # type: ignore[import-untyped]

from paper_catalogue.errors import FetchError
from paper_catalogue.sources.errors import InvalidResponseError

RECORDED = Path(__file__).parent / "fixtures" / "recorded"


def arxiv_body(prefix: str) -> tuple[int, bytes]:
    path = next((RECORDED / "arxiv").glob(f"{prefix}_*.json"))
    data = json.loads(path.read_text(encoding="utf-8"))
    return data["status_code"], data["body"].encode("utf-8")


def s2_interactions(name: str) -> list[dict[str, Any]]:
    data = yaml.safe_load((RECORDED / "s2" / name).read_text(encoding="utf-8"))
    return data["interactions"]


def make_response(status: int, body: bytes, url: str = "http://recorded.invalid/") -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = body
    response.url = url
    response.headers["Content-Type"] = "application/xml" if body.lstrip().startswith(b"<") else "application/json"
    return response


class FakeHttp:
    """Answers every request with ``responder(method, url, params, body)``; runs ``validate`` like the real client."""

    def __init__(self, responder: Callable[[str, str, Mapping[str, str] | None, Any], tuple[int, bytes]]) -> None:
        self.responder = responder
        self.calls: list[tuple[str, str, Any, Any]] = []

    def _answer(self, method: str, url: str, params: Any, body: Any, validate: Any) -> requests.Response:
        self.calls.append((method, url, params, body))
        status, content = self.responder(method, url, params, body)
        response = make_response(status, content, url)
        if status == 200 and validate is not None:
            try:
                validate(response)
            except InvalidResponseError as exc:
                raise FetchError("fake", "invalid_body", str(exc)) from None
            except requests.RequestException as exc:  # EmptyPageError
                raise FetchError("fake", "empty_page", str(exc)) from None
        return response

    def get(
        self,
        api: str,
        url: str,
        *,
        params: Any = None,
        expire_after: Any = None,
        force_refresh: bool = False,
        validate: Any = None,
    ) -> requests.Response:
        return self._answer("GET", url, params, None, validate)

    def post_json(
        self,
        api: str,
        url: str,
        body: Any,
        *,
        params: Any = None,
        expire_after: Any = None,
        force_refresh: bool = False,
        validate: Any = None,
    ) -> requests.Response:
        return self._answer("POST", url, params, body, validate)

    def as_session(
        self, api: str, *, expire_after: Any = None, force_refresh: bool = False, validate: Any = None
    ) -> Any:
        fake = self

        class Shim:
            def get(self, url: str, headers: Any = None, **_: Any) -> requests.Response:
                return fake._answer("GET", url, None, None, validate)

        return Shim()
