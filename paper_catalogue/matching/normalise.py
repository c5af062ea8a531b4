"""The words of a title: normalisation and tokens. Pure functions, no I/O.

One spelling per title ("Pre-training" = "Pre training", "ﬁ" = "fi", "100,000+" = "100k+") is what every
comparison, every merge of list entries and every search query starts from, so it lives on its own.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
DIGIT_RE = re.compile(r"\d")
_POINT_ZERO = re.compile(r"(\d+)\.0\b")
YEAR_RE = re.compile(r"^(19|20)\d{2}$")
ALPHA_PREFIX_RE = re.compile(r"^([a-z]+)\d")
#: Words whose presence flips a title's meaning; counted, so "not not" differs from "not".
NEGATIONS = frozenset({"not", "no", "without", "non", "never", "nor"})
#: Words too common to tell two titles apart when one replaces another.
STOPWORDS = frozenset({"a", "an", "the", "of", "for", "and", "in", "on", "with", "to", "via", "by", "from", "at", "is"})
_ROMAN = {"ii": "2", "iii": "3", "iv": "4"}


@lru_cache(maxsize=1 << 16)
def normalise_title(text: str) -> str:
    """The identity of a title: NFKC, no accents, lower case, alphanumeric words only.

    NFKC turns ligatures (``ﬁ``) and full-width characters into plain letters; removing
    combining marks makes "Schütze" equal "Schutze"; punctuation and hyphens become spaces so
    "Pre-training" and "Pre training" agree.
    """
    if text.isascii():  # most titles: NFKC and NFKD leave ASCII as it is, and there are no combining marks
        return " ".join(_NON_ALNUM.sub(" ", plain_numbers(text).lower()).split())
    text = plain_numbers(unicodedata.normalize("NFKC", text))
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.casefold()
    return " ".join(_NON_ALNUM.sub(" ", text).split())


_THOUSANDS = re.compile(r"(?<![\d.,])(\d{1,3})((?:,\d{3})+)(?![\d,]|\.\d)")
_KILO = re.compile(r"(?<![\w.])(\d+)[kK](?![\w])")


def plain_numbers(text: str) -> str:
    """One spelling per number: "100,000+" and "100k+" are both "100000+"."""
    if not DIGIT_RE.search(text):
        return text
    text = _THOUSANDS.sub(lambda m: m.group(1) + re.sub(r"\D", "", m.group(2)), text)
    return _KILO.sub(lambda m: m.group(1) + "000", text)


def compact(norm: str) -> str:
    return norm.replace(" ", "")


@lru_cache(maxsize=1 << 16)
def version_tokens(text: str) -> tuple[str, ...]:
    """Normalised tokens with "3.0" read as "3" and roman II-IV as digits, so "ERNIE 3" equals "ERNIE 3.0".

    Cached, like :func:`normalise_title`: one title is compared with many candidates and spellings."""
    text = _POINT_ZERO.sub(r"\1", unicodedata.normalize("NFKC", text))
    return tuple(_ROMAN.get(t, t) for t in normalise_title(text).split())


def content_words(norm: str) -> list[str]:
    return [t for t in norm.split() if t not in STOPWORDS and len(t) > 1]


def name_tokens(title: str) -> set[str]:
    """Tokens of the name before a title's colon ("ERNIE" of "ERNIE: ..."); empty without a colon.

    A note that versions these ("(ERNIE 2.0)") names another paper, not something the paper is about."""
    return set(version_tokens(title.partition(":")[0])) if ":" in title else set()
