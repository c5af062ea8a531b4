"""Lines of a published reading list that are not papers, and why. Pure functions, no I/O.

A README that lists papers also has a table of contents, a change log, contact details, author lines
under each title, results tables, slides and images, and sections of talks or courses. Each of these
is recognised as a class of line here, so the parser keeps it as a skipped line with its reason (shown
in the review file) instead of an ``unmatched`` row that an analyst has to weed out. A line that
carries a paper identifier (arXiv id, DOI, Semantic Scholar id) is never dismissed by these rules.
"""

from __future__ import annotations

import re

#: Headings of sections that hold no papers (their lines without an identifier are skipped).
NON_PAPER_SECTION_RE = re.compile(
    r"^(?:table of contents|contents|toc|todos?|to-?do list|contributing|contribut(?:ors?|ion guide)|"
    r"change ?log|changes|news|updates?|licen[cs]e|acknowledge?ments?|thanks|contact|maintainers?|authors?|"
    r"citation|cite|how to cite|star history|talks?(?:\s*(?:/|and|&)\s*slides)?|slides|tutorials?|courses?|"
    r"lectures?|videos?|books?|blogs?(?: posts?)?|podcasts?|tools?|software|libraries|frameworks?|"
    r"related (?:lists?|repos(?:itories)?|resources|projects|awesome lists?)|other (?:lists|resources)|"
    r"useful links|links)$",
    re.IGNORECASE,
)
#: A heading that names the list itself ("Must-read papers on GNN", "awesome-speech-recognition-...").
_LIST_NAME_RE = re.compile(r"\b(?:papers|paper list|reading list|awesome|resources)\b|^awesome[-\w]*", re.IGNORECASE)
#: Files that are not papers: slides, documents, images, archives, videos.
_NON_PAPER_FILE_RE = re.compile(
    r"\.(?:pptx?|key|docx?|xlsx?|odp|jpe?g|png|gif|svg|webp|zip|tar|gz|mp4|mov|avi)\b(?![\w/])", re.IGNORECASE
)
_EMAIL_RE = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.-]+\b")
_ANCHOR_LINK_RE = re.compile(r"\[[^\]]*\]\(#[^)]*\)")
_FIRST_PERSON_RE = re.compile(
    r"\b(?:I(?![.\w])|I'm|I've|I'd|me|my|we|we're|we've|our|us)\b|\bthis (?:list|page|repo|repository|project)\b",
)
#: A name part of an authors line: "Carl", "Alexei A.", "Doersch", "L. Gomez*", "Björn Ommer", "van der Maaten".
_NAME_TOKEN = r"(?:[A-Z][\w'’.-]*\*?|[A-Z]\.|(?:van|von|der|de|da|di|du|la|le|del|dos)\b)"
_NAME_PART_RE = re.compile(rf"^{_NAME_TOKEN}(?:\s+{_NAME_TOKEN}){{0,3}}$")
_VENUE_YEAR_TAIL_RE = re.compile(r"[.,]?\s*\*?_?\(?[A-Z][A-Za-z&-]{1,10}\)?['’]?\s*(?:19|20)\d{2}\*?_?\.?\s*$")
_ET_AL_RE = re.compile(r"\bet al\.?", re.IGNORECASE)


def non_paper_section(heading: str) -> bool:
    """Is this the heading of a section that holds no papers (contents, change log, talks, licence, …)?"""
    text = re.sub(r"[*_`#:：]+", "", heading).strip(" \t-–—").strip()
    text = re.sub(r"^\W+|\W+$", "", text)
    return bool(NON_PAPER_SECTION_RE.match(text))


def list_name_heading(heading: str, level: int) -> bool:
    """A level-1 heading is the document's title; a heading that says "papers"/"awesome" names the list."""
    return level == 1 or bool(_LIST_NAME_RE.search(heading))


def is_contents_entry(body: str) -> bool:
    """A table-of-contents bullet: nothing but links to anchors on the same page (``[Audio](#audio)``)."""
    return bool(_ANCHOR_LINK_RE.search(body)) and not _ANCHOR_LINK_RE.sub("", body).strip(" \t*_-–—,;|/")


def non_paper_file(text: str) -> str | None:
    """The extension when the line names slides, a document, an image or an archive instead of a paper."""
    m = _NON_PAPER_FILE_RE.search(text)
    return m.group(0) if m else None


def is_contact_line(text: str) -> bool:
    """Contact details (an e-mail address), not a paper."""
    return bool(_EMAIL_RE.search(text))


def is_first_person_prose(text: str) -> bool:
    """Prose about the list or its maintainer ("I'm a research engineer…", "I wrote this page…")."""
    return len(text.split()) >= 6 and bool(_FIRST_PERSON_RE.search(text))


def is_authors_line(text: str) -> bool:
    """A line of author names (often with a venue and year) under a title, not a title itself.

    ``Doersch, Carl and Gupta, Abhinav and Efros, Alexei A. ICCV 2015``, ``Ruohan Gao, Rogerio Feris,
    Kristen Grauman``, ``Pathak, Deepak and`` (continued on the next line). Every part between commas,
    semicolons and "and" must be one to four capitalised name words or initials; and there must be a
    venue and year, a dangling "and", "et al.", or at least three parts with one of two or more words, so
    that "Listen, Attend and Spell" or "Deep Residual Learning, Revisited" stay titles.
    """
    t = re.sub(r"[*_`]", "", text).strip()
    if not t or ":" in t or "?" in t or "!" in t:
        return False
    venue = bool(_VENUE_YEAR_TAIL_RE.search(t))
    t = _VENUE_YEAR_TAIL_RE.sub("", t)
    et_al = bool(_ET_AL_RE.search(t))
    t = _ET_AL_RE.sub("", t).strip(" ,.")
    dangling = bool(re.search(r"\band$", t))
    t = re.sub(r"\band$", "", t).strip(" ,")
    parts = [p.strip(" .") for p in re.split(r",|;|\band\b|&", t) if p.strip(" .")]
    if not parts or not all(_NAME_PART_RE.match(p) for p in parts):
        return False
    multiword = any(len(p.split()) >= 2 for p in parts)
    several = len(parts) >= 2
    return (
        (several and (venue or dangling or et_al))
        or (len(parts) >= 3 and multiword)
        or (len(parts) >= 4 and "," in t and re.search(r"\band\b", text) is not None)
    )


def _numeric(cell: str) -> bool:
    value = re.sub(r"\([^)]*\)", "", cell).strip(" *_")
    return bool(re.fullmatch(r"[-–—]|[\d.,%±+ ]*\d[\d.,%±+ ]*", value))


def is_results_row(cells: list[str], title_index: int) -> bool:
    """A results-table row (``| Fast R-CNN | 70.0 (07+12) | 68.4 | - | ICCV'15 |``): numbers, not papers."""
    others = [c for i, c in enumerate(cells) if i != title_index and c.strip()]
    return len(others) >= 2 and sum(_numeric(c) for c in others) >= max(2, (len(others) + 1) // 2)
