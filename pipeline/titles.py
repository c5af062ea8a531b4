"""Title normalisation and similarity. Pure functions, no I/O.

Reading lists spell titles loosely (case, ligatures, missing spaces, truncated endings, a stray
"(Z)"), while search engines return titles that are close but sometimes belong to another paper
("ERNIE 2.0" vs "ERNIE 3.0", "... Sequences" vs "... Sequences in Genomics"). Everything that
decides whether two titles name the same paper lives here, so it can be tested without a network.
"""

from __future__ import annotations

import re
import unicodedata

from rapidfuzz import fuzz

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_DIGIT = re.compile(r"\d")
#: Words whose presence in only one of two titles flips their meaning.
_NEGATIONS = frozenset({"not", "no", "without", "non", "never", "nor", "beyond", "against"})
_ROMAN = {"ii": "2", "iii": "3", "iv": "4"}


def normalise_title(text: str) -> str:
    """The identity of a title: NFKC, no accents, lower case, alphanumeric words only.

    NFKC turns ligatures (``ﬁ``) and full-width characters into plain letters; removing
    combining marks makes "Schütze" equal "Schutze"; punctuation and hyphens become spaces so
    "Pre-training" and "Pre training" agree.
    """
    text = unicodedata.normalize("NFKC", text)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.casefold()
    return " ".join(_NON_ALNUM.sub(" ", text).split())


def _compact(norm: str) -> str:
    return norm.replace(" ", "")


def distinguishing_tokens(a: str, b: str) -> set[str]:
    """Tokens with digits (versions, sizes, years) that appear in only one of the two titles.

    "ERNIE 2.0" and "ERNIE 3.0" are 95% the same string and entirely different papers; a
    differing number is the strongest sign of that.
    """
    ta = {_ROMAN.get(t, t) for t in normalise_title(a).split()}
    tb = {_ROMAN.get(t, t) for t in normalise_title(b).split()}
    return {t for t in ta ^ tb if _DIGIT.search(t)}


def negation_mismatch(a: str, b: str) -> bool:
    """True when a negating word is in one title only ("To Pretrain or Not to Pretrain" style flips)."""
    ta = set(normalise_title(a).split()) & _NEGATIONS
    tb = set(normalise_title(b).split()) & _NEGATIONS
    return ta != tb


def title_similarity(a: str, b: str) -> tuple[float, str]:
    """Similarity 0-1 of two titles and a short reason, symmetric.

    Compares the titles with spaces removed (so "FORLANGUAGE" equals "for language"), credits a
    title that was cut short in the list (a prefix of the candidate) a little below a full match,
    and caps the score hard when numbers or negations differ.
    """
    na, nb = normalise_title(a), normalise_title(b)
    if not na or not nb:
        return 0.0, "empty title"
    if na == nb:
        return 1.0, "same title"
    ca, cb = _compact(na), _compact(nb)
    if ca == cb:
        return 0.99, "same title apart from spacing"
    score = fuzz.ratio(ca, cb) / 100.0
    why = f"edit similarity {score:.2f}"
    token = fuzz.token_sort_ratio(na, nb) / 100.0
    if token > score:
        score, why = token, f"same words in another order ({token:.2f})"
    short, long_ = (ca, cb) if len(ca) <= len(cb) else (cb, ca)
    if len(short) >= 20 and long_.startswith(short):
        prefix = 0.85 + 0.1 * len(short) / len(long_)
        if prefix > score:
            score, why = prefix, f"one title is the start of the other ({len(short)}/{len(long_)} characters)"
    differing = distinguishing_tokens(a, b)
    if differing:
        score = min(score, 0.6)
        why = f"numbers differ ({', '.join(sorted(differing))})"
    elif negation_mismatch(a, b):
        score = min(score, 0.6)
        why = "a negation is in one title only"
    return round(score, 4), why
