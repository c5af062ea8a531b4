"""Decide which candidate (if any) a reading-list title names. Pure: no I/O, no clock.

Search engines always answer with *something*; S2's title match happily returns a similar but
wrong paper. So every candidate is scored by us (``titles.title_similarity`` against every
spelling the lists used), candidates that are the same paper seen by different routes are merged,
and a title is ``matched`` only when the best paper clears ``accept_score`` *and* no different
paper comes within ``ambiguity_margin`` of it. Anything else is reported, never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from paper_catalogue.config import MatchSettings
from paper_catalogue.matching.similarity import normalise_title, title_similarity
from paper_catalogue.models import Candidate, Resolution, TitleRecord

#: How many scored candidates a resolution keeps for the review report.
KEEP_CANDIDATES = 5


@dataclass
class Scored:
    candidate: Candidate
    score: float
    why: str

    def to_dict(self) -> dict[str, Any]:
        return {**self.candidate.to_dict(), "score": self.score, "why": self.why}


@dataclass
class Paper:
    """Candidates that are the same paper (same arXiv id, same S2 id, or same title without conflicting ids).

    The ids and normalised titles of the members are kept as they join (``add``): grouping asks every paper
    about every candidate, and a title from a large snapshot brings a dozen candidates or more."""

    members: list[Scored] = field(default_factory=list)
    _arxiv: set[str] = field(default_factory=set, init=False, repr=False)
    _s2: set[str] = field(default_factory=set, init=False, repr=False)
    _titles: set[str] = field(default_factory=set, init=False, repr=False)

    def __post_init__(self) -> None:
        members, self.members = self.members, []
        for m in members:
            self.add(m)

    def add(self, item: Scored) -> None:
        self.members.append(item)
        c = item.candidate
        if c.arxiv_id:
            self._arxiv.add(c.arxiv_id)
        if c.s2_paper_id:
            self._s2.add(c.s2_paper_id)
        self._titles.add(normalise_title(c.title))

    @property
    def score(self) -> float:
        return max(m.score for m in self.members)

    @property
    def best(self) -> Scored:
        return max(self.members, key=lambda m: m.score)

    def ids(self, attr: str) -> set[str]:
        return set({"arxiv_id": self._arxiv, "s2_paper_id": self._s2}[attr])

    def accepts(self, c: Candidate) -> bool:
        arxiv, s2 = self._arxiv, self._s2
        if c.arxiv_id and c.arxiv_id in arxiv or c.s2_paper_id and c.s2_paper_id in s2:
            return True
        if c.arxiv_id and arxiv or c.s2_paper_id and s2:
            return False  # conflicting identifiers: another paper, even with the same title
        return normalise_title(c.title) in self._titles


def score_candidate(record: TitleRecord, candidate: Candidate) -> Scored:
    """Best similarity of the candidate's title to any spelling of the record's title.

    Each distinct spelling is scored once: the title and its occurrences are usually one string, and the
    scorer is what a large list spends its time on. The first spelling wins a tie, as before."""
    spellings = dict.fromkeys([record.title, *(o.raw_title for o in record.occurrences)])
    best = max((title_similarity(s, candidate.title) for s in spellings), key=lambda t: t[0])
    return Scored(candidate, best[0], best[1])


def group_papers(scored: list[Scored]) -> list[Paper]:
    """Candidates merged into papers, best first: each joins the first paper that ``accepts`` it, else starts one."""
    papers: list[Paper] = []
    for item in sorted(scored, key=lambda s: -s.score):
        for paper in papers:
            if paper.accepts(item.candidate):
                paper.add(item)
                break
        else:
            papers.append(Paper([item]))
    return sorted(papers, key=lambda p: -p.score)


def _year_hints(record: TitleRecord) -> set[int]:
    return {o.year_hint for o in record.occurrences if o.year_hint}


def _fits_year(paper: Paper, years: set[int]) -> bool:
    """arXiv year and venue year differ by up to a year; anything further is another paper."""
    got = {m.candidate.year for m in paper.members if m.candidate.year}
    return any(abs(g - y) <= 1 for g in got for y in years)


#: An S2 title match at least this close is taken without asking arXiv. Below it (a truncated or
#: misspelt title), or when the list's year disagrees with the match, arXiv's phrase search runs
#: too, so a near-identical *other* paper (the same title plus "in Genomics", or the same title
#: from another year) competes instead of being accepted unseen. Two papers with the very same
#: title and no year in the list cannot be told apart by one title match: that costs a second
#: request per title for every title, which the politeness budget does not allow.
SURE_SCORE = 0.97


def is_settled(record: TitleRecord, candidates: list[Candidate], decision: Resolution) -> bool:
    """A decision that needs no further search: matched, with an arXiv id, sure, and no year against it.

    The per-title path stops after S2's title match on such a decision, and a batch settles a title
    only on one, so a batch can never accept what the per-title path would have looked further at.
    """
    return (
        decision.status == "matched"
        and bool(decision.arxiv_id)
        and (decision.score or 0) >= SURE_SCORE
        and not year_disagrees(record, candidates, decision)
    )


def year_disagrees(record: TitleRecord, candidates: list[Candidate], decision: Resolution) -> bool:
    """True when the list gives a year and the accepted paper's year is more than one year off every hint."""
    years = _year_hints(record)
    got = {
        c.year
        for c in candidates
        if c.year
        and (
            (decision.arxiv_id and c.arxiv_id == decision.arxiv_id)
            or (decision.s2_paper_id and c.s2_paper_id == decision.s2_paper_id)
        )
    }
    return bool(years and got) and not any(abs(g - y) <= 1 for g in got for y in years)


def decide(record: TitleRecord, candidates: list[Candidate], settings: MatchSettings, *, now: str) -> Resolution:
    """The resolution for ``record`` given everything the routes proposed so far."""
    scored = [score_candidate(record, c) for c in candidates if c.title]
    papers = group_papers(scored)
    kept = [p.best.to_dict() for p in papers[:KEEP_CANDIDATES]]
    if not papers:
        return Resolution(
            norm=record.norm, status="unmatched", reason="no candidate found", resolved_at=now, candidates=[]
        )

    best = papers[0]
    top = best.best
    if best.score < settings.accept_score:
        return Resolution(
            norm=record.norm,
            status="unmatched",
            score=best.score,
            route=top.candidate.route,
            reason=f"best candidate below {settings.accept_score:.2f}: {top.why}",
            best_rejected=top.to_dict(),
            resolved_at=now,
            candidates=kept,
        )

    rivals = [p for p in papers[1:] if p.score >= best.score - settings.ambiguity_margin]
    note = ""
    if rivals:
        years = _year_hints(record)
        fitting = [p for p in (best, *rivals) if years and _fits_year(p, years)]
        if len(fitting) == 1:
            best, top = fitting[0], fitting[0].best
            note = f"; near-tie broken by the list's year {sorted(years)[0]}"
        else:
            return Resolution(
                norm=record.norm,
                status="ambiguous",
                score=best.score,
                route=top.candidate.route,
                reason=(
                    f"{1 + len(rivals)} different papers score within {settings.ambiguity_margin:.2f}"
                    f" of each other ({best.score:.2f})"
                ),
                best_rejected=top.to_dict(),
                resolved_at=now,
                candidates=kept,
            )

    arxiv_ids = sorted(best.ids("arxiv_id"))
    s2_ids = sorted(best.ids("s2_paper_id"))
    # The canonical title: arXiv's spelling when arXiv proposed it, else the best scorer's.
    canonical = next(
        (m.candidate.title for m in best.members if m.candidate.route == "arxiv-title"), top.candidate.title
    )
    routes = "+".join(sorted({m.candidate.route for m in best.members}))
    return Resolution(
        norm=record.norm,
        status="matched",
        score=best.score,
        route=routes,
        arxiv_id=arxiv_ids[0] if arxiv_ids else None,
        s2_paper_id=s2_ids[0] if s2_ids else None,
        title=canonical,
        reason=f"{top.why} (via {routes}){note}",
        resolved_at=now,
        candidates=kept,
    )
