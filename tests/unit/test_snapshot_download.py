"""S2 dataset file downloads: resumed with Range after an interruption, checked (size, ETag MD5, gzip), recorded."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from pipeline.sources.snapshot import download

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


def test_an_interrupted_download_resumes_with_a_range_request(tmp_path: Path) -> None:
    body = _release_file()
    session = _Session(body, cut=70)
    with pytest.raises(ConnectionError):
        download.download_file(session, LINK, tmp_path)  # type: ignore[arg-type]
    assert (tmp_path / "20250822_0.part").stat().st_size == 70
    entry = download.download_file(session, LINK, tmp_path)  # type: ignore[arg-type]
    assert session.calls[-1] == {"Range": "bytes=70-"}
    assert (tmp_path / "20250822_0").read_bytes() == body
    assert entry["sha256"] == hashlib.sha256(body).hexdigest() and entry["etag_verified"]
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["20250822_0"]["bytes"] == len(body)
    assert "Signature" not in manifest["20250822_0"]["source"]
    # already there and recorded: not downloaded again
    download.download_file(session, LINK, tmp_path)  # type: ignore[arg-type]
    assert len(session.calls) == 2


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
    recorded = Path("/work/shared/recorded/s2")
    if not (recorded / "Dataset.json").is_file():
        pytest.skip("recorded S2 answers not present")
    data = json.loads((recorded / "Dataset.json").read_text())
    assert [download.file_name(u) for u in data["files"]][:1]
    diff = json.loads((recorded / "DatasetDiff.json").read_text())
    assert download.file_name(diff["diffs"][0]["update_files"][0]).endswith(".gz")
