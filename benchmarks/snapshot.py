"""Snapshot-mode benchmark: a generated arXiv metadata snapshot (default 3,000,000 records) and list titles
(default 1,000,000) with known truth. Reports import time, resolution time, peak RSS, precision and recall.

    python -m benchmarks.snapshot [--records N] [--titles M] [--out DIR]

FIXTURE DATA: titles are built from the emulator's word lists plus made-up rare words, so many titles share most
words (the hard case for blocking and for the ambiguity guard). Resolution runs with no HTTP client at all: the
snapshot route is the only one, so 0 network requests by construction.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import random
import resource
import tempfile
import time
from pathlib import Path

from paper_catalogue.config import load_settings
from paper_catalogue.matching.normalise import normalise_title
from paper_catalogue.models import Occurrence, TitleRecord
from paper_catalogue.sources.snapshot import arxiv_import, store
from paper_catalogue.stages.snapshot import resolve_from_snapshot
from paper_catalogue_emulator.papers import _ADJ, _CATS, _FIRST, _LAST, _NOUN, _TASK  # noqa: PLC2701 - the benchmark's word lists

_SYL = ["ka", "lo", "mi", "ze", "tor", "vex", "qua", "ri", "nu", "pha", "dra", "syn", "gen", "ix", "bel", "om"]
_TEMPLATES = (
    "{a} {n} for {t}",
    "{W}: {a} {n} for {t}",
    "Towards {a} {n} with {W}",
    "{W}: {a2} and {a} {n} for {t}",
    "On the {a} {n} of {W} in {t}",
)


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(_SYL) for _ in range(rng.randint(2, 4))).capitalize()


def generate(path: Path, n: int, seed: int = 0) -> list[tuple[str, str]]:
    """Write ``n`` arXiv snapshot records; returns (id, title) of every record (for sampling the truth)."""
    rng = random.Random(seed)
    out: list[tuple[str, str]] = []
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            yymm = f"{7 + i % 18:02d}{1 + (i // 18) % 12:02d}"
            arxiv_id = f"{yymm}.{i // 216:05d}"
            a, a2 = rng.sample(_ADJ, 2)
            title = rng.choice(_TEMPLATES).format(a=a, a2=a2, n=rng.choice(_NOUN), t=rng.choice(_TASK), W=_word(rng))
            authors = [(rng.choice(_LAST), rng.choice(_FIRST)) for _ in range(rng.randint(1, 4))]
            created = f"Mon, {1 + i % 28} Jan 20{7 + i % 18:02d} 10:00:00 GMT"
            rec = {
                "id": arxiv_id,
                "submitter": authors[0][1],
                "authors": ", ".join(f"{fi} {la}" for la, fi in authors),
                "title": title,
                "comments": "10 pages",
                "journal-ref": None,
                "doi": None,
                "report-no": None,
                "categories": " ".join(rng.sample(_CATS, rng.randint(1, 2))),
                "license": None,
                "abstract": f"  We study {title.lower()}. Synthetic abstract {arxiv_id}.\n",
                "versions": [{"version": "v1", "created": created}],
                "update_date": "2025-09-01",
                "authors_parsed": [[la, fi, ""] for la, fi in authors],
            }
            f.write(json.dumps(rec) + "\n")
            out.append((arxiv_id, title))
    return out


def _variant(title: str, rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.6:
        return title
    if roll < 0.8:
        return title.lower()
    return title.replace(":", " -").replace(" for ", " For ")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=3_000_000)
    parser.add_argument("--titles", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    work = args.out or Path(tempfile.mkdtemp(prefix="snapshot-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    base = load_settings()
    settings = dataclasses.replace(
        base,
        paths=dataclasses.replace(base.paths, snapshots=work),
        snapshot=dataclasses.replace(base.snapshot, enabled=True, memory_limit="3GB"),
    )
    snap = work / "arxiv-metadata-oai-snapshot.json"
    t = time.monotonic()
    records = generate(snap, args.records)
    gen_s = time.monotonic() - t
    settings.snapshot_db.unlink(missing_ok=True)
    t = time.monotonic()
    with store.open_db(settings) as con:
        arxiv_import.import_arxiv(con, [snap])
    import_s = time.monotonic() - t
    import_peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # the generator's list included
    rng = random.Random(1)
    sample = rng.sample(records, min(args.titles, len(records)))
    del records
    titles: dict[str, list[TitleRecord]] = {}
    truth: dict[str, set[str]] = {}
    for arxiv_id, title in sample:
        spelled = _variant(title, rng)
        norm = normalise_title(spelled)
        truth.setdefault(norm, set()).add(arxiv_id)
        titles.setdefault(norm, [TitleRecord(norm, spelled, [Occurrence("bench.md", 1, None, spelled)])])
    todo = [r[0] for r in titles.values()]
    t = time.monotonic()
    outcome = resolve_from_snapshot(settings, todo, "2026-01-01T00:00:00Z")
    resolve_s = time.monotonic() - t
    matched = outcome.settled
    correct = sum(1 for norm, res in matched.items() if res.arxiv_id in truth[norm] and len(truth[norm]) == 1)
    # The generator's templates give some titles to several papers: such a title must not be settled on one.
    shared = {norm for norm, ids in truth.items() if len(ids) > 1}
    settled_shared = sum(1 for norm in matched if norm in shared)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    report = {
        "records": args.records,
        "titles": len(todo),
        "generate_s": round(gen_s, 1),
        "snapshot_bytes": snap.stat().st_size,
        "database_bytes": settings.snapshot_db.stat().st_size,
        "import_s": round(import_s, 1),
        "resolve_s": round(resolve_s, 1),
        "settled": len(matched),
        "precision": round(correct / len(matched), 4) if matched else None,
        "recall": round(correct / len(todo), 4) if todo else None,
        "titles_of_several_papers": len(shared),
        "of_those_settled": settled_shared,
        "recall_of_titles_of_one_paper": round(correct / (len(todo) - len(shared)), 4)
        if len(todo) > len(shared)
        else None,
        "import_peak_rss_mb": round(import_peak_mb),
        "peak_rss_mb": round(peak_mb),
        "cores": os.cpu_count(),
        "network_requests": 0,
    }
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
