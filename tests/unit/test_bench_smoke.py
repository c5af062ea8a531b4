"""Smoke test of the benchmark harness (`make bench`): the smallest scenarios, so the harness cannot rot.

Runs the seed lists cold + warm against the emulator (two child processes) and the CPU path on 2,000 titles;
does not touch docs/benchmarks.md. A few seconds.
"""

from __future__ import annotations

from pathlib import Path

from benchmarks import run


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

    text = run.render(results, ["--only", "seed,cpu"])
    assert "| cold, seed lists |" in text
    assert "## Targets" in text
