"""Issue 18: the state a machine accumulates over months of scheduled runs, and settings that pass validation.

Each case reproduces what a careful user did against the emulator and pins what happens now: the exit code, the
message, what is kept. No case may print a traceback.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from paper_catalogue.outputs.catalogue import load_catalogue

Run = Callable[..., tuple[int, str]]


def no_traceback(out: str) -> None:
    assert "Traceback" not in out, out


# ------------------------------------------------------------------------ 6. leftovers and honesty


def test_outputs_and_interim_files_end_with_normal_permissions(
    emulator: Any, make_settings: Callable[..., Path], run_cli: Run
) -> None:
    config = make_settings(emulator)
    code, out = run_cli("enrich", "--config", str(config), "-q")
    assert code == 0, out
    expected = 0o666 & ~_umask()
    written = [
        *(config.parent / "interim").glob("*.json"),
        *(config.parent / "enriched").glob("catalogue.*"),
        config.parent / "enriched" / "review.md",
        config.parent / "enriched" / "citations_history.parquet",
    ]
    assert len(written) >= 8
    for path in written:
        assert stat.S_IMODE(path.stat().st_mode) == expected, (path, oct(path.stat().st_mode))


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def test_temp_files_of_a_killed_run_are_removed_by_the_next_run(
    emulator: Any, make_settings: Callable[..., Path], run_cli: Run
) -> None:
    config = make_settings(emulator)
    code, out = run_cli("enrich", "--config", str(config), "-q")
    assert code == 0, out
    enriched, interim = config.parent / "enriched", config.parent / "interim"
    # What a kill -9 in the middle of atomic writes leaves behind (mkstemp names).
    leftovers = [
        enriched / ".catalogue.parquet.k3j2x9_a.parquet",
        enriched / ".catalogue.csv.0abcdefg.csv",
        enriched / ".citations_history.parquet.zz9yy8xx.parquet",
        interim / ".resolved.json.q1w2e3r4.tmp",
    ]
    for path in leftovers:
        path.write_bytes(b"half a file")
    mine = enriched / ".catalogue.bib.a1b2c3d4.tmp"  # the bibtex command's, which runs without the lock
    mine.write_bytes(b"being written")
    code, out = run_cli("enrich", "--config", str(config), "-q")
    assert code == 0, out
    assert not any(p.exists() for p in leftovers)
    assert mine.exists()
    assert "removed 4 temporary file(s) left by an interrupted run" in out
    code, out = run_cli("enrich", "--config", str(config), "-q")
    assert "temporary file" not in out  # said once, when there was something to remove


def test_a_run_stopped_by_a_bad_list_does_not_say_complete(
    emulator: Any, make_settings: Callable[..., Path], run_cli: Run
) -> None:
    config = make_settings(emulator)
    (config.parent / "raw" / "binary.md").write_bytes(b"%PDF-1.4\n" + bytes(100))
    code, out = run_cli("enrich", "--config", str(config))
    assert code == 2, out
    assert "complete" not in out.splitlines()[-1]
    assert "stopped after" in out and "exit 2" in out
    code, out = run_cli("enrich", "--config", str(config), "--json-summary")
    summary = json.loads(out[out.index("{") :].splitlines()[0])
    assert code == 2 and summary["complete"] is False and summary["stopped"]
    no_traceback(out)


def test_unreadable_subfolder_of_raw_is_reported(
    emulator: Any, make_settings: Callable[..., Path], run_cli: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = make_settings(emulator)
    locked = config.parent / "raw" / "private"
    locked.mkdir()
    (locked / "more.md").write_text("- A List Nobody Can Read In This Folder\n", encoding="utf-8")
    real_scandir = os.scandir

    def scandir(path: Any = ".") -> Any:  # what a folder without read permission does (tests may run as root)
        if Path(os.fsdecode(path)) == locked:
            raise PermissionError(13, "Permission denied", os.fsdecode(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    code, out = run_cli("enrich", "--config", str(config), "-q")
    assert code == 0, out
    assert "input: private/: cannot read this folder (Permission denied); the lists in it were not read" in out


def test_symlink_loops_in_raw_are_reported_once_and_linked_folders_are_read(
    emulator: Any, make_settings: Callable[..., Path], run_cli: Run, tmp_path: Path
) -> None:
    config = make_settings(emulator)
    raw = config.parent / "raw"
    (raw / "nested" / "deeper").mkdir(parents=True)
    (raw / "nested" / "deeper" / "loop").symlink_to(raw / "nested")
    (raw / "nested" / "top").symlink_to(raw)
    outside = tmp_path / "shared-lists"
    outside.mkdir()
    (outside / "shared.md").write_text("- Attention Is All You Need\n", encoding="utf-8")
    (raw / "shared").symlink_to(outside)
    (raw / "gone.md").symlink_to(tmp_path / "no-such-file.md")
    code, out = run_cli("enrich", "--config", str(config), "-q")
    assert code == 0, out
    loops = [line for line in out.splitlines() if "symlink loop" in line]
    assert len(loops) == 1 and "2 folder link(s)" in loops[0], out
    assert "nested/deeper/loop → nested" in loops[0] and "nested/top → ." in loops[0]
    assert "gone.md: a link that leads to no file (or to itself); not read" in out
    frame = load_catalogue(config.parent / "enriched")
    assert frame is not None
    assert any("shared/shared.md:1" in p for row in frame.provenance for p in row)
    no_traceback(out)


# ------------------------------------------------------------------------ 4. settings that pass validation


@pytest.mark.parametrize(
    ("section", "setting", "expected"),
    [
        ("arxiv", "timeout_s = 0.0", "[arxiv] timeout_s must be > 0"),
        ("http", "circuit_breaker_failures = 0", "[http] circuit_breaker_failures must be >= 1"),
    ],
)
def test_settings_that_would_break_the_run_stop_it_before_any_request(
    emulator: Any, make_settings: Callable[..., Path], run_cli: Run, section: str, setting: str, expected: str
) -> None:
    config = make_settings(emulator)
    config.write_text(config.read_text().replace(f"[{section}]\n", f"[{section}]\n{setting}\n", 1))
    code, out = run_cli("enrich", "--config", str(config), "-q")
    assert code == 2, out
    assert f"config.toml:{_line(config, setting)}: {expected}" in out
    assert emulator.stats()["s2"]["requests"] == 0 and emulator.stats()["arxiv"]["requests"] == 0
    no_traceback(out)


def _line(config: Path, text: str) -> int:
    return next(n for n, line in enumerate(config.read_text().splitlines(), start=1) if line.strip() == text)


def test_enriched_path_naming_a_file_stops_the_run_before_any_request(
    emulator: Any, make_settings: Callable[..., Path], run_cli: Run
) -> None:
    config = make_settings(emulator)
    (config.parent / "enriched").write_text("not a folder")
    code, out = run_cli("enrich", "--config", str(config), "-q")
    assert code == 2, out
    assert "[paths] enriched =" in out and "is a file, not a folder" in out
    assert emulator.stats()["s2"]["requests"] == 0 and emulator.stats()["arxiv"]["requests"] == 0
    assert (config.parent / "enriched").read_text() == "not a folder"
    no_traceback(out)


# ------------------------------------------------------------------------ 1. a damaged HTTP cache


@pytest.mark.parametrize("damage", ["random", "truncated"])
def test_a_damaged_http_cache_is_moved_aside_and_the_run_goes_on(
    emulator: Any, make_settings: Callable[..., Path], run_cli: Run, damage: str
) -> None:
    config = make_settings(emulator)
    code, out = run_cli("enrich", "--config", str(config), "-q")
    assert code == 0, out
    cache = config.parent / "cache" / "http.sqlite"
    data = cache.read_bytes()
    assert len(data) > 8192
    for extra in ("-wal", "-shm"):
        cache.with_name(cache.name + extra).unlink(missing_ok=True)
    broken = os.urandom(4096) if damage == "random" else data[: len(data) // 2]
    cache.write_bytes(broken)
    before = load_catalogue(config.parent / "enriched")
    emulator.reset_stats()
    code, out = run_cli("enrich", "--config", str(config), "-q")
    assert code == 0, out
    no_traceback(out)
    kept = list(cache.parent.glob("http.sqlite.damaged-*"))
    assert len(kept) == 1 and kept[0].read_bytes() == broken  # kept, as it was, for inspection
    assert f"the HTTP cache {cache} was damaged" in out and kept[0].name in out
    # The stage stores still hold what was paid for: nothing is due, nothing is asked again.
    assert emulator.stats()["s2"]["requests"] == 0 and emulator.stats()["arxiv"]["requests"] == 0
    after = load_catalogue(config.parent / "enriched")
    assert before is not None and after is not None and len(after) == len(before)
    import sqlite3

    with sqlite3.connect(cache) as db:
        assert db.execute("pragma integrity_check").fetchone()[0] == "ok"
    code, out = run_cli("enrich", "--config", str(config), "-q")  # the new cache is used from now on
    assert code == 0 and "was damaged" not in out, out
    assert len(list(cache.parent.glob("http.sqlite.damaged-*"))) == 1


# ------------------------------------------------------------------------ 2. damaged stage files


def _first_key(data: dict[str, Any], container: str) -> str:
    return sorted(data[container])[0]


def _damage(interim: Path, name: str, how: str) -> str:
    """Damage one stage file the way a disk or a hand edit does; returns what the message must name."""
    path = interim / name
    if how == "random bytes":
        path.write_bytes(os.urandom(3000) + b"\xff\xfe")
        return f"{path} was damaged (not UTF-8 text"
    data = json.loads(path.read_text(encoding="utf-8"))
    container = "resolutions" if name == "resolved.json" else "records"
    key = _first_key(data, container)
    if how == "entry without status":
        del data[container][key]["status"]
        expected = f"{key!r}: no 'status'"
    elif how == "null entry":
        data[container][key] = None
        expected = f"{key!r}: null instead of an object"
    elif how == "list of numbers":
        data[container] = [1, 2]
        expected = f"{path} was damaged ('{container}' is not a JSON object)"
    elif how == "string":
        data[container] = "x"
        expected = f"{path} was damaged ('{container}' is not a JSON object)"
    elif how == "bad date":
        data[container][key]["record"]["published"] = "yesterday"
        expected = f"{key!r}: record: Invalid isoformat string"
    else:
        raise AssertionError(how)
    path.write_text(json.dumps(data), encoding="utf-8")
    return expected


@pytest.mark.parametrize(
    ("name", "how"),
    [
        ("resolved.json", "random bytes"),
        ("resolved.json", "entry without status"),
        ("resolved.json", "list of numbers"),
        ("resolved.json", "null entry"),
        ("arxiv.json", "random bytes"),
        ("arxiv.json", "string"),
        ("arxiv.json", "bad date"),
        ("s2.json", "random bytes"),
        ("s2.json", "null entry"),
    ],
)
def test_a_damaged_stage_file_is_named_kept_and_rebuilt(
    emulator: Any, make_settings: Callable[..., Path], run_cli: Run, name: str, how: str
) -> None:
    config = make_settings(emulator)
    code, out = run_cli("enrich", "--config", str(config), "-q")
    assert code == 0, out
    interim, enriched = config.parent / "interim", config.parent / "enriched"
    before = load_catalogue(enriched)
    expected = _damage(interim, name, how)
    damaged_bytes = (interim / name).read_bytes()
    code, out = run_cli("enrich", "--config", str(config), "-q")
    assert code == 0, out
    no_traceback(out)
    assert expected in out, out
    kept = list(interim.glob(f"{name}.damaged-*"))
    assert len(kept) == 1 and kept[0].read_bytes() == damaged_bytes and kept[0].name in out
    after = load_catalogue(enriched)
    assert before is not None and after is not None
    cols = ["key", "arxiv_id", "s2_paper_id", "match_status", "citation_count", "published"]
    assert (
        after[cols]
        .sort_values("key")
        .reset_index(drop=True)
        .equals(before[cols].sort_values("key").reset_index(drop=True))
    )
    json.loads((interim / name).read_text(encoding="utf-8"))  # rebuilt, whole
    code, out = run_cli("enrich", "--config", str(config), "-q")
    assert code == 0 and "damaged" not in out.replace(str(config.parent), ""), out


def test_a_damaged_titles_file_is_rebuilt_from_the_lists_by_a_later_stage(
    emulator: Any, make_settings: Callable[..., Path], run_cli: Run
) -> None:
    config = make_settings(emulator)
    code, out = run_cli("enrich", "--config", str(config), "-q")
    assert code == 0, out
    titles = config.parent / "interim" / "titles.json"
    good = json.loads(titles.read_text(encoding="utf-8"))
    titles.write_text(json.dumps({**good, "records": [None, *good["records"][1:]]}), encoding="utf-8")
    code, out = run_cli("catalogue", "--config", str(config), "-q")
    assert code == 0, out
    no_traceback(out)
    assert "titles.json: 1 damaged entry dropped (entry 1: null instead of an object)" in out
    assert "rebuilt from the reading lists" in out
    assert json.loads(titles.read_text(encoding="utf-8"))["records"] == good["records"]


def test_a_stage_file_that_cannot_be_rebuilt_in_this_stage_is_named_not_a_traceback(
    emulator: Any, make_settings: Callable[..., Path], run_cli: Run
) -> None:
    config = make_settings(emulator)
    code, out = run_cli("enrich", "--config", str(config), "-q")
    assert code == 0, out
    (config.parent / "interim" / "resolved.json").write_bytes(b"\x00\x01garbage")
    code, out = run_cli("catalogue", "--config", str(config), "-q")  # the resolve stage is not part of this run
    assert code == 2, out
    no_traceback(out)
    assert "resolved.json was damaged" in out and "run the resolve stage" in out


# ------------------------------------------------------------------------ 5. overrides


def _a_title(config: Path) -> str:
    records = json.loads((config.parent / "interim" / "titles.json").read_text(encoding="utf-8"))["records"]
    return str(sorted(records, key=lambda r: r["norm"])[0]["title"])


def test_an_overrides_folder_or_unreadable_overrides_file_is_named(
    emulator: Any, make_settings: Callable[..., Path], run_cli: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = make_settings(emulator)
    overrides = config.parent / "raw" / "overrides.csv"
    overrides.mkdir()
    code, out = run_cli("enrich", "--config", str(config), "-q")
    assert code == 2, out
    assert f"{overrides}: is a folder; the overrides file must be a CSV file" in out
    assert emulator.stats()["s2"]["requests"] == 0 and emulator.stats()["arxiv"]["requests"] == 0
    no_traceback(out)
    overrides.rmdir()
    overrides.write_text("title,arxiv_id,s2_paper_id,note\n", encoding="utf-8")
    real_read_text = Path.read_text

    def read_text(self: Path, *args: Any, **kwargs: Any) -> str:  # chmod 000 does not stop root: say it here
        if self == overrides:
            raise PermissionError(13, "Permission denied", str(self))
        return real_read_text(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", read_text)
    code, out = run_cli("enrich", "--config", str(config), "-q")
    assert code == 2, out
    assert f"{overrides}: cannot read the overrides file (Permission denied)" in out
    no_traceback(out)


def test_two_overrides_for_one_title_are_refused_with_both_lines(
    emulator: Any, make_settings: Callable[..., Path], run_cli: Run
) -> None:
    config = make_settings(emulator)
    code, out = run_cli("enrich", "--config", str(config), "-q")
    assert code == 0, out
    title = _a_title(config)
    before = (config.parent / "enriched" / "catalogue.parquet").read_bytes()
    (config.parent / "raw" / "overrides.csv").write_text(
        f'title,arxiv_id,s2_paper_id,note\n"{title}",1810.04805,,first\n# a comment\n"{title.upper()}",none,,second\n',
        encoding="utf-8",
    )
    emulator.reset_stats()
    code, out = run_cli("enrich", "--config", str(config), "-q")
    assert code == 2, out
    overrides = config.parent / "raw" / "overrides.csv"
    assert f"{overrides}:4: {title.upper()!r} is the same title as {overrides}:2" in out
    assert "keep one of the two rows" in out
    assert emulator.stats()["s2"]["requests"] == 0 and emulator.stats()["arxiv"]["requests"] == 0
    assert (config.parent / "enriched" / "catalogue.parquet").read_bytes() == before
    no_traceback(out)


@pytest.mark.parametrize(
    ("arxiv_id", "s2_id", "named"),
    [
        ("2901.99999", "", "arXiv 2901.99999, unknown to arXiv and Semantic Scholar"),
        ("", "f" * 40, f"Semantic Scholar {'f' * 40}, unknown to Semantic Scholar"),
    ],
)
def test_an_override_to_an_unknown_id_is_a_bad_override_reported_without_retrying_every_run(
    emulator: Any, make_settings: Callable[..., Path], run_cli: Run, arxiv_id: str, s2_id: str, named: str
) -> None:
    from paper_catalogue.sources.retry_rules import EMPTY_PAGE_ATTEMPTS

    config = make_settings(emulator)
    code, out = run_cli("enrich", "--config", str(config), "-q")
    assert code == 0, out
    title = _a_title(config)
    overrides = config.parent / "raw" / "overrides.csv"
    overrides.write_text(f'title,arxiv_id,s2_paper_id,note\n"{title}",{arxiv_id},{s2_id},\n', encoding="utf-8")
    for run in (1, 2):
        emulator.reset_stats()
        code, out = run_cli("enrich", "--config", str(config), "-q")
        assert code == 0, out  # a bad override is an input problem, not an outage
        assert "INCOMPLETE" not in out
        lines = [line for line in out.splitlines() if "bad override" in line]
        assert len(lines) == 1 and lines[0].startswith(f"input: {title!r}: bad override:"), out
        assert f"{overrides}:2" in lines[0] and named in lines[0]
        stats = emulator.stats()
        if run == 1:  # one batch of one id answered without an entry by every retry, and no second pass
            assert stats["arxiv"]["requests"] <= (EMPTY_PAGE_ATTEMPTS if arxiv_id else 0)
        else:  # the answer is remembered: nothing is asked again
            assert stats["arxiv"]["requests"] == 0 and stats["s2"]["requests"] == 0
        frame = load_catalogue(config.parent / "enriched")
        assert frame is not None
        row = frame[frame.entry_title == title].iloc[0]
        assert row.match_status == "unmatched" and row.match_note.startswith("bad override:")
        assert pd.isna(row.arxiv_id) and pd.isna(row.s2_paper_id)


# ------------------------------------------------------------------------ 3. the retry budget, per run and host


def _http_settings(config: Path, **values: float) -> None:
    """Set [http] keys of an emulator config (the ones it writes are replaced, the others added)."""
    text = config.read_text()
    for key, value in values.items():
        line = next((ln for ln in text.splitlines() if ln.startswith(f"{key} =")), None)
        text = text.replace(f"{line}\n", "") if line else text
        text = text.replace("[http]\n", f"[http]\n{key} = {value}\n", 1)
    config.write_text(text)


def _summary(out: str) -> dict[str, Any]:
    return dict(json.loads(next(line for line in out.splitlines() if line.startswith('{"data_origin"'))))


def test_the_retry_budget_is_one_per_run_and_host_not_one_per_request(
    emulator: Any, make_settings: Callable[..., Path], run_cli: Run
) -> None:
    config = make_settings(emulator)
    # Every backoff wait is exactly 0.1 s (initial = max caps the jitter): a 0.35 s budget is three retries.
    _http_settings(config, retry_budget_s=0.35, backoff_initial_s=0.1, backoff_max_s=0.1, circuit_breaker_failures=50)
    emulator.inject("s2", "503", times=100_000)
    code, out = run_cli("enrich", "--config", str(config), "--json-summary")
    assert code == 1, out
    summary = _summary(out)
    s2 = summary["http"]["s2"]
    assert s2["retries"] == 3, s2  # for the whole run, over every request and thread (8 attempts each before)
    assert summary["http"]["arxiv"]["retries"] == 0  # the other host has its own budget, untouched
    assert s2["network_requests"] == emulator.stats()["s2"]["requests"]
    resolutions = json.loads((config.parent / "interim" / "resolved.json").read_text())["resolutions"]
    assert any("s2 retry_budget" in (r["reason"] or "") for r in resolutions.values())
    assert "Semantic Scholar: the retry budget of 0.35s for this run was used up" in " ".join(summary["notes"])
    no_traceback(out)


def test_a_host_that_answers_only_429_is_paused_across_runs(
    emulator: Any, make_settings: Callable[..., Path], run_cli: Run
) -> None:
    config = make_settings(emulator)
    _http_settings(config, retry_budget_s=0.35, backoff_initial_s=0.1, backoff_max_s=0.1)
    emulator.inject("s2", "429", times=100_000)
    code, out = run_cli("enrich", "--config", str(config), "-q")
    assert code == 1, out
    assert "Semantic Scholar answered only 429 (rate limited): later runs leave it alone until" in out
    pauses_file = config.parent / "cache" / "rate_limit_pauses.json"
    first = json.loads(pauses_file.read_text())
    assert set(first) == {"s2"} and first["s2"]["strikes"] == 1
    # The next run (the fault still there, as a rate limit that has not lifted would be): S2 is not asked at all.
    emulator.reset_stats()
    code, out = run_cli("enrich", "--config", str(config), "-q")
    assert code == 1, out
    assert emulator.stats()["s2"]["requests"] == 0
    assert "Semantic Scholar answered only 429 (rate limited) in an earlier run: not asked until" in out
    assert json.loads(pauses_file.read_text()) == first  # a run that did not ask changes nothing
    # The pause is over (rewound) but the host still answers only 429: the next pause is twice as long.
    pauses_file.write_text(json.dumps({"s2": {**first["s2"], "until": "2000-01-01T00:00:00Z"}}))
    code, out = run_cli("enrich", "--config", str(config), "-q")
    assert code == 1 and json.loads(pauses_file.read_text())["s2"]["strikes"] == 2, out
    # It answers again: the run completes and the host is no longer paused.
    emulator.clear_faults()
    pauses_file.write_text(json.dumps({"s2": {"until": "2000-01-01T00:00:00Z", "strikes": 2}}))
    code, out = run_cli("enrich", "--config", str(config), "-q")
    assert code == 0, out
    assert json.loads(pauses_file.read_text()) == {}
    no_traceback(out)


def test_a_refresh_with_every_batch_truncated_gives_up_within_one_budget(
    emulator: Any, make_settings: Callable[..., Path], run_cli: Run
) -> None:
    config = make_settings(emulator)
    code, out = run_cli("enrich", "--config", str(config), "-q")
    assert code == 0, out
    _http_settings(config, retry_budget_s=0.25, backoff_initial_s=0.1, backoff_max_s=0.1)
    config.write_text(config.read_text().replace("[semantic_scholar]\n", "[semantic_scholar]\nbatch_size = 10\n"))
    emulator.inject("s2", "truncated", times=100_000)
    emulator.reset_stats()
    code, out = run_cli("refresh", "--config", str(config), "--json-summary")
    assert code == 1, out
    s2 = _summary(out)["http"]["s2"]
    papers = len(json.loads((config.parent / "interim" / "s2.json").read_text())["records"])
    batches = -(-papers // 10)
    assert batches >= 4
    assert s2["retries"] == 2  # 0.25 s of waits in 0.1 s steps, for the whole run
    # Each batch is tried once, each failed batch once more at the end of the stage, and the two retries.
    assert emulator.stats()["s2"]["requests"] <= 2 * batches + 2
    no_traceback(out)
