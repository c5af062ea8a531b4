"""Simulated citation growth between emulator starts (FIXTURE DATA, opt-in: the demo turns it on).

Why it exists: the pipeline's refresh records citation counts over time (``citations_history.parquet``) and the
report draws them as a growth panel, but the fixture corpus's counts are constants, so in the offline demo that
panel could never show a line. With growth on, every emulator start advances an *epoch* kept in a small JSON
state file, and every paper's counts are a pure function of (its corpus counts, its arXiv id, the epoch):

* deterministic: the same epoch gives the same counts on every machine, so a demo is reproducible;
* never decreasing from one epoch to the next, for ``citationCount`` and ``influentialCitationCount`` alike;
* consistent: the influential count grows by the paper's own influential share of its new citations, so it
  stays ≤ the total; and since the whole corpus is replaced at start, every endpoint (batch, title match,
  relevance and bulk search, single paper, the bulk-search sort by ``citationCount``) sees the same numbers.

Off by default (``Emulator(citation_growth=None)``): tests and benchmarks see the corpus's fixed counts.
The growth is made up, like the rest of the corpus's counts; the state file and the emulator's banner say so.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tempfile
from pathlib import Path

from paper_catalogue_emulator.papers import Corpus, Paper

#: Written into the state file, so a reader of ``data/demo/`` cannot take it for anything real.
STATE_NOTICE = (
    "FIXTURE: the offline emulator's simulated citation growth. Each emulator start with --citation-growth "
    "advances the epoch by one and serves made-up counts for it; delete this file to start again from the "
    "corpus's counts (the demo's citation history would then show a drop)."
)
#: One paper in this many gains nothing (an old paper nobody cites any more), so flat lines occur too.
DORMANT_ONE_IN = 10
#: What an active paper gains per epoch, as a share of its corpus count (plus one citation, so that a
#: paper with few citations moves too): spread between these two by a hash of its arXiv id.
MIN_RATE = 0.002
MAX_RATE = 0.02


class GrowthStateError(ValueError):
    """The state file exists but cannot be used (restarting from epoch 0 would make counts go down)."""


def _unit(arxiv_id: str, salt: str) -> float:
    """A number in [0, 1) fixed by the paper's id: the paper's own pace, the same on every machine."""
    digest = hashlib.sha256(f"fixture-growth:{salt}:{arxiv_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def is_dormant(arxiv_id: str) -> bool:
    return _unit(arxiv_id, "dormant") < 1 / DORMANT_ONE_IN


def citations_gained(arxiv_id: str, base_count: int, epoch: int) -> int:
    """Citations a paper has gained by ``epoch`` over its corpus count (0 at epoch 0, non-decreasing)."""
    if epoch <= 0 or is_dormant(arxiv_id):
        return 0
    per_epoch = 1.0 + max(base_count, 0) * (MIN_RATE + (MAX_RATE - MIN_RATE) * _unit(arxiv_id, "rate"))
    return int(epoch * per_epoch)  # floor of a product that grows with the epoch: never decreases


def grown_counts(arxiv_id: str, citation_count: int, influential_count: int, epoch: int) -> tuple[int, int]:
    """(citationCount, influentialCitationCount) at ``epoch``; influential stays ≤ total when it was."""
    gained = citations_gained(arxiv_id, citation_count, epoch)
    share = min(1.0, influential_count / citation_count) if citation_count > 0 else 0.0
    return citation_count + gained, influential_count + int(gained * share)


def grown_paper(paper: Paper, epoch: int) -> Paper:
    total, influential = grown_counts(paper.arxiv_id, paper.citation_count, paper.influential_citation_count, epoch)
    return dataclasses.replace(paper, citation_count=total, influential_citation_count=influential)


def grown_corpus(corpus: Corpus, epoch: int) -> Corpus:
    """A new corpus with every paper's counts at ``epoch`` (the given corpus is left as it is)."""
    if epoch <= 0:
        return corpus
    notice = f"{corpus.notice} Citation counts: simulated growth, epoch {epoch} (FIXTURE)."
    return Corpus((grown_paper(p, epoch) for p in corpus), notice=notice)


def load_epoch(path: Path) -> int:
    """The epoch in the state file, 0 when there is none yet."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return 0
    except OSError as e:
        raise GrowthStateError(f"cannot read the citation-growth state {path}: {e.strerror}") from None
    try:
        epoch = json.loads(text)["epoch"]
    except (ValueError, TypeError, KeyError):
        epoch = None
    if not isinstance(epoch, int) or isinstance(epoch, bool) or epoch < 0:
        raise GrowthStateError(
            f"the citation-growth state {path} holds no epoch (a non-negative integer); "
            "delete it to start again from the corpus's counts"
        )
    return epoch


def save_epoch(path: Path, epoch: int) -> None:
    """Write the state file atomically (temp file + rename): a killed start leaves the old epoch whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps({"_notice": STATE_NOTICE, "epoch": epoch}, indent=2) + "\n"
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def advance_epoch(path: Path) -> int:
    """One emulator start: the stored epoch plus one, saved before any answer uses it."""
    epoch = load_epoch(path) + 1
    save_epoch(path, epoch)
    return epoch
