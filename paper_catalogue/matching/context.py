"""What surrounds a title in a reading-list line, and how to read past it. Pure functions, no I/O.

Lists put titles among notes and citations: "GPT-3 — ...", "... (ICLR 2021 oral)", "... - github link",
"[PDF] arxiv.org ...", whole references in any citation style. The matcher (:mod:`paper_catalogue.matching.similarity`)
reads past them only when what is left is a candidate's whole title and nothing around it could make it
another paper; the resolver sends the search engines the title inside a reference (:func:`query_title`).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from paper_catalogue.matching.normalise import (
    DIGIT_RE,
    NEGATIONS,
    STOPWORDS,
    YEAR_RE,
    compact,
    content_words,
    name_tokens,
    normalise_title,
    plain_numbers,
)

#: Pieces of a citation around a title: "Vaswani et al. 2017", "Kingma & Ba", "ICLR 2015", "(2020)".
_SEPARATORS = re.compile(r"\s*(?:,|;|\.\s|\s[-–—]{1,2}\s)\s*")
_CITATION_PIECE = re.compile(
    r"^\(?(?:"
    r"[A-Z][\w'’-]+(?:\s+(?:and|&)\s+[A-Z][\w'’-]+)?(?:\s+et\s+al\.?)?(?:,?\s*\(?(?:19|20)\d{2}\)?)?"  # authors (year)
    r"|(?:[A-Z][A-Za-z]*\s+)?\(?(?:19|20)\d{2}\)?"  # (venue) year
    r")\)?\.?$"
)


#: What a copy from Google Scholar carries around a title: "[PDF] arxiv.org ..." in front.
SCHOLAR_TAGS_RE = re.compile(
    r"^\s*(?:\[(?:PDF|HTML|DOC|BOOK|CITATION|C)\]\s*)+(?:[\w-]+(?:\.[\w-]+)+\s+)?", re.IGNORECASE
)


#: Commentary a list puts at either end of a whole title: a bracketed note ("(SQuAD 2.0)", "（let's think step
#: by step）", "[code]") or a short tail after a dash, a bar or an emoji ("- github link", "👈 attention").
_NOTE_IN_BRACKETS_AT_END = re.compile(r"\s*[(\[（【]([^()\[\]（）【】]{1,60})[)\]）】]\s*$")
_NOTE_IN_BRACKETS_IN_FRONT = re.compile(r"^\s*[(\[【]([^()\[\]（）【】]{1,30})[)\]】]\s*(?=\S)")
_NOTE_AFTER_SEPARATOR = re.compile(
    r"(?:\s+[-–—|·]{1,2}\s+|\s*—{1,2}\s*|\s*[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF]+\s*)([^-–—|·]+)$"
)
#: Most words a tail note may have; a longer tail is more likely part of a title.
NOTE_WORDS = 6
#: A note that says the paper is about, or follows up, the titled one: then it names another paper.
ANOTHER_PAPER_WORDS = frozenset(
    {"revisit", "revisited", "revisiting", "rethinking", "survey", "review", "reproduction", "reproducibility",
     "replication", "critique", "comment", "comments", "response", "reply", "erratum", "corrigendum", "extension",
     "extended", "sequel", "part", "follow", "successor", "beyond", "towards", "toward", "improving", "improved",
     "analysis", "analyzing", "analysing", "explained", "explaining", "interpreting", "limits", "limitations"}
)  # fmt: skip
#: A reading that drops a note must match the candidate's whole title this well (same title, modulo spelling).
WHOLE_TITLE = 0.97
#: Score of a whole title found inside a line of notes: sure, a little below the same title alone.
WHOLE_TITLE_INSIDE = 0.98
#: Marks such a reading among the tokens it may drop (never a real token: normalised tokens are alphanumeric).
WHOLE_TITLE_ONLY = "*"


def without_notes(written: str) -> list[tuple[str, str]]:
    """The written title with a note at its end or in front removed: (remaining text, the note).

    Only notes that cannot turn the title into another paper's: no negation and no "revisited",
    "survey", "part" and the like. Whether the rest is the candidate's whole title is the caller's check.
    """
    out: list[tuple[str, str]] = []
    for pattern in (_NOTE_IN_BRACKETS_AT_END, _NOTE_AFTER_SEPARATOR):
        m = pattern.search(written)
        if m and m.start() > 0:
            out.append((written[: m.start()], m.group(1).strip()))
    m = _NOTE_IN_BRACKETS_IN_FRONT.match(written)
    if m:
        out.append((written[m.end() :], m.group(1).strip()))
    return [(rest, note) for rest, note in out if len(note.split()) <= NOTE_WORDS and harmless_note(note)]


#: A pasted reference is sentences: "Wang et al. (2023). <title>. ICLR." or "Kojima, T., ..., Iwasawa, Y. <title>.
#: NeurIPS 2022." Any run of up to this many consecutive sentences may be its title.
REFERENCE_TITLE_SENTENCES = 3
#: A sentence ends at a period and a space, or at a colon right after an initial: Springer/LNCS references write
#: "Hinton, G., Vinyals, O., Dean, J.: Distilling the Knowledge in a Neural Network. arXiv (2015)".
_SENTENCE_END = re.compile(r"(?<=[^\s.])\.\s+(?=\S)|(?<=\b[A-Z]\.):\s+(?=\S)")
#: Past this many sentences the line is prose, not a reference.
REFERENCE_MAX_SENTENCES = 24


def reference_titles(written: str) -> list[tuple[str, str]]:
    """(one run of consecutive sentences, the rest) for a written title that reads like a pasted reference.

    The rest (authors with initials, year, venue) may not hold a negation or a "revisited"/"survey"-type
    word; whether the run is the candidate's whole title is the caller's check.
    """
    bounds = _sentence_bounds(written)
    if not 2 <= len(bounds) <= REFERENCE_MAX_SENTENCES:
        return []
    out: list[tuple[str, str]] = []
    for i in range(len(bounds)):
        for j in range(i, min(i + REFERENCE_TITLE_SENTENCES, len(bounds))):
            run = written[bounds[i][0] : bounds[j][1]]
            before, after = written[: bounds[i][0]].strip(" ."), written[bounds[j][1] :].strip(" .")
            rest = " … ".join(p for p in (before, after) if p)
            words = set(normalise_title(rest).split())
            if len(_words_of(run)) >= 2 and not words & (ANOTHER_PAPER_WORDS | NEGATIONS):
                out.append((run, rest))
    return out


def _sentence_bounds(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of ``text``: pieces between a period and a space ("Iwasawa, Y. Large ...")."""
    ends = list(_SENTENCE_END.finditer(text))
    starts = [0, *(m.end() for m in ends)]
    stops = [*(m.start() for m in ends), len(text)]
    return list(zip(starts, stops, strict=True))


def _words_of(text: str) -> list[str]:
    return [w for w in normalise_title(text).split() if not w.isdigit()]


#: Venues and similar words that follow a title in a list without punctuation ("... NeurIPS 2017").
_VENUE_WORDS = frozenset(
    {"neurips", "nips", "icml", "iclr", "acl", "emnlp", "naacl", "eacl", "coling", "aacl", "tacl", "aaai", "ijcai",
     "cvpr", "iccv", "eccv", "kdd", "sigir", "www", "wsdm", "cikm", "jmlr", "tmlr", "tpami", "interspeech", "icassp",
     "arxiv", "corr", "openreview", "findings", "hlt", "ijcnlp", "nature", "science", "pmlr", "colm", "preprint",
     "pdf", "oral", "spotlight", "poster", "et", "al"}
)  # fmt: skip
#: What may stand between a title and a note: anything but letters, digits, spaces and joining marks.
_JOINERS = frozenset("&+'’_")
#: Whole titles shorter than this (content words) are too generic to be found inside a longer line.
INSIDE_MIN_WORDS = 3
#: A tail after ":" or a dash with this many words or more, without a year or "et al.", is a subtitle.
SUBTITLE_WORDS = 3


@lru_cache(maxsize=1 << 14)
def _located_tokens(text: str) -> tuple[tuple[str, int, int], ...]:
    """Normalised tokens of ``text`` with the (start, end) of the piece of ``text`` they come from."""
    out: list[tuple[str, int, int]] = []
    for m in re.finditer(r"[^\W_]+", text):
        for token in normalise_title(m.group()).split():
            out.append((token, m.start(), m.end()))
    return tuple(out)


def _separated(piece: str, at_end: bool) -> bool:
    """Does punctuation (not a joining ``&``) stand between the title and this piece of the line?"""
    stripped = piece.strip()
    edge = stripped[:1] if at_end else stripped[-1:]
    return bool(edge) and not edge.isalnum() and edge not in _JOINERS


def _citation_like(words: list[str]) -> bool:
    """Venue words and years only ("NeurIPS 2017", "ICLR'21"); a bare "2" would be a sequel's number."""
    has_venue = any(w in _VENUE_WORDS for w in words)
    return bool(words) and all(w in _VENUE_WORDS or YEAR_RE.match(w) or (has_venue and len(w) == 2) for w in words)


#: First words of a tail that carries the title's sentence on ("... or is it?", "..., Except When It Isn't").
_RUNS_ON = frozenset({"or", "but", "except", "unless", "when", "if", "until", "vs", "versus", "than"})


def _acceptable_rest(piece: str, at_end: bool, name: set[str]) -> bool:
    """Can this piece of the line around a whole title be notes rather than part of another paper's title?"""
    words = normalise_title(piece).split()
    if not words:
        return True  # punctuation, emoji, Chinese notes
    if set(words) & (ANOTHER_PAPER_WORDS | NEGATIONS) or re.search(r"n['’]t\b", piece):
        return False
    if any(DIGIT_RE.search(w) for w in words) and set(words) & name:
        return False  # "Llama 2: ... (Llama 3)": a version of the paper's own name
    if _citation_like(words) or (at_end and re.match(r"\s*by\s+[A-Z]", piece)):
        return True  # "... NeurIPS 2017", "... by Vaswani et al."
    if not _separated(piece, at_end):
        return False  # "Attention Is All You Need in Speech Separation": the title goes on
    if _quoted_in_a_title(piece, at_end):
        return False  # 'Beyond “Attention Is All You Need”': a title quoting this one
    lettered = [w for w in words if not w.isdigit()]
    if at_end:
        if not lettered and not all(YEAR_RE.match(w) for w in words):
            return False  # "... (2)", "... - 2": a sequel's number, not a note
        if lettered and lettered[0] in STOPWORDS | _RUNS_ON:
            return False  # "... - for Image Recognition" continues the title
        opener = piece.strip()[:1]
        if opener in ":-–—" and len(lettered) >= SUBTITLE_WORDS and not re.search(r"(19|20)\d{2}|et al", piece):
            return False  # "Deep Learning: Methods and Applications" is another paper's subtitle
    elif lettered and lettered[-1] in STOPWORDS:
        return False
    return True


_QUOTES = "\"“”‘’'«»「」『』"


def _quoted_in_a_title(piece: str, at_end: bool) -> bool:
    """Quotes around the title with words running on beyond them: 'A Closer Look at “X”', '“X” Explained'.

    A reference quotes a title too (``Vaswani et al. "Attention is all you need." Advances ...``), but
    there punctuation stands beyond the quote."""
    stripped = piece.strip()
    if not stripped or stripped[0 if at_end else -1] not in _QUOTES:
        return False
    beyond = (stripped[1:] if at_end else stripped[:-1]).strip()
    if not beyond:
        return False
    edge = beyond[0] if at_end else beyond[-1]
    return edge.isalnum()


def whole_title_inside(written: str, candidate: str) -> tuple[float, str] | None:
    """The candidate's whole title found word for word inside the line, the rest being notes.

    Lists wrap titles in every citation style there is (``Vaswani, Ashish, et al. "Attention is all you
    need." Advances in ... 30 (2017)``, ``[1] A. Vaswani et al., "...," NIPS 2017``, GB/T ``...[C]//Proc``,
    ``... | Vaswani et al. | NeurIPS 2017``, ``... [paper] [code]``). Rather than know them all, accept a
    line that contains the whole title when what surrounds it is set off by punctuation (or is a venue
    and year) and says nothing that would make it another paper.
    """
    nc = normalise_title(candidate)
    if compact(nc) not in compact(normalise_title(written)):
        return None  # cheap test first: most candidates of most lines are not inside them
    ct = nc.split()
    if len(content_words(nc)) < INSIDE_MIN_WORDS:
        return None
    text = plain_numbers(unicodedata.normalize("NFKC", written))
    located = _located_tokens(text)
    tokens = [t for t, _, _ in located]
    target = "".join(ct)
    name = name_tokens(candidate)
    for i, token in enumerate(tokens):
        if not target.startswith(token):
            continue
        joined, j = "", i
        while j < len(tokens) and len(joined) < len(target):
            joined += tokens[j]
            j += 1
        if joined != target:
            continue
        before, after = text[: located[i][1]], text[located[j - 1][2] :]
        if not (before.strip() or after.strip()):
            return None  # the whole line: the ordinary comparison has scored it
        if _acceptable_rest(before, False, name) and _acceptable_rest(after, True, name):
            rest = " … ".join(p for p in (before.strip(), after.strip()) if p)
            shown = rest if len(rest) <= 60 else f"{rest[:57]}…"
            return WHOLE_TITLE_INSIDE, f"the whole title is in the line; the rest is notes ({shown})"
    return None


def harmless_note(note: str) -> bool:
    """A note that cannot make the title another paper's: no negation, no "revisited"/"survey"/"part", and
    not a phrase that continues the title ("- for Image Recognition")."""
    words = normalise_title(note).split()
    return not words or (words[0] not in STOPWORDS and not set(words) & (ANOTHER_PAPER_WORDS | NEGATIONS))


def is_citation(piece: str) -> bool:
    """Only author names with "et al."/"&"/"and", a venue and year, or a year ("Ba et al., 2016")."""
    piece = piece.strip()
    if re.fullmatch(r"arXiv preprint(?:\s+arXiv:\s*\S+)?(?:,?\s*(?:19|20)\d{2})?\.?", piece, re.IGNORECASE):
        return True
    if "et al" in piece and re.fullmatch(r"[\w'’.&\s-]*et al\.?,?\s*(?:(?:19|20)\d{2})?", piece):
        return True
    return bool(_CITATION_PIECE.match(piece)) and (
        "et al" in piece or "&" in piece or " and " in piece or bool(re.search(r"(19|20)\d{2}", piece))
    )


def without_citation(written: str) -> str | None:
    """The written title with author/venue/year pieces around it removed, or None if there are none.

    Lists cite rather than title: "Attention Is All You Need, Vaswani et al. 2017",
    "Hinton et al. - Distilling the Knowledge in a Neural Network (2015)". A piece is dropped only
    when it is *only* names with "et al."/"&", a venue and year, or a year.
    """
    pieces = [p for p in _SEPARATORS.split(written.strip()) if p]
    if len(pieces) < 2:
        return None

    kept = [p for p in pieces if not is_citation(p)]
    if not kept or len(kept) == len(pieces):
        return None
    return " ".join(kept)


# ------------------------------------------------------------------------------ search queries

_INITIALS = re.compile(r"(?:^|[\s,])[A-Z]\.(?:\s?-?[A-Z]\.)*(?=[\s,]|$)|\b[A-Z]{1,2}\b(?=,|\s*$)")
_NAME = r"[A-Z][\w'’.-]*(?:\s[A-Z][\w'’.-]*){0,3}"
#: "Jacob Devlin, Ming-Wei Chang, Kenton Lee, and Kristina Toutanova": three or more names in a row.
_NAME_LIST = re.compile(rf"^{_NAME}(?:,\s*(?:and\s+)?{_NAME}){{2,}},?\s*(?:and\s+{_NAME})?$")
_VENUE_START = re.compile(
    r"^\s*\(?(?:in\b|in:|proc\b|proceedings|advances in|arxiv|corr\b|journal|conference|transactions|pp\.|pages"
    r"|vol\.|volume)",
    re.IGNORECASE,
)
_YEAR_IN = re.compile(r"\b(?:19|20)\d{2}\b")
#: GB/T 7714 (Chinese references) marks the type after the title: "...understanding[C]//Proceedings ...".
_GBT_MARK = re.compile(r"\[(?:J|C|M|D|R|S|P|N|A|Z|EB/OL)\](?://.*)?$")
_QUOTED = re.compile(r"[\"“]([^\"“”]{8,}?)[,.]?[\"”]")
_LEADING_CITATION = re.compile(
    r"^\s*(?:[^.()]*?\bet al\.?,?\s*)?\(?(?:19|20)\d{2}[a-z]?\)?[.,:]?\s+|^\s*[^.()]*?\bet al\.?,?\s+"
)


#: A citation in brackets at the end of a line: "(Ba et al., 2016)", "(Jiang et al., 2023)", "(2015)".
_TRAILING_CITATION = re.compile(r"\s*[(\[（]([^()\[\]（）]{1,60})[)\]）]\s*$")
#: A nickname of up to three words before a spaced dash: "TGAN - …", "Improved GAN - …", "AM-GAN – …".
_DASH_LABEL = re.compile(r"^\s*[\w.+\-]+(?:\s+[\w.+\-]+){0,2}\s+[-–—]{1,2}\s+(?=\S)")


def _authors_like(piece: str) -> bool:
    p = piece.strip()
    return "et al" in p or " & " in p or (bool(_INITIALS.search(p)) and "," in p) or bool(_NAME_LIST.match(p))


def _venue_like(piece: str) -> bool:
    return bool(_VENUE_START.match(piece)) or bool(_YEAR_IN.search(piece))


def _title_likeness(piece: str) -> float:
    """Longer is likelier a title; authors and venue/year pieces are not titles."""
    words = [w for w in normalise_title(piece).split() if not w.isdigit()]
    if len(words) < 2:
        return 0.0
    return len(words) - 100.0 * _authors_like(piece) - 50.0 * _venue_like(piece)


def query_title(written: str) -> str:
    """What to send to the search engines for a title as written: the title inside a pasted reference.

    A title-match endpoint given a whole reference (authors, year, venue, pages) may find nothing and
    arXiv's phrase search certainly does, so the search gets the quoted title of an MLA/IEEE reference,
    the sentence of an APA/ACL/GB-T reference that is neither the authors nor the venue, or the title
    without a Google Scholar tag or a citation around it. Anything else is sent as written. Only the
    query changes: candidates are still scored against the whole written line.
    """
    text = SCHOLAR_TAGS_RE.sub("", written).strip()
    quoted = [m for m in _QUOTED.finditer(text) if len(normalise_title(m.group(1)).split()) >= 3]
    if len(quoted) == 1 and _authors_like(text[: quoted[0].start()].rstrip(" ,")):
        return quoted[0].group(1).strip(" ,.")
    sentences = [text[a:b] for a, b in _sentence_bounds(text)]
    if 2 <= len(sentences) <= REFERENCE_MAX_SENTENCES and any(_authors_like(p) or _venue_like(p) for p in sentences):
        best = max((_LEADING_CITATION.sub("", p) for p in sentences), key=_title_likeness)
        if _title_likeness(best) >= 3:
            return _GBT_MARK.sub("", best).strip(' "“”.,')
    cited = _TRAILING_CITATION.search(text)
    if cited and cited.start() > 0 and is_citation(cited.group(1)):
        text = text[: cited.start()]  # "Layer Normalization (Ba et al., 2016)": the brackets are no title words
    text = without_citation(text) or text
    label = _DASH_LABEL.match(text)
    if label and len(normalise_title(text[label.end() :]).split()) >= 3:
        return text[
            label.end() :
        ].strip()  # "TGAN - Temporal Generative Adversarial Nets": the nickname is no title word
    return text
