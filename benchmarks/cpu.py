"""CPU-only path at scale: parse a 100k-bullet list, decide 100k titles against 3 candidates each, write 100k rows.

python -m benchmarks.cpu N OUTDIR   → one JSON line: seconds and peak RSS per phase.

No network. Peak RSS per phase is the kernel's VmHWM, reset between phases through /proc/self/clear_refs
(Linux); where that is not possible, resource.getrusage's ru_maxrss (process peak so far) is reported instead.
"""

from __future__ import annotations

import json
import random
import re
import resource
import sys
import time
from pathlib import Path
from typing import Any

_HWM = re.compile(r"VmHWM:\s+(\d+)\s+kB")


def _peak_mb() -> float:
    try:
        m = _HWM.search(Path("/proc/self/status").read_text())
        if m:
            return int(m.group(1)) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def unique_titles(n: int, seed: int = 1) -> list[str]:
    """``n`` distinct made-up titles from the emulator's synthetic vocabulary (more combinations than its
    corpus uses)."""
    from paper_catalogue.matching.similarity import normalise_title
    from paper_catalogue_emulator.papers import _ADJ, _NOUN, _TASK, _TEMPLATES

    rng = random.Random(seed)
    seen: set[str] = set()
    out: list[str] = []
    extra = ("Revisited", "at Scale", "in the Wild", "with Limited Data", "Across Languages", "for Science")
    while len(out) < n:
        a, a2 = rng.sample(_ADJ, 2)
        t = rng.choice(_TEMPLATES).format(a=a, a2=a2, n=rng.choice(_NOUN), t=rng.choice(_TASK))
        if rng.random() < 0.5:
            t = f"{t} {rng.choice(extra)}"
        norm = normalise_title(t)
        if norm in seen:
            continue
        seen.add(norm)
        out.append(t)
    return out


def near_misses(title: str, rng: random.Random) -> tuple[str, str]:
    """Two different papers with similar titles: one word swapped, and a longer "… in Genomics" sibling."""
    from paper_catalogue_emulator.papers import _ADJ, _NOUN

    words = title.split()
    i = rng.randrange(len(words))
    pool = _ADJ if words[i] in _ADJ else _NOUN
    words[i] = rng.choice([w for w in pool if w != words[i]])
    return " ".join(words), f"{title} in Genomics"


def main(argv: list[str]) -> int:
    n = int(argv[0])
    outdir = Path(argv[1])
    outdir.mkdir(parents=True, exist_ok=True)

    from paper_catalogue.config import MatchSettings
    from paper_catalogue.lists.load import merge_entries, parse_markdown
    from paper_catalogue.matching.decide import decide
    from paper_catalogue.models import Candidate
    from paper_catalogue.outputs.catalogue import run_metadata, to_frame, write_catalogue

    res: dict[str, Any] = {"titles": n, "peak_source": "VmHWM" if _reset_peak() else "ru_maxrss"}
    t0 = time.perf_counter()
    titles = unique_titles(n)
    text = "# Benchmark list\n\n" + "\n".join(f"- {t}" for t in titles) + "\n"
    res["generate_s"] = time.perf_counter() - t0

    _reset_peak()
    t0 = time.perf_counter()
    entries, skipped, problems = parse_markdown(text, "bench.md")
    records = merge_entries(entries)
    res["parse_s"] = time.perf_counter() - t0
    res["parse_peak_mb"] = _peak_mb()
    res["parsed_entries"], res["records"], res["skipped"] = len(entries), len(records), len(skipped)

    rng = random.Random(2)
    candidates = []
    for i, rec in enumerate(records):
        miss1, miss2 = near_misses(rec.title, rng)
        right = Candidate("s2-match", rec.title, arxiv_id=f"2401.{i:05d}", s2_paper_id=f"{i:040x}", year=2024)
        c1 = Candidate("s2-match", miss1, arxiv_id=f"2402.{i:05d}", s2_paper_id=f"{i + 10**7:040x}", year=2024)
        c2 = Candidate("arxiv-title", miss2, arxiv_id=f"2403.{i:05d}", year=2024)
        cands = [c1, right, c2]
        rng.shuffle(cands)
        candidates.append(cands)

    _reset_peak()
    settings = MatchSettings()
    statuses: dict[str, int] = {}
    correct = 0
    t0 = time.perf_counter()
    resolutions = []
    for i, (rec, cands) in enumerate(zip(records, candidates, strict=True)):
        r = decide(rec, cands, settings, now="2026-01-01T00:00:00Z")
        statuses[r.status] = statuses.get(r.status, 0) + 1
        correct += r.status == "matched" and r.arxiv_id == f"2401.{i:05d}"
        resolutions.append(r)
    res["match_s"] = time.perf_counter() - t0
    res["match_peak_mb"] = _peak_mb()
    res["statuses"], res["matched_right_one"] = statuses, correct

    rows = []
    for i, (rec, r) in enumerate(zip(records, resolutions, strict=True)):
        occ = rec.occurrences[0]
        rows.append(
            {
                "key": f"arxiv:2401.{i:05d}",
                "entry_title": occ.raw_title,
                "source_file": occ.source_file,
                "section": occ.section,
                "title": rec.title,
                "arxiv_id": f"2401.{i:05d}",
                "arxiv_version": 1 + i % 3,
                "s2_paper_id": f"{i:040x}",
                "doi": f"10.99999/bench.{i}" if i % 2 else None,
                "authors": ["Alice Chen", "Bao Nguyen", "Carlos Silva"][: 1 + i % 3],
                "published": "2024-01-15T10:00:00Z",
                "updated": "2024-02-01T12:00:00Z",
                "year": 2024,
                "venue": "ACL" if i % 4 else "",
                "primary_category": "cs.CL",
                "categories": ["cs.CL", "cs.LG"],
                "citation_count": i % 997,
                "influential_citation_count": i % 97,
                "reference_count": 10 + i % 50,
                "pdf_url": f"https://arxiv.org/pdf/2401.{i:05d}v1",
                "abs_url": f"https://arxiv.org/abs/2401.{i:05d}v1",
                "match_score": r.score,
                "match_status": r.status,
                "fetched_at": "2026-01-01T00:00:00Z",
                "match_route": r.route,
                "match_note": r.reason,
                "abstract": f"We study {rec.title.lower()}. Synthetic benchmark abstract number {i}.",
                "list_venue": None,
                "list_year": None,
                "list_notes": None,
                "list_status": None,
                "provenance": [f"{occ.source_file}:{occ.line}"],
                "s2_url": f"https://www.semanticscholar.org/paper/{i:040x}",
                "stale": False,
                "data_origin": "fixture",
            }
        )
    del resolutions, candidates

    _reset_peak()
    t0 = time.perf_counter()
    frame = to_frame(rows)
    res["to_frame_s"] = time.perf_counter() - t0
    t1 = time.perf_counter()
    parquet, csv = write_catalogue(frame, outdir, run_metadata("bench", "2026-01-01T00:00:00Z", "fixture"))
    res["write_catalogue_s"] = time.perf_counter() - t1
    res["write_s"] = time.perf_counter() - t0
    res["write_peak_mb"] = _peak_mb()
    res["parquet_mb"] = parquet.stat().st_size / 2**20
    res["csv_mb"] = csv.stat().st_size / 2**20
    res["total_s"] = res["parse_s"] + res["match_s"] + res["write_s"]
    res["process_peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(json.dumps(res))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
