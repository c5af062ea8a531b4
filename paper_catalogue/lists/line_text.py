"""Pure text helpers about a single reading-list line or cell (no parsing state, no I/O).

Every list format (markdown, CSV/TSV, BibTeX) decides "is this a title, and which part of it is the
title" the same way, so those one-line heuristics live here, shared, apart from the parsers:

* normalisation: NFKC (ligatures such as ﬁ), whitespace collapsing, inline-markdown stripping, and
  :func:`clean_title`;
* :func:`is_title` / :func:`lowercase_title_ok`: does a candidate look like an (English) paper title;
* identifiers (:func:`extract_identifiers`, :func:`extract_s2_id`): arXiv ids, DOIs and Semantic
  Scholar paper ids, only from ``arXiv:`` / arxiv.org / doi.org / bare ``10.x/...`` /
  semanticscholar.org/paper forms (never from github/zhihu/weixin URLs);
* splitting an English title from Chinese commentary (``Title（GPT-3 论文）``, ``推荐阅读：Title``);
* **emphasised titles**: a title in "double quotes", “curly quotes” or **bold** inside a bullet or
  paragraph is the title when the text around it is commentary (Chinese, brackets, punctuation,
  lower-case prose): ``- 推荐阅读 **Attention Is All You Need**，很经典``. When the quote/bold is
  part of a longer title (``"Why Should I Trust You?": Explaining ...``) the whole line is used;
* :func:`parse_venue`: a venue+year cell (``ACL2019``) as hints.
"""

from __future__ import annotations

import html
import re
import unicodedata

from paper_catalogue.lists.identifiers import URL_RE, remove_identifiers

#: A line longer than this is skipped (nobody writes a title that long; it keeps the regexes linear).
MAX_LINE_CHARS = 2000
#: A candidate longer than this is prose, not a title.
MAX_TITLE_WORDS = 40


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
#: A markdown link; its text may hold one level of brackets (``[[FNN]Deep Learning over ….pdf](url)``).
_MD_LINK_RE = re.compile(r"!?\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\(([^)\s]*)(?:\s+\"[^\"]*\")?\)")
#: A title in **bold** / __bold__ / "quotes" / “curly quotes” / ‘single quotes’ (no nesting, bounded by the line).
#: Single quotes double as apostrophes ("Don’t"), so a single-quoted title runs to the *last* closing quote
#: that no letter follows, and its opening quote follows no letter.
_EMPH_RE = re.compile(
    r"\*\*([^*\n]+?)\*\*|__([^_\n]+?)__|\"([^\"\n]+)\"|“([^“”\n]+)”"
    r"|(?<!\w)‘([^‘\n]+)’(?!\w)|(?<![\w'])'([^\n]+)'(?!\w)"
)
_BR_RE = re.compile(r"<br\s*/?>", re.IGNORECASE)
_VENUE_RE = re.compile(r"^([A-Za-z][A-Za-z&\-. ]*?)\s*'?\s*((?:19|20)\d{2})$")
_YEAR_RE = re.compile(r"^((?:19|20)\d{2})$")
_SPLIT_RE = re.compile(r"\s{2,}|\t")
_LATIN_THEN_CJK_RE = re.compile(f"^([^{_CJK}]*?[^\\s{_CJK}])\\s+([{_CJK}].*)$")
#: A Chinese lead-in ending in a colon before a Latin title: ``推荐阅读：Big Bird: ...``.
_CJK_WORDS = "[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff、 ]{1,20}"
#: ... or a word or two of Chinese and a space: ``百度 ERNIE 1.0: ...``.
_CJK_IDEOS = "[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]{1,12}"
#: ... or Chinese glued to a short name and a separator before the title: ``清华ERNIE - ERNIE: ...``,
#: ``百度ERNIE 1.0：ERNIE: ...``.
_CJK_NAMED = f"{_CJK_IDEOS}[A-Za-z0-9.\\- ]{{1,20}}?\\s*(?:[：:]|\\s[-–—]{{1,2}}\\s|——)"
_CJK_LEADIN_RE = re.compile(
    f"^((?:{_CJK_WORDS}[：:])|(?:[【\\[（(]{_CJK_WORDS}[】\\]）)])|(?:{_CJK_IDEOS}\\s)|(?:{_CJK_NAMED}))"
    f'\\s*([A-Za-z0-9"“*\\[].*)$'
)
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
_CODE_SYMBOLS = ("&&", "||", "==", "=", "->", "=>", "{", "}", "<-")


# ----------------------------------------------------------------------------------- helpers


def _generic_link(text: str) -> bool:
    """Link text that names no paper: ``[pdf]``, ``[[code]]``, ``[arXiv]`` …"""
    return text.strip().strip("[]").strip().lower() in _GENERIC_LINK_TEXT or not text.strip("[] ")


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
    """The title as written, tidied: no 《》/markdown/HTML entities, NFKC (ﬁ->fi), whitespace collapsed, no final
    period; a file name (``Attention_Is_All_You_Need.pdf``) read as its words."""
    text = html.unescape(text)
    if not re.search(r"\s", text.strip()) and text.count("_") >= 2:
        text = re.sub(r"\.(?:pdf|html?|txt)$", "", text.strip(), flags=re.IGNORECASE).replace("_", " ")
    # A file name as link text: "[FNN]Deep Learning over Multi-field Categorical Data.pdf" (label, extension).
    text = re.sub(r"\.pdf\s*$", "", text.strip(), flags=re.IGNORECASE)
    text = re.sub(r"^\[[^\[\]]{1,20}\](?=[A-Za-z])", "", text)
    text = _strip_markup(text)
    text = _nfkc(text).replace("《", "").replace("》", "")
    text = _collapse(text)
    text = text.strip(" \t-–—|,;")
    if text.endswith(".") and not text.endswith(".."):
        text = text[:-1].rstrip()
    return text


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
    if URL_RE.fullmatch(t):
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
#: ... unless a colon gives it a title's shape (``attention is not all you need: pure attention loses ...``).
LOWERCASE_TITLE_WITH_COLON_MAX_WORDS = 20
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

    * 3 to :data:`LOWERCASE_TITLE_MAX_WORDS` words (longer lower-case lines are prose), or up to
      :data:`LOWERCASE_TITLE_WITH_COLON_MAX_WORDS` with a colon (or one spaced dash, read as one);
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
    if ":" not in t:
        t = re.sub(r"\s+[-–—]{1,2}\s+", ": ", t, count=1)  # "constitutional ai - harmlessness from ai feedback"
    words = t.split()
    longest = LOWERCASE_TITLE_WITH_COLON_MAX_WORDS if t.count(":") == 1 else LOWERCASE_TITLE_MAX_WORDS
    if not 3 <= len(words) <= longest:
        return False, f"lower-case text of {len(words)} words: a note, not a title"
    if not all(_LOWER_WORD_RE.match(w) for w in words) or t.count(":") > 1 or t.endswith(":"):
        return False, "lower-case text with punctuation: a note, not a title"
    if sum(w.isalpha() for w in words) * 2 < len(words):
        return False, "lower-case text of mostly non-words: a note, not a title"
    if words[0].rstrip(":") in _PROSE_STARTS:
        return False, "lower-case text starting like prose: a note, not a title"
    return True, ""


def _split_cjk_commentary(text: str) -> tuple[str, str | None, str | None]:
    """(title, lead-in notes, trailing notes) of an English title mixed with Chinese commentary.

    * a lead-in of Chinese words ending in ``：``/``:``, or in brackets, before a Latin title is notes:
      ``推荐阅读：Big Bird: ...`` -> ("Big Bird: ...", "推荐阅读"); ``【必读】Title`` -> ("Title", "【必读】");
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
        lead, text = m.group(1).strip().rstrip("：:-–—").strip(), m.group(2)
    p = next((i for i, c in enumerate(text) if _CJK_RE.match(c)), None)
    if p is None or not re.search("[A-Za-z]", text[:p]) or not _CJK_IDEO_RE.search(text, p):
        return text, lead, None
    prefix, ch = text[:p], text[p]
    if ch == "：" and _name_before_colon(prefix, text[p + 1 :]):
        title, _, tail = _split_cjk_commentary(f"{prefix}: {text[p + 1 :].lstrip()}")
        return title, lead, tail
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


def _name_before_colon(prefix: str, rest: str) -> bool:
    """Is a full-width colon the title's own colon, typed in a Chinese input method?

    ``BERTScore：Evaluating Text Generation with BERT —— 生成评估指标``: one name before it and a run of
    English words after it. ``Llama 2: ...：Meta开源的对话模型`` (a title before, one word glued to Chinese
    after) is a title followed by notes.
    """
    name = prefix.strip()
    if not name or " " in name or not re.search("[A-Za-z]", name):
        return False
    english = re.match(f"[^{_CJK}]*", rest).group(0)  # type: ignore[union-attr]
    return len(_words(_COMMENT_DASH_RE.split(english, maxsplit=1)[0])) >= 2


def _split_candidate(text: str) -> tuple[str, str | None]:
    """Split a bullet body into (title candidate, commentary)."""
    text = text.strip()
    parts = _SPLIT_RE.split(text, maxsplit=1)
    if len(parts) == 2 and parts[0].rstrip().endswith((":", "：", ",", "&")):
        parts = [f"{parts[0].rstrip()} {parts[1].lstrip()}"]  # "Title:  Subtitle": two spaces typed, one title
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
        around = _collapse(remove_identifiers(around)).strip(" -–—:：,，;")
        return _collapse(remove_identifiers(book.group(1))), (around or None), True
    links = list(_MD_LINK_RE.finditer(body))
    emph = _emphasised_title(body)
    if emph is not None and not (links and not body[: links[0].start()].strip(" *_")):
        return emph[0], emph[1], True
    meaningful = [m for m in links if not _generic_link(m.group(1)) and not URL_RE.match(m.group(1))]
    if meaningful and not body[: meaningful[0].start()].strip(" *_"):
        first = meaningful[0]
        after = _MD_LINK_RE.sub(
            lambda m: "" if _generic_link(m.group(1)) else m.group(1),
            body[first.end() :],
        )
        after = _collapse(remove_identifiers(after)).strip(" -–—:：,，;")
        return first.group(1), (after or None), False
    text = _MD_LINK_RE.sub(
        lambda m: "" if (_generic_link(m.group(1)) or URL_RE.match(m.group(1))) else m.group(1),
        body,
    )
    text = remove_identifiers(text)
    head, rest = _split_candidate(text.rstrip())
    return head, rest, False


def _stands_alone(before: str, after: str) -> bool:
    """Is a quoted/bold segment with this text around it the whole title (not part of one)?"""
    if _CJK_IDEO_RE.search(before) or _CJK_IDEO_RE.search(after):
        return True
    if after[:1] and (after[:1].isalnum() or after[:1] in "-'’"):
        return False  # glued to the following text: **Bold**ed, "Quote"-based
    a, b = after.strip(), before.strip()
    # after it: nothing, punctuation, lower-case prose, or italics (``**Title?** *First et al.*``)
    after_ok = not a or a[0] in "([（【,，;；.。!！?？—–-|/*_" or a[0].islower()
    if b[-1:].isalnum() and before[-1:] not in " \t":
        return False
    last = b.split()[-1] if b else ""
    before_ok = not b or b[-1] in ":：,，(（[【—–-|" or last.islower() or len(b.split()) == 1
    return after_ok and before_ok


#: More words than this in single quotes, in sentence case, is a quoted passage rather than a title.
QUOTED_SENTENCE_WORDS = 12


def _title_cased(text: str) -> bool:
    """Most longer words capitalised, as in "Don’t Stop Pretraining: Adapt Language Models to ..."."""
    long_words = [w for w in _words(text) if len(w) > 3]
    return bool(long_words) and sum(w[0].isupper() for w in long_words) >= 0.6 * len(long_words)


def _emphasised_title(body: str) -> tuple[str, str | None] | None:
    """(title, notes) when ``body`` carries a title in quotes or bold amid commentary, else None."""
    if not any(mark in body for mark in ("*", "_", '"', "“", "‘", "'")):
        return None
    for m in _EMPH_RE.finditer(body):
        inner = next(g for g in m.groups() if g is not None)
        if m.group(0)[0] in "\"“‘'" and inner.rstrip().endswith((".", "。")):
            continue  # a quoted sentence, not a quoted title
        if m.group(0)[0] in "‘'" and len(_words(inner)) > QUOTED_SENTENCE_WORDS and not _title_cased(inner):
            continue  # a quoted passage in single quotes: "‘All tokens in the selected spans are ...’"
        title = clean_title(remove_identifiers(inner))
        if not is_title(title)[0]:
            continue
        before, after = body[: m.start()], body[m.end() :]
        if not _stands_alone(before, after):
            continue
        rest = _MD_LINK_RE.sub(
            lambda lm: "" if _generic_link(lm.group(1)) else lm.group(1),
            (before.rstrip() + " " + after.lstrip()),
        )
        tidy = _collapse(remove_identifiers(_strip_markup(rest)))
        tidy = re.sub(r"\s+(?=[，。、；：！？）】])", "", tidy).strip(" -–—:：,，;；")
        return title, (tidy or None)
    return None


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
