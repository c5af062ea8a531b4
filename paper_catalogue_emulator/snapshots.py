"""Bulk snapshot files in the real formats, written from a corpus: FIXTURE DATA for tests and benchmarks.

* the arXiv metadata snapshot (``arxiv-metadata-oai-snapshot.json``): JSON lines with ``id, submitter, authors,
  title, comments, journal-ref, doi, report-no, categories, license, abstract, versions[{version, created}],
  update_date, authors_parsed`` (api-facts §1.10);
* a Semantic Scholar ``papers`` release file: gzip JSON lines with the dataset's lower-case field names
  (``corpusid, externalids, url, title, authors, venue, publicationvenueid, year, referencecount, citationcount,
  influentialcitationcount, isopenaccess, s2fieldsofstudy, publicationtypes, publicationdate, journal``).
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable
from datetime import datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from paper_catalogue_emulator.papers import Paper


def _rfc822(iso: str) -> str:
    return format_datetime(datetime.fromisoformat(iso.replace("Z", "+00:00")), usegmt=True)


def arxiv_line(p: Paper) -> dict[str, Any]:
    """One record of the arXiv metadata snapshot."""
    versions = [{"version": "v1", "created": _rfc822(p.published)}]
    for v in range(2, p.version + 1):
        versions.append({"version": f"v{v}", "created": _rfc822(p.updated if v == p.version else p.published)})
    parsed = []
    for name in p.authors:
        first, _, last = name.rpartition(" ")
        parsed.append([last, first, ""])
    return {
        "id": p.arxiv_id,
        "submitter": p.authors[0] if p.authors else None,
        "authors": ", ".join(p.authors[:-1]) + (" and " if len(p.authors) > 1 else "") + p.authors[-1]
        if p.authors
        else "",
        "title": p.title,
        "comments": p.comment,
        "journal-ref": p.journal_ref,
        "doi": p.doi,
        "report-no": None,
        "categories": " ".join(p.categories),
        "license": "http://arxiv.org/licenses/nonexclusive-distrib/1.0/",
        "abstract": "  " + p.summary + "\n",
        "versions": versions,
        "update_date": p.updated[:10],
        "authors_parsed": parsed,
    }


def s2_line(p: Paper, citation_count: int | None = None) -> dict[str, Any]:
    """One record of the Semantic Scholar ``papers`` dataset."""
    cites = p.citation_count if citation_count is None else citation_count
    return {
        "corpusid": p.corpus_id,
        "externalids": {
            "ACL": None,
            "DBLP": None,
            "ArXiv": p.arxiv_id,
            "MAG": None,
            "CorpusId": str(p.corpus_id),
            "PubMed": None,
            "DOI": p.doi,
            "PubMedCentral": None,
        },
        "url": f"https://www.semanticscholar.org/paper/{p.s2_paper_id}",
        "title": p.title,
        "authors": [{"authorId": p.author_id(i), "name": a} for i, a in enumerate(p.authors)],
        "venue": p.venue,
        "publicationvenueid": None,
        "year": p.year,
        "referencecount": p.reference_count,
        "citationcount": cites,
        "influentialcitationcount": p.influential_citation_count,
        "isopenaccess": True,
        "s2fieldsofstudy": [{"category": "Computer Science", "source": "s2-fos-model"}],
        "publicationtypes": ["JournalArticle"] if p.doi else None,
        "publicationdate": p.publication_date,
        "journal": {"name": p.venue, "pages": None, "volume": None},
    }


def write_arxiv_snapshot(papers: Iterable[Paper], path: Path) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with path.open("w", encoding="utf-8") as out:
        for p in papers:
            out.write(json.dumps(arxiv_line(p)) + "\n")
            n += 1
    return n


def write_s2_papers(papers: Iterable[Paper], path: Path, citation_counts: dict[str, int] | None = None) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    counts = citation_counts or {}
    n = 0
    with gzip.open(path, "wt", encoding="utf-8") as out:
        for p in papers:
            out.write(json.dumps(s2_line(p, counts.get(p.arxiv_id))) + "\n")
            n += 1
    return n
