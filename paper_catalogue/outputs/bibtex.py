"""BibTeX export of the matched papers in the catalogue.

One entry per row whose ``match_status`` is ``matched``: ``@article`` with ``journal`` when
Semantic Scholar names a venue, else ``@misc`` (preprints). Citation keys are
``<first author surname><year><first title word>`` in lower-case ASCII (leading articles
"a", "an", "the" skipped), made unique with ``a``/``b``/… suffixes assigned in order of the
catalogue ``key``, so the same catalogue always gives the same keys whatever its row order.

Text fields are data from outside: BibTeX/LaTeX specials (``& % $ # _ { } ~ ^ \\``) are escaped;
verbatim fields (url, doi, eprint) only have the characters that would break the entry
(braces, backslash, whitespace) percent-encoded.

    python -m paper_catalogue.outputs.bibtex --config PATH    # writes <enriched>/catalogue.bib
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from paper_catalogue.storage import write_text_atomic

BIB_FILE = "catalogue.bib"
FIXTURE_NOTE = "FIXTURE DATA — not real"

_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_SPECIALS_RE = re.compile("|".join(re.escape(c) for c in _SPECIALS))
_VERBATIM_RE = re.compile(r"[{}\\\s]")
_SKIP_WORDS = {"a", "an", "the"}
_NAME_SUFFIXES = {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"}


def escape(text: str) -> str:
    """Escape BibTeX/LaTeX special characters (one pass, so inserted braces stay as they are)."""
    text = " ".join(str(text).split())
    return _SPECIALS_RE.sub(lambda m: _SPECIALS[m.group(0)], text)


def _verbatim(text: str) -> str:
    return _VERBATIM_RE.sub(lambda m: f"%{ord(m.group(0)):02X}", str(text).strip())


def _ascii_word(text: str) -> str:
    """Lower-case ASCII letters/digits only (accents folded: "Müller" → "muller")."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]", "", folded.lower())


def _value(row: Any, name: str) -> Any:
    value = row.get(name) if hasattr(row, "get") else None
    if value is None:
        return None
    if isinstance(value, list | tuple):
        return list(value)
    if hasattr(value, "tolist") and not isinstance(value, str):  # numpy array from parquet lists
        return list(value.tolist())
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value


def surname(name: str) -> str:
    """The family name of an author: before the comma in "Last, First", else the last word."""
    name = " ".join(str(name).split())
    if "," in name:
        return name.split(",", 1)[0].strip()
    words = [w for w in name.split(" ") if w]
    while len(words) > 1 and words[-1].lower() in _NAME_SUFFIXES:
        words.pop()
    return words[-1] if words else ""


def base_key(row: Any) -> str:
    authors = _value(row, "authors") or []
    author = _ascii_word(surname(authors[0])) if authors else ""
    year = _value(row, "year")
    year_text = str(int(year)) if year is not None else ""
    title = _value(row, "title") or _value(row, "entry_title") or ""
    word = ""
    for raw in re.split(r"[\s\-–—:/]+", str(title)):
        candidate = _ascii_word(raw)
        if candidate and candidate not in _SKIP_WORDS:
            word = candidate
            break
    return f"{author or 'anon'}{year_text or 'nd'}{word or 'untitled'}"


def _suffix(index: int) -> str:
    """0 → a, 25 → z, 26 → aa, …"""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(ord("a") + rem) + letters
    return letters


def matched_rows(frame: pd.DataFrame) -> pd.DataFrame:
    if frame is None or frame.empty or "match_status" not in frame.columns:
        return frame.iloc[0:0] if frame is not None else pd.DataFrame()
    rows = frame[(frame["match_status"].astype("string") == "matched").fillna(False)]
    if "key" in rows.columns:
        rows = rows.assign(_order=rows["key"].astype("string").fillna("")).sort_values("_order", kind="mergesort")
        rows = rows.drop(columns="_order")
    return rows


def citation_keys(frame: pd.DataFrame) -> list[str]:
    """Keys for ``matched_rows(frame)``, in that order; colliding keys get a, b, … suffixes."""
    rows = matched_rows(frame)
    bases = [base_key(row) for _, row in rows.iterrows()]
    totals: dict[str, int] = {}
    for b in bases:
        totals[b] = totals.get(b, 0) + 1
    seen: dict[str, int] = {}
    keys = []
    for b in bases:
        if totals[b] == 1:
            keys.append(b)
        else:
            keys.append(b + _suffix(seen.get(b, 0)))
            seen[b] = seen.get(b, 0) + 1
    return keys


def entry(row: Any, key: str) -> str:
    fields: list[tuple[str, str]] = []
    title = _value(row, "title") or _value(row, "entry_title")
    if title:
        fields.append(("title", "{" + escape(title) + "}"))
    authors = [a for a in (_value(row, "authors") or []) if isinstance(a, str) and a.strip()]
    if authors:
        fields.append(("author", " and ".join(escape(a) for a in authors)))
    year = _value(row, "year")
    if year is not None:
        fields.append(("year", str(int(year))))
    venue = _value(row, "venue")
    if venue and str(venue).strip():
        fields.append(("journal", escape(venue)))
    arxiv_id = _value(row, "arxiv_id")
    if arxiv_id:
        fields.append(("eprint", _verbatim(arxiv_id)))
        fields.append(("archivePrefix", "arXiv"))
        primary = _value(row, "primary_category")
        if primary:
            fields.append(("primaryClass", _verbatim(primary)))
    doi = _value(row, "doi")
    if doi:
        fields.append(("doi", _verbatim(doi)))
    url = _value(row, "abs_url") or _value(row, "s2_url") or _value(row, "pdf_url")
    if url and re.match(r"^https?://", str(url)):
        fields.append(("url", _verbatim(url)))
    if _value(row, "data_origin") == "fixture":
        fields.append(("note", escape(FIXTURE_NOTE)))
    kind = "article" if venue and str(venue).strip() else "misc"
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@{kind}{{{key},\n{body}\n}}\n"


def to_bibtex(frame: pd.DataFrame) -> str:
    """All matched rows as BibTeX entries, in order of the catalogue key."""
    rows = matched_rows(frame)
    keys = citation_keys(frame)
    parts = []
    if rows is not None and "data_origin" in rows.columns and (rows["data_origin"] == "fixture").fillna(False).any():
        parts.append(f"% {FIXTURE_NOTE}: made-up emulator values, do not cite.\n")
    parts.extend(entry(row, key) for (_, row), key in zip(rows.iterrows(), keys, strict=True))
    return "\n".join(parts)


def write_bibtex(frame: pd.DataFrame, path: Path) -> Path:
    return write_text_atomic(Path(path), to_bibtex(frame))


def main(argv: Sequence[str] | None = None, prog: str = "python -m paper_catalogue.outputs.bibtex") -> int:
    from paper_catalogue.outputs.catalogue import require_catalogue
    from paper_catalogue.outputs.command import run_output_command

    return run_output_command(
        prog,
        "Write <enriched>/catalogue.bib",
        lambda folder: write_bibtex(require_catalogue(folder), folder / BIB_FILE),
        argv,
    )


if __name__ == "__main__":
    sys.exit(main())
