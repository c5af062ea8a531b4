"""Snapshot mode end to end: snapshot files in the real formats, imported by the CLI, then ``enrich`` against the
loopback emulator. Titles the snapshot holds cost no search request; decisions equal the API path's; the catalogue
has the same columns and types.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from paper_catalogue.stages.context import RESOLVED_FILE
from paper_catalogue.storage import load_json
from paper_catalogue_emulator import Emulator, load_seed_corpus, synthetic_corpus
from paper_catalogue_emulator.snapshots import write_arxiv_snapshot, write_s2_papers
from tests.conftest import SEED_LISTS, config_text

SNAPSHOT_ON = '[snapshot]\nenabled = true\nmax_age_days = 100000.0\nmemory_limit = "512MB"\nthreads = 2\n'


def _papers() -> list[Any]:
    return list(load_seed_corpus()) + list(synthetic_corpus(2500, seed=7))


@pytest.fixture
def snapshot_files(tmp_path: Path) -> tuple[Path, Path]:
    papers = _papers()
    arxiv = tmp_path / "downloads" / "arxiv-metadata-oai-snapshot.json"
    s2_dir = tmp_path / "downloads" / "s2" / "2025-08-19" / "papers"
    write_arxiv_snapshot(papers, arxiv)
    half = len(papers) // 2
    write_s2_papers(papers[:half], s2_dir / "20250822_0")
    write_s2_papers(papers[half:], s2_dir / "20250822_1")
    return arxiv, s2_dir.parent.parent


def _setup(emu: Emulator, folder: Path, extra: str, lists: Path | None = SEED_LISTS) -> Path:
    folder.mkdir(parents=True)
    raw = folder / "raw"
    if lists is not None:
        shutil.copytree(lists, raw)
    else:
        raw.mkdir()
    path = folder / "config.toml"
    path.write_text(config_text(emu, extra=extra), encoding="utf-8")
    return path


def _searches(emu: Emulator) -> dict[str, int]:
    stats = emu.stats()
    return {f"{api}:{ep}": n for api in ("s2", "arxiv") for ep, n in stats[api]["by_endpoint"].items()}


def _import(run_cli: Any, config: Path, files: tuple[Path, Path]) -> None:
    code, out = run_cli("snapshot", "import", "--config", str(config), "--arxiv", str(files[0]), "--s2", str(files[1]))
    assert code == 0, out
    assert "arxiv:" in out and "s2:" in out


def _resolutions(folder: Path) -> dict[str, Any]:
    data = load_json(folder / "interim" / RESOLVED_FILE)
    return data["resolutions"]


def test_titles_the_snapshot_holds_cost_no_request(
    emulator: Emulator, tmp_path: Path, run_cli: Any, snapshot_files: tuple[Path, Path]
) -> None:
    lists = tmp_path / "lists"
    lists.mkdir()
    seed = list(load_seed_corpus())[:40]
    (lists / "exact.md").write_text("".join(f"- {p.title}\n" for p in seed), encoding="utf-8")
    config = _setup(emulator, tmp_path / "on", SNAPSHOT_ON, lists=lists)
    _import(run_cli, config, snapshot_files)
    emulator.reset_stats()
    code, out = run_cli("enrich", "--config", str(config), "-q")
    assert code == 0, out
    assert _searches(emulator) == {}, "no search and no record request: the snapshot held every title and record"
    resolutions = _resolutions(tmp_path / "on")
    assert len(resolutions) == len({p.title for p in seed})
    by_title = {p.arxiv_id for p in seed}
    assert all(r["status"] == "matched" and r["route"] == "snapshot" for r in resolutions.values())
    assert {r["arxiv_id"] for r in resolutions.values()} <= by_title
    table = pq.read_table(tmp_path / "on" / "enriched" / "catalogue.parquet")
    rows = table.to_pylist()
    assert {r["arxiv_source"] for r in rows} == {"snapshot"} and {r["s2_source"] for r in rows} == {"snapshot"}
    assert {r["s2_snapshot_date"] for r in rows} == {"2025-08-19"}
    assert all(r["citation_count"] is not None and r["abstract"] for r in rows)


def test_same_decisions_and_catalogue_types_as_the_api_path(
    emulator: Emulator, tmp_path: Path, run_cli: Any, snapshot_files: tuple[Path, Path]
) -> None:
    api = _setup(emulator, tmp_path / "api", "")
    code, out = run_cli("enrich", "--config", str(api), "-q")
    assert code in (0, 1), out
    api_requests = sum(_searches(emulator).values())
    emulator.reset_stats()

    snap = _setup(emulator, tmp_path / "snap", SNAPSHOT_ON)
    _import(run_cli, snap, snapshot_files)
    code, out = run_cli("enrich", "--config", str(snap), "-q")
    assert code in (0, 1), out
    snap_requests = sum(_searches(emulator).values())

    by_api, by_snapshot = _resolutions(tmp_path / "api"), _resolutions(tmp_path / "snap")
    assert by_api.keys() == by_snapshot.keys()
    decided = {n: (r["status"], r["arxiv_id"]) for n, r in by_snapshot.items()}
    assert decided == {n: (r["status"], r["arxiv_id"]) for n, r in by_api.items()}
    from_snapshot = [r for r in by_snapshot.values() if r["route"] == "snapshot"]
    assert len(from_snapshot) >= 0.7 * len(by_snapshot)
    assert snap_requests < api_requests

    api_table = pq.read_table(tmp_path / "api" / "enriched" / "catalogue.parquet")
    snap_table = pq.read_table(tmp_path / "snap" / "enriched" / "catalogue.parquet")
    assert api_table.schema.remove_metadata() == snap_table.schema.remove_metadata()
    assert set(api_table.column("arxiv_source").to_pylist()) <= {"api", None}


def test_a_newer_release_diff_refreshes_citation_counts_without_the_api(
    emulator: Emulator, tmp_path: Path, run_cli: Any, snapshot_files: tuple[Path, Path]
) -> None:
    lists = tmp_path / "lists"
    lists.mkdir()
    seed = list(load_seed_corpus())[:5]
    (lists / "few.md").write_text("".join(f"- {p.title}\n" for p in seed), encoding="utf-8")
    config = _setup(emulator, tmp_path / "on", SNAPSHOT_ON, lists=lists)
    _import(run_cli, config, snapshot_files)
    updates = tmp_path / "diff" / "updates" / "20250905_0.gz"
    write_s2_papers(seed[:2], updates, citation_counts={p.arxiv_id: 123456 for p in seed[:2]})
    deletes = tmp_path / "diff" / "deletes" / "20250905_0.gz"
    write_s2_papers(seed[4:5], deletes)
    code, out = run_cli(
        "snapshot", "refresh", "--config", str(config), "--updates", str(updates), "--deletes", str(deletes),
        "--to-release", "2025-09-05",
    )  # fmt: skip
    assert code == 0, out
    assert "2 record(s) updated, 1 deleted" in out
    emulator.reset_stats()
    code, out = run_cli("enrich", "--config", str(config), "-q")
    assert code == 0, out
    rows = {r["arxiv_id"]: r for r in pq.read_table(tmp_path / "on" / "enriched" / "catalogue.parquet").to_pylist()}
    for p in seed[:2]:
        assert rows[p.arxiv_id]["citation_count"] == 123456
        assert rows[p.arxiv_id]["s2_snapshot_date"] == "2025-09-05"
    # the deleted record is no longer in the snapshot: that one paper is asked of the API, nothing else is
    assert rows[seed[4].arxiv_id]["s2_source"] == "api"
    assert _searches(emulator) == {"s2:batch": 1}


def test_a_final_snapshot_searches_no_title_and_names_what_it_lacks(
    emulator: Emulator, tmp_path: Path, run_cli: Any, snapshot_files: tuple[Path, Path]
) -> None:
    """``[snapshot] final``: lists past the APIs' limits. Every decision is the snapshot's (typos included, by the
    same ``decide``); a title it does not hold is unmatched with that reason, never searched."""
    lists = tmp_path / "lists"
    lists.mkdir()
    seed = list(load_seed_corpus())[:6]
    typo = seed[0].title.replace("e", "", 1) if "e" in seed[0].title else seed[0].title + "x"
    lines = [f"- {p.title}\n" for p in seed[1:]] + [f"- {typo}\n", "- A Paper Title That No Snapshot Holds At All\n"]
    (lists / "final.md").write_text("".join(lines), encoding="utf-8")
    config = _setup(emulator, tmp_path / "on", SNAPSHOT_ON + "final = true\n", lists=lists)
    _import(run_cli, config, snapshot_files)
    emulator.reset_stats()
    code, out = run_cli("enrich", "--config", str(config), "-q")
    assert code == 0, out  # unmatched is a decision, not a failure
    searches = {k: n for k, n in _searches(emulator).items() if "search" in k or "query" in k or "match" in k}
    assert searches == {}, "a final snapshot makes no title search"
    resolutions = _resolutions(tmp_path / "on")
    missing = resolutions["a paper title that no snapshot holds at all"]
    assert missing["status"] == "unmatched" and "local snapshot" in missing["reason"]
    matched = {r["arxiv_id"] for r in resolutions.values() if r["status"] == "matched"}
    assert matched == {p.arxiv_id for p in seed}, "the typo'd title is decided by the snapshot, as decide would"


def test_a_final_snapshot_without_its_database_is_refused(emulator: Emulator, tmp_path: Path, run_cli: Any) -> None:
    config = _setup(emulator, tmp_path / "on", SNAPSHOT_ON + "final = true\n")
    emulator.reset_stats()
    code, out = run_cli("enrich", "--config", str(config), "-q")
    assert code == 2, out
    assert "snapshot import" in out and "snapshot.duckdb" in out
    assert sum(_searches(emulator).values()) == 0


def test_worker_processes_decide_as_one_process_does(
    emulator: Emulator, tmp_path: Path, run_cli: Any, snapshot_files: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Large lists are shared among worker processes, each looking up and deciding whole tasks on its own read-only
    connection: the decisions, their reasons and kept candidates, and the order they arrive in are the same."""
    from paper_catalogue.config import load_settings
    from paper_catalogue.matching.normalise import normalise_title
    from paper_catalogue.models import Occurrence, TitleRecord
    from paper_catalogue.stages import snapshot

    config = _setup(emulator, tmp_path / "on", SNAPSHOT_ON, lists=None)
    _import(run_cli, config, snapshot_files)
    settings = load_settings(config, env={})
    titles = [p.title for p in _papers()[::9]]  # ~300 titles: exact, lower-cased, one letter dropped
    spelled = [t if i % 3 == 0 else t.lower() if i % 3 == 1 else t.replace("e", "", 1) for i, t in enumerate(titles)]
    records = list(
        {
            normalise_title(t): TitleRecord(normalise_title(t), t, [Occurrence("l.md", 1, None, t)]) for t in spelled
        }.values()
    )

    def run() -> tuple[list[str], dict[str, Any]]:
        order: list[str] = []
        outcome = snapshot.resolve_from_snapshot(
            settings, records, "2026-01-01T00:00:00Z", lambda r, _: order.append(r.norm)
        )
        return order, {k: v.to_dict() for k, v in outcome.settled.items()}

    alone = run()
    monkeypatch.setattr(snapshot, "PARALLEL_MIN_TITLES", 0)
    monkeypatch.setattr(snapshot, "TASK_TITLES", 40)
    assert snapshot._workers(settings, len(records)) == 2
    shared = run()
    assert len(alone[1]) > 0.8 * len(records)
    assert shared == alone
