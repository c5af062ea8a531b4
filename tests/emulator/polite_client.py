"""A plain HTTP client for the emulator tests that paces itself just over the emulator's own intervals."""

from __future__ import annotations

import time
from typing import Any

import requests

from paper_catalogue_emulator import Emulator


class Client:
    """Paces requests per API (just over the emulator's interval): polite unless a test means not to be."""

    def __init__(self, emu: Emulator) -> None:
        self.emu = emu
        self.session = requests.Session()
        self.last: dict[str, float] = {}

    def _pace(self, api: str) -> None:
        gap = self.emu.intervals[api] + 0.03
        if api in self.last:
            wait = self.last[api] + gap - time.monotonic()
            if wait > 0:
                time.sleep(wait)
        self.last[api] = time.monotonic()

    def arxiv(self, method: str = "GET", **params: Any) -> requests.Response:
        self._pace("arxiv")
        if method == "POST":
            return self.session.post(self.emu.arxiv_url, data=params)
        return self.session.get(self.emu.arxiv_url, params=params)

    def bulk(self, **params: Any) -> requests.Response:
        self._pace("s2")
        return self.session.get(self.emu.s2_url + "/paper/search/bulk", params=params)

    def s2(
        self,
        path: str,
        method: str = "GET",
        json_body: Any = None,
        data: bytes | None = None,
        headers: dict[str, str] | None = None,
        **params: Any,
    ) -> requests.Response:
        self._pace("s2")
        url = self.emu.s2_url + path
        if method == "POST":
            return self.session.post(url, params=params, json=json_body, data=data, headers=headers)
        return self.session.get(url, params=params, headers=headers)
