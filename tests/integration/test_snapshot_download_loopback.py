"""``snapshot download`` and ``snapshot refresh`` against a real loopback server that answers like the S2 Datasets API.

The JSON answers are the recorded ones (``tests/fixtures/recorded/s2/``: release list, release, download links,
diffs), served as recorded except that the S3 links point at this server, with a signature, and a few of them are
kept; the files behind the links are small gzip JSON-lines releases in the real format. Everything runs through the
CLI, so the real cached HTTP session (key header, retries, cache) and the real file downloads are what is tested.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from paper_catalogue.sources.snapshot import download
from paper_catalogue_emulator import load_seed_corpus
from paper_catalogue_emulator.snapshots import write_s2_papers
from tests.recorded import s2_interactions

#: The key the test sets; it must reach the server and nothing else (cache, logs, output, S3).
KEY = "loopback-Key-7f3a9c0d2e"
#: A pre-signed link's signature: the links expire, so they must not be kept either.
SIGNATURE = "X-Amz-Signature=5f1c0ffee5ign4ture"
RELEASE = "2025-08-19"
NEXT_RELEASE = "2025-09-05"
S3 = "https://ai2-s2ag.s3.amazonaws.com/"


def _recorded(cassette: str) -> Any:
    (interaction,) = s2_interactions(cassette)
    return json.loads(interaction["response"]["body"]["string"])


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    at: float


@dataclass
class DatasetsServer:
    """The Datasets API and its S3 files on 127.0.0.1; records every request; each fault happens once."""

    files: dict[str, bytes] = field(default_factory=dict)  # "/s3/<path>" -> body
    etags: dict[str, str] = field(default_factory=dict)
    json: dict[str, bytes] = field(default_factory=dict)  # "/datasets/v1/<path>" -> body
    rate_limit_once: set[str] = field(default_factory=set)
    cut_once: set[str] = field(default_factory=set)
    truncate_once: set[str] = field(default_factory=set)  # "/datasets/v1/<path>": a 200 with half its JSON
    seen: list[Seen] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    base: str = ""

    def record(self, handler: BaseHTTPRequestHandler) -> str:
        path = handler.path.split("?", 1)[0]
        with self.lock:
            headers = {k.lower(): v for k, v in handler.headers.items()}
            self.seen.append(Seen(handler.command, handler.path, headers, time.monotonic()))
        return path

    def take(self, faults: set[str], path: str) -> bool:
        with self.lock:
            if path in faults:
                faults.discard(path)
                return True
        return False

    def requests_to(self, prefix: str) -> list[Seen]:
        with self.lock:
            return [s for s in self.seen if s.path.startswith(prefix)]


def _handler(server: DatasetsServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:  # quiet: pytest shows failures, not access logs
            return None

        def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802 - the http.server interface
            path = server.record(self)
            if path.startswith("/datasets/v1/"):
                self._json(path)
            elif path in server.files:
                self._file(path)
            else:
                self._send(404, b'{"error":"Not Found"}', {"Content-Type": "application/json"})

        def _json(self, path: str) -> None:
            # Like the real API: links and diffs need the key, the release listing does not (api-facts 2.10).
            if ("/dataset/" in path or "/diffs/" in path) and self.headers.get("x-api-key") != KEY:
                self._send(403, b'{"message":"Forbidden"}', {"Content-Type": "application/json"})
                return
            if server.take(server.rate_limit_once, path):
                # S2's 429 carries no Retry-After (api-facts 2.9): the client backs off on its own.
                self._send(429, b'{"message": "Too Many Requests"}', {"Content-Type": "application/json"})
                return
            body = server.json.get(path)
            if body is None:
                self._send(404, b'{"error":"Not Found"}', {"Content-Type": "application/json"})
                return
            if server.take(server.truncate_once, path):
                body = body[: len(body) // 2]  # a 200 whose JSON stops halfway: the body check must refuse it
            self._send(200, body, {"Content-Type": "application/json", "Via": "1.1 loopback (CloudFront)"})

        def _file(self, path: str) -> None:
            body = server.files[path]
            head = {"ETag": server.etags[path], "Accept-Ranges": "bytes", "Content-Type": "binary/octet-stream"}
            found = re.fullmatch(r"bytes=(\d+)-", self.headers.get("Range", ""))
            start = int(found.group(1)) if found else 0
            if start >= len(body) and found:
                self._send(416, b"", {"Content-Range": f"bytes */{len(body)}"})
                return
            if server.take(server.cut_once, path):
                # The whole length announced, half of it sent, then the connection dropped.
                self.send_response(200)
                for name, value in head.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                self.close_connection = True
                return
            if found:
                head["Content-Range"] = f"bytes {start}-{len(body) - 1}/{len(body)}"
                self._send(206, body[start:], head)
            else:
                self._send(200, body, head)

    return Handler


@pytest.fixture
def datasets_server() -> Iterator[DatasetsServer]:
    server = DatasetsServer()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(server))
    httpd.daemon_threads = True
    server.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def _link(server: DatasetsServer, recorded_link: str) -> str:
    """A recorded S3 link, served here and signed like the real pre-signed ones."""
    return recorded_link.replace(S3, f"{server.base}/s3/") + f"?X-Amz-Algorithm=AWS4-HMAC-SHA256&{SIGNATURE}"


def _serve_file(server: DatasetsServer, link: str, body: bytes, *, md5_etag: bool = True) -> None:
    path = link.split("?", 1)[0].removeprefix(server.base)
    server.files[path] = body
    server.etags[path] = f'"{hashlib.md5(body).hexdigest()}"' if md5_etag else '"9b2cf535f27731c974343645a3985328-2"'  # noqa: S324


def _gzip_release(papers: list[Any], tmp: Path, name: str, counts: dict[str, int] | None = None) -> bytes:
    path = tmp / "made" / name
    write_s2_papers(papers, path, citation_counts=counts)
    return path.read_bytes()


def _set_up(server: DatasetsServer, tmp_path: Path) -> dict[str, bytes]:
    """The recorded answers, pointed at this server, and the files behind their links; returns the release files."""
    papers = list(load_seed_corpus())[:12]
    server.json["/datasets/v1/release/"] = json.dumps(_recorded("test_get_available_releases.yaml")).encode()
    release = _recorded("test_get_release.yaml")
    assert release["release_id"] == RELEASE
    server.json["/datasets/v1/release/latest"] = json.dumps(release).encode()
    server.json[f"/datasets/v1/release/{RELEASE}"] = json.dumps(release).encode()

    dataset = _recorded("test_get_dataset_download_links.yaml")
    dataset["files"] = [_link(server, u) for u in dataset["files"][:3]]
    server.json[f"/datasets/v1/release/{RELEASE}/dataset/papers"] = json.dumps(dataset).encode()
    release_files = {}
    for i, link in enumerate(dataset["files"]):
        body = _gzip_release(papers[4 * i : 4 * i + 4], tmp_path, f"release_{i}.gz")
        _serve_file(server, link, body, md5_etag=i != 2)  # the last one with a multipart ETag: no MD5 to compare
        release_files[link.split("?", 1)[0].rsplit("/", 1)[1]] = body

    diffs = _recorded("test_get_dataset_diffs.yaml")
    (step,) = diffs["diffs"]
    diffs.update(start_release=RELEASE, end_release=NEXT_RELEASE)
    step.update(from_release=RELEASE, to_release=NEXT_RELEASE)
    step["update_files"] = [_link(server, step["update_files"][0])]
    step["delete_files"] = [_link(server, step["delete_files"][0])]
    counts = {p.arxiv_id: 123456 for p in papers[:2]}
    _serve_file(server, step["update_files"][0], _gzip_release(papers[:2], tmp_path, "updates.gz", counts))
    _serve_file(server, step["delete_files"][0], _gzip_release(papers[4:5], tmp_path, "deletes.gz"))
    server.json[f"/datasets/v1/diffs/{RELEASE}/to/latest/papers"] = json.dumps(diffs).encode()
    return release_files


def _config(server: DatasetsServer, tmp_path: Path, min_interval_s: float = 0.01) -> Path:
    config = tmp_path / "config.toml"
    config.write_text(
        f"""
[paths]
raw = "raw"
interim = "interim"
enriched = "enriched"
cache = "cache/http.sqlite"
snapshots = "snapshots"

[semantic_scholar]
base_url = "{server.base}/graph/v1"
min_interval_s = {min_interval_s}
timeout_s = 5.0

[http]
backoff_initial_s = 0.01
backoff_max_s = 0.05
retry_budget_s = 5.0
""",
        encoding="utf-8",
    )
    return config


def _stored_bytes(tmp_path: Path) -> bytes:
    """Everything the run left on disk (cache with its WAL, manifests, database, files), for the secret checks."""
    return b"".join(p.read_bytes() for p in sorted(tmp_path.rglob("*")) if p.is_file() and "made" not in p.parts)


def test_download_then_refresh_through_the_real_session(
    datasets_server: DatasetsServer,
    tmp_path: Path,
    run_cli: Callable[..., tuple[int, str]],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    server = datasets_server
    release_files = _set_up(server, tmp_path)
    dataset_call = f"/datasets/v1/release/{RELEASE}/dataset/papers"
    cut = next(p for p in server.files if p.endswith("/20250822_1"))
    server.rate_limit_once.add(dataset_call)
    server.cut_once.add(cut)
    config = _config(server, tmp_path)
    monkeypatch.setenv("S2_API_KEY", KEY)
    monkeypatch.setattr(download, "RESUME_WAIT_S", 0.0)
    # Blocks of 256 bytes, not 1 MiB: a break loses the block being read, and these files are 1 KiB.
    monkeypatch.setattr(download, "CHUNK", 256)
    caplog.set_level(logging.DEBUG)

    code, out = run_cli("snapshot", "download", "--config", str(config), "--release", "latest", "--import")
    assert code == 0, out
    assert "12 records imported" in out

    # The JSON calls carried the key, as x-api-key; the 429 was retried.
    api_calls = server.requests_to("/datasets/v1/")
    assert [s.path for s in api_calls] == ["/datasets/v1/release/latest", dataset_call, dataset_call]
    assert all(s.headers.get("x-api-key") == KEY for s in api_calls)
    # The files were fetched from their links as given (signature and all), without the key: S3 is not S2.
    file_calls = server.requests_to("/s3/")
    assert file_calls and all("x-api-key" not in s.headers for s in file_calls)
    assert all(SIGNATURE in s.path for s in file_calls)
    # The cut file was resumed in the same run with a Range from the last whole block that arrived.
    cut_calls = [s for s in file_calls if s.path.split("?")[0] == cut]
    assert [s.headers.get("range") is None for s in cut_calls] == [True, False]
    resumed_at = int(re.fullmatch(r"bytes=(\d+)-", cut_calls[1].headers["range"]).group(1))  # type: ignore[union-attr]
    assert resumed_at == len(server.files[cut]) // 2 // 256 * 256 > 0
    assert "connection broke off" in caplog.text

    # Every file complete, checksummed in the manifest, no .part left.
    folder = tmp_path / "snapshots" / "s2" / RELEASE / "papers"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert sorted(manifest) == sorted(release_files)
    for name, body in release_files.items():
        assert (folder / name).read_bytes() == body
        assert manifest[name]["sha256"] == hashlib.sha256(body).hexdigest()
        assert manifest[name]["bytes"] == len(body)
        assert SIGNATURE not in manifest[name]["source"]
    assert [manifest[n]["etag_verified"] for n in sorted(manifest)] == [True, True, False]
    assert not list(folder.glob("*.part"))

    code, refresh_out = run_cli("snapshot", "refresh", "--config", str(config))
    assert code == 0, refresh_out
    assert f"diff to {NEXT_RELEASE}: 2 record(s) updated, 1 deleted" in refresh_out
    diff_calls = server.requests_to("/datasets/v1/diffs/")
    assert [s.path for s in diff_calls] == [f"/datasets/v1/diffs/{RELEASE}/to/latest/papers"]
    assert diff_calls[0].headers.get("x-api-key") == KEY
    diff_folder = tmp_path / "snapshots" / "s2" / "diffs" / NEXT_RELEASE / "papers"
    assert all((diff_folder / kind / "20241018_1.gz").is_file() for kind in ("updates", "deletes"))

    # The key is nowhere but on the wire: not in the HTTP cache (nor its WAL), files, logs or output.
    cache = tmp_path / "cache" / "http.sqlite"
    assert cache.is_file()
    with sqlite3.connect(cache) as db:
        dump = "\n".join(db.iterdump())
    stored = _stored_bytes(tmp_path)
    for secret in (KEY, KEY.lower()):
        assert secret not in dump and secret.encode() not in stored
        assert secret not in caplog.text and secret not in out and secret not in refresh_out
    # Pre-signed links expire: their answers are not kept in the cache either, nor are the links logged where a user
    # sees them (the CLI logs INFO at most; only urllib3's DEBUG lines name them).
    assert "X-Amz-Signature" not in dump and b"X-Amz-Signature" not in stored
    assert not [r for r in caplog.records if r.levelno >= logging.INFO and "X-Amz-Signature" in r.getMessage()]


def test_datasets_calls_wait_at_the_s2_gate(
    datasets_server: DatasetsServer,
    tmp_path: Path,
    run_cli: Callable[..., tuple[int, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server = datasets_server
    _set_up(server, tmp_path)
    interval = 0.3
    config = _config(server, tmp_path, min_interval_s=interval)
    monkeypatch.setenv("S2_API_KEY", KEY)
    # The links answer arrives cut in half once: validated like every S2 answer, retried, never cached.
    server.truncate_once.add(f"/datasets/v1/release/{RELEASE}/dataset/papers")
    code, out = run_cli("snapshot", "download", "--config", str(config), "--release", "latest")
    assert code == 0, out
    arrivals = [s.at for s in server.requests_to("/datasets/v1/")]
    assert len(arrivals) == 3  # release, links (cut), links again
    gaps = [later - earlier for earlier, later in zip(arrivals, arrivals[1:], strict=False)]
    assert min(gaps) >= interval * 0.9  # wall-clock: the wait is the behaviour under test
