"""The CSV / TSV reading-list parser (``.csv`` comma or semicolon, ``.tsv``), pure; and
:func:`parse_list_text`, which picks a list file's parser by its suffix (CSV/TSV here, ``.bib`` in
:mod:`paper_catalogue.lists.bibtex_lists`, else :mod:`paper_catalogue.lists.markdown`).

A table file is not markdown: it is read with :mod:`csv` (quoted cells may span lines), its
columns are named by a header row, and it may carry identifier columns (arxiv/doi/url) that the
markdown parser never sees. The title heuristics are the shared ones of :mod:`paper_catalogue.lists.line_text`;
entries are collected with the markdown parser's :class:`~paper_catalogue.lists.markdown._Parser` so every
format reports entries, skipped lines and problems alike.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import PurePosixPath

from paper_catalogue.lists.bibtex_lists import parse_bibtex
from paper_catalogue.lists.identifiers import ARXIV_BARE_RE, extract_identifiers, extract_s2_id, normalise_arxiv
from paper_catalogue.lists.line_text import (
    _CJK_IDEO_RE,
    MAX_LINE_CHARS,
    _candidate_from_text,
    _collapse,
    _is_null,
    _nfkc,
    _notes_cell,
    clean_title,
    is_title,
    parse_venue,
)
from paper_catalogue.lists.markdown import _Parser, parse_markdown
from paper_catalogue.lists.problems import ListProblem
from paper_catalogue.models import ListEntry, SkippedLine

# ----------------------------------------------------------------------------------- CSV / TSV

#: Column names of a CSV/TSV list (compared case-insensitively, whole cell).
_CSV_COLUMNS = {
    "title": ("title", "标题", "名称", "paper", "name", "题目", "论文"),
    "venue": ("venue", "来源"),
    "year": ("year", "年份"),
    "notes": ("notes", "说明", "备注"),
    "status": ("status", "状态"),
    "arxiv": ("arxiv", "arxiv_id"),
    "doi": ("doi",),
    "url": ("url",),
}


def _csv_roles(header: list[str]) -> dict[str, list[int]]:
    roles: dict[str, list[int]] = {}
    for i, cell in enumerate(header):
        name = _collapse(_nfkc(cell).lstrip("\ufeff")).lower()
        for role, keys in _CSV_COLUMNS.items():
            if name in keys:
                roles.setdefault(role, []).append(i)
                break
    return roles


def _unquote_tsv(cell: str) -> str:
    """Undo spreadsheet quoting of a TSV cell (doubled quotes inside); TSV is read without quoting."""
    if len(cell) >= 2 and cell[0] == '"' and cell[-1] == '"':
        return cell[1:-1].replace('""', '"')
    return cell


def _sniff_delimiter(header_line: str) -> str:
    """Comma or semicolon: the one whose split of the header has a title column (else more cells)."""
    best, best_score = ",", (-1, -1)
    for delim in (",", ";"):
        try:
            cells = next(csv.reader([header_line], delimiter=delim), [])
        except csv.Error:
            continue
        score = (int("title" in _csv_roles(cells)), len(cells))
        if score > best_score:
            best, best_score = delim, score
    return best


def parse_table_file(text: str, source_file: str) -> tuple[list[ListEntry], list[SkippedLine], list[ListProblem]]:
    """Parse a ``.csv`` (comma or semicolon) / ``.tsv`` list with a header row (pure).

    Line numbers are physical lines of the file (a quoted cell may span lines: the row's first).
    A row with more or fewer cells than the header is skipped with a non-fatal problem (guessing
    which cell is which could attach wrong hints). No title column is a fatal problem.
    """
    parser = _Parser(source_file, plain_text=False)
    content = parser.content(text)
    if content is None:
        return parser.entries, parser.skipped, parser.problems
    text = content
    physical = text.split("\n")
    is_tsv = source_file.lower().endswith(".tsv")

    def lines() -> Iterator[str]:
        # long lines never reach the csv module (its field limit) nor the title heuristics
        for no, line in enumerate(physical, start=1):
            if len(line) > MAX_LINE_CHARS:
                parser.skip_long(no, line)
                yield "\n"
            else:
                yield line + "\n"

    header_line = next((ln for ln in physical if ln.strip() and len(ln) <= MAX_LINE_CHARS), "")
    delim = "\t" if is_tsv else _sniff_delimiter(header_line)
    if is_tsv:
        reader = csv.reader(lines(), delimiter="\t", quoting=csv.QUOTE_NONE)
    else:
        reader = csv.reader(lines(), delimiter=delim)
    header: list[str] | None = None
    header_no = 0
    roles: dict[str, list[int]] = {}
    prev_end = 0
    try:
        for row in reader:
            start, prev_end = prev_end + 1, reader.line_num
            if is_tsv:
                row = [_unquote_tsv(c) for c in row]
            if not any(c.strip() for c in row):
                continue
            if header is None:
                header, header_no = row, start
                roles = _csv_roles(header)
                if "title" not in roles:
                    found = ", ".join(repr(c.strip()) for c in header)
                    kind = "TSV" if is_tsv else "CSV"
                    msg = (
                        f"{kind} list without a title column: the header (line {start}) is {found}; "
                        "name the title column title / 标题 / 名称 / paper / name"
                    )
                    parser.problems.append(ListProblem(source_file, start, msg, fatal=True))
                    return parser.entries, parser.skipped, parser.problems
                continue
            raw = (" | " if len(row) > 1 else "").join(row)
            if len(row) != len(header):
                msg = (
                    f"row has {len(row)} cells, the header (line {header_no}) has {len(header)}: "
                    "row skipped; "
                    f"quote cells that contain {'a tab' if is_tsv else repr(delim)}"
                )
                if prev_end > start:
                    msg += f" (the row runs to line {prev_end}: is a '\"' left unclosed?)"
                parser.problems.append(ListProblem(source_file, start, msg, fatal=False))
                parser.skip(start, raw, f"ragged row (expected {len(header)} cells, got {len(row)})")
                continue
            _csv_row(parser, start, raw, row, roles)
    except csv.Error as exc:
        line = reader.line_num or 1
        parser.problems.append(
            ListProblem(
                source_file, line, f"malformed {'TSV' if is_tsv else 'CSV'} near line {line}: {exc}", fatal=True
            )
        )
    return parser.entries, parser.skipped, parser.problems


def _csv_row(parser: _Parser, line_no: int, raw: str, row: list[str], roles: dict[str, list[int]]) -> None:
    def cells(role: str) -> list[str]:
        return [row[i] for i in roles.get(role, [])]

    def first(role: str) -> str:
        return next((c for c in cells(role) if not _is_null(c)), "")

    title_cell = first("title")
    if _is_null(title_cell):
        parser.skip(line_no, raw, "no title in the title column")
        return
    venue, year = parse_venue(first("venue"))
    if "year" in roles:
        _, y = parse_venue(first("year"))
        year = y if y is not None else year
    notes = "\n".join(n for n in (_notes_cell(c) for c in cells("notes")) if n) or None
    status = _collapse(first("status")) or None
    ids_text = " ".join([title_cell] + cells("url"))
    arxiv, doi = extract_identifiers(ids_text)
    for cell in cells("arxiv"):
        c = _collapse(cell)
        bare = ARXIV_BARE_RE.match(c)
        arxiv = arxiv or (normalise_arxiv(bare.group(1)) if bare else extract_identifiers(c)[0])
    for cell in cells("doi"):
        c = _collapse(cell)
        doi = doi or extract_identifiers(c if "doi" in c.lower() else f"doi:{c}")[1]
    s2 = extract_s2_id(ids_text)
    candidate, _, always = _candidate_from_text(title_cell)
    title = clean_title(candidate)
    if not (always and title):
        ok, why = is_title(title)
        if not ok and not (title and (arxiv or doi or s2) and not _CJK_IDEO_RE.search(title)):
            parser.skip(line_no, raw, why or "not a title")
            return
    parser.add(
        line_no, title, (arxiv, doi), venue=venue, year=year, notes=notes, status=status, s2_paper_id=s2, section=None
    )


def parse_list_text(text: str, source_file: str) -> tuple[list[ListEntry], list[SkippedLine], list[ListProblem]]:
    """Parse one list's text by its suffix: .csv/.tsv, .bib, else markdown / plain text."""
    suffix = PurePosixPath(source_file).suffix.lower()
    if suffix in (".csv", ".tsv"):
        return parse_table_file(text, source_file)
    if suffix == ".bib":
        return parse_bibtex(text, source_file)
    return parse_markdown(text, source_file)
