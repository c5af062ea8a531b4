"""One loopback ThreadingHTTPServer speaking both APIs, with politeness enforcement, stats and faults."""

from __future__ import annotations

import contextlib
import json
import socket
import struct
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from paper_catalogue_emulator import arxiv_api, s2_api
from paper_catalogue_emulator.growth import advance_epoch, grown_corpus
from paper_catalogue_emulator.papers import Corpus, load_seed_corpus

APIS = ("arxiv", "s2")
FAULT_KINDS = ("429", "503", "500", "502", "reset", "truncated", "empty_page", "slow", "s2_error_body")
ARXIV_PATH = "/api/query"
S2_PREFIX = "/graph/v1"
TOLERANCE_S = 0.002

_REASONS = {
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


def _new_api_stats() -> dict[str, Any]:
    return {
        "requests": 0,
        "too_early": 0,
        "concurrent": 0,
        "by_endpoint": {},
        "by_status": {},
        "requests_with_api_key": 0,
        "ids_requested": 0,
    }


class _State:
    """Everything shared between handler threads (guarded by one lock)."""

    def __init__(self, corpus: Corpus, intervals: dict[str, float], tolerance_s: float = TOLERANCE_S) -> None:
        self.corpus = corpus
        self.intervals = intervals
        self.tolerance_s = tolerance_s
        self.lock = threading.Lock()
        self.stats = {api: _new_api_stats() for api in APIS}
        self.last_start: dict[str, float | None] = {api: None for api in APIS}
        self.in_flight = {api: 0 for api in APIS}
        self.faults: dict[str, deque[dict[str, Any]]] = {api: deque() for api in APIS}

    def reset(self) -> None:
        with self.lock:
            self.stats = {api: _new_api_stats() for api in APIS}
            self.last_start = {api: None for api in APIS}

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return json.loads(json.dumps(self.stats))

    def arrive(
        self, api: str, endpoint: str, has_key: bool, at: float | None = None, take_fault: bool = True
    ) -> tuple[bool, bool, dict[str, Any] | None]:
        """Register a request start (``at``: when its request line was read); returns (too_early, concurrent, fault).

        ``take_fault=False`` for a request the front end refuses anyway (URI too long): it still counts, and
        still sets the politeness clock, but an injected fault stays queued for the next request it would hit.
        """
        now = time.monotonic() if at is None else at
        with self.lock:
            st = self.stats[api]
            st["requests"] += 1
            st["by_endpoint"][endpoint] = st["by_endpoint"].get(endpoint, 0) + 1
            if has_key:
                st["requests_with_api_key"] += 1
            prev = self.last_start[api]
            self.last_start[api] = now
            too_early = prev is not None and (now - prev) < self.intervals[api] - self.tolerance_s
            if too_early:
                st["too_early"] += 1
            concurrent = self.in_flight[api] > 0
            if concurrent:
                st["concurrent"] += 1
            self.in_flight[api] += 1
            fault = None
            if not too_early and take_fault:
                q = self.faults[api]
                for f in q:
                    if f["endpoint"] is None or f["endpoint"] == endpoint:
                        q.remove(f)
                        fault = f
                        break
            return too_early, concurrent, fault

    def finish(self, api: str, status: int | str, ids: int = 0) -> None:
        with self.lock:
            st = self.stats[api]
            key = str(status)
            st["by_status"][key] = st["by_status"].get(key, 0) + 1
            st["ids_requested"] += ids
            self.in_flight[api] -= 1

    def inject(
        self,
        api: str,
        kind: str,
        times: int = 1,
        endpoint: str | None = None,
        delay_s: float = 0.0,
        retry_after: float | int | str | None = None,
    ) -> None:
        if api not in APIS:
            raise ValueError(f"api must be one of {APIS}, not {api!r}")
        kind = str(kind)
        if kind not in FAULT_KINDS:
            raise ValueError(f"fault kind must be one of {FAULT_KINDS}, not {kind!r}")
        with self.lock:
            for _ in range(int(times)):
                self.faults[api].append(
                    {
                        "kind": kind,
                        "endpoint": endpoint,
                        "delay_s": float(delay_s),
                        "retry_after": retry_after,
                    }
                )

    def clear_faults(self) -> None:
        with self.lock:
            for q in self.faults.values():
                q.clear()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "paper_catalogue_emulator/1.0"
    state: _State  # set on the subclass built per server

    def setup(self) -> None:
        super().setup()
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
        pass

    # -- plumbing -----------------------------------------------------------------------------------
    def _read_body(self) -> bytes:
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def _send(
        self,
        status: int,
        body: bytes | str,
        content_type: str,
        headers: dict[str, str] | None = None,
        truncate: bool = False,
    ) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        if truncate:
            data = data[: len(data) // 2]
        self.send_response(status, _REASONS.get(status))
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        # headers and body in ONE write: two small writes would meet Nagle + delayed ACK (~40 ms per request)
        buffer: list[bytes] = self._headers_buffer  # type: ignore[attr-defined]  # BaseHTTPRequestHandler's own
        buffer.append(b"\r\n")
        if self.command != "HEAD":
            buffer.append(data)
        self._settle(status)
        self.flush_headers()

    def _settle(self, status: int | str) -> None:
        """Record the API request's outcome BEFORE the client can see it (stats are then exact on receipt)."""
        pending = self.__dict__.pop("_pending", None)
        if pending is not None:
            self.state.finish(pending[0], status, pending[1])

    def _reset(self) -> None:
        """Close the socket abruptly (RST) without sending anything."""
        self.close_connection = True
        self._settle("reset")
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        with contextlib.suppress(OSError):
            self.connection.close()

    def parse_request(self) -> bool:
        # Stamp the arrival as soon as the request line is in: timestamps taken later (after headers,
        # under load) drift by the server's own delays and would blame the client for them.
        self._arrived = time.monotonic()
        return super().parse_request()

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_PUT(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    # -- routing ------------------------------------------------------------------------------------
    def _dispatch(self) -> None:
        url = urlsplit(self.path)
        path = url.path
        body = self._read_body()
        if path.startswith("/_emulator/"):
            self._control(path, body)
            return
        if path == ARXIV_PATH or path == ARXIV_PATH + "/":
            self._api("arxiv", "search", url.query, body, path)
            return
        if path == S2_PREFIX or path.startswith(S2_PREFIX + "/"):
            self._api("s2", "", url.query, body, path)
            return
        self._send(404, "Not Found\n", "text/plain; charset=utf-8")

    def _control(self, path: str, body: bytes) -> None:
        st = self.state
        try:
            if path == "/_emulator/stats" and self.command == "GET":
                payload: Any = st.snapshot()
            elif path == "/_emulator/reset" and self.command == "POST":
                st.reset()
                payload = {"ok": True}
            elif path == "/_emulator/faults" and self.command == "POST":
                kwargs = json.loads(body or b"{}")
                if kwargs.pop("clear", False):
                    st.clear_faults()
                if "kind" in kwargs:
                    st.inject(**kwargs)
                payload = {"ok": True}
            elif path == "/_emulator/faults/clear" and self.command == "POST":
                st.clear_faults()
                payload = {"ok": True}
            else:
                self._send(404, json.dumps({"error": "unknown control endpoint"}), s2_api.JSON_CT)
                return
        except (TypeError, ValueError) as e:
            self._send(400, json.dumps({"error": str(e)}), s2_api.JSON_CT)
            return
        self._send(200, json.dumps(payload), s2_api.JSON_CT)

    def _api(self, api: str, endpoint: str, query: str, body: bytes, path: str) -> None:
        st = self.state
        params = dict(parse_qsl(query, keep_blank_values=True))
        rest = ""
        if api == "arxiv":
            if self.command == "POST" and body:
                params.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
            endpoint = (
                "id_list"
                if params.get("id_list", "").strip() and not params.get("search_query", "").strip()
                else "search"
            )
        else:
            sub = path[len(S2_PREFIX) :]
            if sub in ("/paper/batch", "/paper/batch/"):
                endpoint = "batch"
            elif sub in ("/paper/search/match", "/paper/search/match/"):
                endpoint = "match"
            elif sub in ("/paper/search/bulk", "/paper/search/bulk/"):
                endpoint = "bulk"
            elif sub in ("/paper/search", "/paper/search/"):
                endpoint = "search"
            elif sub.startswith("/paper/") and len(sub) > len("/paper/"):
                endpoint, rest = "paper", unquote(sub[len("/paper/") :])
            else:
                endpoint = "other"
        has_key = any(k.lower() == "x-api-key" for k in self.headers)
        too_long = self._uri_too_long(api)
        too_early, concurrent, fault = st.arrive(
            api, endpoint, has_key, getattr(self, "_arrived", None), take_fault=not too_long
        )
        status: int | str = 500
        self._pending = (api, 0)
        try:
            if too_long:  # refused by the front end, before its rate limiter or the application see it
                status = 414
                self._send(414, "Request-URI Too Long\n", "text/plain; charset=utf-8")
                return
            if too_early:
                status = 429
                self._too_many(api, None)
                return
            if api == "arxiv" and concurrent:
                status = 503
                self._send(503, "Service Unavailable: one connection at a time.\n", "text/plain; charset=utf-8")
                return
            kind = fault["kind"] if fault else None
            if kind == "slow":
                time.sleep(fault["delay_s"])  # type: ignore[index]
            elif kind == "reset":
                status = "reset"
                self._reset()
                return
            elif kind == "429":
                status = 429
                self._too_many(api, fault["retry_after"])  # type: ignore[index]
                return
            elif kind in ("500", "502", "503"):
                status = int(kind)
                headers = {}
                if fault["retry_after"] is not None:  # type: ignore[index]
                    headers["Retry-After"] = str(fault["retry_after"])  # type: ignore[index]
                if api == "s2":
                    msg = "Internal Server Error" if status == 500 else _REASONS[status]
                    self._send(status, json.dumps({"message": msg}), s2_api.JSON_CT, headers)
                else:
                    self._send(status, f"{_REASONS[status]}\n", "text/plain; charset=utf-8", headers)
                return
            elif kind == "s2_error_body":
                status = 200
                if api == "s2":
                    self._send(
                        200,
                        json.dumps({"error": "An unexpected error occurred; please retry"}),
                        s2_api.JSON_CT,
                    )
                else:
                    self._send(200, arxiv_api.error_feed("internal error, please retry"), arxiv_api.ATOM_CT)
                return
            empty = kind == "empty_page"
            truncate = kind == "truncated"
            if api == "arxiv":
                ans = arxiv_api.handle_query(st.corpus, params, empty_page=empty)
                status, ids, text, ctype = ans.status, ans.ids_requested, ans.body, arxiv_api.ATOM_CT
            else:
                s2 = s2_api.handle(st.corpus, self.command, endpoint, rest, params, body, empty_page=empty)
                status, ids, text, ctype = s2.status, s2.ids_requested, s2.body, s2_api.JSON_CT
            # ids_requested counts ids of requests answered normally (slow ones included)
            self._pending = (api, ids if status == 200 and kind in (None, "slow") else 0)
            self._send(status, text, ctype, truncate=truncate)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        finally:
            self._settle(status)

    def _uri_too_long(self, api: str) -> bool:
        """Whether the real front end would refuse this GET's URL (POST parameters in the body never count)."""
        if api == "arxiv":
            return len(self.requestline.encode("latin-1", "replace")) > arxiv_api.MAX_REQUEST_LINE_BYTES
        return s2_api.url_too_long(self.path)

    def _too_many(self, api: str, retry_after: Any) -> None:
        headers = {} if retry_after is None else {"Retry-After": str(retry_after)}
        if api == "arxiv":
            self._send(429, "Rate exceeded.", "text/plain; charset=utf-8", headers)
        else:
            self._send(429, json.dumps(s2_api.TOO_MANY), s2_api.JSON_CT, headers)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request: Any, client_address: Any) -> None:  # quiet on client hang-ups
        pass


class Emulator:
    """Both fake APIs on one loopback server. Use as a context manager, or start()/stop()."""

    def __init__(
        self,
        corpus: Corpus | None = None,
        arxiv_interval_s: float = 3.0,
        s2_interval_s: float = 1.0,
        port: int = 0,
        host: str = "127.0.0.1",
        tolerance_s: float = TOLERANCE_S,
        citation_growth: Path | str | None = None,
    ) -> None:
        """``tolerance_s``: how much earlier than the interval a request may arrive before it counts as too early.

        The arrival is stamped when a handler thread reads the request line, so on a busy machine the stamp
        itself is late by the scheduler's delay; the test suite, which runs on shared machines, allows 10 ms
        (still far below any interval a client that ignored the limit would show), benchmarks keep 2 ms.

        ``citation_growth``: a state file (JSON) that turns simulated citation growth on (see
        ``paper_catalogue_emulator.growth``): each start advances the epoch stored there and serves every paper's
        counts at that epoch, so successive runs of the demo's refresh see counts that grow. None (the default): the
        corpus's fixed counts.
        """
        self._base_corpus = corpus if corpus is not None else load_seed_corpus()
        self.corpus = self._base_corpus
        self.citation_growth = Path(citation_growth) if citation_growth is not None else None
        #: The citation-growth epoch being served: 0 (the corpus's own counts) until a start with growth on.
        self.epoch = 0
        intervals = {"arxiv": float(arxiv_interval_s), "s2": float(s2_interval_s)}
        self._state = _State(self.corpus, intervals, tolerance_s)
        self.host = host
        self._requested_port = port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ----------------------------------------------------------------------------------
    def start(self) -> Emulator:
        if self._server is not None:
            return self
        handler = type("Handler", (_Handler,), {"state": self._state})
        self._server = _Server((self.host, self._requested_port), handler)  # OSError if the port is taken
        if self.citation_growth is not None:
            try:  # after the bind: a start refused for a busy port does not advance the epoch
                self._grow(advance_epoch(self.citation_growth))
            except BaseException:
                self._server.server_close()
                self._server = None
                raise
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.01},
            name=f"emulator:{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def _grow(self, epoch: int) -> None:
        """Serve the corpus's counts at ``epoch`` (a new corpus: the caller's stays as it was)."""
        self.epoch = epoch
        self.corpus = grown_corpus(self._base_corpus, epoch)
        with self._state.lock:
            self._state.corpus = self.corpus

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def serve_forever(self) -> None:
        """Run in the foreground (CLI); Ctrl-C stops."""
        self.start()
        try:
            while self._thread is not None and self._thread.is_alive():
                self._thread.join(0.5)
        finally:
            self.stop()

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- addresses ------------------------------------------------------------------------------------
    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("emulator not started")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def arxiv_url(self) -> str:
        return self.base_url + ARXIV_PATH

    @property
    def s2_url(self) -> str:
        return self.base_url + S2_PREFIX

    # -- control ----------------------------------------------------------------------------------------
    @property
    def intervals(self) -> dict[str, float]:
        """The politeness intervals this emulator enforces, by API ("arxiv", "s2")."""
        return dict(self._state.intervals)

    def stats(self) -> dict[str, Any]:
        return self._state.snapshot()

    def reset_stats(self) -> None:
        self._state.reset()

    def inject(
        self,
        api: str,
        kind: str,
        times: int = 1,
        endpoint: str | None = None,
        delay_s: float = 0.0,
        retry_after: float | int | str | None = None,
    ) -> None:
        self._state.inject(api, kind, times=times, endpoint=endpoint, delay_s=delay_s, retry_after=retry_after)

    def clear_faults(self) -> None:
        self._state.clear_faults()

    def pending_faults(self) -> dict[str, int]:
        with self._state.lock:
            return {api: len(q) for api, q in self._state.faults.items()}
