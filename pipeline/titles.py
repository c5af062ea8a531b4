"""Title normalisation and similarity. Pure functions, no I/O.

Reading lists spell titles loosely (case, ligatures, missing spaces, truncated endings, a stray
"(Z)", a "GPT-3:" label in front), while search engines return titles that are close but
sometimes belong to another paper ("ERNIE 2.0" vs "ERNIE 3.0", "... in Genomics" vs "... in
Proteomics", "Attention is not Explanation" vs "Attention is not not Explanation"). Everything that
decides whether a written title names a candidate's paper lives here, so it can be tested without
a network.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache

from rapidfuzz import fuzz

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_DIGIT = re.compile(r"\d")
_POINT_ZERO = re.compile(r"(\d+)\.0\b")
_YEAR = re.compile(r"^(19|20)\d{2}$")
_ALPHA_PREFIX = re.compile(r"^([a-z]+)\d")
#: Words whose presence flips a title's meaning; counted, so "not not" differs from "not".
_NEGATIONS = frozenset({"not", "no", "without", "non", "never", "nor"})
#: Words too common to tell two titles apart when one replaces another.
_STOPWORDS = frozenset(
    {"a", "an", "the", "of", "for", "and", "in", "on", "with", "to", "via", "by", "from", "at", "is"}
)
_ROMAN = {"ii": "2", "iii": "3", "iv": "4"}
#: Two words this similar are one word misspelt, not one word replaced by another.
_TYPO_SIMILARITY = 80.0

SAME = 1.0
SAME_SPACING = 0.99
#: Score given when the written title is its candidate's main title without the subtitle
#: ("Train Short, Test Long" for "Train Short, Test Long: Attention with Linear Biases ...").
MAIN_TITLE = 0.92
#: Caps: a differing version number or negation can never be accepted; a replaced word rarely.
CONFLICT_CAP = 0.6
SUBSTITUTION_CAP = 0.85
#: Up to this many content words, a word the candidate has and the written title lacks is a different title;
#: in longer titles it is more likely a word the list dropped.
SHORT_TITLE_WORDS = 6


@lru_cache(maxsize=1 << 16)
def normalise_title(text: str) -> str:
    """The identity of a title: NFKC, no accents, lower case, alphanumeric words only.

    NFKC turns ligatures (``ﬁ``) and full-width characters into plain letters; removing
    combining marks makes "Schütze" equal "Schutze"; punctuation and hyphens become spaces so
    "Pre-training" and "Pre training" agree.
    """
    text = _plain_numbers(unicodedata.normalize("NFKC", text))
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.casefold()
    return " ".join(_NON_ALNUM.sub(" ", text).split())


_THOUSANDS = re.compile(r"(?<![\d.,])(\d{1,3})((?:,\d{3})+)(?![\d,]|\.\d)")
_KILO = re.compile(r"(?<![\w.])(\d+)[kK](?![\w])")


def _plain_numbers(text: str) -> str:
    """One spelling per number: "100,000+" and "100k+" are both "100000+"."""
    if not _DIGIT.search(text):
        return text
    text = _THOUSANDS.sub(lambda m: m.group(1) + re.sub(r"\D", "", m.group(2)), text)
    return _KILO.sub(lambda m: m.group(1) + "000", text)


def _compact(norm: str) -> str:
    return norm.replace(" ", "")


@lru_cache(maxsize=1 << 16)
def _version_tokens(text: str) -> tuple[str, ...]:
    """Normalised tokens with "3.0" read as "3" and roman II-IV as digits, so "ERNIE 3" equals "ERNIE 3.0".

    Cached, like :func:`normalise_title`: one title is compared with many candidates and spellings."""
    text = _POINT_ZERO.sub(r"\1", unicodedata.normalize("NFKC", text))
    return tuple(_ROMAN.get(t, t) for t in normalise_title(text).split())


def _forgiven_labels(tw: tuple[str, ...], sc: set[str]) -> set[str]:
    """Version labels in the written title whose name the candidate lacks entirely ("gpt", "3" of "GPT-3:")."""
    out: set[str] = set()
    for i, token in enumerate(tw):
        if token in sc or not _DIGIT.search(token):
            continue
        glued = _ALPHA_PREFIX.match(token)
        name = glued.group(1) if glued else (tw[i - 1] if i > 0 and tw[i - 1].isalpha() else None)
        if name is not None and name not in sc and name not in _ANOTHER_PAPER:
            out.update({token, name})
    return out


def _first_versions(tw: tuple[str, ...], tc: tuple[str, ...]) -> set[str]:
    """A "1" after a name the candidate has without any version: "ERNIE 1.0" is the paper titled "ERNIE: ..."
    (first versions go unnumbered until a second one appears), while "ERNIE 2.0" stays another paper."""
    for i, token in enumerate(tw):
        if token == "1" and i > 0 and tw[i - 1] in tc:
            after = tc.index(tw[i - 1]) + 1
            if after == len(tc) or not _DIGIT.search(tc[after]):
                return {"1"}
    return set()


def distinguishing_tokens(written: str, candidate: str) -> set[str]:
    """Numbers (versions, sizes, years) that one title has and the other lacks.

    "ERNIE 2.0" and "ERNIE 3.0" are 95% the same string and entirely different papers. A number
    only in the *written* title is forgiven when the name it versions is absent from the candidate:
    "GPT-3: Language Models are Few-Shot Learners" is a label in front of the real title, while
    "ERNIE 2.0: ..." against "ERNIE: ..." is a different version of the same name.
    """
    tw, tc = _version_tokens(written), _version_tokens(candidate)
    sw, sc = set(tw), set(tc)
    forgiven = _forgiven_labels(tw, sc) | _first_versions(tw, tc)
    return {t for t in sc - sw if _DIGIT.search(t)} | {t for t in sw - sc if _DIGIT.search(t) and t not in forgiven}


def negation_mismatch(a: str, b: str) -> bool:
    """True when the titles negate a different number of times ("not" vs none; "not not" vs "not")."""
    ca = Counter(t for t in normalise_title(a).split() if t in _NEGATIONS)
    cb = Counter(t for t in normalise_title(b).split() if t in _NEGATIONS)
    return ca != cb


def substituted_words(written: str, candidate: str) -> tuple[set[str], set[str]]:
    """Content words that one title has where the other has a different word (not a misspelling).

    Edit similarity forgives one replaced word in a long title ("... in Proteomics" scores 0.9
    against "... in Genomics"); a replaced content word means another paper unless it is a typo
    or two words written together ("FORLANGUAGE" for "for language").
    """
    forgiven = _forgiven_labels(_version_tokens(written), set(_version_tokens(candidate)))
    # One-letter words ("(Z)") and version labels are not content words.
    tw = [t for t in _version_tokens(written) if t not in _STOPWORDS and len(t) > 1 and t not in forgiven]
    tc = [t for t in _version_tokens(candidate) if t not in _STOPWORDS and len(t) > 1]
    only_w = [t for t in tw if t not in tc]
    only_c = [t for t in tc if t not in tw]

    def explained(word: str, others: list[str], pool: list[str]) -> bool:
        if any(fuzz.ratio(_stem(word), _stem(o)) >= _TYPO_SIMILARITY for o in others):
            return True
        # Glued words: "forlanguage" contains "language"; "pretraining" contains "pre" and "training".
        return any(o in word for o in pool if len(o) >= 3) or any(word in o for o in others)

    lone_w = {t for t in only_w if not explained(t, only_c, tc)}
    lone_c = {t for t in only_c if not explained(t, only_w, tw)}
    return lone_w, lone_c


def _stem(word: str) -> str:
    """Plural and -ing forms folded, so "Entity"/"Entities" or "representation(s)" are one word."""
    for suffix, repl in (("ations", ""), ("ation", ""), ("ies", "y"), ("ing", ""), ("es", ""), ("s", "")):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            return word[: -len(suffix)] + repl
    return word


def _content_words(norm: str) -> list[str]:
    return [t for t in norm.split() if t not in _STOPWORDS and len(t) > 1]


def _main_title(text: str) -> str | None:
    head, sep, _ = text.partition(":")
    return normalise_title(head) if sep else None


_TRAILING_LABEL = re.compile(r"\s*[(\[（【]([^()\[\]（）【】]{1,40})[)\]）】]\s*$")
#: A short name in front of the title: "ViT: ...", "CLIP - ...", "ALiBi – ..." (one token, no spaces).
_LEADING_LABEL = re.compile(r"^\s*([A-Za-z][\w.+\-]{0,14})\s*(?::|\s[-–—]{1,2})\s+(?=\S)")
#: Pieces of a citation around a title: "Vaswani et al. 2017", "Kingma & Ba", "ICLR 2015", "(2020)".
_SEPARATORS = re.compile(r"\s*(?:,|;|\.\s|\s[-–—]{1,2}\s)\s*")
_CITATION_PIECE = re.compile(
    r"^\(?(?:"
    r"[A-Z][\w'’-]+(?:\s+(?:and|&)\s+[A-Z][\w'’-]+)?(?:\s+et\s+al\.?)?(?:,?\s*\(?(?:19|20)\d{2}\)?)?"  # authors (year)
    r"|(?:[A-Z][A-Za-z]*\s+)?\(?(?:19|20)\d{2}\)?"  # (venue) year
    r")\)?\.?$"
)


#: Shorthands lists use for words that titles spell out, and number words titles write as digits.
_SHORTHANDS = (
    (re.compile(r"\bLLMs\b"), "Large Language Models"),
    (re.compile(r"\bLLM\b"), "Large Language Model"),
    (re.compile(r"\bLMs\b"), "Language Models"),
    (re.compile(r"\bLM\b"), "Language Model"),
    (re.compile(r"\bNets\b", re.IGNORECASE), "Networks"),
    (re.compile(r"\bNNs\b"), "Neural Networks"),
)
_NUMBER_WORDS = {"one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7"}
_NUMBER_WORD = re.compile(r"\b(" + "|".join(_NUMBER_WORDS) + r")\b", re.IGNORECASE)


#: What a copy from Google Scholar carries around a title: "[PDF] arxiv.org ..." in front.
_SCHOLAR_TAGS = re.compile(
    r"^\s*(?:\[(?:PDF|HTML|DOC|BOOK|CITATION|C)\]\s*)+(?:[\w-]+(?:\.[\w-]+)+\s+)?", re.IGNORECASE
)
#: An acronym in brackets inside a title: "Retrieval-Augmented Generation (RAG) for ...".
_INNER_ACRONYM = re.compile(r"\s*\((?=[^)]*[A-Z][^)]*[A-Z])[A-Za-z0-9-]{2,12}\)(?=\s*\S)")


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
_ANOTHER_PAPER = frozenset(
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
_WHOLE_TITLE_ONLY = "*"


def _without_notes(written: str) -> list[tuple[str, str]]:
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
    return [(rest, note) for rest, note in out if len(note.split()) <= NOTE_WORDS and _harmless(note)]


#: A pasted reference is sentences: "Wang et al. (2023). <title>. ICLR." or "Kojima, T., ..., Iwasawa, Y. <title>.
#: NeurIPS 2022." Any run of up to this many consecutive sentences may be its title.
REFERENCE_TITLE_SENTENCES = 3
_SENTENCE_END = re.compile(r"(?<=[^\s.])\.\s+(?=\S)")
#: Past this many sentences the line is prose, not a reference.
REFERENCE_MAX_SENTENCES = 24


def _reference_titles(written: str) -> list[tuple[str, str]]:
    """(one run of consecutive sentences, the rest) for a written title that reads like a pasted reference.

    The rest (authors with initials, year, venue) may not hold a negation or a "revisited"/"survey"-type
    word; whether the run is the candidate's whole title is the caller's check.
    """
    ends = list(_SENTENCE_END.finditer(written))
    if not ends or len(ends) >= REFERENCE_MAX_SENTENCES:
        return []
    starts = [0, *(m.end() for m in ends)]
    stops = [*(m.start() for m in ends), len(written)]
    bounds = list(zip(starts, stops, strict=True))
    out: list[tuple[str, str]] = []
    for i in range(len(bounds)):
        for j in range(i, min(i + REFERENCE_TITLE_SENTENCES, len(bounds))):
            run = written[bounds[i][0] : bounds[j][1]]
            rest = f"{written[: bounds[i][0]]} {written[bounds[j][1] :]}"
            before, after = written[: bounds[i][0]].strip(" ."), written[bounds[j][1] :].strip(" .")
            rest = " … ".join(p for p in (before, after) if p)
            words = set(normalise_title(rest).split())
            if len(_words_of(run)) >= 2 and not words & (_ANOTHER_PAPER | _NEGATIONS):
                out.append((run, rest))
    return out


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
    return bool(words) and all(w in _VENUE_WORDS or _YEAR.match(w) or (has_venue and len(w) == 2) for w in words)


#: First words of a tail that carries the title's sentence on ("... or is it?", "..., Except When It Isn't").
_RUNS_ON = frozenset({"or", "but", "except", "unless", "when", "if", "until", "vs", "versus", "than"})


def _acceptable_rest(piece: str, at_end: bool, name: set[str]) -> bool:
    """Can this piece of the line around a whole title be notes rather than part of another paper's title?"""
    words = normalise_title(piece).split()
    if not words:
        return True  # punctuation, emoji, Chinese notes
    if set(words) & (_ANOTHER_PAPER | _NEGATIONS) or re.search(r"n['’]t\b", piece):
        return False
    if any(_DIGIT.search(w) for w in words) and set(words) & name:
        return False  # "Llama 2: ... (Llama 3)": a version of the paper's own name
    if _citation_like(words) or (at_end and re.match(r"\s*by\s+[A-Z]", piece)):
        return True  # "... NeurIPS 2017", "... by Vaswani et al."
    if not _separated(piece, at_end):
        return False  # "Attention Is All You Need in Speech Separation": the title goes on
    if _quoted_in_a_title(piece, at_end):
        return False  # 'Beyond “Attention Is All You Need”': a title quoting this one
    lettered = [w for w in words if not w.isdigit()]
    if at_end:
        if not lettered and not all(_YEAR.match(w) for w in words):
            return False  # "... (2)", "... - 2": a sequel's number, not a note
        if lettered and lettered[0] in _STOPWORDS | _RUNS_ON:
            return False  # "... - for Image Recognition" continues the title
        opener = piece.strip()[:1]
        if opener in ":-–—" and len(lettered) >= SUBTITLE_WORDS and not re.search(r"(19|20)\d{2}|et al", piece):
            return False  # "Deep Learning: Methods and Applications" is another paper's subtitle
    elif lettered and lettered[-1] in _STOPWORDS:
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


def _whole_title_inside(written: str, candidate: str) -> tuple[float, str] | None:
    """The candidate's whole title found word for word inside the line, the rest being notes.

    Lists wrap titles in every citation style there is (``Vaswani, Ashish, et al. "Attention is all you
    need." Advances in ... 30 (2017)``, ``[1] A. Vaswani et al., "...," NIPS 2017``, GB/T ``...[C]//Proc``,
    ``... | Vaswani et al. | NeurIPS 2017``, ``... [paper] [code]``). Rather than know them all, accept a
    line that contains the whole title when what surrounds it is set off by punctuation (or is a venue
    and year) and says nothing that would make it another paper.
    """
    nc = normalise_title(candidate)
    if _compact(nc) not in _compact(normalise_title(written)):
        return None  # cheap test first: most candidates of most lines are not inside them
    ct = nc.split()
    if len(_content_words(nc)) < INSIDE_MIN_WORDS:
        return None
    text = _plain_numbers(unicodedata.normalize("NFKC", written))
    located = _located_tokens(text)
    tokens = [t for t, _, _ in located]
    target = "".join(ct)
    name = set(_version_tokens(candidate.partition(":")[0])) if ":" in candidate else set()
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


def _harmless(note: str) -> bool:
    """A note that cannot make the title another paper's: no negation, no "revisited"/"survey"/"part", and
    not a phrase that continues the title ("- for Image Recognition")."""
    words = normalise_title(note).split()
    return not words or (words[0] not in _STOPWORDS and not set(words) & (_ANOTHER_PAPER | _NEGATIONS))


def _spelled_out(written: str) -> tuple[str, set[str]]:
    """The written title with shorthands spelled out and number words as digits; the digits introduced."""
    text = written
    for pattern, full in _SHORTHANDS:
        text = pattern.sub(full, text)
    digits = {_NUMBER_WORDS[m.group(1).lower()] for m in _NUMBER_WORD.finditer(text)}
    text = _NUMBER_WORD.sub(lambda m: _NUMBER_WORDS[m.group(1).lower()], text)
    return text, digits


def _is_citation(piece: str) -> bool:
    """Only author names with "et al."/"&"/"and", a venue and year, or a year ("Ba et al., 2016")."""
    piece = piece.strip()
    if re.fullmatch(r"arXiv preprint(?:\s+arXiv:\s*\S+)?(?:,?\s*(?:19|20)\d{2})?\.?", piece, re.IGNORECASE):
        return True
    if "et al" in piece and re.fullmatch(r"[\w'’.&\s-]*et al\.?,?\s*(?:(?:19|20)\d{2})?", piece):
        return True
    return bool(_CITATION_PIECE.match(piece)) and (
        "et al" in piece or "&" in piece or " and " in piece or bool(re.search(r"(19|20)\d{2}", piece))
    )


def _without_citation(written: str) -> str | None:
    """The written title with author/venue/year pieces around it removed, or None if there are none.

    Lists cite rather than title: "Attention Is All You Need, Vaswani et al. 2017",
    "Hinton et al. - Distilling the Knowledge in a Neural Network (2015)". A piece is dropped only
    when it is *only* names with "et al."/"&", a venue and year, or a year.
    """
    pieces = [p for p in _SEPARATORS.split(written.strip()) if p]
    if len(pieces) < 2:
        return None

    kept = [p for p in pieces if not _is_citation(p)]
    if not kept or len(kept) == len(pieces):
        return None
    return " ".join(kept)


def title_similarity(written: str, candidate: str) -> tuple[float, str]:
    """How well a candidate's title matches a title as written in a list: score 0-1 and a reason.

    Not symmetric on purpose: a written title cut short (a prefix of the candidate's) is credited
    a little below a full match, but a written title *longer* than the candidate ("... for
    Biomedical Text") is another paper. A short label in brackets at the end of the written title
    ("(ELMo)", "(Baidu)") is the list's annotation and may be ignored.

    Longer notes at either end ("(let's think step by step)", "- github link", "👈 attention") and the
    authors/venue of a pasted reference are read past only when what is left is the candidate's whole
    title, and never when the note could make it another paper ("revisited", "survey", a negation).
    """
    best = _similarity(written, candidate)
    candidate_words = set(_version_tokens(candidate))
    # Readings of what was written, each with a note and the digit-bearing tokens it may drop.
    variants: list[tuple[str, str, frozenset[str]]] = []
    seen = {(written, frozenset[str]())}

    def add(text: str, note: str, allowed: frozenset[str]) -> None:
        if text.strip() and (text, allowed) not in seen:
            seen.add((text, allowed))
            variants.append((text, note, allowed))

    def readings() -> list[tuple[str, str, frozenset[str]]]:
        return [(written, "", frozenset()), *variants]

    spelled, introduced = _spelled_out(written)
    # A number word may answer a number the candidate has ("Llama Two" for "Llama 2"), nothing more.
    add(spelled, "reading shorthands and number words", frozenset(introduced))
    for text, _, allowed in readings():
        add(_SCHOLAR_TAGS.sub("", text), "ignoring the search engine's tags", allowed)
    for text, _, allowed in readings():
        add(_without_citation(text) or text, "ignoring the citation around it", allowed)
    for text, _, allowed in readings():
        acronyms = set(_version_tokens(" ".join(_INNER_ACRONYM.findall(text))))
        if not acronyms & candidate_words:  # only acronyms the candidate does not spell out itself
            add(_INNER_ACRONYM.sub("", text), "ignoring the acronym in brackets", allowed)
    for text, _, allowed in readings():
        label = _TRAILING_LABEL.search(text)
        if label and (len(label.group(1).split()) <= 3 or _is_citation(label.group(1))) and _harmless(label.group(1)):
            add(text[: label.start()], f"ignoring the list's label ({label.group(1).strip()})", allowed)
    for text, _, allowed in readings():
        lead = _LEADING_LABEL.match(text)
        # Only a label none of whose words the candidate has: "BERT: ..." against a BERT paper is the title
        # itself, and "Llama-3: <Llama 2's subtitle>" names another version.
        words = frozenset(_version_tokens(lead.group(1))) if lead else frozenset()
        if lead and not words & candidate_words:
            add(text[lead.end() :], f"ignoring the list's label ({lead.group(1)})", allowed | words)
    name = set(_version_tokens(candidate.partition(":")[0])) if ":" in candidate else set()
    for text, _, allowed in readings():
        pieces = [(rest, note, "the list's note") for rest, note in _without_notes(text)]
        pieces += [(run, rest, "the reference around the title") for run, rest in _reference_titles(text)]
        for kept, note_text, what in pieces:
            # Numbers in the note may go when it versions something the paper is about ("… for SQuAD (SQuAD
            # 2.0)"), not the paper's own name ("ERNIE: … (ERNIE 2.0)" is ERNIE 2.0's paper, or a confusion).
            note_words = frozenset(_version_tokens(note_text))
            numbers = note_words if not note_words & name else frozenset()
            shown = note_text if len(note_text) <= 60 else f"{note_text[:57]}…"
            add(kept, f"ignoring {what} ({shown})", allowed | numbers | {_WHOLE_TITLE_ONLY})
    conflicts = distinguishing_tokens(written, candidate)
    for text, note, allowed in variants:
        # A reading may drop a citation's year or a label the candidate does not know, never a version
        # number the candidate contradicts.
        dropped = conflicts - distinguishing_tokens(text, candidate)
        if any(not _YEAR.match(t) and t not in allowed for t in dropped):
            continue
        score, why = _similarity(text, candidate)
        if _WHOLE_TITLE_ONLY in allowed and score < WHOLE_TITLE:
            continue  # a reading without a note counts only when what is left is the whole title
        if score > best[0]:
            best = (score, f"{why}; {note}")
    if best[0] < WHOLE_TITLE_INSIDE:
        for text in dict.fromkeys((written, spelled)):
            inside = _whole_title_inside(text, candidate)
            if inside is not None and inside[0] > best[0]:
                best = inside
    return best


def _similarity(written: str, candidate: str) -> tuple[float, str]:
    nw, nc = normalise_title(written), normalise_title(candidate)
    if not nw or not nc:
        return 0.0, "empty title"
    if nw == nc:
        return SAME, "same title"
    cw, cc = _compact(nw), _compact(nc)
    if cw == cc:
        return SAME_SPACING, "same title apart from spacing"

    score = fuzz.ratio(cw, cc) / 100.0
    why = f"edit similarity {score:.2f}"
    token = fuzz.token_sort_ratio(nw, nc) / 100.0
    if token > score:
        score, why = token, f"same words in another order ({token:.2f})"
    prefix_of_candidate = len(cw) >= 20 and cc.startswith(cw)
    main = _main_title(candidate)
    if prefix_of_candidate:
        coverage = len(cw) / len(cc)
        prefix = round(0.55 + 0.45 * coverage, 4)
        written_main = _main_title(written)
        if main and written_main == main and len(_content_words(normalise_title(written.partition(":")[2]))) >= 2:
            # The whole main title plus part of the subtitle: a title cut short, not a shorter title.
            prefix = round(0.9 + 0.06 * coverage, 4)
        if prefix > score:
            score, why = prefix, f"the written title is the start of this one ({len(cw)}/{len(cc)} characters)"
    if main and nw == main and len(nw.split()) >= 3 and len(cw) >= 12 and score < MAIN_TITLE:
        score, why = MAIN_TITLE, "the written title is this paper's main title without its subtitle"
    subtitle = normalise_title(candidate.partition(":")[2]) if main else ""
    if subtitle and nw == subtitle and len(_content_words(subtitle)) >= 4 and score < MAIN_TITLE:
        score, why = MAIN_TITLE, f"the written title is this paper's subtitle, without its name ({main})"

    # The checks below compare only what both titles say: words cut off a truncated title do not count.
    compared = candidate
    if prefix_of_candidate:
        compared = " ".join(_version_tokens(candidate)[: len(_version_tokens(written))])
    elif main and nw == main:
        compared = candidate.partition(":")[0]
    elif subtitle and nw == subtitle:
        compared = candidate.partition(":")[2]
    differing = distinguishing_tokens(written, compared)
    if differing:
        return min(score, CONFLICT_CAP), f"numbers differ ({', '.join(sorted(differing))})"
    if negation_mismatch(written, compared):
        return min(score, CONFLICT_CAP), "a negation is in one title only"
    lone_w, lone_c = substituted_words(written, compared)
    if lone_w and lone_c and score > SUBSTITUTION_CAP:
        score = SUBSTITUTION_CAP
        why = f"a word differs ({', '.join(sorted(lone_w))} vs {', '.join(sorted(lone_c))})"
    elif lone_w and not prefix_of_candidate and len(nw) > len(nc) and score > SUBSTITUTION_CAP:
        score = SUBSTITUTION_CAP
        why = f"the written title says more ({', '.join(sorted(lone_w))})"
    elif (
        lone_c
        and not prefix_of_candidate
        and compared is candidate
        and len(_content_words(nw)) <= SHORT_TITLE_WORDS
        and score > SUBSTITUTION_CAP
    ):
        # In a short title every word counts: "Attention Is Not Quite All You Need" is another paper.
        score = SUBSTITUTION_CAP
        why = f"this title says more ({', '.join(sorted(lone_c))})"
    return round(score, 4), why


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


def _sentences(text: str) -> list[str]:
    ends = list(_SENTENCE_END.finditer(text))
    starts = [0, *(m.end() for m in ends)]
    stops = [*(m.start() for m in ends), len(text)]
    return [text[a:b] for a, b in zip(starts, stops, strict=True)]


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
    text = _SCHOLAR_TAGS.sub("", written).strip()
    quoted = [m for m in _QUOTED.finditer(text) if len(normalise_title(m.group(1)).split()) >= 3]
    if len(quoted) == 1 and _authors_like(text[: quoted[0].start()].rstrip(" ,")):
        return quoted[0].group(1).strip(" ,.")
    sentences = _sentences(text)
    if 2 <= len(sentences) < REFERENCE_MAX_SENTENCES and any(_authors_like(p) or _venue_like(p) for p in sentences):
        best = max((_LEADING_CITATION.sub("", p) for p in sentences), key=_title_likeness)
        if _title_likeness(best) >= 3:
            return _GBT_MARK.sub("", best).strip(' "“”.,')
    return _without_citation(text) or text
