"""Input guards timed side by side: what used to be wall-clock asserts in the tests, measured as ratios.

python -m benchmarks.guards   → one JSON line.

Each guard runs a hostile or large input next to a plain one of the same size in the same process, so the
ratio says what the guard is for (a megabyte line skipped unparsed costs no more than a clean file of the same
size; merging 10,000 duplicates costs no more than 10,000 distinct titles; the synthetic corpus builds in
linear time) whatever the machine's load. The tests assert the behaviour; this reports the cost.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from paper_catalogue.lists.load import load_reading_lists, merge_entries
from paper_catalogue_emulator import synthetic_corpus

REPEATS = 3


def _best(fn: Callable[[], object]) -> float:
    """Best of a few runs: the least disturbed by other work on the machine."""
    times = []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def _load_and_merge(folder: Path) -> Callable[[], object]:
    return lambda: merge_entries(load_reading_lists(folder).entries)


def measure(tmp: Path) -> dict[str, Any]:
    hostile_line = ("[" * 300_000) + ("*a " * 150_000) + ("# " * 100_000) + ("| " * 50_000)
    hostile, clean, dups, distinct = (tmp / n for n in ("hostile", "clean", "dups", "distinct"))
    for d in (hostile, clean, dups, distinct):
        d.mkdir()
    (hostile / "huge.md").write_text(f"- A Synthetic Title Before\n{hostile_line}\n- A Synthetic Title After\n")
    words = ("Learning", "Deep", "Graph", "Networks", "Attention", "Vision", "Models", "Robust")
    clean_lines, size = [], 0
    for i in range(1_000_000):
        line = f"- {' '.join(words[(i + k) % 8] for k in range(6))} {i}"
        clean_lines.append(line)
        size += len(line) + 1
        if size >= len(hostile_line):
            break
    (clean / "clean.md").write_text("\n".join(clean_lines) + "\n")
    spellings = ("ATTENTION is all you need.", "Attention Is All You Need")
    (dups / "dups.md").write_text("\n".join(f"- {spellings[i % 2]}" for i in range(10_000)) + "\n")
    (distinct / "distinct.md").write_text("\n".join(f"- Attention Is All You Need {i}" for i in range(10_000)) + "\n")
    r: dict[str, Any] = {
        "megabyte_line_s": _best(_load_and_merge(hostile)),
        "same_size_clean_file_s": _best(_load_and_merge(clean)),
        "clean_file_lines": len(clean_lines),
        "duplicates_10k_s": _best(_load_and_merge(dups)),
        "distinct_10k_s": _best(_load_and_merge(distinct)),
        "corpus_2k_s": _best(lambda: synthetic_corpus(2_000)),
        "corpus_20k_s": _best(lambda: synthetic_corpus(20_000)),
    }
    r["megabyte_line_ratio"] = r["megabyte_line_s"] / r["same_size_clean_file_s"]
    r["duplicates_ratio"] = r["duplicates_10k_s"] / r["distinct_10k_s"]
    r["corpus_10x_ratio"] = r["corpus_20k_s"] / r["corpus_2k_s"]
    return r


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="paper-guards-") as tmp:
        print(json.dumps(measure(Path(tmp))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
