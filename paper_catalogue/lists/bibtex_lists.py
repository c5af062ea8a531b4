"""BibTeX reading lists (``.bib``): small, careful readers and the entries they give (pure, no I/O).

* :func:`parse_bibtex` - a ``.bib`` list to entries (one per BibTeX entry with a title).
* :func:`read_bibtex` - a hand-written BibTeX reader: ``@type{key, field = value, ...}`` entries
  (braces or parentheses), ``{...}`` / ``"..."`` / number / macro values joined with ``#``,
  ``@string`` macros, ``@comment`` / ``@preamble`` skipped. It scans character by character (linear
  time, no regular expression over the whole file), records the line of every entry's ``@``, and
  stops an entry at the first syntax error (unbalanced braces, missing comma, missing key), which
  it reports as a :class:`BibSyntaxError` naming that entry; it then resumes at the next line that
  starts with ``@`` so one broken entry does not hide the others.
* :func:`latex_to_text` - a BibTeX field value as plain Unicode: accents (``{\\"u}`` -> ü),
  escapes (``\\&`` -> &), dashes (``--`` -> –), commands such as ``\\emph{...}`` unwrapped,
  braces removed, whitespace collapsed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from paper_catalogue.lists.identifiers import ARXIV_BARE_RE, extract_identifiers, extract_s2_id, normalise_arxiv
from paper_catalogue.lists.line_text import MAX_LINE_CHARS, _collapse, clean_title
from paper_catalogue.lists.markdown import _Parser
from paper_catalogue.lists.problems import ListProblem
from paper_catalogue.models import ListEntry, SkippedLine

# ----------------------------------------------------------------------------------- LaTeX -> text

_ACCENT_MARKS = {
    '"': "\u0308",
    "'": "\u0301",
    "`": "\u0300",
    "^": "\u0302",
    "~": "\u0303",
    "=": "\u0304",
    ".": "\u0307",
    "u": "\u0306",
    "v": "\u030c",
    "H": "\u030b",
    "c": "\u0327",
    "k": "\u0328",
    "r": "\u030a",
    "d": "\u0323",
    "b": "\u0331",
}
_SPECIAL_LETTERS = {
    "ss": "ß",
    "ae": "æ",
    "AE": "Æ",
    "oe": "œ",
    "OE": "Œ",
    "aa": "å",
    "AA": "Å",
    "o": "ø",
    "O": "Ø",
    "l": "ł",
    "L": "Ł",
    "i": "ı",
    "j": "ȷ",
}
_BASE = r"(?:\\[ij](?![A-Za-z])|[A-Za-z])"
# \"u  \"{u}  {\"u}  \'{\i}  - symbol accents take the letter directly or in braces
_SYMBOL_ACCENT_RE = re.compile(r"\{?\\([\"'`^~=.])[ \t]*(?:\{[ \t]*(" + _BASE + r")[ \t]*\}|(" + _BASE + r"))\}?")
# \u{a}  \v c  {\c c} - letter accents need braces or a space (so \url, \emph are untouched)
_LETTER_ACCENT_RE = re.compile(r"\{?\\([uvHckrdb])(?:[ \t]*\{[ \t]*(" + _BASE + r")[ \t]*\}|[ \t]+(" + _BASE + r"))\}?")
_SPECIAL_RE = re.compile(r"\\(ss|ae|AE|oe|OE|aa|AA|o|O|l|L|i|j)(?![A-Za-z])(?:\{\}|[ \t](?=[A-Za-z]))?")
_ESCAPE_RE = re.compile(r"\\([&%$#_{}])")
_COMMAND_RE = re.compile(r"\\([A-Za-z]+)\*?[ \t]*")
_TEXT_SYMBOLS = {
    "textendash": "–",
    "textemdash": "—",
    "ldots": "…",
    "dots": "…",
    "textquoteright": "’",
    "textquoteleft": "‘",
    "LaTeX": "LaTeX",
    "TeX": "TeX",
    "textregistered": "®",
    "texttrademark": "™",
    "copyright": "©",
}
_ESCAPED = {"{": "\x01", "}": "\x02", "$": "\x03", "~": "\x04", "-": "\x05"}


def _accent(mark: str, base: str) -> str:
    base = {"\\i": "i", "\\j": "j"}.get(base, base)
    return unicodedata.normalize("NFC", base + _ACCENT_MARKS[mark])


def latex_to_text(value: str) -> str:
    """A BibTeX field value as plain text (see the module docstring)."""
    text = value
    text = _SYMBOL_ACCENT_RE.sub(lambda m: _accent(m.group(1), m.group(2) or m.group(3)), text)
    text = _LETTER_ACCENT_RE.sub(lambda m: _accent(m.group(1), m.group(2) or m.group(3)), text)
    text = _SPECIAL_RE.sub(lambda m: _SPECIAL_LETTERS[m.group(1)], text)
    text = _ESCAPE_RE.sub(lambda m: _ESCAPED.get(m.group(1), m.group(1)), text)
    text = text.replace("\\\\", " ").replace("\\,", " ").replace("\\ ", " ")

    def command(m: re.Match[str]) -> str:
        name = m.group(1)
        if name in _TEXT_SYMBOLS:
            return _TEXT_SYMBOLS[name]
        if m.end() < len(text) and text[m.end()] == "{":
            return ""  # \emph{X} -> X (the braces go below)
        return name  # \alpha -> alpha: better than dropping the word

    text = _COMMAND_RE.sub(command, text)
    text = text.replace("{", "").replace("}", "").replace("$", "").replace("~", " ")
    text = text.replace("---", "—").replace("--", "–")
    for char, mark in _ESCAPED.items():
        text = text.replace(mark, char)
    text = unicodedata.normalize("NFC", text)
    return " ".join(text.split())


# ----------------------------------------------------------------------------------- BibTeX reader

_MONTHS = {
    m: str(i)
    for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)
}
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-:./+'!?*&")


@dataclass
class BibEntry:
    entry_type: str  # lower case: "article", "inproceedings", ...
    key: str
    line: int  # line of the entry's '@'
    fields: dict[str, str] = field(default_factory=dict)  # lower-case names, raw values (braces kept)


@dataclass(frozen=True)
class BibSyntaxError:
    line: int  # line of the broken entry's '@'
    error_line: int  # where the reader noticed the problem
    entry: str  # "@article{vaswani2017" - what a person searches the file for
    message: str


class _Broken(Exception):
    def __init__(self, pos: int, message: str) -> None:
        super().__init__(message)
        self.pos = pos
        self.message = message


class _BibReader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.n = len(text)
        # line starts, for pos -> line (binary search)
        self.line_starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]
        self.macros: dict[str, str] = dict(_MONTHS)
        self.entries: list[BibEntry] = []
        self.errors: list[BibSyntaxError] = []
        self.current: BibEntry | None = None  # the entry being read (for error messages)

    def line_of(self, pos: int) -> int:
        lo, hi = 0, len(self.line_starts)
        while lo + 1 < hi:
            mid = (lo + hi) // 2
            if self.line_starts[mid] <= pos:
                lo = mid
            else:
                hi = mid
        return lo + 1

    def skip_ws(self, pos: int) -> int:
        text, n = self.text, self.n
        while pos < n:
            c = text[pos]
            if c.isspace():
                pos += 1
            elif c == "%":  # comment to end of line (between fields)
                nl = text.find("\n", pos)
                pos = n if nl < 0 else nl + 1
            else:
                break
        return pos

    def name(self, pos: int) -> tuple[str, int]:
        start = pos
        while pos < self.n and self.text[pos] in _NAME_CHARS:
            pos += 1
        return self.text[start:pos], pos

    def at_entry_start(self, pos: int) -> bool:
        """Is ``pos`` the start of a line that begins (after blanks) an ``@type{`` entry?"""
        j = pos
        while j < self.n and self.text[j] in " \t":
            j += 1
        if j >= self.n or self.text[j] != "@":
            return False
        word, k = self.name(j + 1)
        k = self.skip_ws(k) if word else k
        return bool(word) and k < self.n and self.text[k] in "{("

    def braced(self, pos: int) -> tuple[str, int]:
        """``pos`` at '{': the content up to the matching '}'."""
        text, n = self.text, self.n
        depth, i = 0, pos
        while i < n:
            c = text[i]
            if c == "\\":
                i += 2
                continue
            if c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
                if depth == 0:
                    return text[pos + 1 : i], i + 1
            elif c == "\n" and self.at_entry_start(i + 1):
                raise _Broken(pos, "unbalanced braces: a '{' is never closed before the next entry")
            i += 1
        raise _Broken(pos, "unbalanced braces: a '{' is never closed (end of file reached)")

    def quoted(self, pos: int) -> tuple[str, int]:
        text, n = self.text, self.n
        depth, i = 0, pos + 1
        while i < n:
            c = text[i]
            if c == "\\":
                i += 2
                continue
            if c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
                if depth < 0:
                    raise _Broken(i, "unbalanced braces: a '}' inside a quoted value has no '{'")
            elif c == '"' and depth == 0:
                return text[pos + 1 : i], i + 1
            elif c == "\n" and self.at_entry_start(i + 1):
                break
            i += 1
        raise _Broken(pos, "unbalanced quotes: a '\"' value is never closed")

    def value(self, pos: int) -> tuple[str, int]:
        parts: list[str] = []
        while True:
            pos = self.skip_ws(pos)
            if pos >= self.n:
                raise _Broken(pos, "unexpected end of file in a field value")
            c = self.text[pos]
            if c == "{":
                part, pos = self.braced(pos)
            elif c == '"':
                part, pos = self.quoted(pos)
            else:
                word, end = self.name(pos)
                if not word:
                    raise _Broken(pos, f"a field value is missing (found {c!r})")
                part = word if word.isdigit() else self.macros.get(word.lower(), word)
                pos = end
            parts.append(part)
            pos = self.skip_ws(pos)
            if pos < self.n and self.text[pos] == "#":
                pos += 1
                continue
            return "".join(parts), pos

    def skip_balanced(self, pos: int) -> int:
        """Skip an @comment / @preamble body; lenient (a broken one just ends at the line)."""
        opener = self.text[pos]
        if opener == "{":
            try:
                return self.braced(pos)[1]
            except _Broken:
                nl = self.text.find("\n", pos)
                return self.n if nl < 0 else nl + 1
        close = self.text.find(")", pos)
        return self.n if close < 0 else close + 1

    def entry(self, at: int) -> int:
        """Parse the entry whose '@' is at ``at``; returns the position after it."""
        etype, pos = self.name(at + 1)
        etype_l = etype.lower()
        pos = self.skip_ws(pos)
        if not etype or pos >= self.n or self.text[pos] not in "{(":
            return at + 1  # a stray '@' (an e-mail address in a comment): not an entry
        opener = self.text[pos]
        closer = "}" if opener == "{" else ")"
        if etype_l in ("comment", "preamble"):
            return self.skip_balanced(pos)
        pos = self.skip_ws(pos + 1)
        if etype_l == "string":
            name, pos = self.name(pos)
            pos = self.skip_ws(pos)
            if not name or pos >= self.n or self.text[pos] != "=":
                raise _Broken(pos, "an @string needs 'name = value'")
            val, pos = self.value(pos + 1)
            self.macros[name.lower()] = val
            pos = self.skip_ws(pos)
            if pos >= self.n or self.text[pos] != closer:
                raise _Broken(pos, f"an @string must end with '{closer}'")
            return pos + 1
        key_start = pos
        while pos < self.n and self.text[pos] not in ",}) \t\r\n=":
            pos += 1
        key = self.text[key_start:pos]
        pos = self.skip_ws(pos)
        if pos < self.n and self.text[pos] == "=":
            key = ""  # "@article{ title = ..." - the key was forgotten, "title" is a field name
        entry = BibEntry(etype_l, key, self.line_of(at))
        self.current = entry
        if not key or pos >= self.n or self.text[pos] != ",":
            if key and pos < self.n and self.text[pos] == closer:  # @misc{key} - no fields
                self.entries.append(entry)
                return pos + 1
            raise _Broken(pos, "the citation key is missing (expected '@type{key, field = value, ...}')")
        pos += 1
        while True:
            pos = self.skip_ws(pos)
            if pos >= self.n:
                raise _Broken(pos, f"the entry is never closed with '{closer}' (end of file reached)")
            if self.text[pos] == closer:
                self.entries.append(entry)
                return pos + 1
            fname, pos = self.name(pos)
            if not fname:
                raise _Broken(pos, f"expected a field name or '{closer}', found {self.text[pos]!r}")
            pos = self.skip_ws(pos)
            if pos >= self.n or self.text[pos] != "=":
                raise _Broken(pos, f"expected '=' after field name {fname!r}")
            val, pos = self.value(pos + 1)
            entry.fields.setdefault(fname.lower(), val)
            pos = self.skip_ws(pos)
            if pos < self.n and self.text[pos] == ",":
                pos += 1
                continue
            if pos < self.n and self.text[pos] == closer:
                continue
            if pos < self.n and self.text[pos] == "@":
                raise _Broken(
                    pos,
                    f"unbalanced braces in field {fname!r}: its value runs into the next entry "
                    f"(line {self.line_of(pos)})",
                )
            found = "end of file" if pos >= self.n else repr(self.text[pos])
            raise _Broken(pos, f"missing comma after field {fname!r} (found {found})")

    def next_entry_line(self, pos: int) -> int:
        """The start of the next line at or after ``pos`` that begins an entry (or the end)."""
        i = self.text.find("\n", pos)
        while i >= 0:
            if self.at_entry_start(i + 1):
                return i + 1
            i = self.text.find("\n", i + 1)
        return self.n

    def run(self) -> None:
        pos = 0
        while True:
            at = self.text.find("@", pos)
            if at < 0:
                return
            self.current = None
            try:
                pos = self.entry(at)
            except _Broken as exc:
                etype, _ = self.name(at + 1)
                key = self.current.key if self.current is not None else ""
                label = f"@{etype}{{{key}" if key else f"@{etype}"
                what = f"entry {label}" + ("" if key else " (no key)")
                self.errors.append(
                    BibSyntaxError(self.line_of(at), self.line_of(exc.pos), label, f"{what}: {exc.message}")
                )
                stop = min(exc.pos, self.n)
                line_start = self.text.rfind("\n", 0, stop) + 1
                if line_start > at and self.at_entry_start(line_start):
                    pos = line_start  # the error was noticed at the next entry: resume there
                else:
                    pos = self.next_entry_line(max(at, stop))


def read_bibtex(text: str) -> tuple[list[BibEntry], list[BibSyntaxError]]:
    """Every well-formed entry and every syntax error of a BibTeX text (see the module docstring)."""
    reader = _BibReader(text)
    reader.run()
    return reader.entries, reader.errors


# ----------------------------------------------------------------------------------- BibTeX


def parse_bibtex(text: str, source_file: str) -> tuple[list[ListEntry], list[SkippedLine], list[ListProblem]]:
    """Parse a ``.bib`` list (pure): one entry per BibTeX entry with a title; line = its '@' line.

    A syntax error is a fatal problem naming the entry (``@article{key``) and its line.
    """
    parser = _Parser(source_file, plain_text=False)
    content = parser.content(text)
    if content is None:
        return parser.entries, parser.skipped, parser.problems
    text = content
    bib_entries, errors = read_bibtex(text)
    for err in errors:
        where = f" (noticed at line {err.error_line})" if err.error_line != err.line else ""
        parser.problems.append(
            ListProblem(source_file, err.line, f"BibTeX syntax error in {err.message}{where}", fatal=True)
        )
    for be in bib_entries:
        label = f"@{be.entry_type}{{{be.key}"
        raw_title = be.fields.get("title", "")
        if len(raw_title) > MAX_LINE_CHARS:
            parser.skip(be.line, label, f"title too long ({len(raw_title)} characters)")
            continue
        title = clean_title(latex_to_text(raw_title)) if raw_title.strip() else ""
        if not title:
            parser.skip(be.line, label, "BibTeX entry without a title")
            continue
        fields = {k: latex_to_text(v) if len(v) <= MAX_LINE_CHARS else "" for k, v in be.fields.items()}
        venue_text = fields.get("journal") or fields.get("booktitle") or fields.get("journaltitle") or ""
        venue = venue_text or None
        if venue and "arxiv" in venue.lower():
            venue = "arXiv"
        year_m = re.search(r"(?:19|20)\d{2}", fields.get("year", "") or fields.get("date", ""))
        arxiv: str | None = None
        prefix = (fields.get("archiveprefix") or fields.get("eprinttype") or "").lower()
        eprint = _collapse(fields.get("eprint", ""))
        if eprint and prefix == "arxiv":
            bare = ARXIV_BARE_RE.match(eprint)
            arxiv = normalise_arxiv(bare.group(1)) if bare else extract_identifiers(eprint)[0]
        doi_field = _collapse(be.fields.get("doi", ""))  # raw: latex_to_text would turn "--" into "–"
        doi = (
            extract_identifiers(doi_field if "doi" in doi_field.lower() else f"doi:{doi_field}")[1]
            if doi_field
            else None
        )
        url = be.fields.get("url", "")
        url_arxiv, url_doi = extract_identifiers(url)
        parser.add(
            be.line,
            title,
            (arxiv or url_arxiv, doi or url_doi),
            venue=venue,
            year=int(year_m.group(0)) if year_m else None,
            s2_paper_id=extract_s2_id(url),
            section=None,
        )
    return parser.entries, parser.skipped, parser.problems
