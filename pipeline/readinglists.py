"""Reading-list parser: researchers' markdown lists -> paper titles.

The lists are hand-written (Chinese + English notes, typos, ligatures), so the parser is a set of
explicit, conservative heuristics:

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
  are checked with :func:`is_title`; rejected bullets are reported as :class:`SkippedLine`.
* **Paragraphs** are prose in ``.md`` files (ignored unless they carry 《》 or an arXiv id / DOI);
  in ``.txt`` files every non-blank line is a candidate, as in a bullet list.

* **Emphasised titles**: a title in "double quotes", “curly quotes” or **bold** inside a bullet or
  paragraph is the title when the text around it is commentary (Chinese, brackets, punctuation,
  lower-case prose): ``- 推荐阅读 **Attention Is All You Need**，很经典``. When the quote/bold is
  part of a longer title (``"Why Should I Trust You?": Explaining ...``) the whole line is used.
* **Long lines** (over :data:`MAX_LINE_CHARS` characters) are skipped before any pattern sees them.

Identifiers (arXiv ids, DOIs, Semantic Scholar paper ids) are taken only from the title cell / the
bullet line itself (or a CSV's arxiv/doi/url columns, a BibTeX entry's eprint/doi/url fields), never
from notes columns, and only from ``arXiv:`` / arxiv.org / doi.org / bare ``10.x/...`` /
semanticscholar.org/paper forms (never from github/zhihu/weixin URLs).

Other formats (``load_reading_lists`` picks by suffix): ``.csv`` / ``.tsv`` with a title column,
``.bib`` (see :mod:`pipeline.listformats`). Files are decoded as UTF-8 (BOM allowed), UTF-16/32
with a BOM, or - with a warning - GB18030; binary files are fatal problems.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from pipeline.errors import InputError
from pipeline.listformats import latex_to_text, read_bibtex
from pipeline.models import ListEntry, Occurrence, SkippedLine, TitleRecord

LIST_SUFFIXES = (".md", ".markdown", ".txt", ".csv", ".tsv", ".bib")
#: Read by pipeline.overrides, never as a reading list (at the top of the raw folder).
OVERRIDES_FILE = "overrides.csv"
#: A line longer than this is skipped (nobody writes a title that long; it keeps the regexes linear).
MAX_LINE_CHARS = 2000
#: A heading must have at least this many words to be taken as a title (short headings are sections).
HEADING_MIN_WORDS = 4
#: A candidate longer than this is prose, not a title.
MAX_TITLE_WORDS = 40


@dataclass(frozen=True)
class ListProblem:
    """Something wrong with a list file; ``fatal`` problems stop the stage (see raise_for_fatal)."""

    source_file: str
    line: int  # 1-based; 0 when the problem concerns the folder / whole file
    message: str
    fatal: bool


@dataclass
class LoadedLists:
    entries: list[ListEntry] = field(default_factory=list)
    skipped: list[SkippedLine] = field(default_factory=list)
    problems: list[ListProblem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # relative posix paths of every list file read


# ----------------------------------------------------------------------------------- patterns

_CJK = (
    "\u3040-\u30ff"  # kana
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # CJK ideographs
    "\uac00-\ud7af"  # hangul
    "\u3000-\u303f\uff00-\uffef"  # CJK punctuation, full-width forms (，：（）…)
)
_CJK_RE = re.compile(f"[{_CJK}]")
_CJK_IDEO_RE = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af]")
_BOOK_RE = re.compile(r"《([^《》]*)》")
_HEADING_RE = re.compile(r"^[ ]{0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*#*[ \t]*$")
_BULLET_RE = re.compile(r"^([ \t]*)(?:[-*+]|\d{1,3}[.)、])[ \t]+(.*)$")
_CHECKBOX_RE = re.compile(r"^\[[ xX]\][ \t]+")
_FENCE_RE = re.compile(r"^[ \t]*(```|~~~)")
_TABLE_SEP_CELL_RE = re.compile(r"^:?-{2,}:?$")
_MD_LINK_RE = re.compile(r"!?\[([^\]]*)\]\(([^)\s]*)(?:\s+\"[^\"]*\")?\)")
_URL_RE = re.compile(r"(?:https?://|www\.)[^\s<>()\[\]（）]+", re.IGNORECASE)
_ARXIV_URL_RE = re.compile(
    r"arxiv\.org/(?:abs|pdf|html)/((?:\d{4}\.\d{4,5})|(?:[a-z\-]+(?:\.[A-Z]{2})?/\d{7}))(?:v\d+)?",
    re.IGNORECASE,
)
_ARXIV_PREFIX_RE = re.compile(
    r"\barxiv\s*:\s*((?:\d{4}\.\d{4,5})|(?:[a-z\-]+(?:\.[A-Z]{2})?/\d{7}))(?:v\d+)?", re.IGNORECASE
)
_DOI_RE = re.compile(r"\b(10\.\d{4,9}/[^\s\"<>|]+)", re.IGNORECASE)
_DOI_PREFIX_RE = re.compile(r"\bdoi\s*:\s*(10\.\d{4,9}/[^\s\"<>|]+)", re.IGNORECASE)
_ARXIV_DOI_RE = re.compile(r"^10\.48550/arxiv\.(.+)$", re.IGNORECASE)
_S2_URL_RE = re.compile(r"semanticscholar\.org/paper/(?:[^\s/?#]+/)?([0-9a-f]{40})(?![0-9a-z])", re.IGNORECASE)
_ARXIV_BARE_RE = re.compile(r"^((?:\d{4}\.\d{4,5})|(?:[a-z\-]+(?:\.[A-Z]{2})?/\d{7}))(?:v\d+)?$", re.IGNORECASE)
#: A title in **bold** / __bold__ / "quotes" / “curly quotes” (no nesting, bounded by the line).
_EMPH_RE = re.compile(r"\*\*([^*\n]+?)\*\*|__([^_\n]+?)__|\"([^\"\n]+)\"|“([^“”\n]+)”")
_ID_TOKEN_RE = re.compile(r"\b(?:arxiv|doi)\s*:\s*\S+", re.IGNORECASE)
_BR_RE = re.compile(r"<br\s*/?>", re.IGNORECASE)
_VENUE_RE = re.compile(r"^([A-Za-z][A-Za-z&\-. ]*?)\s*'?\s*((?:19|20)\d{2})$")
_YEAR_RE = re.compile(r"^((?:19|20)\d{2})$")
_SPLIT_RE = re.compile(r"\s{2,}|\t")
_LATIN_THEN_CJK_RE = re.compile(f"^([^{_CJK}]*?[^\\s{_CJK}])\\s+([{_CJK}].*)$")
#: A Chinese lead-in ending in a colon before a Latin title: ``推荐阅读：Big Bird: ...``.
_CJK_LEADIN_RE = re.compile('^([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff、 ]{1,20})[：:]\\s*([A-Za-z0-9"“*\\[].*)$')
#: A dash separating a title from commentary: ——, —, --, – (any spacing) or " - " (spaced hyphen).
_COMMENT_DASH_RE = re.compile(r"\s*(?:—+|-{2,}|–)\s*|\s+-\s+")

_PLACEHOLDERS = {"null", "none", "nil", "n/a", "na", "-", "--", "?", "todo", "tbd", "done", "无", "空"}
_GENERIC_LINK_TEXT = {
    "",
    "pdf",
    "paper",
    "link",
    "code",
    "arxiv",
    "url",
    "here",
    "github",
    "abs",
    "project",
    "slides",
    "video",
    "blog",
    "论文",
    "代码",
    "链接",
    "地址",
    "原文",
}
_HEADER_KEYS = {
    "title": ("名称", "标题", "题目", "论文", "文章", "title", "name", "paper"),
    "venue": ("来源", "出处", "会议", "期刊", "venue", "source", "conference", "journal", "published"),
    "year": ("年份", "年", "year"),
    "notes": ("说明", "描述", "简介", "notes", "note", "description", "summary", "comment"),
    "status": ("状态", "status", "progress", "read"),
}
_CODE_SYMBOLS = ("&&", "||", "==", "=", "->", "=>", "{", "}", "<-")


# ----------------------------------------------------------------------------------- helpers


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _strip_markup(text: str) -> str:
    """Remove inline markdown (links keep their text, emphasis and code marks dropped)."""
    text = _MD_LINK_RE.sub(lambda m: m.group(1), text)
    text = re.sub(r"(\*\*|__|~~|`)", "", text)
    text = re.sub(r"(?<![\w*])\*(?!\s)([^*]+?)(?<!\s)\*(?!\w)", r"\1", text)
    text = re.sub(r"(?<![\w_])_(?!\s)([^_]+?)(?<!\s)_(?!\w)", r"\1", text)
    return text


def clean_title(text: str) -> str:
    """The title as written, tidied: no 《》/markdown, NFKC (ﬁ->fi), whitespace collapsed, no final period."""
    text = _strip_markup(text)
    text = _nfkc(text).replace("《", "").replace("》", "")
    text = _collapse(text)
    text = text.strip(" \t-–—|,;")
    if text.endswith(".") and not text.endswith(".."):
        text = text[:-1].rstrip()
    return text


def _clean_section(text: str) -> str | None:
    text = _collapse(_strip_markup(text))
    text = re.sub(r"[：:\s]+$", "", text)
    return text or None


def _is_placeholder(text: str) -> bool:
    return _collapse(text).lower() in _PLACEHOLDERS or not _collapse(text)


def _is_null(text: str) -> bool:
    return not _collapse(text) or _collapse(text).lower() in {"null", "none", "nil", "n/a", "-", "--"}


def _words(text: str) -> list[str]:
    return [w for w in text.split() if re.search(r"[A-Za-z]", w)]


def is_title(text: str) -> tuple[bool, str]:
    """Does ``text`` look like an (English) paper title? Returns (True, "") or (False, reason).

    Pure heuristic: mostly Latin letters, at least two words, and none of the known non-title
    patterns of the lists (Chinese notes, quotes, "X及其变种", "GOOGLE提出：...", NULL, code/formulae,
    all-lowercase sentence fragments, bare links, labels ending in a colon).
    """
    raw = _collapse(text)
    if not raw:
        return False, "empty"
    if raw.lower() in _PLACEHOLDERS:
        return False, f"placeholder ({raw})"
    if raw[0] in "'‘’`" or (raw[0] in '"“' and raw[-1] in '"”' and len(_words(raw)) > 12):
        return False, "a quotation, not a title"
    if raw in {"等等", "等", "etc", "etc.", "...", "……"}:
        return False, "an 'etc.' placeholder, not a title"
    if "及其变种" in raw or re.search(r"(?:变种|系列)$", raw):
        return False, "a 'X及其变种'-type list label, not a title"
    if re.search(r"提出\s*[：:]", raw):
        return False, "a 'X提出：...' note, not a title"
    if _CJK_IDEO_RE.search(raw):
        if not re.search(r"[A-Za-z]", raw):
            return False, "a Chinese note, not a title"
        return False, "contains Chinese commentary, not an English title"
    t = _nfkc(raw)
    if _URL_RE.fullmatch(t):
        return False, "a bare link"
    if any(sym in t for sym in _CODE_SYMBOLS):
        return False, "looks like code or a formula"
    nonspace = [c for c in t if not c.isspace()]
    latin = [c for c in nonspace if ("a" <= c.lower() <= "z") or unicodedata.category(c) == "Ll"]
    if len(latin) < 0.6 * len(nonspace):
        return False, "not mostly Latin letters"
    words = _words(t)
    if len(words) < 2:
        return False, "a single token, not a title"
    if len(words) > MAX_TITLE_WORDS:
        return False, "too long for a title"
    if t.endswith((":", "：")):
        return False, "a label ending in a colon"
    if not any(c.isupper() for c in t):
        return False, "no capital letters: a note, not a title"
    return True, ""


#: Most words a lower-case bullet may have and still be taken as a title (longer is prose).
LOWERCASE_TITLE_MAX_WORDS = 12
#: First words that start prose notes, not titles ("we ...", "but ...", "see ...").
_PROSE_STARTS = {
    "we", "i", "my", "our", "this", "these", "those", "there", "here", "but", "and", "or", "so",
    "because", "also", "then", "note", "see", "read", "todo", "which", "when", "if", "not", "just",
    "maybe", "very", "e.g", "e.g.", "i.e", "i.e.", "etc",
}  # fmt: skip
_LOWER_WORD_RE = re.compile(r"^[a-z0-9]+(?:[-'’][a-z0-9]+)*:?$")


def lowercase_title_ok(text: str) -> tuple[bool, str]:
    """May an all-lower-case bullet be a title (``- attention is all you need``)? (ok, reason).

    :func:`is_title` rejects text without capitals (lists use lower case for notes). A bullet is
    still taken as a title when it is *only* a plausible English title:

    * 3 to :data:`LOWERCASE_TITLE_MAX_WORDS` words (longer lower-case lines are prose);
    * every word is lower-case letters/digits, hyphens or apostrophes inside words allowed, at most
      one ``:`` ending a word (``bert: pre-training of ...``), and at least half the words purely
      alphabetic; so no sentence punctuation (``. , ; ! ?``), no parenthesised explanations
      (``arbitrary length spans of text (including zero length) are replaced ...``), no quotes,
      no markup (``* not a title *``);
    * it does not start like prose (``we``, ``but``, ``see``, ``note``, ``this`` ...).

    The caller also requires context (see ``_Parser.item``): a top-level bullet (not nested under
    another item) and not in the body of a heading that is itself a title - bullets under
    ``### BART: ...`` are notes about BART ("randomly shuffling the order of the sentences").
    """
    t = _collapse(_nfkc(text))
    words = t.split()
    if not 3 <= len(words) <= LOWERCASE_TITLE_MAX_WORDS:
        return False, f"lower-case text of {len(words)} words: a note, not a title"
    if not all(_LOWER_WORD_RE.match(w) for w in words) or t.count(":") > 1 or t.endswith(":"):
        return False, "lower-case text with punctuation: a note, not a title"
    if sum(w.isalpha() for w in words) * 2 < len(words):
        return False, "lower-case text of mostly non-words: a note, not a title"
    if words[0].rstrip(":") in _PROSE_STARTS:
        return False, "lower-case text starting like prose: a note, not a title"
    return True, ""


def _heading_is_title(text: str) -> tuple[bool, str]:
    ok, why = is_title(text)
    if not ok:
        return False, why
    if len(_words(text)) < HEADING_MIN_WORDS and ":" not in text:
        return False, f"a short heading (< {HEADING_MIN_WORDS} words), taken as a section"
    return True, ""


def _normalise_arxiv(ident: str) -> str:
    return re.sub(r"v\d+$", "", ident.strip().rstrip(".,;)"))


def extract_identifiers(text: str) -> tuple[str | None, str | None]:
    """(arxiv_id without version, doi) written in ``text``; github/zhihu/... URLs are ignored."""
    arxiv: str | None = None
    doi: str | None = None
    m = _ARXIV_URL_RE.search(text) or _ARXIV_PREFIX_RE.search(text)
    if m:
        arxiv = _normalise_arxiv(m.group(1))
    # DOIs: from doi.org URLs, "doi:" tokens, or bare 10.x/... outside any other URL.
    for url in _URL_RE.findall(text):
        dm = re.search(r"doi\.org/(10\.\d{4,9}/\S+)", url, re.IGNORECASE)
        if dm:
            doi = dm.group(1)
            break
    if doi is None:
        dm = _DOI_PREFIX_RE.search(text) or _DOI_RE.search(_URL_RE.sub(" ", text))
        if dm:
            doi = dm.group(1)
    if doi is not None:
        doi = doi.rstrip(".,;)]》").lower()
        am = _ARXIV_DOI_RE.match(doi)
        if am and arxiv is None:
            arxiv = _normalise_arxiv(am.group(1))
    return arxiv, doi


def extract_s2_id(text: str) -> str | None:
    """A Semantic Scholar paper id (40 hex digits, lower case) from a semanticscholar.org/paper URL."""
    m = _S2_URL_RE.search(text)
    return m.group(1).lower() if m else None


def _remove_identifiers(text: str) -> str:
    text = _URL_RE.sub(" ", text)
    text = _ID_TOKEN_RE.sub(" ", text)
    text = _DOI_RE.sub(" ", text)
    text = re.sub(r"\(\s*\)|\[\s*\]|（\s*）", " ", text)
    return text


def _split_cjk_commentary(text: str) -> tuple[str, str | None, str | None]:
    """(title, lead-in notes, trailing notes) of an English title mixed with Chinese commentary.

    * a lead-in of Chinese words ending in ``：``/``:`` before a Latin title is notes:
      ``推荐阅读：Big Bird: ...`` -> ("Big Bird: ...", "推荐阅读");
    * at the first CJK character (ideograph or full-width punctuation) after Latin text, when the
      rest holds an ideograph, the rest is notes:

      - a full-width ``（``/``【`` (or an unclosed ASCII ``(``) opens a commentary group, kept
        whole: ``Title（GPT-3 论文）`` -> notes ``（GPT-3 论文）``;
      - a full-width ``：，；、`` (or ASCII ``:``/``,``/``;`` just before the CJK) separates it:
        ``Title：Meta开源的对话模型`` -> notes ``Meta开源的对话模型``;
      - else the last dash separator before the CJK (``——``, ``—``, ``--``, ``–``, or a hyphen
        with spaces on both sides; never a hyphen inside a word such as ``Fine-Tuned``) does:
        ``GPT-4 Technical Report —— OpenAI 的技术报告`` -> notes ``OpenAI 的技术报告``.

    Text that starts with Chinese (``GOOGLE提出：...`` has no separator before 提) is left whole,
    so :func:`is_title` still reports why it is not a title.
    """
    lead: str | None = None
    m = _CJK_LEADIN_RE.match(text)
    if m:
        lead, text = m.group(1).strip(), m.group(2)
    p = next((i for i, c in enumerate(text) if _CJK_RE.match(c)), None)
    if p is None or not re.search("[A-Za-z]", text[:p]) or not _CJK_IDEO_RE.search(text, p):
        return text, lead, None
    prefix, ch = text[:p], text[p]
    head: str | None = None
    notes = ""
    paren = prefix.rfind("(")
    if ch in "（【":
        head, notes = prefix, text[p:]
    elif ch in "：，；、":
        head, notes = prefix, text[p + 1 :]
    elif paren > 0 and ")" not in prefix[paren:]:
        head, notes = prefix[:paren], text[paren:]
    elif prefix.rstrip()[-1:] in (":", ",", ";"):
        head, notes = prefix.rstrip()[:-1], text[p:]
    else:
        seps = list(_COMMENT_DASH_RE.finditer(prefix))
        if seps and seps[-1].start() > 0:
            head, notes = prefix[: seps[-1].start()], text[seps[-1].end() :]
    if head is None or not re.search("[A-Za-z]", head):
        return text, lead, None
    return head.strip(), lead, (notes.strip() or None)


def _split_candidate(text: str) -> tuple[str, str | None]:
    """Split a bullet body into (title candidate, commentary)."""
    text = text.strip()
    parts = _SPLIT_RE.split(text, maxsplit=1)
    if len(parts) == 2 and parts[0].strip():
        text, rest = parts[0].strip(), parts[1].strip()
    else:
        rest = ""
    head, lead, tail = _split_cjk_commentary(text)
    if tail is None and not rest:
        m = _LATIN_THEN_CJK_RE.match(head)
        head, tail = (m.group(1), m.group(2)) if m else (head, None)
    notes = " ".join(n for n in (lead, tail, rest) if n)
    return head, (notes or None)


def _candidate_from_text(body: str) -> tuple[str, str | None, bool]:
    """(title candidate, notes, always_title) for a bullet/cell body."""
    book = _BOOK_RE.search(body)
    if book:
        around = _collapse((body[: book.start()] + " " + body[book.end() :]).strip())
        around = _collapse(_remove_identifiers(around)).strip(" -–—:：,，;")
        return _collapse(_remove_identifiers(book.group(1))), (around or None), True
    links = list(_MD_LINK_RE.finditer(body))
    emph = _emphasised_title(body)
    if emph is not None and not (links and not body[: links[0].start()].strip(" *_")):
        return emph[0], emph[1], True
    meaningful = [
        m for m in links if m.group(1).strip().lower() not in _GENERIC_LINK_TEXT and not _URL_RE.match(m.group(1))
    ]
    if meaningful and not body[: meaningful[0].start()].strip(" *_"):
        first = meaningful[0]
        after = _MD_LINK_RE.sub(
            lambda m: "" if m.group(1).strip().lower() in _GENERIC_LINK_TEXT else m.group(1),
            body[first.end() :],
        )
        after = _collapse(_remove_identifiers(after)).strip(" -–—:：,，;")
        return first.group(1), (after or None), False
    text = _MD_LINK_RE.sub(
        lambda m: "" if (m.group(1).strip().lower() in _GENERIC_LINK_TEXT or _URL_RE.match(m.group(1))) else m.group(1),
        body,
    )
    text = _remove_identifiers(text)
    head, rest = _split_candidate(text.rstrip())
    return head, rest, False


def _stands_alone(before: str, after: str) -> bool:
    """Is a quoted/bold segment with this text around it the whole title (not part of one)?"""
    if _CJK_IDEO_RE.search(before) or _CJK_IDEO_RE.search(after):
        return True
    if after[:1].isalnum() or after[:1] in "-'’":
        return False  # glued to the following text: **Bold**ed, "Quote"-based
    a, b = after.strip(), before.strip()
    after_ok = not a or a[0] in "([（【,，;；.。!！?？—–-|/" or a[0].islower()
    if b[-1:].isalnum() and before[-1:] not in " \t":
        return False
    last = b.split()[-1] if b else ""
    before_ok = not b or b[-1] in ":：,，(（[【—–-|" or last.islower() or len(b.split()) == 1
    return after_ok and before_ok


def _emphasised_title(body: str) -> tuple[str, str | None] | None:
    """(title, notes) when ``body`` carries a title in quotes or bold amid commentary, else None."""
    if "*" not in body and "_" not in body and '"' not in body and "“" not in body:
        return None
    for m in _EMPH_RE.finditer(body):
        inner = next(g for g in m.groups() if g is not None)
        if m.group(0)[0] in '"“' and inner.rstrip().endswith((".", "。")):
            continue  # a quoted sentence, not a quoted title
        title = clean_title(_remove_identifiers(inner))
        if not is_title(title)[0]:
            continue
        before, after = body[: m.start()], body[m.end() :]
        if not _stands_alone(before, after):
            continue
        rest = _MD_LINK_RE.sub(
            lambda lm: "" if lm.group(1).strip().lower() in _GENERIC_LINK_TEXT else lm.group(1),
            (before.rstrip() + " " + after.lstrip()),
        )
        tidy = _collapse(_remove_identifiers(_strip_markup(rest)))
        tidy = re.sub(r"\s+(?=[，。、；：！？）】])", "", tidy).strip(" -–—:：,，;；")
        return title, (tidy or None)
    return None


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


def parse_venue(cell: str) -> tuple[str | None, int | None]:
    """Venue+year cell: ``ACL2019`` -> ("ACL", 2019); ``2019`` -> (None, 2019); ``Arxiv2020`` ->
    ("arXiv", 2020); NULL / garbage such as ``done`` -> (None, None)."""
    text = _collapse(_nfkc(cell))
    if _is_placeholder(text):
        return None, None
    m = _YEAR_RE.match(text)
    if m:
        return None, int(m.group(1))
    m = _VENUE_RE.match(text)
    venue: str | None
    year: int | None = None
    if m:
        venue, year = m.group(1).strip(" -.'"), int(m.group(2))
    elif re.fullmatch(r"[A-Za-z][A-Za-z&\-]*", text) and any(c.isupper() for c in text):
        venue = text
    else:
        return None, None
    if venue.lower() == "arxiv":
        venue = "arXiv"
    elif venue.islower():
        venue = venue.upper()
    return venue or None, year


def _notes_cell(cell: str) -> str | None:
    if _is_null(cell):
        return None
    lines = [ln.strip() for ln in _BR_RE.split(cell)]
    text = "\n".join(lines).strip()
    return text or None


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
    def item(self, line_no: int, raw_line: str, body: str, *, top_bullet: bool = False) -> None:
        """One bullet body / paragraph line. ``top_bullet``: a non-nested bullet, which may be an
        all-lower-case title (see :func:`lowercase_title_ok`) unless under a title heading."""
        ids = extract_identifiers(body)
        s2 = extract_s2_id(body)
        candidate, notes, always = _candidate_from_text(body)
        title = clean_title(candidate)
        if always and title:
            self.add(line_no, title, ids, notes=notes, s2_paper_id=s2)
            return
        ok, why = is_title(title)
        if not ok and title and (ids[0] or ids[1] or s2) and not _CJK_IDEO_RE.search(title):
            ok = True  # an explicit identifier on the line makes it an entry whatever its text
        if not ok and why.startswith("no capital letters") and top_bullet and not self.under_title_heading:
            ok, why = lowercase_title_ok(title)
        if ok:
            self.add(line_no, title, ids, notes=notes, s2_paper_id=s2)
        else:
            self.skip(line_no, raw_line, why or "not a title")

    # -- headings -------------------------------------------------------------------------
    def heading(self, line_no: int, raw_line: str, text: str) -> None:
        body = text.strip()
        if not body:
            return
        ids = extract_identifiers(body)
        candidate, notes, always = _candidate_from_text(body)
        title = clean_title(candidate)
        ok, why = (True, "") if always and title else _heading_is_title(title)
        if ok:
            self.add(line_no, title, ids, notes=notes, s2_paper_id=extract_s2_id(body))
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
        title = clean_title(candidate)
        if not (always and title):
            ok, why = is_title(title)
            if not ok and not (title and (ids[0] or ids[1] or s2) and not _CJK_IDEO_RE.search(title)):
                self.skip(line_no, raw, why or "not a title")
                return
        self.add(line_no, title, ids, venue=venue, year=year, notes=notes, status=status, s2_paper_id=s2)

    # -- whole text -----------------------------------------------------------------------
    def run(self, text: str) -> None:
        if text.startswith("\ufeff"):
            text = text[1:]
        if not text.strip():
            self.problems.append(ListProblem(self.source_file, 1, "empty file: no titles in it", fatal=False))
            return
        lines = [ln.rstrip("\r") for ln in text.split("\n")]
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
                self.heading(no, line, hm.group(2) or "")
                i += 1
                continue
            bm = _BULLET_RE.match(line)
            if bm and bm.group(2).strip():
                body = _CHECKBOX_RE.sub("", bm.group(2).strip())
                self.item(no, line, body, top_bullet=not bm.group(1))
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
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        parser.problems.append(ListProblem(source_file, 1, "empty file: no titles in it", fatal=False))
        return parser.entries, parser.skipped, parser.problems
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
        bare = _ARXIV_BARE_RE.match(c)
        arxiv = arxiv or (_normalise_arxiv(bare.group(1)) if bare else extract_identifiers(c)[0])
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


# ----------------------------------------------------------------------------------- BibTeX


def parse_bibtex(text: str, source_file: str) -> tuple[list[ListEntry], list[SkippedLine], list[ListProblem]]:
    """Parse a ``.bib`` list (pure): one entry per BibTeX entry with a title; line = its '@' line.

    A syntax error is a fatal problem naming the entry (``@article{key``) and its line.
    """
    parser = _Parser(source_file, plain_text=False)
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        parser.problems.append(ListProblem(source_file, 1, "empty file: no titles in it", fatal=False))
        return parser.entries, parser.skipped, parser.problems
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
            bare = _ARXIV_BARE_RE.match(eprint)
            arxiv = _normalise_arxiv(bare.group(1)) if bare else extract_identifiers(eprint)[0]
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


def parse_list_text(text: str, source_file: str) -> tuple[list[ListEntry], list[SkippedLine], list[ListProblem]]:
    """Parse one list's text by its suffix: .csv/.tsv, .bib, else markdown / plain text."""
    suffix = PurePosixPath(source_file).suffix.lower()
    if suffix in (".csv", ".tsv"):
        return parse_table_file(text, source_file)
    if suffix == ".bib":
        return parse_bibtex(text, source_file)
    return parse_markdown(text, source_file)


# ----------------------------------------------------------------------------------- loading


def _list_files(raw_dir: Path) -> list[Path]:
    found = []
    for path in raw_dir.rglob("*"):
        rel = path.relative_to(raw_dir)
        if any(part.startswith(".") for part in rel.parts):
            continue
        if rel.as_posix().lower() == OVERRIDES_FILE:
            continue  # the overrides file (pipeline.overrides), never a reading list
        if path.is_file() and path.suffix.lower() in LIST_SUFFIXES:
            found.append(path)
    return sorted(found, key=lambda p: p.relative_to(raw_dir).as_posix())


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
    files = _list_files(raw_dir)
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
    from pipeline.titles import normalise_title

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
