"""The evaluation corpus as a local bulk snapshot, for running the evaluation sets in snapshot mode.

The corpus is FIXTURE data (the emulator serves the same papers); here it is written in the real bulk formats
(the arXiv metadata snapshot and an S2 ``papers`` release file) and imported with the pipeline's own importers,
so the snapshot route reads exactly what a user's downloaded files would give it.
"""

from __future__ import annotations

from pathlib import Path

from paper_catalogue.config import Settings
from paper_catalogue.sources.snapshot import arxiv_import, s2_import, store
from paper_catalogue_emulator.papers import Corpus
from paper_catalogue_emulator.snapshots import write_arxiv_snapshot, write_s2_papers

#: Config for snapshot mode with final decisions (no title search); records never too old to use.
SNAPSHOT_FINAL = '[snapshot]\nenabled = true\nfinal = true\nmax_age_days = 100000.0\nmemory_limit = "512MB"\n'


def build_snapshot(corpus: Corpus, settings: Settings, folder: Path) -> None:
    """Write the corpus as snapshot files under ``folder`` and import them into ``settings``' snapshot database."""
    papers = list(corpus)
    arxiv_file = folder / "arxiv-metadata-oai-snapshot.json"
    s2_file = folder / "s2" / "2025-08-19" / "papers" / "20250822_0.gz"
    write_arxiv_snapshot(papers, arxiv_file)
    write_s2_papers(papers, s2_file)
    with store.open_db(settings) as con:
        arxiv_import.import_arxiv(con, [arxiv_file])
        s2_import.import_release(con, [s2_file])
