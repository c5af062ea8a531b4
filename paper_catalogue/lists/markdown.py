"""The markdown / plain-text reading-list parser (``.md``, ``.markdown``, ``.txt``), pure.

The lists are hand-written (Chinese + English notes, typos, ligatures), so the parser is a set of
explicit, conservative heuristics (the per-line ones are in :mod:`paper_catalogue.lists.line_text`):

* **Tables** (``| 名称 | 来源 | 说明 | 状态 | 备注 |``): one title per row. A title in 《》 is always a
  title. A row whose first cell is not in 《》 and whose other cells are all NULL/empty is a *section
  row* (it sets ``Occurrence.section``); an all-NULL row is skipped. Columns are found by header
  name (名称/title, 来源/venue, 说明/notes, 状态/status, 年份/year), falling back to the first column
  for the title. A row whose cell count differs from the header is skipped with a **non-fatal**
  problem: the rest of the list is fine, and guessing which cell is which could attach a wrong
  venue/year hint (which biases matching) - the warning tells the user which row to fix.
* **Headings** set the section; a heading that looks like a title (``is_title`` and at least
  :data:`HEADING_MIN_WORDS` words, so "### Language Models" stays a section) is an entry whose
  section is the enclosing (non-title) heading. Non-title headings are reported as skipped.
* **Bullets / numbered items**: the text before two spaces, a tab, or the first Chinese commentary
  is the title candidate, the rest is ``notes``. ``[Title](url)`` gives the link text. Candidates
  are checked with :func:`~paper_catalogue.lists.line_text.is_title`; rejected bullets are reported as
  :class:`SkippedLine`.
* **Paragraphs** are prose in ``.md`` files (ignored unless they carry 《》 or an arXiv id / DOI);
  in ``.txt`` files every non-blank line is a candidate, as in a bullet list.
* **Long lines** (over :data:`~paper_catalogue.lists.line_text.MAX_LINE_CHARS` characters) are skipped before any
  pattern sees them.

:class:`_Parser` also collects the entries of the CSV/TSV and BibTeX parsers
(:mod:`paper_catalogue.lists.tables`, :mod:`paper_catalogue.lists.bibtex_lists`), so every format reports alike.
"""

from __future__ import annotations

import dataclasses
import re

from paper_catalogue.lists.identifiers import extract_identifiers, extract_s2_id, identifier_title
from paper_catalogue.lists.line_text import (
    _BOOK_RE,
    _CJK_IDEO_RE,
    MAX_LINE_CHARS,
    _candidate_from_text,
    _collapse,
    _emphasised_title,
    _is_null,
    _notes_cell,
    _strip_markup,
    _words,
    clean_title,
    is_title,
    lowercase_title_ok,
    parse_venue,
)
from paper_catalogue.lists.nonpaper import (
    is_authors_line,
    is_contact_line,
    is_contents_entry,
    is_first_person_prose,
    is_results_row,
    list_name_heading,
    non_paper_file,
    non_paper_section,
)
from paper_catalogue.lists.problems import ListProblem
from paper_catalogue.models import ListEntry, Occurrence, SkippedLine

#: A heading must have at least this many words to be taken as a title (short headings are sections).
HEADING_MIN_WORDS = 4

_HEADING_RE = re.compile(r"^[ ]{0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*#*[ \t]*$")
_BULLET_RE = re.compile(r"^([ \t]*)(?:[-*+]|\d{1,3}[.)、])[ \t]+(.*)$")
_CHECKBOX_RE = re.compile(r"^\[[ xX]\][ \t]+")
_FENCE_RE = re.compile(r"^[ \t]*(```|~~~)")
_TABLE_SEP_CELL_RE = re.compile(r"^:?-{2,}:?$")
#: A bracketed nickname in front of an entry: "**[OverFeat]** OverFeat: …", "[SSD] …" (not a link).
_LEADING_NICK_RE = re.compile(r"^\*{0,2}\[([^\[\]]{1,40})\]\*{0,2}(?!\()\s+(?=\S)")
#: Tags a search engine puts in front of a copied result, not a list's nickname for the paper.
_SEARCH_ENGINE_TAGS = {"pdf", "html", "book", "citation", "c", "b", "doc", "ps"}
#: A date or year (and venue) in front of a title: "201801 Universal Language …", "2018 ACL Deep …".
_DATE_PREFIX_RE = re.compile(
    r"^((?:19|20)\d{2})(?:0[1-9]|1[0-2])?(?:[.\-/](?:0?[1-9]|1[0-2]))?[\s:,|-]+"
    r"(?:([A-Z]{2,8}|NeurIPS|arXiv|Arxiv)(?:['’]?\d{2})?[\s:,|-]+)?(?=[\[*\"“《A-Za-z])"
)
#: A venue and two-digit year in a cell: "**[ICLR' 14]**", "[CVPR'16]".
#: A heading that is a link to a page (not an in-page anchor): ``#### [Title](https://…)``.
_LINKED_HEADING_RE = re.compile(r"^\*{0,2}\[[^\]]+\]\((?!#)[^)\s]+\)\*{0,2}\s*$")
#: Emphasis, a link, 《》 or quotes: how a list marks the title inside an entry line.
_EMPHASIS_OR_LINK_RE = re.compile(r"\*\*|__|\]\(|《|\"|“")
_VENUE_CELL_RE = re.compile(r"\b([A-Z][A-Za-z]{1,9})['’]\s?(\d{2})\b")
_HEADER_KEYS = {
    "title": ("名称", "标题", "题目", "论文", "文章", "title", "name", "paper"),
    "venue": ("来源", "出处", "会议", "期刊", "venue", "source", "conference", "journal", "published"),
    "year": ("年份", "年", "year"),
    "notes": ("说明", "描述", "简介", "notes", "note", "description", "summary", "comment"),
    "status": ("状态", "status", "progress", "read"),
}


def _clean_section(text: str) -> str | None:
    text = _collapse(_strip_markup(text))
    text = re.sub(r"[：:\s]+$", "", text)
    return text or None


def _heading_is_title(text: str) -> tuple[bool, str]:
    ok, why = is_title(text)
    if not ok:
        return False, why
    if len(_words(text)) < HEADING_MIN_WORDS and ":" not in text:
        return False, f"a short heading (< {HEADING_MIN_WORDS} words), taken as a section"
    return True, ""


def _header_roles(cells: list[str]) -> dict[str, int]:
    roles: dict[str, int] = {}
    for i, cell in enumerate(cells):
        name = _collapse(_strip_markup(cell)).lower()
        for role, keys in _HEADER_KEYS.items():
            if role not in roles and any(name == k or name.startswith(k) for k in keys):
                roles[role] = i
                break
    roles.setdefault("title", 0)
    return roles


def _split_row(line: str) -> list[str]:
    s = line.strip()
    if s.startswith("|"):
        s = s[1:]
    if s.endswith("|") and not s.endswith("\\|"):
        s = s[:-1]
    cells = re.split(r"(?<!\\)\|", s)
    return [c.replace("\\|", "|").strip() for c in cells]


def _is_separator_row(line: str) -> bool:
    if "|" not in line and "-" not in line:
        return False
    cells = _split_row(line)
    return bool(cells) and all(_TABLE_SEP_CELL_RE.match(c.replace(" ", "")) for c in cells)


# ----------------------------------------------------------------------------------- parser


class _Parser:
    def __init__(self, source_file: str, plain_text: bool) -> None:
        self.source_file = source_file
        self.plain_text = plain_text
        self.entries: list[ListEntry] = []
        self.skipped: list[SkippedLine] = []
        self.problems: list[ListProblem] = []
        self.section: str | None = None
        #: In the body of a heading that is itself a title (its bullets are notes about that paper).
        self.under_title_heading = False
        #: (level, name) of the enclosing heading of a section that holds no papers (contents, talks, …).
        self.nonpaper: tuple[int, str] | None = None
        #: The last bullet read: (indent, line, its entry index or None, whether its title was emphasised).
        self.last_bullet: tuple[int, int, int | None, bool] | None = None

    def content(self, text: str) -> str | None:
        """The file's text without a byte-order mark, or None (an "empty file" problem noted) when it has none."""
        if text.startswith("\ufeff"):
            text = text[1:]
        if not text.strip():
            self.problems.append(ListProblem(self.source_file, 1, "empty file: no titles in it", fatal=False))
            return None
        return text

    def skip(self, line: int, text: str, reason: str) -> None:
        self.skipped.append(SkippedLine(self.source_file, line, _collapse(text), reason))

    def skip_long(self, line: int, text: str) -> None:
        """A line over MAX_LINE_CHARS: skipped unparsed (its text shortened in the report)."""
        shown = text[:80].strip() + " …"
        reason = f"line too long ({len(text)} characters)"
        self.skipped.append(SkippedLine(self.source_file, line, shown, reason))

    def add(
        self,
        line: int,
        title: str,
        ids: tuple[str | None, str | None],
        *,
        venue: str | None = None,
        year: int | None = None,
        notes: str | None = None,
        status: str | None = None,
        section: str | None = None,
        s2_paper_id: str | None = None,
    ) -> None:
        occ = Occurrence(
            source_file=self.source_file,
            line=line,
            section=section if section is not None else self.section,
            raw_title=title,
            venue_hint=venue,
            year_hint=year,
            notes=notes,
            status=status,
        )
        self.entries.append(
            ListEntry(title=title, occurrence=occ, arxiv_id=ids[0], doi=ids[1], s2_paper_id=s2_paper_id)
        )

    # -- one item (bullet body / paragraph line) ------------------------------------------
    def not_a_paper(self, body: str, *, nested_under: int | None) -> str | None:
        """Why a line that carries no identifier is not a paper entry, or None when it may be one."""
        plain = _collapse(_strip_markup(body))
        if is_contents_entry(body):
            return "a table-of-contents link"
        if self.nonpaper is not None:
            return f"in the '{self.nonpaper[1]}' section, which lists no papers"
        if is_contact_line(plain):
            return "contact details, not a paper"
        ext = non_paper_file(body)
        if ext:
            return f"a {ext.lower()} file (slides, document or image), not a paper"
        if is_authors_line(plain):
            return "a line of author names"
        emphasised = any(mark in body for mark in ("**", "__", '"', "“", "《"))
        sentences = ". " in plain or len(plain.split()) > 20 or plain[:2] in ("I ", "I'")
        if is_first_person_prose(plain) and sentences and not emphasised:
            return "prose about the list"
        if nested_under is not None:
            return f"a note under the entry on line {nested_under}"
        return None

    def attach_links(self, line_no: int, ids: tuple[str | None, str | None], s2: str | None) -> bool:
        """A line of nothing but links right under an entry that has no identifier: its links are that entry's."""
        if not self.entries:
            return False
        last = self.entries[-1]
        if last.occurrence.line < line_no - 2 or last.arxiv_id or last.doi or last.s2_paper_id:
            return False
        self.entries[-1] = dataclasses.replace(last, arxiv_id=ids[0], doi=ids[1], s2_paper_id=s2)
        return True

    def item(
        self,
        line_no: int,
        raw_line: str,
        body: str,
        *,
        top_bullet: bool = False,
        nested_under: int | None = None,
    ) -> None:
        """One bullet body / paragraph line. ``top_bullet``: a non-nested bullet, which may be an
        all-lower-case title (see :func:`lowercase_title_ok`) unless under a title heading.
        ``nested_under``: the line of the entry this bullet is nested under, when that entry's title was
        emphasised and this bullet has no emphasis, link or identifier of its own (a note about it)."""
        ids = extract_identifiers(body)
        s2 = extract_s2_id(body)
        if not (ids[0] or ids[1] or s2):
            why = self.not_a_paper(body, nested_under=nested_under)
            if why:
                self.skip(line_no, raw_line, why)
                return
        year_hint: int | None = None
        venue_hint: str | None = None
        nick = _LEADING_NICK_RE.match(body)
        if nick and nick.group(1).strip().lower() in _SEARCH_ENGINE_TAGS:
            nick = None  # Google Scholar's "[PDF] arxiv.org …": read past by the matcher with what follows it
        if nick:
            body = body[nick.end() :]
        date = _DATE_PREFIX_RE.match(body)
        if date:
            year_hint, venue_hint = int(date.group(1)), date.group(2)
            body = body[date.end() :]
        if body.count(" | ") >= 2 or (body.count("|") >= 2 and "](" in body):
            cells = _split_row(body)
            first = next((i for i, c in enumerate(cells) if re.search("[A-Za-z]", c)), 0)
            for cell in cells[first + 1 :]:
                vm = _VENUE_CELL_RE.search(cell)
                if vm and year_hint is None:
                    venue_hint, year_hint = vm.group(1), 2000 + int(vm.group(2))
            body = cells[first]
        candidate, notes, always = _candidate_from_text(body)
        if nick:
            notes = " ".join(n for n in (f"[{nick.group(1)}]", notes) if n)
        title = clean_title(candidate) or identifier_title(ids, s2)
        if not clean_title(candidate) and (ids[0] or ids[1] or s2) and self.attach_links(line_no, ids, s2):
            self.skip(line_no, raw_line, f"links of the entry on line {self.entries[-1].occurrence.line}")
            return
        if always and title:
            self.add(line_no, title, ids, notes=notes, s2_paper_id=s2, venue=venue_hint, year=year_hint)
            return
        ok, why = is_title(title)
        if not ok and title and (ids[0] or ids[1] or s2) and not _CJK_IDEO_RE.search(title):
            ok = True  # an explicit identifier on the line makes it an entry whatever its text
        elif not ok and (ids[0] or ids[1] or s2) and not re.search("[A-Za-z]", title):
            # Only Chinese notes beside the identifier ("参考 https://arxiv.org/abs/..."): the id is the entry.
            ok, title, notes = (
                True,
                identifier_title(ids, s2),
                " ".join(n for n in (title.strip(" :："), notes) if n) or None,
            )
        if not ok and why.startswith("no capital letters") and top_bullet and not self.under_title_heading:
            ok, why = lowercase_title_ok(title)
        if ok:
            self.add(line_no, title, ids, notes=notes, s2_paper_id=s2, venue=venue_hint, year=year_hint)
        else:
            self.skip(line_no, raw_line, why or "not a title")

    # -- headings -------------------------------------------------------------------------
    def heading(self, line_no: int, raw_line: str, text: str, level: int = 2) -> None:
        body = text.strip()
        if not body:
            return
        if self.nonpaper is not None and level <= self.nonpaper[0]:
            self.nonpaper = None
        ids = extract_identifiers(body)
        s2 = extract_s2_id(body)
        if not (ids[0] or ids[1] or s2):
            name = _clean_section(body) or body
            if non_paper_section(name):
                self.nonpaper = (level, name)
                self.under_title_heading = False
                self.section = name
                self.skip(line_no, raw_line, "section heading (a section that lists no papers)")
                return
            if self.nonpaper is not None or list_name_heading(name, level):
                self.under_title_heading = False
                self.section = name if self.nonpaper is None else self.section
                self.skip(line_no, raw_line, "heading naming the list or one of its parts, not a paper")
                return
        candidate, notes, always = _candidate_from_text(body)
        title = clean_title(candidate)
        linked = bool(_LINKED_HEADING_RE.match(body))
        if linked and not (always and title):
            # "#### [Semi-supervised Sequence Learning](url)": a heading that is a link to a page is a paper's title.
            ok, why = is_title(title)
            if not ok and why.startswith("no capital letters"):
                ok, why = lowercase_title_ok(title)
            always = ok
        ok, why = (True, "") if always and title else _heading_is_title(title)
        if ok:
            self.add(line_no, title, ids, notes=notes, s2_paper_id=s2)
            self.under_title_heading = True
            return
        self.under_title_heading = False
        self.section = _clean_section(body)
        self.skip(line_no, raw_line, f"section heading ({why})")

    # -- tables ---------------------------------------------------------------------------
    def table(self, rows: list[tuple[int, str]]) -> None:
        header_no, header_line = rows[0]
        header = _split_row(header_line)
        roles = _header_roles(header)
        width = len(header)
        for line_no, raw in rows[2:]:
            if len(raw) > MAX_LINE_CHARS:
                self.skip_long(line_no, raw)
                continue
            cells = _split_row(raw)
            if len(cells) != width:
                msg = (
                    f"table row has {len(cells)} cells, the header (line {header_no}) has {width}: "
                    "row skipped; fix the row's '|' separators"
                )
                self.problems.append(ListProblem(self.source_file, line_no, msg, fatal=False))
                self.skip(line_no, raw, f"ragged table row (expected {width} cells, got {len(cells)})")
                continue
            self.table_row(line_no, raw, cells, roles)

    def table_row(self, line_no: int, raw: str, cells: list[str], roles: dict[str, int]) -> None:
        ti = roles["title"]
        title_cell = cells[ti]
        others = [c for i, c in enumerate(cells) if i != ti]
        if all(_is_null(c) for c in cells):
            self.skip(line_no, raw, "NULL row")
            return
        if is_results_row(cells, ti) and not any(extract_identifiers(title_cell)):
            self.skip(line_no, raw, "a results-table row (numbers, not a paper)")
            return
        has_book = bool(_BOOK_RE.search(title_cell))
        if not has_book and all(_is_null(c) for c in others):
            self.section = _clean_section(title_cell)
            self.skip(line_no, raw, "section row")
            return

        def cell(role: str) -> str:
            return cells[roles[role]] if role in roles else ""

        venue, year = parse_venue(cell("venue"))
        if "year" in roles:
            _, y = parse_venue(cell("year"))
            year = y if y is not None else year
        notes = _notes_cell(cell("notes")) if "notes" in roles else None
        status = None if "status" not in roles or _is_null(cell("status")) else _collapse(cell("status"))
        ids = extract_identifiers(title_cell)
        s2 = extract_s2_id(title_cell)
        candidate, _, always = _candidate_from_text(title_cell)
        title = clean_title(candidate) or identifier_title(ids, s2)
        if not (always and title):
            ok, why = is_title(title)
            if not ok and why.startswith("no capital letters"):
                ok, why = lowercase_title_ok(title)  # the title column of a table: "| attention is all you need |"
            if not ok and not (title and (ids[0] or ids[1] or s2) and not _CJK_IDEO_RE.search(title)):
                self.skip(line_no, raw, why or "not a title")
                return
        self.add(line_no, title, ids, venue=venue, year=year, notes=notes, status=status, s2_paper_id=s2)

    # -- whole text -----------------------------------------------------------------------
    def run(self, text: str) -> None:
        content = self.content(text)
        if content is None:
            return
        lines = [ln.rstrip("\r") for ln in content.split("\n")]
        i, n = 0, len(lines)
        in_fence = False
        in_comment = False
        while i < n:
            line = lines[i]
            no = i + 1
            if len(line) > MAX_LINE_CHARS:
                self.skip_long(no, line)
                i += 1
                continue
            if in_comment:
                in_comment = "-->" not in line
                i += 1
                continue
            if _FENCE_RE.match(line):
                in_fence = not in_fence
                i += 1
                continue
            if in_fence or not line.strip():
                i += 1
                continue
            if line.lstrip().startswith("<!--"):
                in_comment = "-->" not in line
                i += 1
                continue
            # table: a '|' row followed by a separator row
            if "|" in line and i + 1 < n and len(lines[i + 1]) <= MAX_LINE_CHARS and _is_separator_row(lines[i + 1]):
                rows = [(no, line), (no + 1, lines[i + 1])]
                j = i + 2
                while j < n and lines[j].strip() and "|" in lines[j]:
                    rows.append((j + 1, lines[j]))
                    j += 1
                self.table(rows)
                i = j
                continue
            hm = _HEADING_RE.match(line)
            if hm:
                self.heading(no, line, hm.group(2) or "", level=len(hm.group(1)))
                self.last_bullet = None
                i += 1
                continue
            bm = _BULLET_RE.match(line)
            if bm and bm.group(2).strip():
                body = _CHECKBOX_RE.sub("", bm.group(2).strip())
                indent = len(bm.group(1).expandtabs(4))
                parent = self.last_bullet
                nested_under = None
                if (
                    parent is not None
                    and indent > parent[0]
                    and parent[2] is not None
                    and parent[3]
                    and not _EMPHASIS_OR_LINK_RE.search(body)
                ):
                    nested_under = parent[1]
                before = len(self.entries)
                self.item(no, line, body, top_bullet=not bm.group(1), nested_under=nested_under)
                if parent is None or indent <= parent[0] or parent[2] is None:
                    entry = before if len(self.entries) > before else None
                    self.last_bullet = (indent, no, entry, bool(_EMPHASIS_OR_LINK_RE.search(body)))
                i += 1
                continue
            # paragraph line
            stripped = line.strip()
            if self.plain_text or (
                _BOOK_RE.search(stripped)
                or any(extract_identifiers(stripped))
                or extract_s2_id(stripped)
                or _emphasised_title(stripped) is not None
            ):
                self.item(no, line, stripped)
            i += 1


def parse_markdown(text: str, source_file: str) -> tuple[list[ListEntry], list[SkippedLine], list[ListProblem]]:
    """Parse one list's text (pure). ``.txt`` sources treat every plain line as a candidate title."""
    parser = _Parser(source_file, plain_text=source_file.lower().endswith(".txt"))
    parser.run(text)
    return parser.entries, parser.skipped, parser.problems
