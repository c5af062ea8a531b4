"""Title similarity: does a title as written name a candidate paper? Pure functions, no I/O.

Reading lists spell titles loosely (case, ligatures, missing spaces, truncated endings, a stray
"(Z)", a "GPT-3:" label in front), while search engines return titles that are close but
sometimes belong to another paper ("ERNIE 2.0" vs "ERNIE 3.0", "... in Genomics" vs "... in
Proteomics", "Attention is not Explanation" vs "Attention is not not Explanation"). The score that
decides whether a written title names a candidate's paper is computed here, from the words of titles
(:mod:`paper_catalogue.matching.normalise`) and readings that drop what surrounds a title in a list
(:mod:`paper_catalogue.matching.context`), so it can be tested without a network.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

from paper_catalogue.matching.context import (
    ANOTHER_PAPER_WORDS,
    SCHOLAR_TAGS_RE,
    WHOLE_TITLE,
    WHOLE_TITLE_INSIDE,
    WHOLE_TITLE_ONLY,
    harmless_note,
    is_citation,
    reference_titles,
    whole_title_inside,
    without_citation,
    without_notes,
)
from paper_catalogue.matching.normalise import (
    ALPHA_PREFIX_RE,
    DIGIT_RE,
    NEGATIONS,
    STOPWORDS,
    YEAR_RE,
    compact,
    content_words,
    name_tokens,
    normalise_title,
    version_tokens,
)

__all__ = [
    "normalise_title",
    "title_similarity",
    "distinguishing_tokens",
    "negation_mismatch",
    "plus_mismatch",
    "substituted_words",
]

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


def _forgiven_labels(tw: tuple[str, ...], sc: set[str]) -> set[str]:
    """Version labels in the written title whose name the candidate lacks entirely ("gpt", "3" of "GPT-3:")."""
    out: set[str] = set()
    for i, token in enumerate(tw):
        if token in sc or not DIGIT_RE.search(token):
            continue
        glued = ALPHA_PREFIX_RE.match(token)
        name = glued.group(1) if glued else (tw[i - 1] if i > 0 and tw[i - 1].isalpha() else None)
        if name is not None and name not in sc and name not in ANOTHER_PAPER_WORDS:
            out.update({token, name})
    return out


def _first_versions(tw: tuple[str, ...], tc: tuple[str, ...]) -> set[str]:
    """A "1" after a name the candidate has without any version: "ERNIE 1.0" is the paper titled "ERNIE: ..."
    (first versions go unnumbered until a second one appears), while "ERNIE 2.0" stays another paper."""
    for i, token in enumerate(tw):
        if token == "1" and i > 0 and tw[i - 1] in tc:
            after = tc.index(tw[i - 1]) + 1
            if after == len(tc) or not DIGIT_RE.search(tc[after]):
                return {"1"}
    return set()


def distinguishing_tokens(written: str, candidate: str) -> set[str]:
    """Numbers (versions, sizes, years) that one title has and the other lacks.

    "ERNIE 2.0" and "ERNIE 3.0" are 95% the same string and entirely different papers. A number
    only in the *written* title is forgiven when the name it versions is absent from the candidate:
    "GPT-3: Language Models are Few-Shot Learners" is a label in front of the real title, while
    "ERNIE 2.0: ..." against "ERNIE: ..." is a different version of the same name.
    """
    tw, tc = version_tokens(written), version_tokens(candidate)
    sw, sc = set(tw), set(tc)
    forgiven = _forgiven_labels(tw, sc) | _first_versions(tw, tc)
    return {t for t in sc - sw if DIGIT_RE.search(t)} | {t for t in sw - sc if DIGIT_RE.search(t) and t not in forgiven}


def negation_mismatch(a: str, b: str) -> bool:
    """True when the titles negate a different number of times ("not" vs none; "not not" vs "not")."""
    ca = sorted(t for t in normalise_title(a).split() if t in NEGATIONS)
    cb = sorted(t for t in normalise_title(b).split() if t in NEGATIONS)
    return ca != cb


#: A "+" or "++" glued to the end of a name ("PointNet++", "DeepLabv3+", "Network++"): the improved version of
#: that name, another paper. Normalisation drops it, so it is counted on the text as written.
_PLUS_MARK = re.compile(r"(?<=[A-Za-z0-9])\+{1,2}(?![\w+])")


PLUS_CONFLICT = 'a name marked "+" or "++" is in one title only'


def plus_mismatch(a: str, b: str) -> bool:
    """True when one title has a name marked "+"/"++" that the other lacks ("… Network" vs "… Network++")."""
    if "+" not in a and "+" not in b:  # nearly every pair: no regular expression needed
        return False
    return sorted(_PLUS_MARK.findall(a)) != sorted(_PLUS_MARK.findall(b))


def substituted_words(written: str, candidate: str) -> tuple[set[str], set[str]]:
    """Content words that one title has where the other has a different word (not a misspelling).

    Edit similarity forgives one replaced word in a long title ("... in Proteomics" scores 0.9
    against "... in Genomics"); a replaced content word means another paper unless it is a typo
    or two words written together ("FORLANGUAGE" for "for language").
    """
    forgiven = _forgiven_labels(version_tokens(written), set(version_tokens(candidate)))
    # One-letter words ("(Z)") and version labels are not content words.
    tw = [t for t in version_tokens(written) if t not in STOPWORDS and len(t) > 1 and t not in forgiven]
    tc = [t for t in version_tokens(candidate) if t not in STOPWORDS and len(t) > 1]
    only_w = [t for t in tw if t not in tc]
    only_c = [t for t in tc if t not in tw]
    stems_w = [_stem(t) for t in only_w]
    stems_c = [_stem(t) for t in only_c]

    def explained(word: str, others: list[str], other_stems: list[str], pool: list[str]) -> bool:
        # One C call over the other title's stems (a large list's decisions spend their time here).
        if other_stems and process.extractOne(
            _stem(word), other_stems, scorer=fuzz.ratio, score_cutoff=_TYPO_SIMILARITY
        ):
            return True
        # Glued words: "forlanguage" contains "language"; "pretraining" contains "pre" and "training".
        return any(o in word for o in pool if len(o) >= 3) or any(word in o for o in others)

    lone_w = {t for t in only_w if not explained(t, only_c, stems_c, tc)}
    lone_c = {t for t in only_c if not explained(t, only_w, stems_w, tw)}
    return lone_w, lone_c


@lru_cache(maxsize=1 << 16)
def _stem(word: str) -> str:
    """Plural and -ing forms folded, so "Entity"/"Entities" or "representation(s)" are one word."""
    for suffix, repl in (("ations", ""), ("ation", ""), ("ies", "y"), ("ing", ""), ("es", ""), ("s", "")):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            return word[: -len(suffix)] + repl
    return word


def _main_title(text: str) -> str | None:
    head, sep, _ = text.partition(":")
    return normalise_title(head) if sep else None


_TRAILING_LABEL = re.compile(r"\s*[(\[（【]([^()\[\]（）【】]{1,40})[)\]）】]\s*$")
#: A short name in front of the title: "ViT: ...", "CLIP - ...", "ALiBi – ..." (one token, no spaces).
_LEADING_LABEL = re.compile(
    r"^\s*([A-Za-z][\w.+\-]{0,14})\s*(?::|\s[-–—]{1,2})\s+(?=\S)"
    r"|^\s*([A-Za-z][\w.+\-]{0,14}(?:\s+[A-Za-z][\w.+\-]{0,14}){1,2})\s+[-–—]{1,2}\s+(?=\S)"
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


#: An acronym in brackets inside a title: "Retrieval-Augmented Generation (RAG) for ...".
_INNER_ACRONYM = re.compile(r"\s*\((?=[^)]*[A-Z][^)]*[A-Z])[A-Za-z0-9-]{2,12}\)(?=\s*\S)")


@lru_cache(maxsize=1 << 14)
def _spelled_out(written: str) -> tuple[str, frozenset[str]]:
    """The written title with shorthands spelled out and number words as digits; the digits introduced."""
    text = written
    for pattern, full in _SHORTHANDS:
        text = pattern.sub(full, text)
    digits = {_NUMBER_WORDS[m.group(1).lower()] for m in _NUMBER_WORD.finditer(text)}
    text = _NUMBER_WORD.sub(lambda m: _NUMBER_WORDS[m.group(1).lower()], text)
    return text, frozenset(digits)


def spellings(written: str) -> list[str]:
    """The ways a title as written may be spelled in the paper itself, for search queries (first: as written).

    Shorthands spelled out ("… Nets" → "… Networks", "LLMs" → "Large Language Models", number words as digits)
    and words glued together split at their capitals ("GenerativeAdversarial Networks"). Scoring reads these
    spellings too; a search that only asks for the written one cannot find a paper that spells it out.
    """
    out = [written]
    spelled = _spelled_out(written)[0]
    unglued = _GLUED.sub(r"\1 ", written)
    for text in (spelled, unglued, _GLUED.sub(r"\1 ", spelled)):
        if text not in out:
            out.append(text)
    return out


#: Two capitalised words written as one ("GenerativeAdversarial"): each part four letters at least, so names
#: such as "DeepInf", "RoBERTa" or "BERTScore" stay whole.
_GLUED = re.compile(r"\b([A-Z][a-z]{3,})(?=[A-Z][a-z]{3,}\b)")


@dataclass(frozen=True)
class _ReadingParts:
    """What a reading of a written title may drop, worked out once per text: a title is scored against many
    candidates, and only the checks against the candidate's words are the candidate's."""

    tagless: str
    uncited: str
    acronyms: frozenset[str]
    unacronymed: str
    #: (label, the text before it) when a harmless short label or citation ends the text.
    trailing: tuple[str, str] | None
    #: (label, the text after it, the label's tokens) when a short label starts the text.
    leading: tuple[str, str, frozenset[str]] | None
    #: (what is kept, the note or reference dropped, what that is, the note's tokens).
    pieces: tuple[tuple[str, str, str, frozenset[str]], ...]


@lru_cache(maxsize=1 << 14)
def _parts(text: str) -> _ReadingParts:
    label = _TRAILING_LABEL.search(text)
    trailing = None
    if label and (len(label.group(1).split()) <= 3 or is_citation(label.group(1))) and harmless_note(label.group(1)):
        trailing = (label.group(1).strip(), text[: label.start()])
    lead = _LEADING_LABEL.match(text)
    leading = None
    if lead:
        lead_text = lead.group(1) or lead.group(2)
        leading = (lead_text, text[lead.end() :], frozenset(version_tokens(lead_text)))
    pieces = [(rest, note, "the list's note") for rest, note in without_notes(text)]
    pieces += [(run, rest, "the reference around the title") for run, rest in reference_titles(text)]
    return _ReadingParts(
        tagless=SCHOLAR_TAGS_RE.sub("", text),
        uncited=without_citation(text) or text,
        acronyms=frozenset(version_tokens(" ".join(_INNER_ACRONYM.findall(text)))),
        unacronymed=_INNER_ACRONYM.sub("", text),
        trailing=trailing,
        leading=leading,
        pieces=tuple((kept, note, what, frozenset(version_tokens(note))) for kept, note, what in pieces),
    )


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
    if best[0] >= SAME:
        return best  # no reading can score higher than the title as written
    candidate_words = set(version_tokens(candidate))
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
        add(_parts(text).tagless, "ignoring the search engine's tags", allowed)
    for text, _, allowed in readings():
        add(_parts(text).uncited, "ignoring the citation around it", allowed)
    for text, _, allowed in readings():
        parts = _parts(text)
        if not parts.acronyms & candidate_words:  # only acronyms the candidate does not spell out itself
            add(parts.unacronymed, "ignoring the acronym in brackets", allowed)
    for text, _, allowed in readings():
        trailing = _parts(text).trailing
        if trailing is not None:
            add(trailing[1], f"ignoring the list's label ({trailing[0]})", allowed)
    for text, _, allowed in readings():
        leading = _parts(text).leading
        if leading is None:
            continue
        lead_text, rest, words = leading
        # Only a label none of whose words the candidate has: "BERT: ..." against a BERT paper is the title
        # itself, and "Llama-3: <Llama 2's subtitle>" names another version.
        if not words & candidate_words:
            add(rest, f"ignoring the list's label ({lead_text})", allowed | words)
        elif not {w for w in words if DIGIT_RE.search(w)} - candidate_words and not plus_mismatch(lead_text, candidate):
            # A nickname made of the title's own words ("Universal Transformer - Universal Transformers",
            # "Improved GAN - Improved Techniques for Training GANs") may go too, but never a number the
            # candidate lacks ("Llama-3: <Llama 2's subtitle>" names another version), nor a "++" it lacks.
            add(rest, f"ignoring the list's label ({lead_text})", allowed)
    name = name_tokens(candidate)
    for text, _, allowed in readings():
        for kept, note_text, what, note_words in _parts(text).pieces:
            # Numbers in the note may go when it versions something the paper is about ("… for SQuAD (SQuAD
            # 2.0)"), not the paper's own name ("ERNIE: … (ERNIE 2.0)" is ERNIE 2.0's paper, or a confusion).
            numbers = note_words if not note_words & name else frozenset()
            shown = note_text if len(note_text) <= 60 else f"{note_text[:57]}…"
            add(kept, f"ignoring {what} ({shown})", allowed | numbers | {WHOLE_TITLE_ONLY})
    conflicts = distinguishing_tokens(written, candidate)
    for text, note, allowed in variants:
        # A reading may drop a citation's year or a label the candidate does not know, never a version
        # number the candidate contradicts.
        dropped = conflicts - distinguishing_tokens(text, candidate)
        if any(not YEAR_RE.match(t) and t not in allowed for t in dropped):
            continue
        score, why = _similarity(text, candidate)
        if WHOLE_TITLE_ONLY in allowed and score < WHOLE_TITLE:
            continue  # a reading without a note counts only when what is left is the whole title
        if score > best[0]:
            best = (score, f"{why}; {note}")
    if best[0] < WHOLE_TITLE_INSIDE and not plus_mismatch(written, candidate):
        for text in dict.fromkeys((written, spelled)):
            inside = whole_title_inside(text, candidate)
            if inside is not None and inside[0] > best[0]:
                best = inside
    return best


def _similarity(written: str, candidate: str) -> tuple[float, str]:
    nw, nc = normalise_title(written), normalise_title(candidate)
    if not nw or not nc:
        return 0.0, "empty title"
    cw, cc = compact(nw), compact(nc)
    if cw == cc and plus_mismatch(written, candidate):
        return CONFLICT_CAP, PLUS_CONFLICT  # the same words, but one names the "++" version
    if nw == nc:
        return SAME, "same title"
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
        if main and written_main == main and len(content_words(normalise_title(written.partition(":")[2]))) >= 2:
            # The whole main title plus part of the subtitle: a title cut short, not a shorter title.
            prefix = round(0.9 + 0.06 * coverage, 4)
        if prefix > score:
            score, why = prefix, f"the written title is the start of this one ({len(cw)}/{len(cc)} characters)"
    if main and nw == main and len(nw.split()) >= 3 and len(cw) >= 12 and score < MAIN_TITLE:
        score, why = MAIN_TITLE, "the written title is this paper's main title without its subtitle"
    subtitle = normalise_title(candidate.partition(":")[2]) if main else ""
    if subtitle and nw == subtitle and len(content_words(subtitle)) >= 4 and score < MAIN_TITLE:
        score, why = MAIN_TITLE, f"the written title is this paper's subtitle, without its name ({main})"

    # The checks below compare only what both titles say: words cut off a truncated title do not count.
    compared = candidate
    if prefix_of_candidate:
        kept = len(version_tokens(written))
        compared = " ".join(version_tokens(candidate)[:kept])
        beyond = version_tokens(candidate)[kept:]
        if beyond and all(DIGIT_RE.search(t) for t in beyond):
            # Cut short right before a version ("… for Training GANs" of "… for Training GANs v2"): the written
            # title names the unnumbered paper, as "ERNIE" does not name "ERNIE 2.0".
            return min(score, CONFLICT_CAP), f"numbers differ ({', '.join(beyond)})"
    elif main and nw == main:
        compared = candidate.partition(":")[0]
    elif subtitle and nw == subtitle:
        compared = candidate.partition(":")[2]
    differing = distinguishing_tokens(written, compared)
    if differing:
        return min(score, CONFLICT_CAP), f"numbers differ ({', '.join(sorted(differing))})"
    if negation_mismatch(written, compared):
        return min(score, CONFLICT_CAP), "a negation is in one title only"
    if plus_mismatch(written, compared):
        return min(score, CONFLICT_CAP), PLUS_CONFLICT
    if score <= SUBSTITUTION_CAP:
        return round(score, 4), why  # every rule below only caps a score above SUBSTITUTION_CAP
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
        and len(content_words(nw)) <= SHORT_TITLE_WORDS
        and score > SUBSTITUTION_CAP
    ):
        # In a short title every word counts: "Attention Is Not Quite All You Need" is another paper.
        score = SUBSTITUTION_CAP
        why = f"this title says more ({', '.join(sorted(lone_c))})"
    return round(score, 4), why
