"""The catalogue contract: columns, types, and the Parquet/CSV writers.

The schema is declared before anything is written (as github-to-sqlite declares a table
before inserting), so every run produces the same columns in the same order with real types,
whatever subset of sources answered. Analysts' notebooks and the data dictionary in the README
rely on it; extend it, never rename.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from paper_catalogue import __version__
from paper_catalogue.errors import PipelineError
from paper_catalogue.storage import atomic_path

LIST_COLUMNS = ("authors", "categories", "provenance")


@dataclass(frozen=True)
class Column:
    name: str
    arrow: pa.DataType
    source: str  # "reading list" | "arXiv" | "Semantic Scholar" | "computed"
    meaning: str


_TS = pa.timestamp("us", tz="UTC")

SCHEMA: tuple[Column, ...] = (
    Column(
        "key",
        pa.string(),
        "computed",
        "Stable row key: `arxiv:<id>`, else `s2:<paperId>`, else `title:<hash>` of the normalised title.",
    ),
    Column("entry_title", pa.string(), "reading list", "The title as written in the list (first occurrence)."),
    Column("source_file", pa.string(), "reading list", "Reading list of the first occurrence, relative to data/raw."),
    Column("section", pa.string(), "reading list", "Section/heading the first occurrence sits under."),
    Column("title", pa.string(), "arXiv / Semantic Scholar", "Canonical title (arXiv, else S2, else the list's)."),
    Column("arxiv_id", pa.string(), "arXiv", "arXiv identifier without version, e.g. `1810.04805`."),
    Column("arxiv_version", pa.int64(), "arXiv", "Latest version number known to arXiv (the `N` of `vN`)."),
    Column("s2_paper_id", pa.string(), "Semantic Scholar", "Semantic Scholar paperId (40 hex characters)."),
    Column("doi", pa.string(), "arXiv / Semantic Scholar", "DOI (arXiv's `arxiv:doi`, else S2 externalIds.DOI)."),
    Column(
        "authors",
        pa.list_(pa.string()),
        "arXiv / Semantic Scholar",
        "Author names in order (arXiv, else S2). `; `-joined in the CSV.",
    ),
    Column("published", _TS, "arXiv", "Submission time of v1 (UTC)."),
    Column("updated", _TS, "arXiv", "Submission time of the latest version (UTC)."),
    Column("year", pa.int64(), "Semantic Scholar / arXiv", "Publication year (S2), else the year of v1."),
    Column("venue", pa.string(), "Semantic Scholar", "Publication venue as S2 names it (empty for preprints)."),
    Column("primary_category", pa.string(), "arXiv", "arXiv primary category, e.g. `cs.CL`."),
    Column(
        "categories", pa.list_(pa.string()), "arXiv", "All arXiv categories incl. cross-lists. `; `-joined in the CSV."
    ),
    Column("citation_count", pa.int64(), "Semantic Scholar", "Citations counted by S2 at `fetched_at`."),
    Column(
        "influential_citation_count",
        pa.int64(),
        "Semantic Scholar",
        "S2's influential citations (a subset of citation_count).",
    ),
    Column("reference_count", pa.int64(), "Semantic Scholar", "Number of references S2 found in the paper."),
    Column("pdf_url", pa.string(), "arXiv / Semantic Scholar", "PDF link (arXiv, else S2 open-access PDF)."),
    Column("abs_url", pa.string(), "arXiv", "arXiv abstract page of the latest version."),
    Column(
        "match_score",
        pa.float64(),
        "computed",
        "Our title similarity (0-1) of the accepted or best candidate; 1.0 for ids given in the list.",
    ),
    Column("match_status", pa.string(), "computed", "`matched`, `ambiguous`, `unmatched` or `error`."),
    Column(
        "fetched_at",
        _TS,
        "computed",
        "When this row's Semantic Scholar data (counts) was fetched; arXiv's fetch time if S2 has no record (UTC).",
    ),
    # Extensions beyond the contract's minimum.
    Column(
        "match_route",
        pa.string(),
        "computed",
        "How the match was found: `identifier`, `s2-match`, `s2-search`, `arxiv-title`, `override` (joined by +).",
    ),
    Column(
        "match_note",
        pa.string(),
        "computed",
        "Why it was accepted, or why nothing was (best rejected candidate and reason).",
    ),
    Column("abstract", pa.string(), "arXiv", "Abstract (arXiv summary, whitespace collapsed)."),
    Column("list_venue", pa.string(), "reading list", "Venue hint from the list (e.g. `ACL` from `ACL2019`)."),
    Column("list_year", pa.int64(), "reading list", "Year hint from the list (e.g. 2019 from `ACL2019`)."),
    Column("list_notes", pa.string(), "reading list", "The list's own notes column / sub-bullets for this paper."),
    Column("list_status", pa.string(), "reading list", "The list's own status column (e.g. `done`)."),
    Column(
        "provenance",
        pa.list_(pa.string()),
        "reading list",
        "Every place the paper occurs: `file:line`. `; `-joined in the CSV.",
    ),
    Column("s2_url", pa.string(), "Semantic Scholar", "The paper's Semantic Scholar page."),
    Column(
        "stale",
        pa.bool_(),
        "computed",
        "True when a source failed in the latest run and this row keeps older values (see fetched_at).",
    ),
    Column(
        "data_origin",
        pa.string(),
        "computed",
        "`live` for real API data; `fixture` for the offline demo's made-up emulator corpus.",
    ),
    # Snapshot mode (added at the end: existing columns keep their places).
    Column(
        "arxiv_source",
        pa.string(),
        "computed",
        "Where the arXiv values came from: `api`, or `snapshot` (the local arXiv metadata snapshot); empty if none.",
    ),
    Column(
        "arxiv_snapshot_date",
        pa.string(),
        "computed",
        "The arXiv snapshot's date (`YYYY-MM-DD`, its latest `update_date`) when `arxiv_source` is `snapshot`.",
    ),
    Column(
        "s2_source",
        pa.string(),
        "computed",
        "Where the Semantic Scholar values (counts, venue) came from: `api`, or `snapshot` (a `papers` release).",
    ),
    Column(
        "s2_snapshot_date",
        pa.string(),
        "computed",
        "The S2 release (`YYYY-MM-DD`, after any diffs applied) the values came from when `s2_source` is `snapshot`.",
    ),
)

COLUMNS: tuple[str, ...] = tuple(c.name for c in SCHEMA)
ARROW_SCHEMA = pa.schema([pa.field(c.name, c.arrow, nullable=True) for c in SCHEMA])

_PANDAS_DTYPES: dict[str, Any] = {}
for _col in SCHEMA:
    if _col.arrow == pa.string():
        _PANDAS_DTYPES[_col.name] = "string"
    elif _col.arrow == pa.int64():
        _PANDAS_DTYPES[_col.name] = "Int64"
    elif _col.arrow == pa.float64():
        _PANDAS_DTYPES[_col.name] = "Float64"
    elif _col.arrow == pa.bool_():
        _PANDAS_DTYPES[_col.name] = "boolean"
    elif _col.arrow == _TS:
        _PANDAS_DTYPES[_col.name] = "datetime64[us, UTC]"
    else:
        _PANDAS_DTYPES[_col.name] = "object"

#: Characters that make spreadsheet programs evaluate a cell as a formula (CSV injection).
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def to_frame(rows: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Rows (dicts keyed by column name) → a frame with exactly the catalogue's columns and dtypes.

    Missing keys become nulls, unknown keys are an error (they would be silently dropped).
    """
    rows = list(rows)
    for row in rows:
        extra = set(row) - set(COLUMNS)
        if extra:
            raise ValueError(f"unknown catalogue columns: {sorted(extra)}")
    data = {name: [row.get(name) for row in rows] for name in COLUMNS}
    frame = pd.DataFrame(data, columns=list(COLUMNS))
    for name, dtype in _PANDAS_DTYPES.items():
        if dtype == "object":
            # pd.Series(dtype=object) keeps an empty list column an object column (not float64), so an
            # empty catalogue still converts to the Arrow schema.
            frame[name] = pd.Series(
                [list(v) if v is not None else None for v in frame[name]], dtype=object, index=frame.index
            )
        elif dtype.startswith("datetime64"):
            frame[name] = pd.to_datetime(frame[name], utc=True).astype(dtype)
        else:
            frame[name] = frame[name].astype(dtype)
    return frame


def to_arrow(frame: pd.DataFrame, metadata: Mapping[str, str] | None = None) -> pa.Table:
    table = pa.Table.from_pandas(frame[list(COLUMNS)], schema=ARROW_SCHEMA, preserve_index=False)
    meta = dict(table.schema.metadata or {})
    for key, value in (metadata or {}).items():
        meta[key.encode()] = value.encode()
    return table.replace_schema_metadata(meta)


def neutralise_formula(value: str) -> str:
    """Prefix a cell that a spreadsheet would run as a formula with an apostrophe.

    Titles and notes come from outside (APIs, lists); in a CSV they must stay data. A value that already
    starts with apostrophes before such a character gets one more, so :func:`restore_formula` is its exact
    inverse.
    """
    if value and value.lstrip("'").startswith(_FORMULA_PREFIXES):
        return "'" + value
    return value


def restore_formula(value: str) -> str:
    """The CSV cell's original text: the apostrophe :func:`neutralise_formula` added, removed."""
    if value.startswith("'") and value[1:].lstrip("'").startswith(_FORMULA_PREFIXES):
        return value[1:]
    return value


def to_csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The CSV view: lists `; `-joined, timestamps ISO 8601, text cells formula-safe."""
    out = frame.copy()
    for name in LIST_COLUMNS:
        out[name] = [LIST_SEPARATOR.join(v) if isinstance(v, list) else None for v in out[name]]
    for col in SCHEMA:
        if col.arrow == _TS:
            out[col.name] = [v.isoformat().replace("+00:00", "Z") if not pd.isna(v) else None for v in out[col.name]]
    for name in out.columns:
        if _PANDAS_DTYPES.get(name) in ("string", "object") or name in LIST_COLUMNS:
            out[name] = [neutralise_formula(v) if isinstance(v, str) else v for v in out[name]]
    return out


def run_metadata(config_digest: str, run_started: str, data_origin: str) -> dict[str, str]:
    return {
        "paper_catalogue.pipeline_version": __version__,
        "paper_catalogue.run_started": run_started,
        "paper_catalogue.config_digest": config_digest,
        "paper_catalogue.data_origin": data_origin,
        "paper_catalogue.columns": json.dumps({c.name: c.meaning for c in SCHEMA}, ensure_ascii=False),
    }


def config_digest(config_path: Path) -> str:
    return hashlib.sha256(config_path.read_bytes()).hexdigest()[:16]


def write_catalogue(frame: pd.DataFrame, folder: Path, metadata: Mapping[str, str]) -> tuple[Path, Path]:
    """Write ``catalogue.parquet`` and ``catalogue.csv`` from the same frame, each atomically."""
    parquet_path = folder / "catalogue.parquet"
    csv_path = folder / "catalogue.csv"
    table = to_arrow(frame, metadata)
    with atomic_path(parquet_path, suffix=".parquet") as tmp:
        pq.write_table(table, tmp)
    with atomic_path(csv_path, suffix=".csv") as tmp:
        to_csv_frame(frame).to_csv(tmp, index=False, encoding="utf-8")
    return parquet_path, csv_path


class NoCatalogueError(PipelineError):
    """The enriched folder has no catalogue.parquet yet."""


def require_catalogue(folder: Path) -> pd.DataFrame:
    """The catalogue in ``folder``, or an error telling the user how to make one (reports, exports)."""
    frame = load_catalogue(folder)
    if frame is None:
        raise NoCatalogueError(
            f"no catalogue in {folder} (catalogue.parquet missing): run make demo or make enrich first"
        )
    return frame


def load_catalogue(folder: Path) -> pd.DataFrame | None:
    """Read a previous catalogue (for incremental runs and the notebook); None when absent."""
    path = folder / "catalogue.parquet"
    if not path.exists():
        return None
    return pq.read_table(path).to_pandas(types_mapper=_types_mapper)


def frame_from_arrow(table: pa.Table) -> pd.DataFrame:
    """An Arrow table of the catalogue as a frame with :func:`load_catalogue`'s dtypes (nullable, not NumPy floats).

    For readers of other layouts of the same data (the partitioned dataset), so every copy loads alike.
    """
    return table.to_pandas(types_mapper=_types_mapper)


#: How the CSV joins a list cell (``to_csv_frame``) and how :func:`read_catalogue_csv` splits it.
LIST_SEPARATOR = "; "


def read_catalogue_csv(path: Path | str) -> pd.DataFrame:
    """``catalogue.csv`` with the catalogue's own types, the same as :func:`load_catalogue` gives from Parquet.

    Plain ``pd.read_csv`` guesses: ``arxiv_id`` 1911.00720 becomes the float 1911.0072, counts with gaps
    become floats, timestamps stay text. Here every column is read as text and converted by the schema:
    ids stay strings, counts are nullable ``Int64``, timestamps ``datetime64[us, UTC]``, list columns
    (``; ``-joined in the CSV) lists again, and the apostrophe that kept a formula-like cell inert is removed.
    Only an empty cell is missing ("NA" or "None" in a title stays text). Columns the schema does not know
    are kept as strings.
    """
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8")
    out = pd.DataFrame(index=raw.index)
    for name in raw.columns:
        col = raw[name].astype(object)
        dtype = _PANDAS_DTYPES.get(name, "string")
        if dtype in ("string", "object"):
            col = col.map(lambda v: restore_formula(v) if isinstance(v, str) else v)
        if name in LIST_COLUMNS:
            out[name] = pd.Series(
                [v.split(LIST_SEPARATOR) if isinstance(v, str) else None for v in col], dtype=object, index=raw.index
            )
        elif dtype.startswith("datetime64"):
            out[name] = pd.to_datetime(col, utc=True, format="ISO8601").astype(dtype)
        elif dtype == "boolean":
            out[name] = col.map({"True": True, "False": False, "true": True, "false": False}).astype("boolean")
        else:
            out[name] = col.astype(dtype)
    return out


def _as_lists(frame: pd.DataFrame) -> pd.DataFrame:
    """List columns as Python lists (Parquet gives NumPy arrays), so both loaders give equal frames."""
    for name in LIST_COLUMNS:
        if name in frame.columns:
            frame[name] = pd.Series(
                [list(v) if v is not None and not isinstance(v, float) else None for v in frame[name]],
                dtype=object,
                index=frame.index,
            )
    return frame


def read_catalogue(path: Path | str = Path("data/enriched")) -> pd.DataFrame:
    """The catalogue for analysis, from a folder (its Parquet, else its CSV), a ``.parquet`` or a ``.csv``.

    The one-liner analysts use (``from paper_catalogue import load_catalogue``): the same columns and types
    whichever file it reads; a missing file is a FileNotFoundError saying how to make one.
    """
    path = Path(path).expanduser()
    if path.is_dir():
        for name in ("catalogue.parquet", "catalogue.csv"):
            if (path / name).is_file():
                path = path / name
                break
        else:
            raise FileNotFoundError(f"no catalogue.parquet or catalogue.csv in {path}: run make demo or make enrich")
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such catalogue file (run make demo or make enrich)")
    if path.suffix.lower() == ".csv":
        return read_catalogue_csv(path)
    return _as_lists(pq.read_table(path).to_pandas(types_mapper=_types_mapper))


def _types_mapper(arrow_type: pa.DataType) -> Any:
    if arrow_type == pa.string():
        return pd.StringDtype()
    if arrow_type == pa.int64():
        return pd.Int64Dtype()
    if arrow_type == pa.float64():
        return pd.Float64Dtype()
    if arrow_type == pa.bool_():
        return pd.BooleanDtype()
    return None
