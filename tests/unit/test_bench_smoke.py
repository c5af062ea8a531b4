"""Smoke test of the benchmark harness (`make bench`): the smallest scenarios, so the harness cannot rot.

Runs the seed lists cold + warm against the emulator, batched (the default config) and per-title
(`[batch] enabled = false`) on the same lists (four child processes), and the CPU path on 2,000 titles;
renders the batched-vs-per-title tables and a sweep table made of those two runs; does not touch
docs/benchmarks.md. A few seconds.
"""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks import batching, run
from paper_catalogue.config import BatchSettings


def test_bench_smallest_scenarios(tmp_path: Path) -> None:
    results: dict = {}
    run.scenario_seed(tmp_path, results, naive=False)
    run.scenario_cpu(tmp_path, results, n=2000)

    cold, warm = results["seed_cold"], results["seed_warm"]
    assert cold["exit"] == 0, cold
    assert cold["too_early"] == 0
    assert cold["requests"]["s2"] >= 1
    assert cold["floor"]["titles"] > 0
    assert warm["requests"] == {"arxiv": 0, "s2": 0}
    assert results["cpu"]["records"] == 2000

    # the same lists both ways: the per-title run asks S2's title match once per title, the batched one bulk-searches
    pt, pt_warm = results["pt_seed_cold"], results["pt_seed_warm"]
    assert pt["exit"] == 0, pt
    assert pt["too_early"] == 0
    assert pt_warm["requests"] == {"arxiv": 0, "s2": 0}
    assert pt["kinds"]["s2:match"] == pt["floor"]["to_search"]
    assert "s2:bulk" not in pt["kinds"]
    assert cold["kinds"]["s2:bulk"] >= 1
    assert sum(cold["kinds"].values()) == cold["requests"]["s2"] + cold["requests"]["arxiv"]
    assert cold["vs_per_title"]["titles"] == cold["floor"]["titles"]

    d = BatchSettings()
    results["sweep"] = {
        "bullets": cold["floor"]["titles"],
        "floor": cold["floor"],
        "runs": [
            {**pt, "settings": None},
            {**cold, "settings": {"order": d.order, "s2_titles": d.s2_titles, "s2_max_pages": d.s2_max_pages}},
        ],
    }
    text = run.render(json.loads(json.dumps(results, default=str)), ["--only", "seed,cpu"])
    assert "| cold, seed lists |" in text
    assert "| seed lists | batched |" in text and "| seed lists | per-title |" in text
    assert "## Sweep of the `[batch]` settings" in text
    assert f"| **`{d.order}`, {d.s2_titles}, {d.s2_max_pages}** |" in text
    assert "| per-title |" in text
    assert "## Targets" in text


def test_precision_recall_against_the_truth(tmp_path: Path) -> None:
    (tmp_path / "interim").mkdir()
    resolutions = {
        "right": {"status": "matched", "arxiv_id": "2001.00001"},
        "twin": {"status": "matched", "arxiv_id": "2001.00003"},
        "wrong": {"status": "matched", "arxiv_id": "2001.00009"},
        "missed": {"status": "unmatched"},
    }
    (tmp_path / "interim" / "resolved.json").write_text(json.dumps({"resolutions": resolutions}))
    truth = {
        "right": {"2001.00001"},
        "twin": {"2001.00002", "2001.00003"},
        "wrong": {"2001.00004"},
        "missed": {"2001.00005"},
        "never read": {"2001.00006"},
    }
    q = batching.quality(tmp_path, truth)
    assert (q["matched"], q["right"], q["titles"], q["not_read"]) == (3, 2, 5, 1)
    assert q["precision"] == 2 / 3 and q["recall"] == 2 / 5
