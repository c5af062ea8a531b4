"""The Semantic Scholar Datasets API: release and diff listings, and resumable, checked downloads of their files.

The JSON calls (``/release/{id}``, ``/release/{id}/dataset/{name}``, ``/diffs/{from}/to/{to}/{name}``) go through
the project's one HTTP session (politeness, retries, the ``X-API-Key`` header); the answers carry pre-signed S3
links that expire, so they are never served from the cache. The files themselves (1.5 GB each for ``papers``)
are streamed to ``<name>.part`` and resumed with an HTTP ``Range`` request after an interruption.

Checksums: the API publishes none (the recorded answers list bare URLs, api-facts §2.10). What is checked: the
``Content-Length``/``Content-Range`` sizes, the S3 ``ETag`` when it is a plain MD5 (single-part uploads), and the
gzip stream itself (every member's CRC-32 and length), read end to end before the file is kept. The sha256 of
what was downloaded is recorded in ``manifest.json`` next to the files, so a later run (or a colleague's copy)
can be compared byte for byte.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import re
import time
import zlib
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

from paper_catalogue.config import Settings
from paper_catalogue.errors import FetchError, Http
from paper_catalogue.sources.errors import InvalidResponseError

log = logging.getLogger(__name__)

CHUNK = 1 << 20
MANIFEST = "manifest.json"
_MD5 = re.compile(r'^"?([0-9a-f]{32})"?$')


class DownloadError(RuntimeError):
    """A file that could not be downloaded completely or does not pass its checks."""


def _json_object(response: requests.Response) -> None:
    try:
        data = json.loads(response.content)
    except ValueError:
        raise InvalidResponseError("Semantic Scholar datasets answer is not valid JSON (truncated?)") from None
    if not isinstance(data, dict):
        raise InvalidResponseError(f"Semantic Scholar datasets answered {type(data).__name__}, not an object")


def _get(http: Http, settings: Settings, path: str) -> dict[str, Any]:
    response = http.get(
        "s2",
        settings.semantic_scholar.datasets_url + path,
        expire_after=timedelta(0),
        force_refresh=True,  # pre-signed links expire: never from the cache
        validate=_json_object,
    )
    if response.status_code in (401, 403):
        raise FetchError(
            "s2",
            "client_error",
            f"HTTP {response.status_code} from {path}: the Datasets API needs an API key"
            f" (set {settings.semantic_scholar.api_key_env})",
            response.status_code,
        )
    if response.status_code != 200:
        raise FetchError("s2", "client_error", f"HTTP {response.status_code} from {path}", response.status_code)
    data: dict[str, Any] = json.loads(response.content)
    return data


def release(http: Http, settings: Settings, release_id: str = "latest") -> dict[str, Any]:
    """``{release_id, README, datasets[{name, description, README}]}``; ``latest`` is accepted."""
    return _get(http, settings, f"/release/{release_id}")


def dataset_files(http: Http, settings: Settings, release_id: str, dataset: str) -> list[str]:
    """The (pre-signed, expiring) links of one dataset's files in a release."""
    data = _get(http, settings, f"/release/{release_id}/dataset/{dataset}")
    files = data.get("files")
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        raise InvalidResponseError(f"dataset {dataset} of release {release_id} lists no files")
    return list(files)


def diffs(http: Http, settings: Settings, start: str, end: str, dataset: str) -> list[dict[str, Any]]:
    """``[{from_release, to_release, update_files[], delete_files[]}]`` from ``start`` to ``end`` (or ``latest``)."""
    data = _get(http, settings, f"/diffs/{start}/to/{end}/{dataset}")
    found = data.get("diffs")
    if not isinstance(found, list):
        raise InvalidResponseError(f"diffs of {dataset} from {start} to {end}: no 'diffs' list")
    return found


def file_name(url: str) -> str:
    """The local name of a release file: the last path segment of its link, without the signature."""
    name = Path(urlsplit(url).path).name
    if not name:
        raise DownloadError(f"{url}: a link without a file name")
    return name


def check_gzip(path: Path) -> None:
    """Read the whole gzip stream: every member's CRC-32 and length are verified by the decompressor."""
    try:
        with gzip.open(path, "rb") as stream:
            while stream.read(CHUNK):
                pass
    except (OSError, EOFError, zlib.error) as exc:
        raise DownloadError(f"{path.name}: not a complete gzip file ({exc})") from None


def _sha256_and_md5(path: Path) -> tuple[str, str]:
    sha, md5 = hashlib.sha256(), hashlib.md5()  # noqa: S324 - compared with S3's ETag, not used for security
    with path.open("rb") as stream:
        while block := stream.read(CHUNK):
            sha.update(block)
            md5.update(block)
    return sha.hexdigest(), md5.hexdigest()


def _load_manifest(folder: Path) -> dict[str, Any]:
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _save_manifest(folder: Path, manifest: dict[str, Any]) -> None:
    tmp = folder / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
    tmp.replace(folder / MANIFEST)


def download_file(
    session: requests.Session,
    url: str,
    folder: Path,
    *,
    timeout_s: float = 60.0,
    on_bytes: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Download one file into ``folder`` (resuming ``<name>.part``), check it, and return its manifest entry.

    A file already in the manifest with the same size is not downloaded again. A connection that breaks off is
    resumed in the same run with a ``Range`` request from where it stopped, up to :data:`RESUME_ATTEMPTS` times;
    after that the ``.part`` is kept for the next run and the error says so.
    """
    folder.mkdir(parents=True, exist_ok=True)
    name = file_name(url)
    final, part = folder / name, folder / (name + ".part")
    manifest = _load_manifest(folder)
    known = manifest.get(name)
    if final.is_file() and isinstance(known, dict) and known.get("bytes") == final.stat().st_size:
        return known
    total, etag = _fetch_resuming(session, url, part, timeout_s=timeout_s, on_bytes=on_bytes)
    size = part.stat().st_size
    if total >= 0 and size != total:
        raise DownloadError(f"{name}: {size} of {total} bytes arrived; run again to resume")
    sha, md5 = _sha256_and_md5(part)
    etag_md5 = _MD5.match(etag.strip())
    if etag_md5 and etag_md5.group(1) != md5:
        part.unlink()
        raise DownloadError(f"{name}: MD5 {md5} differs from the server's ETag {etag}; removed, run again")
    check_gzip(part)
    part.replace(final)
    entry = {
        "bytes": size,
        "sha256": sha,
        "etag": etag or None,
        "etag_verified": bool(etag_md5),
        "source": urlsplit(url)._replace(query="").geturl(),
    }
    manifest = _load_manifest(folder)
    manifest[name] = entry
    _save_manifest(folder, manifest)
    return entry


#: Breaks of one file's connection resumed in the same run before giving up (the ``.part`` stays for the next run).
RESUME_ATTEMPTS = 5
#: The wait before the first resume, doubled for each further one (a reset is often a moment's network trouble).
RESUME_WAIT_S = 1.0
#: What a connection that breaks off mid-file raises: requests' own errors, or the socket's.
_INTERRUPTED: tuple[type[BaseException], ...] = (
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
    ConnectionError,
)


def _fetch_resuming(
    session: requests.Session,
    url: str,
    part: Path,
    *,
    timeout_s: float,
    on_bytes: Callable[[int], None] | None,
) -> tuple[int, str]:
    """Append the rest of the file to ``part`` until it is whole; returns (expected size or -1, ETag).

    Why here and not left to the next run: a release is 30 files of 1.5 GB, and a reset at file 12 used to end the
    command with a traceback (requests' ChunkedEncodingError is none of the errors the command reports).
    """
    name = part.name.removesuffix(".part")
    for attempt in range(1, RESUME_ATTEMPTS + 1):
        try:
            return _fetch_once(session, url, part, timeout_s=timeout_s, on_bytes=on_bytes)
        except _INTERRUPTED as exc:
            kept = part.stat().st_size if part.is_file() else 0
            if attempt == RESUME_ATTEMPTS:
                raise DownloadError(
                    f"{name}: the connection broke off {attempt} times ({type(exc).__name__}); {kept} bytes kept in"
                    f" {part.name}: run again to resume"
                ) from None
            log.warning("%s: connection broke off after %d bytes (%s); resuming", name, kept, type(exc).__name__)
            time.sleep(RESUME_WAIT_S * 2 ** (attempt - 1))
    raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises


def _fetch_once(
    session: requests.Session,
    url: str,
    part: Path,
    *,
    timeout_s: float,
    on_bytes: Callable[[int], None] | None,
) -> tuple[int, str]:
    """One request for what ``part`` lacks (all of it, or a ``Range`` from its size); returns (size or -1, ETag)."""
    name = part.name.removesuffix(".part")
    have = part.stat().st_size if part.is_file() else 0
    headers = {"Range": f"bytes={have}-"} if have else {}
    with session.get(url, headers=headers, stream=True, timeout=timeout_s) as response:
        etag = response.headers.get("ETag", "")
        if response.status_code == 416 and have:  # the .part is already whole
            return have, etag
        if response.status_code not in (200, 206):
            raise DownloadError(f"{name}: HTTP {response.status_code} (the link may have expired: run again)")
        if response.status_code == 200:
            have = 0  # the server ignored the Range: start over
        length = response.headers.get("Content-Length")
        total = have + int(length) if length and length.isdigit() else -1
        match = re.match(r"bytes \d+-\d+/(\d+)", response.headers.get("Content-Range", ""))
        if match:
            total = int(match.group(1))
        with part.open("ab" if have else "wb") as out:
            for block in response.iter_content(CHUNK):
                out.write(block)
                if on_bytes is not None:
                    on_bytes(len(block))
    return total, etag


def download_release(
    http: Http,
    settings: Settings,
    release_id: str,
    dataset: str,
    target: Path,
    *,
    session: requests.Session | None = None,
    say: Callable[[str], None] = print,
) -> tuple[str, list[Path]]:
    """Every file of ``dataset`` in ``release_id`` into ``target/<release>/<dataset>/``; returns (release id, files)."""
    if release_id == "latest":
        release_id = str(release(http, settings, "latest").get("release_id") or "")
        if not release_id:
            raise InvalidResponseError("the latest release has no release_id")
    links = dataset_files(http, settings, release_id, dataset)
    folder = target / release_id / dataset
    return release_id, download_links(links, folder, settings, session=session, say=say)


def download_links(
    links: list[str],
    folder: Path,
    settings: Settings,
    *,
    session: requests.Session | None = None,
    say: Callable[[str], None] = print,
) -> list[Path]:
    own = session is None
    session = session or requests.Session()
    try:
        out = []
        for i, link in enumerate(links, start=1):
            entry = download_file(session, link, folder, timeout_s=settings.semantic_scholar.timeout_s)
            say(f"[{i}/{len(links)}] {file_name(link)}: {entry['bytes']} bytes, sha256 {entry['sha256'][:12]}…")
            out.append(folder / file_name(link))
        return out
    finally:
        if own:
            session.close()
