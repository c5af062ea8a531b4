"""The one place that reads ``config.toml`` and the environment.

Every other module receives a frozen :class:`Settings`, so tests can build one in a line and
no code path can read a different configuration halfway through a run. Unknown keys and wrong
types are refused with the file and line, because a misspelt key that silently falls back to a
default (say, a politeness interval) is worse than a crash.
"""

from __future__ import annotations

import ipaddress
import os
import re
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

PROJ_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = PROJ_ROOT / "config.toml"
CONFIG_NAME = "config.toml"

DATA_ORIGINS = ("live", "fixture")
#: ``[outputs] partitioned``: when the hive-partitioned Parquet copy of the catalogue is written.
PARTITIONED_MODES = ("auto", "always", "never")


class ConfigError(ValueError):
    """A configuration file that cannot be used; the message names the file, line and key."""


@dataclass(frozen=True)
class Paths:
    raw: Path
    interim: Path
    enriched: Path
    cache: Path
    #: Bulk snapshots (arXiv metadata, S2 dataset releases) and the DuckDB database made from them.
    snapshots: Path = Path("data/snapshots")


@dataclass(frozen=True)
class ArxivSettings:
    base_url: str = "https://export.arxiv.org/api/query"
    #: arXiv ToU: "no more than one request every three seconds ... a single connection at a time".
    min_interval_s: float = 3.0
    batch_size: int = 100
    records_expire_days: float = 21.0
    search_expire_hours: float = 24.0
    timeout_s: float = 30.0


@dataclass(frozen=True)
class SemanticScholarSettings:
    base_url: str = "https://api.semanticscholar.org/graph/v1"
    #: S2: "1 request per second across all endpoints, cumulative".
    min_interval_s: float = 1.0
    api_key_env: str = "S2_API_KEY"
    batch_size: int = 500
    records_expire_hours: float = 24.0
    search_expire_hours: float = 24.0
    timeout_s: float = 30.0

    @property
    def datasets_url(self) -> str:
        """``…/datasets/v1`` on the host of ``base_url`` (``…/graph/v1``): the Datasets API of ``snapshot download``.

        A property, not a key: S2's one-request-a-second limit covers every endpoint of the host, so the HTTP
        layer puts both prefixes behind one gate, and both must follow ``base_url`` (the emulator, a proxy).
        """
        base = self.base_url.rstrip("/")
        root = base.rsplit("/graph/", 1)[0] if "/graph/" in base else base
        return root + "/datasets/v1"


@dataclass(frozen=True)
class HttpSettings:
    contact: str = ""
    max_attempts: int = 8
    backoff_initial_s: float = 1.0
    backoff_max_s: float = 60.0
    retry_budget_s: float = 300.0
    circuit_breaker_failures: int = 6


@dataclass(frozen=True)
class MatchSettings:
    accept_score: float = 0.90
    ambiguity_margin: float = 0.03


@dataclass(frozen=True)
class BatchSettings:
    """Batched title resolution: many titles per search request before the one-title-per-request path.

    A batch only gathers candidates; every title is still decided by the same scorer and rules, and a
    title a batch does not settle takes the per-title path unchanged. How the defaults were chosen is
    measured in docs/benchmarks.md.
    """

    enabled: bool = True
    #: Which APIs are asked, in order ("s2", "arxiv", or both comma-separated).
    order: str = "s2,arxiv"
    #: Titles OR-ed into one Semantic Scholar /paper/search/bulk query (1,000 papers a page).
    s2_titles: int = 50
    #: Pages of one bulk query read at most; a phrase that is also in many abstracts can fill pages.
    s2_max_pages: int = 2
    #: Titles OR-ed into one arXiv ti:"…" query.
    arxiv_titles: int = 25
    #: A query longer than this (characters, before URL encoding) is split: both hosts answer 414 near 8 KB.
    max_query_chars: int = 3000


@dataclass(frozen=True)
class SnapshotSettings:
    """Snapshot mode: resolve and enrich from local copies of the public bulk snapshots (DuckDB) first.

    Off by default. When on and ``<paths.snapshots>/snapshot.duckdb`` exists, titles the snapshot settles and
    records it holds need no request; everything else takes the API routes unchanged.
    """

    enabled: bool = False
    #: The DuckDB file, relative to ``paths.snapshots``.
    database: str = "snapshot.duckdb"
    #: A snapshot record older than this (days since its snapshot date) is fetched from the API instead.
    max_age_days: float = 60.0
    #: DuckDB's memory limit while importing and resolving (e.g. "2GB").
    memory_limit: str = "2GB"
    #: DuckDB worker threads (0: DuckDB's default, one per core).
    threads: int = 0
    #: A content word in more titles than this is not used as a blocking key (it would pair too many papers).
    max_token_papers: int = 1000
    #: The snapshot's decision is final: no title is searched on the APIs (lists past their limits). A title the
    #: snapshot does not hold is reported unmatched; off, such titles (and any decision short of sure) are searched.
    final: bool = False


@dataclass(frozen=True)
class OutputSettings:
    """What the catalogue stage writes besides ``catalogue.parquet`` and ``catalogue.csv`` (always written)."""

    #: The hive-partitioned copy ``<paths.enriched>/catalogue_partitioned/year=…/`` that Spark, DuckDB and Polars
    #: read directly: "auto" writes it when snapshot mode is on or the catalogue outgrows one notebook (more than
    #: ``paper_catalogue.outputs.partitioned.AUTO_PARTITION_ROWS`` rows), "always", or "never". When it is not
    #: written, a copy from an earlier run is removed: it would no longer match catalogue.parquet.
    partitioned: str = "auto"


@dataclass(frozen=True)
class RunSettings:
    data_origin: str = "live"


@dataclass(frozen=True)
class Settings:
    config_path: Path
    paths: Paths
    arxiv: ArxivSettings = ArxivSettings()
    semantic_scholar: SemanticScholarSettings = SemanticScholarSettings()
    http: HttpSettings = HttpSettings()
    match: MatchSettings = MatchSettings()
    batch: BatchSettings = BatchSettings()
    snapshot: SnapshotSettings = SnapshotSettings()
    run: RunSettings = RunSettings()
    outputs: OutputSettings = OutputSettings()
    #: Never printed: repr=False keeps it out of logs and tracebacks that show the settings.
    s2_api_key: str | None = field(default=None, repr=False)

    @property
    def is_fixture(self) -> bool:
        return self.run.data_origin == "fixture"

    @property
    def snapshot_db(self) -> Path:
        """The DuckDB file of snapshot mode (it may not exist yet)."""
        return self.paths.snapshots / self.snapshot.database


_SECTIONS: dict[str, type] = {
    "arxiv": ArxivSettings,
    "semantic_scholar": SemanticScholarSettings,
    "http": HttpSettings,
    "match": MatchSettings,
    "batch": BatchSettings,
    "snapshot": SnapshotSettings,
    "run": RunSettings,
    "outputs": OutputSettings,
}
_PATH_KEYS = ("raw", "interim", "enriched", "cache", "snapshots")
_DEFAULT_PATHS = {
    "raw": "data/raw",
    "interim": "data/interim",
    "enriched": "data/enriched",
    "cache": "data/cache/http.sqlite",
    "snapshots": "data/snapshots",
}


def _line_of(text: str, section: str, key: str | None) -> int | None:
    """Best-effort line number of ``[section]`` / ``key`` in the TOML text, for error messages."""
    in_section = False
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("["):
            in_section = stripped.strip("[] \t") == section
            if in_section and key is None:
                return number
            continue
        if in_section and key is not None and re.match(rf"{re.escape(key)}\s*=", stripped):
            return number
    return None


def _where(path: Path, text: str, section: str, key: str | None = None) -> str:
    line = _line_of(text, section, key)
    return f"{path}:{line}" if line else str(path)


def _check_type(value: Any, expected: type) -> bool:
    if expected is bool:
        return isinstance(value, bool)
    if expected is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if expected is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, expected)


def _build_section(cls: type, table: Any, path: Path, text: str, section: str) -> Any:
    if not isinstance(table, dict):
        raise ConfigError(f"{_where(path, text, section)}: [{section}] must be a table")
    known = {f.name: f for f in fields(cls)}
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key not in known:
            raise ConfigError(
                f"{_where(path, text, section, key)}: unknown key '{key}' in [{section}]"
                f" (known keys: {', '.join(sorted(known))})"
            )
        expected = known[key].type
        expected_type = {"float": float, "int": int, "str": str, "bool": bool}[str(expected)]
        if not _check_type(value, expected_type):
            raise ConfigError(
                f"{_where(path, text, section, key)}: [{section}] {key} must be"
                f" {expected_type.__name__}, got {type(value).__name__} {value!r}"
            )
        if expected_type is float:
            value = float(value)
        if expected_type in (int, float) and value < 0:
            raise ConfigError(f"{_where(path, text, section, key)}: [{section}] {key} must be >= 0")
        values[key] = value
    return cls(**values)


#: The APIs' published limits (api-facts §1.6, §2.9): the shortest interval a real host may be asked at.
PUBLISHED_MIN_INTERVAL_S = {"arxiv": 3.0, "semantic_scholar": 1.0}
_PUBLISHED_LIMIT = {
    "arxiv": "arXiv's terms of use: one request every three seconds",
    "semantic_scholar": "Semantic Scholar: one request a second, cumulative over all endpoints",
}


def is_loopback_url(url: str) -> bool:
    """True for a base URL on this machine (127.0.0.0/8, ``localhost``, ``::1``): an emulator, not a real API."""
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_run_limits(sections: dict[str, Any], path: Path, text: str) -> None:
    """Values the types allow but a run cannot live with: refused here, before any request."""
    for name in ("arxiv", "semantic_scholar"):
        section = sections[name]
        if section.timeout_s <= 0:
            raise ConfigError(
                f"{_where(path, text, name, 'timeout_s')}: [{name}] timeout_s must be > 0 (seconds to wait for an"
                f" answer), got {section.timeout_s:g}"
            )
        floor = PUBLISHED_MIN_INTERVAL_S[name]
        if section.min_interval_s < floor and not is_loopback_url(section.base_url):
            raise ConfigError(
                f"{_where(path, text, name, 'min_interval_s')}: [{name}] min_interval_s = {section.min_interval_s:g}"
                f" is below the published limit ({_PUBLISHED_LIMIT[name]}); use at least {floor:g}"
                " (shorter intervals are allowed only for a loopback base_url, such as the emulator)"
            )
    if sections["http"].circuit_breaker_failures < 1:
        raise ConfigError(
            f"{_where(path, text, 'http', 'circuit_breaker_failures')}: [http] circuit_breaker_failures must be >= 1"
            " (0 would mark a host down after its first answer)"
        )


def check_paths(settings: Settings) -> None:
    """The folders a run writes to must be folders (or creatable), the cache a file: checked before any request.

    A ``paths.enriched`` that names a file would otherwise fail after every request was made.
    """
    try:
        text = settings.config_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        text = ""
    paths = settings.paths

    def refuse(key: str, why: str) -> None:
        where = _where(settings.config_path, text, "paths", key)
        raise ConfigError(f"{where}: [paths] {key} = {getattr(paths, key)}: {why}")

    def writable_folder(key: str, folder: Path, what: str) -> None:
        existing = folder
        while not existing.exists() and existing != existing.parent:
            existing = existing.parent
        if not existing.is_dir():
            refuse(key, f"{existing} is a file, not a folder ({what})")
        if not os.access(existing, os.W_OK | os.X_OK):
            refuse(key, f"cannot write in {existing} ({what})")

    for key in ("interim", "enriched"):
        writable_folder(key, getattr(paths, key), "it must be a folder the run can write in")
    if paths.cache.is_dir():
        refuse("cache", "is a folder; it must name the SQLite file of the HTTP cache")
    writable_folder("cache", paths.cache.parent, "the HTTP cache's folder")
    if paths.raw.exists() and not paths.raw.is_dir():
        refuse("raw", "is a file, not the folder of reading lists")


def _read_dotenv(path: Path) -> dict[str, str]:
    """The values of a ``.env`` file next to the config (gitignored), read for the API key only.

    python-dotenv's parser (quotes, ``export``, trailing comments, escapes), without touching
    ``os.environ`` and without ``${VAR}`` interpolation: a key is taken literally. A line it cannot parse
    is logged by dotenv with its line number only, never its text.
    """
    from dotenv import dotenv_values  # imported late: most runs have the key in the environment

    if not path.is_file():
        return {}
    try:
        values = dotenv_values(path, interpolate=False, encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return {}
    return {name: value.strip() for name, value in values.items() if value}


def default_config_paths(cwd: Path | None = None) -> list[Path]:
    """Where a run without ``--config`` looks, in order: ``./config.toml``, then the project's own."""
    here = (cwd or Path.cwd()) / CONFIG_NAME
    return list(dict.fromkeys(p.resolve() for p in (here, DEFAULT_CONFIG)))


def find_default_config(cwd: Path | None = None) -> Path:
    """The first existing default config, or an error naming every path tried and the fix."""
    tried = default_config_paths(cwd)
    for candidate in tried:
        if candidate.is_file():
            return candidate
    raise ConfigError(
        "no config file: tried " + ", ".join(str(p) for p in tried) + "; pass --config PATH (for the offline demo:"
        " --config demo/config.toml in the project, or a copy of it next to your reading lists)"
    )


def load_settings(config_path: Path | str | None = None, env: dict[str, str] | None = None) -> Settings:
    """Read a config file (default: ``./config.toml``, else the project's) and the API key from the env.

    Relative paths in the file are resolved against the file's own folder, so a config kept
    anywhere drives a run there.
    """
    path = Path(config_path) if config_path is not None else find_default_config()
    path = path.expanduser().resolve()
    environ = os.environ if env is None else env
    try:
        raw_bytes = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config file ({exc.strerror})") from None
    try:
        text = raw_bytes.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: config file is not UTF-8 text (byte {exc.start})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None

    unknown = set(data) - set(_SECTIONS) - {"paths"}
    if unknown:
        name = sorted(unknown)[0]
        raise ConfigError(
            f"{_where(path, text, name)}: unknown section [{name}] (known: paths, {', '.join(_SECTIONS)})"
        )

    base = path.parent
    path_table = data.get("paths", {})
    if not isinstance(path_table, dict):
        raise ConfigError(f"{_where(path, text, 'paths')}: [paths] must be a table")
    resolved: dict[str, Path] = {}
    for key, value in path_table.items():
        if key not in _PATH_KEYS:
            raise ConfigError(
                f"{_where(path, text, 'paths', key)}: unknown key '{key}' in [paths]"
                f" (known keys: {', '.join(_PATH_KEYS)})"
            )
        if not isinstance(value, str) or not value:
            raise ConfigError(f"{_where(path, text, 'paths', key)}: [paths] {key} must be a non-empty string")
    for key in _PATH_KEYS:
        resolved[key] = (base / Path(path_table.get(key, _DEFAULT_PATHS[key])).expanduser()).resolve()

    sections = {name: _build_section(cls, data.get(name, {}), path, text, name) for name, cls in _SECTIONS.items()}
    if sections["run"].data_origin not in DATA_ORIGINS:
        raise ConfigError(
            f"{_where(path, text, 'run', 'data_origin')}: [run] data_origin must be one of {DATA_ORIGINS}"
        )
    for name in ("arxiv", "semantic_scholar"):
        url = sections[name].base_url
        if not re.match(r"^https?://[^/]+", url):
            raise ConfigError(f"{_where(path, text, name, 'base_url')}: [{name}] base_url must be an http(s) URL")
        if sections[name].batch_size < 1:
            raise ConfigError(f"{_where(path, text, name, 'batch_size')}: [{name}] batch_size must be >= 1")
    if not 1 <= sections["semantic_scholar"].batch_size <= 500:
        raise ConfigError(
            f"{_where(path, text, 'semantic_scholar', 'batch_size')}: [semantic_scholar] batch_size must be"
            " between 1 and 500 (the API's limit)"
        )
    if sections["http"].max_attempts < 1:
        raise ConfigError(f"{_where(path, text, 'http', 'max_attempts')}: [http] max_attempts must be >= 1")
    _check_run_limits(sections, path, text)
    batch = sections["batch"]
    apis = [a.strip() for a in batch.order.split(",") if a.strip()]
    if not apis or any(a not in ("s2", "arxiv") for a in apis) or len(set(apis)) != len(apis):
        raise ConfigError(
            f'{_where(path, text, "batch", "order")}: [batch] order must be "s2", "arxiv" or both,'
            f" comma-separated, got {batch.order!r}"
        )
    for key in ("s2_titles", "s2_max_pages", "arxiv_titles", "max_query_chars"):
        if getattr(batch, key) < 1:
            raise ConfigError(f"{_where(path, text, 'batch', key)}: [batch] {key} must be >= 1")
    if not sections["snapshot"].database or "/" in sections["snapshot"].database:
        raise ConfigError(
            f"{_where(path, text, 'snapshot', 'database')}: [snapshot] database must be a file name inside"
            " paths.snapshots"
        )
    if sections["snapshot"].final and not sections["snapshot"].enabled:
        raise ConfigError(
            f"{_where(path, text, 'snapshot', 'final')}: [snapshot] final = true needs enabled = true (the"
            " snapshot decides every title only when snapshot mode is on)"
        )
    if sections["outputs"].partitioned not in PARTITIONED_MODES:
        raise ConfigError(
            f'{_where(path, text, "outputs", "partitioned")}: [outputs] partitioned must be "auto", "always" or'
            f' "never", got {sections["outputs"].partitioned!r}'
        )
    if not 0.0 < sections["match"].accept_score <= 1.0:
        raise ConfigError(f"{_where(path, text, 'match', 'accept_score')}: [match] accept_score must be in (0, 1]")

    key_env = sections["semantic_scholar"].api_key_env
    api_key = (environ.get(key_env) or "").strip() or None
    if api_key is None and env is None:
        api_key = _read_dotenv(path.parent / ".env").get(key_env) or None
    return Settings(
        config_path=path,
        paths=Paths(**resolved),
        s2_api_key=api_key,
        **sections,
    )
