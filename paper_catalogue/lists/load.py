"""Reading lists: find the list files under the raw folder, decode them, parse each, merge titles.

This module is the entry point the pipeline uses (``load_reading_lists`` -> ``raise_for_fatal`` ->
``merge_entries``); the parsing itself lives in small modules with one job each:

* :mod:`paper_catalogue.lists.line_text` - per-line text helpers (title heuristics, identifiers, commentary);
* :mod:`paper_catalogue.lists.markdown` - ``.md`` / ``.markdown`` / ``.txt`` lists;
* :mod:`paper_catalogue.lists.tables` - ``.csv`` / ``.tsv`` lists, and the by-suffix dispatch :func:`parse_list_text`;
* :mod:`paper_catalogue.lists.bibtex_lists` - ``.bib`` lists;
* :mod:`paper_catalogue.lists.problems` - :class:`ListProblem`, shared by all of them.

Identifiers (arXiv ids, DOIs, Semantic Scholar paper ids) are taken only from the title cell / the
bullet line itself (or a CSV's arxiv/doi/url columns, a BibTeX entry's eprint/doi/url fields), never
from notes columns, and only from ``arXiv:`` / arxiv.org / doi.org / bare ``10.x/...`` /
semanticscholar.org/paper forms (never from github/zhihu/weixin URLs).

Files are decoded as UTF-8 (BOM allowed), UTF-16/32 with a BOM, or - with a warning - GB18030;
binary files are fatal problems. The names above are re-exported here, so
``from paper_catalogue.lists.load import parse_markdown`` (etc.) keeps working.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from paper_catalogue.errors import InputError
from paper_catalogue.lists.bibtex_lists import parse_bibtex
from paper_catalogue.lists.identifiers import extract_identifiers, extract_s2_id
from paper_catalogue.lists.line_text import (
    _CJK_IDEO_RE,
    LOWERCASE_TITLE_MAX_WORDS,
    MAX_LINE_CHARS,
    MAX_TITLE_WORDS,
    _collapse,
    clean_title,
    is_title,
    lowercase_title_ok,
    parse_venue,
)
from paper_catalogue.lists.markdown import HEADING_MIN_WORDS, parse_markdown
from paper_catalogue.lists.problems import ListProblem
from paper_catalogue.lists.tables import parse_list_text, parse_table_file
from paper_catalogue.models import ListEntry, SkippedLine, TitleRecord

__all__ = [
    "HEADING_MIN_WORDS",
    "LIST_SUFFIXES",
    "LOWERCASE_TITLE_MAX_WORDS",
    "MAX_LINE_CHARS",
    "MAX_TITLE_WORDS",
    "OVERRIDES_FILE",
    "ListProblem",
    "LoadedLists",
    "clean_title",
    "decode_list_bytes",
    "extract_identifiers",
    "extract_s2_id",
    "is_title",
    "load_reading_lists",
    "lowercase_title_ok",
    "merge_entries",
    "parse_bibtex",
    "parse_list_text",
    "parse_markdown",
    "parse_table_file",
    "parse_venue",
    "raise_for_fatal",
]

LIST_SUFFIXES = (".md", ".markdown", ".txt", ".csv", ".tsv", ".bib")
#: Read by paper_catalogue.matching.overrides, never as a reading list (at the top of the raw folder).
OVERRIDES_FILE = "overrides.csv"


@dataclass
class LoadedLists:
    entries: list[ListEntry] = field(default_factory=list)
    skipped: list[SkippedLine] = field(default_factory=list)
    problems: list[ListProblem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # relative posix paths of every list file read


# ----------------------------------------------------------------------------------- loading


def _list_files(raw_dir: Path) -> tuple[list[Path], list[ListProblem]]:
    """Every list file under ``raw_dir``, and what could not be looked into (reported, never skipped silently).

    Linked folders are followed, once each; a link back to a folder already being read (a loop) is not, and
    the loops are named in one warning. A folder that cannot be listed and a link to a list that leads
    nowhere are warnings too.
    """
    found: list[Path] = []
    problems: list[ListProblem] = []
    loops: list[str] = []

    def rel_of(path: str | Path) -> str:
        try:
            return Path(path).relative_to(raw_dir).as_posix()
        except ValueError:
            return str(path)

    def unreadable(err: OSError) -> None:
        where = rel_of(err.filename) if err.filename else str(raw_dir)
        problems.append(
            ListProblem(
                f"{where}/", 0, f"cannot read this folder ({err.strerror or err}); the lists in it were not read", False
            )
        )

    def within(path: str, folder: str) -> bool:
        return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)

    root = os.path.realpath(raw_dir)
    seen = {root}
    for folder, dirs, files in os.walk(raw_dir, onerror=unreadable, followlinks=True):
        here = Path(folder)
        real_here = os.path.realpath(folder)
        keep = []
        for name in sorted(dirs):
            if name.startswith("."):
                continue
            sub = here / name
            real = os.path.realpath(sub)
            if sub.is_symlink():
                if within(real_here, real) or within(root, real):
                    loops.append(f"{rel_of(sub)} → {rel_of(real)}")
                    continue
                if within(real, root) or real in seen:
                    continue  # a folder read under its own name (or through another link) already
            seen.add(real)
            keep.append(name)
        dirs[:] = keep
        for name in files:
            path = here / name
            rel = rel_of(path)
            if name.startswith(".") or rel.lower() == OVERRIDES_FILE:
                continue  # the overrides file (paper_catalogue.matching.overrides) is never a reading list
            if path.suffix.lower() not in LIST_SUFFIXES:
                continue
            if path.is_file():
                found.append(path)
            elif path.is_symlink():
                problems.append(ListProblem(rel, 0, "a link that leads to no file (or to itself); not read", False))
    if loops:
        more = f" and {len(loops) - 3} more" if len(loops) > 3 else ""
        problems.append(
            ListProblem(
                str(raw_dir),
                0,
                f"{len(loops)} folder link(s) lead back to a folder already read (a symlink loop), not followed:"
                f" {', '.join(loops[:3])}{more}",
                False,
            )
        )
    return sorted(found, key=lambda p: p.relative_to(raw_dir).as_posix()), problems


def _decode_problem(rel: str, data: bytes, err: UnicodeDecodeError) -> ListProblem:
    line = data[: err.start].count(b"\n") + 1
    col = err.start - (data.rfind(b"\n", 0, err.start) + 1) + 1
    bad = data[err.start : err.start + 1].hex()
    hint = ""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        hint = " (it looks like UTF-16)"
    msg = (
        f"not UTF-8{hint}: invalid byte 0x{bad} at byte offset {err.start} (line {line}, column {col}); "
        "re-save the file as UTF-8"
    )
    return ListProblem(rel, line, msg, fatal=True)


#: Magic numbers of files that are surely not text lists (a PDF or a spreadsheet renamed .csv ...).
_BINARY_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (an .xlsx / .docx file?)"),
    (b"PK\x05\x06", "a ZIP archive"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Office document (.xls / .doc?)"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\x7fELF", "an executable"),
)
_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le", "UTF-32"),
    (b"\x00\x00\xfe\xff", "utf-32-be", "UTF-32"),
    (b"\xef\xbb\xbf", "utf-8", "UTF-8"),
    (b"\xff\xfe", "utf-16-le", "UTF-16"),
    (b"\xfe\xff", "utf-16-be", "UTF-16"),
)
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _binary_kind(data: bytes) -> str | None:
    for magic, kind in _BINARY_SIGNATURES:
        if data.startswith(magic):
            return kind
    if b"\x00" in data[:8192]:
        return "NUL bytes in the first 8 KB"
    return None


def _plausible_gb18030(data: bytes, text: str) -> bool:
    """GB18030 text that is really Chinese: CJK present, no control / private-use characters, and
    most double-byte characters in the GB2312 range (Latin-1 "é"+letter decodes as rare GBK
    ideographs - that is mojibake, not Chinese notes)."""
    if not _CJK_IDEO_RE.search(text) or _CONTROL_RE.search(text):
        return False
    wide = [c for c in text if ord(c) > 0x7F]
    if any(unicodedata.category(c) in ("Co", "Cn") for c in wide):
        return False
    gb2312 = 0
    for c in wide:
        b = c.encode("gb18030")
        gb2312 += len(b) == 2 and b[0] >= 0xA1 and b[1] >= 0xA1
    return gb2312 >= 0.8 * len(wide)


def decode_list_bytes(rel: str, data: bytes) -> tuple[str | None, list[ListProblem]]:
    """The text of a list file, or None and a fatal problem; GB18030 is accepted with a warning."""
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(codec), []
            except UnicodeDecodeError as exc:
                off = exc.start + len(bom)
                line = data[:off].count(b"\n") + 1 if name == "UTF-8" else 0
                at = f"line {line}, " if line else ""
                msg = f"starts with a {name} byte-order mark but is not valid {name} ({at}byte offset {off})"
                return None, [ListProblem(rel, line, msg, fatal=True)]
    kind = _binary_kind(data)
    if kind is not None:
        return None, [ListProblem(rel, 0, f"binary file, not a reading list ({kind})", fatal=True)]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        text = None
    if text is not None and _plausible_gb18030(data, text):
        line = data[: utf8_error.start].count(b"\n") + 1
        msg = (
            f"read as GB18030 (not UTF-8; first non-UTF-8 byte on line {line}, byte offset "
            f"{utf8_error.start}); consider saving it as UTF-8"
        )
        return text, [ListProblem(rel, line, msg, fatal=False)]
    return None, [_decode_problem(rel, data, utf8_error)]


def load_reading_lists(raw_dir: Path) -> LoadedLists:
    """Parse every list file (``LIST_SUFFIXES``) under ``raw_dir`` (recursive, sorted), except
    the top-level ``overrides.csv``."""
    raw_dir = Path(raw_dir)
    loaded = LoadedLists()
    if not raw_dir.is_dir():
        what = "does not exist" if not raw_dir.exists() else "is not a folder"
        loaded.problems.append(
            ListProblem(
                str(raw_dir),
                0,
                f"reading-list folder {raw_dir} {what}: create it and put .md files there",
                fatal=True,
            )
        )
        return loaded
    files, walk_problems = _list_files(raw_dir)
    loaded.problems.extend(walk_problems)
    if not files:
        loaded.problems.append(
            ListProblem(str(raw_dir), 0, f"no reading lists in {raw_dir}: put .md files there", fatal=True)
        )
        return loaded
    for path in files:
        rel = PurePosixPath(path.relative_to(raw_dir).as_posix()).as_posix()
        loaded.files.append(rel)
        try:
            data = path.read_bytes()
        except OSError as exc:
            msg = f"cannot read file: {exc.strerror or exc}"
            loaded.problems.append(ListProblem(rel, 0, msg, fatal=True))
            continue
        text, decode_problems = decode_list_bytes(rel, data)
        loaded.problems.extend(decode_problems)
        if text is None:
            continue
        entries, skipped, problems = parse_list_text(text, rel)
        if text.strip() and not entries and not any(p.fatal for p in problems):
            problems.append(ListProblem(rel, 1, "no paper titles found in this file", fatal=False))
        loaded.entries.extend(entries)
        loaded.skipped.extend(skipped)
        loaded.problems.extend(problems)
    return loaded


def _where(p: ListProblem) -> str:
    return f"{p.source_file}:{p.line}" if p.line > 0 else p.source_file


def raise_for_fatal(problems: list[ListProblem]) -> None:
    """Raise :class:`InputError` listing every fatal problem as ``file:line: message``."""
    fatal = [p for p in problems if p.fatal]
    if not fatal:
        return
    lines = [f"{_where(p)}: {p.message}" for p in fatal]
    head = "reading lists cannot be used" if len(lines) > 1 else lines[0]
    if len(lines) == 1:
        raise InputError(head)
    raise InputError(head + ":\n" + "\n".join(f"  {ln}" for ln in lines))


# ----------------------------------------------------------------------------------- merging


def merge_entries(entries: Iterable[ListEntry]) -> list[TitleRecord]:
    """Merge entries with the same normalised title or the same explicit arXiv id / DOI.

    Entries are taken in (file, line) order; a record keeps the first spelling, every occurrence
    in that order, and the first identifiers seen. Records come out in order of first appearance.
    """
    from paper_catalogue.matching.similarity import normalise_title

    ordered = sorted(entries, key=lambda e: (e.occurrence.source_file, e.occurrence.line))
    parent = list(range(len(ordered)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a: int, b: int) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)  # the earliest entry stays the root

    norms: list[str] = []
    first_by_key: dict[tuple[str, str], int] = {}
    for i, entry in enumerate(ordered):
        norm = normalise_title(entry.title) or _collapse(entry.title).lower()
        norms.append(norm)
        keys = [("norm", norm)]
        if entry.arxiv_id:
            keys.append(("arxiv", entry.arxiv_id.lower()))
        if entry.doi:
            keys.append(("doi", entry.doi.lower()))
        if entry.s2_paper_id:
            keys.append(("s2", entry.s2_paper_id.lower()))
        for key in keys:
            if key in first_by_key:
                union(first_by_key[key], i)
            else:
                first_by_key[key] = i

    records: dict[int, TitleRecord] = {}
    for i, entry in enumerate(ordered):
        root = find(i)
        rec = records.get(root)
        if rec is None:
            rec = records[root] = TitleRecord(norm=norms[root], title=ordered[root].title)
        rec.occurrences.append(entry.occurrence)
        rec.arxiv_id = rec.arxiv_id or entry.arxiv_id
        rec.doi = rec.doi or entry.doi
        rec.s2_paper_id = rec.s2_paper_id or entry.s2_paper_id
    return [records[k] for k in sorted(records)]
