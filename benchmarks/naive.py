"""The naive baseline: the per-title script a user would write with the `arxiv` and `semanticscholar` packages.

python -m benchmarks.naive TITLES.json ARXIV_QUERY_URL S2_API_URL ARXIV_INTERVAL_S S2_INTERVAL_S

For each title: a fresh ``arxiv.Client`` (delay_seconds = the arXiv interval, num_retries=3, pointed at the emulator)
running ``ti:"<title>"`` with max_results=1; then ``SemanticScholar(api_url=...).search_paper(title,
match_title=True)`` and ``get_paper(paperId)`` for the found paper, with ``time.sleep(s2_interval)`` between S2
calls as the docs suggest. No cache, no batching. Prints one JSON line with what it found and what failed.
"""

from __future__ import annotations

import json
import logging
import sys
import time

#: The package's default field lists include fields the emulator does not implement (citationStyles,
#: fieldsOfStudy, publicationVenue, s2FieldsOfStudy, tldr, ...) and answers with 400, so the script asks for
#: the fields it needs, as a user who reads the API docs would.
FIELDS = [
    "title",
    "externalIds",
    "authors",
    "venue",
    "year",
    "publicationDate",
    "citationCount",
    "influentialCitationCount",
    "referenceCount",
    "url",
    "openAccessPdf",
    "isOpenAccess",
    "abstract",
    "journal",
]


def main(argv: list[str]) -> int:
    titles_path, arxiv_query_url, s2_api_url = argv[0], argv[1], argv[2]
    arxiv_interval, s2_interval = float(argv[3]), float(argv[4])

    import arxiv
    from semanticscholar import SemanticScholar
    from semanticscholar.SemanticScholarException import ObjectNotFoundException

    logging.getLogger("arxiv").setLevel(logging.ERROR)
    with open(titles_path, encoding="utf-8") as fh:
        titles = json.load(fh)
    s2 = SemanticScholar(api_url=s2_api_url)  # 0.12.0: api_url is the host; the package appends /graph/v1
    found_arxiv = found_s2 = 0
    errors: dict[str, int] = {}
    start = time.perf_counter()

    def err(kind: str) -> None:
        errors[kind] = errors.get(kind, 0) + 1

    for i, title in enumerate(titles):
        client = arxiv.Client(delay_seconds=arxiv_interval, num_retries=3)
        client.query_url_format = arxiv_query_url + "?{}"
        try:
            results = list(client.results(arxiv.Search(query=f'ti:"{title}"', max_results=1)))
            found_arxiv += bool(results)
        except Exception as exc:  # noqa: BLE001 - a user script logs and moves on
            err(f"arxiv:{type(exc).__name__}")
        try:
            paper = s2.search_paper(title, match_title=True, fields=FIELDS)
            time.sleep(s2_interval)
            if paper is not None and getattr(paper, "paperId", None):
                s2.get_paper(paper.paperId, fields=FIELDS)
                found_s2 += 1
                time.sleep(s2_interval)
        except ObjectNotFoundException:
            time.sleep(s2_interval)
        except Exception as exc:  # noqa: BLE001
            err(f"s2:{type(exc).__name__}")
            time.sleep(s2_interval)
        if (i + 1) % 200 == 0:
            elapsed = time.perf_counter() - start
            print(f"naive: {i + 1}/{len(titles)} titles, {elapsed:.1f} s", file=sys.stderr, flush=True)
    print(
        json.dumps(
            {
                "titles": len(titles),
                "found_arxiv": found_arxiv,
                "found_s2": found_s2,
                "errors": errors,
                "seconds": round(time.perf_counter() - start, 3),
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
