"""S2 dataset file downloads: resumed with Range after an interruption, checked (size, ETag MD5, gzip), recorded."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from paper_catalogue.config import DEFAULT_CONFIG, load_settings
from paper_catalogue.sources.snapshot import download
from tests.recorded import RECORDED, FakeHttp, s2_interactions

RECORDED_S2 = RECORDED / "s2"
LINK = "https://ai2-s2ag.s3.amazonaws.com/staging/2025-08-19/papers/20250822_0?X-Amz-Signature=abc"


class _Response:
    def __init__(self, status: int, body: bytes, headers: dict[str, str], cut: int | None = None) -> None:
        self.status_code, self.body, self.headers, self.cut = status, body, headers, cut

    def __enter__(self) -> _Response:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def iter_content(self, size: int) -> Any:
        for start in range(0, len(self.body), 7):
            if self.cut is not None and start >= self.cut:
                raise ConnectionError("connection reset")
            yield self.body[start : start + 7]


class _Session:
    """Serves one file like S3: whole (200) or from a Range (206); the first answer can be cut short."""

    def __init__(self, body: bytes, *, cut: int | None = None, etag: str | None = None) -> None:
        self.body, self.cut, self.calls = body, cut, []
        self.etag = etag or '"' + hashlib.md5(body).hexdigest() + '"'  # noqa: S324

    def get(self, url: str, headers: dict[str, str], stream: bool, timeout: float) -> _Response:
        self.calls.append(dict(headers))
        start = int(headers["Range"].split("=")[1].rstrip("-")) if "Range" in headers else 0
        cut, self.cut = self.cut, None
        rest = self.body[start:]
        head = {"Content-Length": str(len(rest)), "ETag": self.etag}
        if start:
            head["Content-Range"] = f"bytes {start}-{len(self.body) - 1}/{len(self.body)}"
        return _Response(206 if start else 200, rest, head, cut)


def _release_file() -> bytes:
    lines = "".join(json.dumps({"corpusid": i, "title": f"Paper {i}"}) + "\n" for i in range(200))
    return gzip.compress(lines.encode())


@pytest.fixture(autouse=True)
def _no_resume_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(download, "RESUME_WAIT_S", 0.0)


def test_an_interrupted_download_resumes_with_a_range_request(tmp_path: Path) -> None:
    body = _release_file()
    session = _Session(body, cut=70)
    entry = download.download_file(session, LINK, tmp_path)  # type: ignore[arg-type]
    assert session.calls == [{}, {"Range": "bytes=70-"}]  # resumed in the same call, from where it broke off
    assert (tmp_path / "20250822_0").read_bytes() == body
    assert not (tmp_path / "20250822_0.part").exists()
    assert entry["sha256"] == hashlib.sha256(body).hexdigest() and entry["etag_verified"]
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["20250822_0"]["bytes"] == len(body)
    assert "Signature" not in manifest["20250822_0"]["source"]
    # already there and recorded: not downloaded again
    download.download_file(session, LINK, tmp_path)  # type: ignore[arg-type]
    assert len(session.calls) == 2


class _BreaksEveryTime(_Session):
    """A connection that breaks off after 14 more bytes, every time."""

    def get(self, url: str, headers: dict[str, str], stream: bool, timeout: float) -> _Response:
        have = int(headers["Range"].split("=")[1].rstrip("-")) if "Range" in headers else 0
        self.cut = 14
        response = super().get(url, headers, stream, timeout)
        assert have == 0 or response.status_code == 206
        return response


def test_a_download_that_keeps_breaking_off_is_kept_for_the_next_run(tmp_path: Path) -> None:
    body = _release_file()
    session = _BreaksEveryTime(body)
    with pytest.raises(download.DownloadError, match="broke off 5 times .*70 bytes kept .*run again to resume"):
        download.download_file(session, LINK, tmp_path)  # type: ignore[arg-type]
    assert [c.get("Range") for c in session.calls] == [None, "bytes=14-", "bytes=28-", "bytes=42-", "bytes=56-"]
    assert (tmp_path / "20250822_0.part").read_bytes() == body[:70]
    entry = download.download_file(_Session(body), LINK, tmp_path)  # type: ignore[arg-type]
    assert (tmp_path / "20250822_0").read_bytes() == body and entry["bytes"] == len(body)


def test_a_file_whose_md5_differs_from_the_etag_is_refused(tmp_path: Path) -> None:
    session = _Session(_release_file(), etag='"' + "0" * 32 + '"')
    with pytest.raises(download.DownloadError, match="ETag"):
        download.download_file(session, LINK, tmp_path)  # type: ignore[arg-type]
    assert not (tmp_path / "20250822_0").exists()


def test_a_cut_gzip_stream_is_refused_even_without_an_etag(tmp_path: Path) -> None:
    body = _release_file()[:-20]
    session = _Session(body, etag='"abc-3"')  # a multipart ETag is no MD5: the gzip check still holds
    with pytest.raises(download.DownloadError, match="gzip"):
        download.download_file(session, LINK, tmp_path)  # type: ignore[arg-type]


def test_recorded_dataset_answers_parse() -> None:
    data = json.loads((RECORDED_S2 / "Dataset.json").read_text(encoding="utf-8"))
    assert [download.file_name(u) for u in data["files"]][:1]
    diff = json.loads((RECORDED_S2 / "DatasetDiff.json").read_text(encoding="utf-8"))
    assert download.file_name(diff["diffs"][0]["update_files"][0]).endswith(".gz")


def _recorded_body(cassette: str) -> bytes:
    (interaction,) = s2_interactions(cassette)
    return str(interaction["response"]["body"]["string"]).encode("utf-8")


def test_recorded_datasets_api_answers_are_read_by_the_download_calls() -> None:
    """The three JSON calls of ``snapshot download``/``refresh`` on the recorded answers of the real API."""
    bodies = {
        "/release/latest": _recorded_body("test_get_release.yaml"),
        "/release/2025-08-19/dataset/papers": _recorded_body("test_get_dataset_download_links.yaml"),
        "/diffs/2024-10-08/to/2025-08-19/papers": _recorded_body("test_get_dataset_diffs.yaml"),
    }
    settings = load_settings(DEFAULT_CONFIG, env={})  # the live config: the real host
    root = settings.semantic_scholar.datasets_url
    assert root == "https://api.semanticscholar.org/datasets/v1"
    http = FakeHttp(lambda method, url, params, body: (200, bodies[url.removeprefix(root)]))
    assert download.release(http, settings)["release_id"] == "2025-08-19"  # type: ignore[arg-type]
    links = download.dataset_files(http, settings, "2025-08-19", "papers")  # type: ignore[arg-type]
    assert len(links) == 30 and [download.file_name(u) for u in links][:2] == ["20250822_0", "20250822_1"]
    (step,) = download.diffs(http, settings, "2024-10-08", "2025-08-19", "papers")  # type: ignore[arg-type]
    assert (step["from_release"], step["to_release"]) == ("2024-10-08", "2024-10-15")
    assert len(step["update_files"]) == 20 and len(step["delete_files"]) == 4
    assert download.file_name(step["delete_files"][0]) == "20241018_1.gz"
    # The release listing is a bare JSON list of ids, oldest first (the download calls never need it).
    releases = json.loads(_recorded_body("test_get_available_releases.yaml"))
    assert releases[0] == "2022-05-10" and releases[-1] == "2025-09-05" and len(releases) == 156
