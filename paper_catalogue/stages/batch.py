"""Batched title resolution: many titles per search request, before the one-title-per-request path.

Both APIs take one query for many titles: Semantic Scholar's ``/paper/search/bulk`` with ``"…" | "…"``
and arXiv's ``ti:"…" OR ti:"…"``. Every paper a batch brings back is scored against every title of
the batch by the same scorer (``matching.decide``); a title is settled here only when the decision
is one the per-title path would take without asking further (matched, an arXiv id, score at least
``matching.decide.SURE_SCORE``, no year against it). Everything else goes on to the per-title path unchanged, so a
batch can save requests but never accept what that path would reject.

What a batch query holds is the title the parser read, inside a pasted reference the title sentence
(``query_title``), normalised to letters and digits, so notes, quotes and operators in a line cannot
break the query. A typo breaks the phrase: such a title finds nothing here and is searched alone.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from paper_catalogue.config import Settings
from paper_catalogue.errors import FetchError, Http
from paper_catalogue.matching.context import query_title
from paper_catalogue.matching.decide import decide, is_settled
from paper_catalogue.matching.normalise import content_words, normalise_title
from paper_catalogue.matching.similarity import spellings
from paper_catalogue.models import Candidate, Resolution, TitleRecord
from paper_catalogue.sources import arxiv_source, s2_source

log = logging.getLogger(__name__)

#: A phrase of fewer words is in too many titles and abstracts to be worth a place in a batch.
MIN_PHRASE_WORDS = 3
#: A candidate is scored against a title only if it shares at least this share of the title's content
#: words: the cheap filter that keeps batch scoring linear (the scorer would reject the others anyway).
MIN_SHARED_WORDS = 0.5


@dataclass
class BatchOutcome:
    """What the batches settled (the run summary counts matches by route, and the HTTP stats the requests)."""

    settled: dict[str, Resolution] = field(default_factory=dict)


def batch_phrase(record: TitleRecord) -> str | None:
    """The words a batch query asks for this title, or None when the title does not belong in a batch."""
    phrases = batch_phrases(record)
    return phrases[0] if phrases else None


def batch_phrases(record: TitleRecord) -> list[str]:
    """Every phrase a batch query asks for this title: as written, and as the paper may spell it ("Nets" →
    "Networks", glued words apart). They cost nothing extra: all are OR-ed into the same query."""
    out: list[str] = []
    for text in spellings(query_title(record.title)):
        words = normalise_title(text)
        if len(words.split()) >= MIN_PHRASE_WORDS and words not in out:
            out.append(words)
    return out


def group(phrases: list[str], per_query: int, max_chars: int) -> Iterator[list[str]]:
    """Consecutive batches of at most ``per_query`` phrases and ``max_chars`` characters of query."""
    batch: list[str] = []
    size = 0
    for phrase in phrases:
        cost = len(phrase) + 10  # quotes, ti: prefix and the OR between phrases
        if batch and (len(batch) >= per_query or size + cost > max_chars):
            yield batch
            batch, size = [], 0
        batch.append(phrase)
        size += cost
    if batch:
        yield batch


class _CandidateIndex:
    """Candidates by content word, so each title is scored only against papers that share its words."""

    def __init__(self, candidates: Iterable[Candidate]) -> None:
        self.candidates = list(candidates)
        self.by_word: dict[str, set[int]] = defaultdict(set)
        for i, c in enumerate(self.candidates):
            for w in set(content_words(normalise_title(c.title))):
                self.by_word[w].add(i)

    def near(self, phrase: str) -> list[Candidate]:
        words = set(content_words(phrase))
        if not words:
            return []
        counts: dict[int, int] = defaultdict(int)
        for w in words:
            for i in self.by_word.get(w, ()):
                counts[i] += 1
        need = MIN_SHARED_WORDS * len(words)
        return [self.candidates[i] for i, n in sorted(counts.items()) if n >= need]


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") else word


def found_by(phrases: list[str], candidate: Candidate) -> bool:
    """Could one of the title's own phrases have brought this paper back? Every word of it is in the paper's title.

    A batch answer holds the papers of *every* phrase in the query. A title whose own phrase found nothing (a
    typo: "… Machine Tarnslation") must not be settled on a sibling paper another title's phrase brought back
    ("… Decoders for … Machine Translation" for "… Encoders …"): the per-title path would have found the right
    one. Such siblings still compete (an ambiguity stays an ambiguity); they are only never the accepted paper.
    """
    words = {_stem(w) for w in normalise_title(candidate.title).split()}
    return any({_stem(w) for w in phrase.split()} <= words for phrase in phrases)


def sure_decision(
    record: TitleRecord,
    candidates: list[Candidate],
    settings: Settings,
    now: str,
    phrases: list[str] | None = None,
) -> Resolution | None:
    """The decision when it is one the per-title path takes without a further request; else None.

    With ``phrases``, the accepted paper must also be one the title's own phrases could have found (``found_by``).
    """
    if not candidates:
        return None
    decision = decide(record, candidates, settings.match, now=now)
    if not is_settled(record, candidates, decision):
        return None
    if phrases is not None:
        chosen = [c for c in candidates if (c.arxiv_id and c.arxiv_id == decision.arxiv_id)]
        if not any(found_by(phrases, c) for c in chosen):
            return None
    return decision


def _fetchers(http: Http, settings: Settings) -> dict[str, tuple[int, Callable[[list[str]], list[Candidate]]]]:
    batch = settings.batch

    def s2(phrases: list[str]) -> list[Candidate]:
        found, _complete = s2_source.fetch_bulk_candidates(http, settings, phrases, batch.s2_max_pages)
        return found

    def arxiv(phrases: list[str]) -> list[Candidate]:
        return arxiv_source.fetch_batch_title_candidates(http, settings, phrases)

    return {"s2": (batch.s2_titles, s2), "arxiv": (batch.arxiv_titles, arxiv)}


def resolve_in_batches(
    http: Http,
    settings: Settings,
    records: list[TitleRecord],
    now: str,
    on_settled: Callable[[TitleRecord, Resolution], None] | None = None,
) -> BatchOutcome:
    """Settle what the batches can, API by API in ``[batch] order``; the rest is left to the per-title path.

    A batch that fails (rate limit, outage, a body that stays broken) settles nothing and costs only its
    own request: its titles go on to the per-title path, which records errors as it always has.
    """
    outcome = BatchOutcome()
    pending: dict[str, list[TitleRecord]] = defaultdict(list)
    phrases_of: dict[str, list[str]] = {}
    for record in records:
        phrases_of[record.norm] = batch_phrases(record)
        for phrase in phrases_of[record.norm]:
            pending[phrase].append(record)
    fetchers = _fetchers(http, settings)
    seen: dict[str, list[Candidate]] = defaultdict(list)  # candidates so far per phrase, across APIs
    for api in (a.strip() for a in settings.batch.order.split(",") if a.strip()):
        per_query, fetch = fetchers[api]
        for phrases in group(sorted(pending), per_query, settings.batch.max_query_chars):
            try:
                found = fetch(phrases)
            except FetchError as exc:
                log.warning("batch of %d titles on %s failed: %s", len(phrases), api, exc)
                continue
            index = _CandidateIndex(found)
            for phrase in phrases:
                seen[phrase] += index.near(phrase)
            for record in {r.norm: r for p in phrases for r in pending.get(p, [])}.values():
                if record.norm in outcome.settled:
                    continue
                candidates = [c for p in phrases_of[record.norm] for c in seen.get(p, [])]
                decision = sure_decision(record, candidates, settings, now, phrases_of[record.norm])
                if decision is None:
                    continue
                outcome.settled[record.norm] = decision
                if on_settled is not None:
                    on_settled(record, decision)
            for phrase in phrases:
                pending[phrase] = [r for r in pending.get(phrase, []) if r.norm not in outcome.settled]
            for phrase in [p for p, rs in pending.items() if not rs]:
                del pending[phrase]
    return outcome
