"""Benchmarks: the pipeline vs the naive per-title script, against the loopback emulator → docs/benchmarks.md.

python -m benchmarks.run            # everything (the 10,000-title cold run alone has a ≥ 100 s floor)
python -m benchmarks.run --quick    # the same without the 10,000-title scenarios
python -m benchmarks.run --only seed,cpu --no-doc   # a subset, table on stdout only

Every pipeline run is a fresh ``python -m pipeline ... --json-summary -q`` child process (wall time includes the
interpreter start, as a user sees it; peak RSS is the child's own, from wait4). Requests are counted by the emulator.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.common import (
    ARXIV_INTERVAL_S,
    ROOT,
    S2_INTERVAL_S,
    SEED_LISTS,
    api_delta,
    floor_for,
    list_stats,
    run_child,
    write_synthetic_lists,
    write_workdir,
)

DOC = ROOT / "docs" / "benchmarks.md"
RESULTS_JSON = ROOT / "benchmarks" / "results" / "latest.json"


def say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _progress(emu: Any, label: str, expected: int | None = None):  # noqa: ANN202
    base = emu.stats()

    def tick(elapsed: float) -> None:
        d = api_delta(base, emu.stats())
        total = d["s2"]["requests"] + d["arxiv"]["requests"]
        exp = f" of ≥ {expected}" if expected else ""
        say(
            f"  [{label}] {elapsed:6.1f} s: {total}{exp} requests"
            f" (S2 {d['s2']['requests']}, arXiv {d['arxiv']['requests']},"
            f" too early {d['s2']['too_early'] + d['arxiv']['too_early']})"
        )

    return tick


def run_pipeline(emu: Any, workdir: Path, command: str, label: str, floor: Any | None = None) -> dict[str, Any]:
    """One ``python -m pipeline <command>`` against ``emu``; emulator-counted requests, wall, summary, RSS."""
    cfg = workdir / "config.toml"
    before = emu.stats()
    expected = (floor.s2_min + floor.arxiv_min) if floor is not None and command == "enrich" else None
    child = run_child(
        ["-m", "pipeline", command, "--config", str(cfg), "--json-summary", "-q"],
        cwd=workdir,
        progress=_progress(emu, label, expected),
        label=label,
    )
    after = emu.stats()
    d = api_delta(before, after)
    summary = child.json_tail()
    http = summary.get("http") or {}
    cache_hits = sum(int(v.get("cache_hits", 0)) for v in http.values() if isinstance(v, dict))
    net = {k: int(v.get("network_requests", 0)) for k, v in http.items() if isinstance(v, dict)}
    wait = {k: round(float(v.get("politeness_wait_s", 0.0)), 3) for k, v in http.items() if isinstance(v, dict)}
    out = {
        "label": label,
        "command": command,
        "exit": child.code,
        "wall_s": child.wall_s,
        "pipeline_s": float(summary.get("seconds", 0.0)),
        "peak_rss_mb": child.maxrss_mb,
        "emulator": d,
        "requests": {"arxiv": d["arxiv"]["requests"], "s2": d["s2"]["requests"]},
        "too_early": d["arxiv"]["too_early"] + d["s2"]["too_early"],
        "cache_hits": cache_hits,
        "pipeline_network_requests": net,
        "politeness_wait_s": wait,
        "statuses": summary.get("statuses"),
        "distinct_titles": summary.get("distinct_titles"),
        "rows": summary.get("rows"),
        "complete": summary.get("complete"),
    }
    if floor is not None:
        out["floor"] = floor.__dict__
    if child.code not in (0, 1):
        say(f"  !! {label}: exit {child.code}\n{child.stderr[-3000:]}")
    return out


def resolved_papers(workdir: Path) -> int:
    """Rows of the catalogue with an S2 paper id (what a refresh must fetch)."""
    import pyarrow.parquet as pq

    path = workdir / "enriched" / "catalogue.parquet"
    if not path.exists():
        return 0
    col = pq.read_table(path, columns=["s2_paper_id"]).column("s2_paper_id").to_pylist()
    return len({c for c in col if c})


def fallback_titles(workdir: Path, noise_by_norm: dict[str, list[str]] | None = None) -> dict[str, Any]:
    """Titles whose S2 title match alone did not settle them (resolve.resolve_title then asks arXiv's phrase
    search, and S2's relevance search if still unmatched): score < SURE_SCORE, not matched, or no arXiv id."""
    from pipeline.matching.decide import SURE_SCORE

    data = json.loads((workdir / "interim" / "resolved.json").read_text(encoding="utf-8"))["resolutions"]
    out: dict[str, Any] = {"count": 0, "by_status": {}, "by_noise": {}, "examples": []}
    for norm, r in data.items():
        settled = (
            r.get("status") == "matched"
            and r.get("arxiv_id")
            and (r.get("score") or 0) >= SURE_SCORE
            and r.get("route") == "s2-match"
        )
        if settled or r.get("route") in ("identifier", "override"):
            continue
        out["count"] += 1
        out["by_status"][r["status"]] = out["by_status"].get(r["status"], 0) + 1
        if noise_by_norm is not None:
            for kind in sorted(set(noise_by_norm.get(norm, ["?"]))):
                out["by_noise"][kind] = out["by_noise"].get(kind, 0) + 1
        if len(out["examples"]) < 3:
            out["examples"].append(f"{norm[:60]} ({r['status']}, {r.get('score')})")
    return out


def run_naive(emu: Any, workdir: Path, titles: list[str], label: str) -> dict[str, Any]:
    workdir.mkdir(parents=True, exist_ok=True)
    tpath = workdir / "naive-titles.json"
    tpath.write_text(json.dumps(titles, ensure_ascii=False), encoding="utf-8")
    before = emu.stats()
    child = run_child(
        [
            "-m",
            "benchmarks.naive",
            str(tpath),
            emu.arxiv_url,
            emu.base_url,
            str(ARXIV_INTERVAL_S),
            str(S2_INTERVAL_S),
        ],
        cwd=workdir,
        progress=_progress(emu, label),
        label=label,
    )
    d = api_delta(before, emu.stats())
    summary = child.json_tail()
    return {
        "label": label,
        "exit": child.code,
        "wall_s": child.wall_s,
        "peak_rss_mb": child.maxrss_mb,
        "emulator": d,
        "requests": {"arxiv": d["arxiv"]["requests"], "s2": d["s2"]["requests"]},
        "too_early": d["arxiv"]["too_early"] + d["s2"]["too_early"],
        "naive": summary,
    }


# ------------------------------------------------------------------------------------ scenarios
def scenario_seed(tmp: Path, results: dict[str, Any], naive: bool = True) -> None:
    from emulator import Emulator, load_seed_corpus

    say("== seed lists (data/raw) against the seed corpus")
    with Emulator(corpus=load_seed_corpus(), arxiv_interval_s=ARXIV_INTERVAL_S, s2_interval_s=S2_INTERVAL_S) as emu:
        work = tmp / "seed"
        write_workdir(work, emu, lists=SEED_LISTS)
        n, to_search, titles, skipped = list_stats(work / "raw")
        floor = floor_for(n, to_search)
        results["seed_cold"] = run_pipeline(emu, work, "enrich", "seed-cold", floor)
        results["seed_cold"]["skipped"] = skipped
        results["seed_cold"]["fallbacks"] = fallback_titles(work)
        results["seed_warm"] = run_pipeline(emu, work, "enrich", "seed-warm", floor)
        if naive:
            say("== naive script on the seed titles (twice: it has no cache)")
            for key in ("naive_seed", "naive_seed_rerun"):
                results[key] = run_naive(emu, tmp / key, titles, key)
                results[key]["titles"] = len(titles)


def scenario_synthetic(tmp: Path, results: dict[str, Any], n: int, naive: bool, clean: bool = False) -> None:
    from emulator import Emulator, synthetic_corpus

    say(f"== {n:,} synthetic titles")
    t0 = time.perf_counter()
    corpus = synthetic_corpus(n)
    say(f"  corpus of {len(corpus):,} papers built in {time.perf_counter() - t0:.1f} s")
    with Emulator(corpus=corpus, arxiv_interval_s=ARXIV_INTERVAL_S, s2_interval_s=S2_INTERVAL_S) as emu:
        work = tmp / f"syn{n}"
        write_workdir(work, emu)
        noise, noise_by_norm = write_synthetic_lists(work / "raw", [p.title for p in corpus])
        n_titles, to_search, titles, skipped = list_stats(work / "raw")
        floor = floor_for(n_titles, to_search)
        say(f"  {n_titles:,} distinct titles after merging ({n:,} bullets); floor {floor.seconds:.1f} s")
        cold = run_pipeline(emu, work, "enrich", f"cold-{n}", floor)
        cold["noise"] = noise.__dict__
        cold["bullets"] = n
        cold["skipped"] = skipped
        cold["distinct_corpus_titles"] = len({p.title for p in corpus})
        cold["fallbacks"] = fallback_titles(work, noise_by_norm)
        results[f"cold_{n}"] = cold
        results[f"warm_{n}"] = run_pipeline(emu, work, "enrich", f"warm-{n}", floor)
        papers = resolved_papers(work)
        ref = run_pipeline(emu, work, "refresh", f"refresh-{n}")
        ref["papers"] = papers
        ref["expected_s2"] = math.ceil(papers / 500)
        results[f"refresh_{n}"] = ref
        if clean:
            say(f"== control: the same {n:,} titles written verbatim (no noise), cold")
            cwork = tmp / f"syn{n}-clean"
            write_workdir(cwork, emu)
            _, clean_norms = write_synthetic_lists(cwork / "raw", [p.title for p in corpus], noise=False)
            c_titles, c_search, _, c_skipped = list_stats(cwork / "raw")
            c = run_pipeline(emu, cwork, "enrich", f"clean-{n}", floor_for(c_titles, c_search))
            c["skipped"] = c_skipped
            c["fallbacks"] = fallback_titles(cwork, clean_norms)
            results[f"clean_{n}"] = c
        if naive:
            say(f"== naive script on the {n_titles:,} titles")
            results[f"naive_{n}"] = run_naive(emu, tmp / f"naive-{n}", titles, f"naive-{n}")
            results[f"naive_{n}"]["titles"] = len(titles)


def scenario_cpu(tmp: Path, results: dict[str, Any], n: int = 100_000) -> None:
    say(f"== CPU path: {n:,} titles parse + match + write")
    child = run_child(["-m", "benchmarks.cpu", str(n), str(tmp / "cpu")], cwd=tmp / "cpu", label="cpu")
    r = child.json_tail()
    r["wall_s"] = child.wall_s
    r["child_peak_rss_mb"] = child.maxrss_mb
    results["cpu"] = r


def scenario_guards(tmp: Path, results: dict[str, Any]) -> None:
    say("== input guards: hostile and large inputs next to plain ones of the same size")
    from benchmarks import guards

    (tmp / "guards").mkdir(parents=True, exist_ok=True)
    results["guards"] = guards.measure(tmp / "guards")


# ------------------------------------------------------------------------------------ report
def _f(x: float, nd: int = 2) -> str:
    return f"{x:,.{nd}f}"


def pipeline_row(name: str, r: dict[str, Any], titles: int, floor_s: float | None, margin_s: float | None) -> str:
    a, s = r["requests"]["arxiv"], r["requests"]["s2"]
    per = lambda k: _f(k / titles, 3) if titles else "-"  # noqa: E731
    fl = _f(floor_s, 2) if floor_s else "-"
    ratio = _f(r["wall_s"] / floor_s, 2) if floor_s else "-"
    mfl = _f(margin_s, 2) if margin_s else "-"
    mratio = _f(r["wall_s"] / margin_s, 2) if margin_s else "-"
    hits = r.get("cache_hits", "-")
    return (
        f"| {name} | {titles:,} | {per(a)} | {per(s)} | {per(a + s)} | {a + s:,} | {_f(r['wall_s'])} | {fl} | {ratio} "
        f"| {mfl} | {mratio} | {hits} | {_f(r['peak_rss_mb'], 0)} | {r['too_early']} |"
    )


def render(results: dict[str, Any], argv: list[str]) -> str:
    now = results.get("_date") or dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    cmd = "make bench" if not argv else "make bench  # = .venv/bin/python -m benchmarks.run " + " ".join(argv)
    lines = [
        "# Benchmarks: the pipeline vs the naive per-title script",
        "",
        f"- Command: `{cmd}` (generated by `benchmarks/run.py`; `--quick` skips the 10,000-title scenarios)",
        f"- Date: {now}",
        f"- Machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, {platform.platform()}",
        f"- Intervals: arXiv {ARXIV_INTERVAL_S} s, Semantic Scholar {S2_INTERVAL_S} s — **scaled 100× down** from the"
        " real 3 s / 1 s, so a wall time here × 100 is roughly the real politeness-bound time.",
        "- Servers: the loopback emulator (`emulator/`), whose corpus is **FIXTURE data** (made-up metadata; the"
        " synthetic corpora are generated by `emulator.papers.synthetic_corpus`). Requests are counted by the"
        " emulator.",
        "- Each pipeline run is a fresh `python -m pipeline … --json-summary -q` process: wall includes interpreter"
        " start-up and imports; peak RSS is that process's own (wait4).",
        "- floor = max(S2 requests needed × S2 interval, arXiv requests needed × arXiv interval), where S2 needs one"
        " title lookup per title without an identifier + ⌈N/500⌉ batch calls and arXiv needs ⌈N/100⌉ id_list calls.",
        "",
        "## Pipeline runs",
        "",
        "| scenario | titles | arXiv req/title | S2 req/title | req/title | requests | wall s | floor s | wall ÷ floor"
        " | floor + margin s | wall ÷ (floor + margin) | cache hits | peak RSS MB | too early |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    order = [("seed_cold", "cold, seed lists"), ("seed_warm", "warm rerun, seed lists")]
    for n in (1000, 10000):
        order += [
            (f"cold_{n}", f"cold, {n:,} synthetic"),
            (f"warm_{n}", f"warm rerun, {n:,}"),
            (f"refresh_{n}", f"refresh, {n:,}"),
            (f"clean_{n}", f"control: cold, {n:,} without noise"),
        ]
    for key, name in order:
        r = results.get(key)
        if not r:
            continue
        fl = r.get("floor")
        titles = fl["titles"] if fl else (r.get("distinct_titles") or 0)
        cold = key.startswith(("seed_cold", "cold_", "clean_"))
        floor_s = fl["seconds"] if fl and cold else None
        margin_s = fl.get("margin_seconds") if fl and cold else None
        if key.startswith("refresh_"):
            titles = r["papers"]
            floor_s = r["expected_s2"] * S2_INTERVAL_S
        lines.append(pipeline_row(name, r, titles, floor_s, margin_s))
    lines += [
        "",
        "Refresh rows count papers (catalogue rows with an S2 id) instead of titles; its floor is ⌈papers/500⌉ S2"
        " batch calls. Warm reruns have no floor (0 requests needed). *floor + margin* spaces the same requests the"
        " way the pipeline's politeness gate does (`pipeline/sources/politeness.py`: interval × 1.02 + 15 ms between"
        " request starts); at the real 1 s / 3 s intervals that margin is 3.5 % / 2.5 %, at these scaled intervals it"
        " is 152 % / 52 %. *titles* are the distinct titles the titles stage keeps (after merging duplicates and"
        " skipping lines it takes for non-titles, listed below).",
        "",
    ]
    # statuses / noise
    det = []
    for key in ("seed_cold", "cold_1000", "clean_1000", "cold_10000"):
        r = results.get(key)
        if r:
            fb = r.get("fallbacks") or {}
            fl, em = r["floor"], r["emulator"]
            beyond = r["requests"]["arxiv"] + r["requests"]["s2"] - fl["s2_min"] - fl["arxiv_min"]
            det.append(
                f"- `{key}`: {beyond:,} requests beyond the floor's {fl['s2_min'] + fl['arxiv_min']:,} ="
                f" {em['arxiv']['by_endpoint'].get('search', 0):,} arXiv title searches"
                f" + {em['s2']['by_endpoint'].get('search', 0):,} S2 relevance searches"
                f" + {em['s2']['by_status'].get('429', 0) + em['arxiv']['by_status'].get('429', 0):,} answered 429"
                f" (too early, then retried); S2 title-match calls {em['s2']['by_endpoint'].get('match', 0):,}"
                f" for {fl['to_search']:,} titles to search"
            )
            det.append(
                f"- `{key}`: titles the S2 title match alone did not settle (so arXiv's phrase search, and"
                f" when still unmatched S2's relevance search, were asked too): {fb.get('count')}"
                f" — by final status {fb.get('by_status')}, by noise applied {fb.get('by_noise') or '-'};"
                f" e.g. {fb.get('examples')}. Lines skipped by the titles stage: {r.get('skipped')}"
            )
            extra = ""
            if "noise" in r:
                extra = (
                    f"; bullets {r['bullets']:,}, distinct corpus titles {r['distinct_corpus_titles']:,};"
                    f" noise applied {r['noise']}"
                )
            det.append(
                f"- `{key}`: statuses {r['statuses']}; S2 endpoints {r['emulator']['s2']['by_endpoint']};"
                f" arXiv endpoints {r['emulator']['arxiv']['by_endpoint']}; politeness wait"
                f" {r['politeness_wait_s']} s; pipeline-reported {_f(r['pipeline_s'])} s{extra}"
            )
    if det:
        lines += ["Details of the cold runs:", "", *det, ""]

    # naive
    pairs = [
        ("seed", "seed_cold", "naive_seed"),
        ("seed, rerun", "seed_warm", "naive_seed_rerun"),
        ("1,000", "cold_1000", "naive_1000"),
    ]
    if any(results.get(nk) for _, _, nk in pairs):
        lines += [
            "## Ours vs the naive script (same emulator, same intervals, same titles)",
            "",
            "| titles | naive requests (arXiv / S2) | naive req/title | naive wall s | naive too early | ours requests"
            " | ours wall s | requests ours ÷ naive | wall ours ÷ naive | fewer requests |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for name, ok, nk in pairs:
            o, nv = results.get(ok), results.get(nk)
            if not (o and nv):
                continue
            oreq = o["requests"]["arxiv"] + o["requests"]["s2"]
            nreq = nv["requests"]["arxiv"] + nv["requests"]["s2"]
            lines.append(
                f"| {name} ({nv['titles']:,}) | {nreq:,} ({nv['requests']['arxiv']:,} / {nv['requests']['s2']:,}) |"
                f" {_f(nreq / nv['titles'], 2)} | {_f(nv['wall_s'])} | {nv['too_early']} | {oreq:,} |"
                f" {_f(o['wall_s'])} |"
                f" {_f(oreq / nreq, 3)} | {_f(o['wall_s'] / nv['wall_s'], 3)} |"
                f" {(_f(nreq / oreq, 1) + '×') if oreq else 'all (ours: 0)'} |"
            )
        o1, o2 = results.get("seed_cold"), results.get("seed_warm")
        n1, n2 = results.get("naive_seed"), results.get("naive_seed_rerun")
        if o1 and o2 and n1 and n2:
            oreq = sum(o1["requests"].values()) + sum(o2["requests"].values())
            nreq = sum(n1["requests"].values()) + sum(n2["requests"].values())
            lines.append(
                f"| seed, cold + rerun | {nreq:,} | - | {_f(n1['wall_s'] + n2['wall_s'])} | - | {oreq:,} |"
                f" {_f(o1['wall_s'] + o2['wall_s'])} | {_f(oreq / nreq, 3)} |"
                f" {_f((o1['wall_s'] + o2['wall_s']) / (n1['wall_s'] + n2['wall_s']), 3)} |"
                f" {_f(nreq / oreq, 1)}× |"
            )
        lines.append("")
        for _, _, nk in pairs:
            nv = results.get(nk)
            if nv:
                lines.append(
                    f"- `{nk}`: found {nv['naive']}; emulator statuses arXiv"
                    f" {nv['emulator']['arxiv']['by_status']}, S2 {nv['emulator']['s2']['by_status']}"
                )
        lines.append("")

    cpu = results.get("cpu")
    if cpu:
        lines += [
            f"## CPU-only path ({cpu['titles']:,} titles, no network)",
            "",
            "| phase | seconds | peak RSS MB |",
            "|---|---:|---:|",
            f"| `parse_markdown` + `merge_entries` ({cpu['parsed_entries']:,} bullets → {cpu['records']:,} records) |"
            f" {_f(cpu['parse_s'])} | {_f(cpu['parse_peak_mb'], 0)} |",
            f"| `matching.decide` × {cpu['records']:,} (3 candidates: right one + 2 near-misses) |"
            f" {_f(cpu['match_s'])} | {_f(cpu['match_peak_mb'], 0)} |",
            f"| `to_frame` ({_f(cpu['to_frame_s'])} s) + `write_catalogue` ({_f(cpu['write_catalogue_s'])} s) |"
            f" {_f(cpu['write_s'])} | {_f(cpu['write_peak_mb'], 0)} |",
            f"| **total** | **{_f(cpu['total_s'])}** | {_f(cpu['process_peak_mb'], 0)} (process) |",
            "",
            f"Decisions: {cpu['statuses']}; the right candidate chosen for {cpu['matched_right_one']:,}. Outputs:"
            f" parquet {_f(cpu['parquet_mb'], 1)} MB, CSV {_f(cpu['csv_mb'], 1)} MB. Peak RSS per phase is VmHWM,"
            f" reset before each phase ({cpu['peak_source']}); it includes the interpreter and imported libraries.",
            "",
        ]
    g = results.get("guards")
    if g:
        lines += [
            "## Input guards (side by side, best of 3; these were wall-clock asserts in the tests once)",
            "",
            "| input | seconds | next to | seconds | ratio |",
            "|---|---:|---|---:|---:|",
            f"| a 1.35 MB hostile line (brackets, emphasis, hashes, pipes) | {_f(g['megabyte_line_s'], 3)} |"
            f" a clean list of the same size ({g['clean_file_lines']:,} bullets) | {_f(g['same_size_clean_file_s'], 3)}"
            f" | {_f(g['megabyte_line_ratio'], 3)} |",
            f"| 10,000 duplicates, load + merge | {_f(g['duplicates_10k_s'], 3)} | 10,000 distinct titles |"
            f" {_f(g['distinct_10k_s'], 3)} | {_f(g['duplicates_ratio'])} |",
            f"| synthetic corpus, 20,000 papers | {_f(g['corpus_20k_s'], 3)} | 2,000 papers | {_f(g['corpus_2k_s'], 3)}"
            f" | {_f(g['corpus_10x_ratio'])} (10 = linear) |",
            "",
        ]
    lines += ["## Targets", "", "| target | result | met? |", "|---|---|---|", *targets(results), ""]
    lines += [DIAGNOSTICS]
    return "\n".join(lines)


DIAGNOSTICS = """## Why the missed targets are missed (measured; see also the details above)

- **Requests per title.** With titles written verbatim the pipeline makes exactly the floor (control row: 1.012
  requests/title at 1,000). The noise is what costs: a title the S2 title match does not settle (score below
  `decide.SURE_SCORE` = 0.97, a wrong paper, or a year that contradicts the list) is checked with one arXiv `ti:`
  phrase search, and only when still unmatched with an S2 relevance search. Almost every *truncated* title (5 % of
  bullets) and the typo'd titles for which S2's match returns a sibling title (the synthetic corpus has many titles
  differing in one word) take that route; the "details" lines count them per noise kind. That check is what keeps
  the resolver from accepting a near-duplicate it never saw (precision 1.0 in `docs/evaluation.md`), so it stays.
  The extra requests fall mostly on arXiv (0.08/title), the host that is *not* the bottleneck: at the real
  intervals arXiv's share of the 1,000-title run is ≈ 80 × 3 s = 4 min next to S2's ≈ 17 min, so wall time is
  unaffected. For the seed lists (45 titles) the floor itself is 1.044, so ≤ 1.05 leaves no room for one check.
- **Wall vs floor.** `pipeline/sources/politeness.py` spaces request starts by interval × 1.02 + 15 ms (the absolute
  part absorbs network and scheduling jitter between our clock and the server's). At the real 1 s interval that is 3.5 %
  over the floor; at the 100×-scaled 10 ms interval it is 2.5×, which alone puts every cold run at ≥ 2.5 × floor.
  Against the margin-aware floor the runs sit at about 1.1–1.25× (table above; the gate also waits out a request
  that reached the server late, see below). Start-up + titles + catalogue cost is the warm-run wall (table above).
- **≥ 5× fewer requests than the naive script.** The naive script makes exactly 3 requests per title (arXiv search,
  S2 match, S2 get_paper); ours cannot go below ~1.01 per title cold, so the best possible cold ratio is ≈ 2.96×. The
  gain compounds on reruns (ours 0 requests, the naive script 3 per title again): cold + one rerun of the seed lists is
  the informational row above.

History of what these benchmarks found and got fixed (2026-11-28): at 10,000 titles the first runs had 22–55 S2
requests arriving too early (answered 429 and retried). Causes: the resolver rewrote the whole `resolved.json`
checkpoint every 25 titles (10.9 MB, 0.25 s each, quadratic overall), which starved the request threads of the GIL,
and S2 requests could overlap, so a delayed one arrived right before the next. Fixed by checkpointing by time (every
15 s), one S2 request in flight at a time, and the emulator stamping arrivals when the request line is read: 0–1
too-early requests per run after that. The remaining one came from a request that stalled inside the HTTP library
(during a checkpoint) and reached the server late, while the next one was already allowed to start; the gate now
spaces the next start from the actual send and, when an answer is slower than the fastest seen, from the likely
arrival: 0 in the runs since. Title matching had become 2.2× slower (normalisation recomputed ~10× per
comparison); caching it brought the 100,000-title CPU path from 58.6 s to about 32–40 s. The resolver's later
readings (notes around a whole title, pasted references, a whole title inside a line) cost about 25 % more
matching time (27.8 → 35.1 s for 300,000 comparisons): 47 s for the CPU path, still under its 60 s target.
"""


def targets(results: dict[str, Any]) -> list[str]:
    rows = []

    def row(t: str, res: str, ok: bool | None) -> None:
        rows.append(f"| {t} | {res} | {'met' if ok else ('missed' if ok is not None else 'n/a')} |")

    for key in ("seed_cold", "cold_1000", "cold_10000"):
        r = results.get(key)
        if not r:
            continue
        fl = r["floor"]
        floor_req = (fl["s2_min"] + fl["arxiv_min"]) / fl["titles"]
        req = r["requests"]["arxiv"] + r["requests"]["s2"]
        per = req / fl["titles"]
        row(
            f"`{key}` ≤ 1.05 requests/title",
            f"{per:.3f} ({req:,} for {fl['titles']:,}; the floor itself is {floor_req:.3f})",
            per <= 1.05,
        )
        ratio = r["wall_s"] / fl["seconds"]
        row(
            f"`{key}` wall ≤ 1.10 × floor",
            f"{ratio:.2f}× ({r['wall_s']:.2f} s vs {fl['seconds']:.2f} s; {r['wall_s'] / fl['margin_seconds']:.2f}× the"
            f" floor with the pipeline's politeness margin, {fl['margin_seconds']:.2f} s)",
            ratio <= 1.10,
        )
        row(f"`{key}` too-early requests = 0", str(r["too_early"]), r["too_early"] == 0)
    for key in ("seed_warm", "warm_1000", "warm_10000"):
        r = results.get(key)
        if not r:
            continue
        req = r["requests"]["arxiv"] + r["requests"]["s2"]
        row(f"`{key}` 0 requests", f"{req} requests, {r['wall_s']:.2f} s", req == 0)
        if key == "seed_warm":
            row(
                "warm seed lists < 2 s",
                f"{r['wall_s']:.2f} s wall ({r['pipeline_s']:.2f} s inside the pipeline)",
                r["wall_s"] < 2.0,
            )
    for key in ("refresh_1000", "refresh_10000"):
        r = results.get(key)
        if not r:
            continue
        row(
            f"`{key}` exactly ⌈N/500⌉ S2 requests and 0 arXiv",
            f"S2 {r['requests']['s2']} (expected {r['expected_s2']} for {r['papers']:,} papers),"
            f" arXiv {r['requests']['arxiv']}",
            r["requests"]["s2"] == r["expected_s2"] and r["requests"]["arxiv"] == 0,
        )
    for name, ok, nk in (("seed", "seed_cold", "naive_seed"), ("1,000", "cold_1000", "naive_1000")):
        o, nv = results.get(ok), results.get(nk)
        if o and nv:
            oreq = o["requests"]["arxiv"] + o["requests"]["s2"]
            nreq = nv["requests"]["arxiv"] + nv["requests"]["s2"]
            row(
                f"≥ 5× fewer requests than naive ({name})",
                f"{nreq / max(oreq, 1):.2f}× ({oreq:,} vs {nreq:,})",
                nreq >= 5 * oreq,
            )
    o1, o2 = results.get("seed_cold"), results.get("seed_warm")
    n1, n2 = results.get("naive_seed"), results.get("naive_seed_rerun")
    if o1 and o2 and n1 and n2:
        oreq = sum(o1["requests"].values()) + sum(o2["requests"].values())
        nreq = sum(n1["requests"].values()) + sum(n2["requests"].values())
        row(
            "(informational) ≥ 5× fewer requests than naive, seed cold + rerun",
            f"{nreq / max(oreq, 1):.2f}× ({oreq:,} vs {nreq:,})",
            nreq >= 5 * oreq,
        )
    g = results.get("guards")
    if g:
        row(
            "megabyte line ≤ 0.1 × a clean file of its size",
            f"{g['megabyte_line_ratio']:.3f}×",
            g["megabyte_line_ratio"] <= 0.1,
        )
        row(
            "10,000 duplicates ≤ 1.5 × 10,000 distinct titles",
            f"{g['duplicates_ratio']:.2f}×",
            g["duplicates_ratio"] <= 1.5,
        )
        row("synthetic corpus 10× larger ≤ 15× the time", f"{g['corpus_10x_ratio']:.1f}×", g["corpus_10x_ratio"] <= 15)
    cpu = results.get("cpu")
    if cpu:
        row(f"CPU path {cpu['titles']:,} < 60 s", f"{cpu['total_s']:.1f} s", cpu["total_s"] < 60)
    return rows


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    p = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="skip the 10,000-title scenarios")
    p.add_argument("--only", default="", help="comma list of: seed, 1000, 10000, cpu, guards, naive (default: all)")
    p.add_argument("--cpu-titles", type=int, default=100_000)
    p.add_argument(
        "--no-doc", action="store_true", help=f"do not overwrite {DOC.relative_to(ROOT)} or the recorded results"
    )
    p.add_argument("--keep", action="store_true", help="keep the temporary work folder")
    p.add_argument("--render-only", action="store_true", help=f"rewrite the doc from {RESULTS_JSON.name}, run nothing")
    args = p.parse_args(argv)
    if args.render_only:
        saved = json.loads(RESULTS_JSON.read_text(encoding="utf-8"))
        DOC.write_text(render(saved, saved.get("_argv", [])), encoding="utf-8")
        say(f"wrote {DOC.relative_to(ROOT)} from {RESULTS_JSON.relative_to(ROOT)}")
        return 0
    only = {s.strip() for s in args.only.split(",") if s.strip()} or {"seed", "1000", "10000", "cpu", "guards", "naive"}
    if args.quick:
        only.discard("10000")

    tmp = Path(tempfile.mkdtemp(prefix="paper-bench-"))
    results: dict[str, Any] = {"_date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"), "_argv": argv}
    started = time.perf_counter()
    try:
        if "seed" in only:
            scenario_seed(tmp, results, naive="naive" in only)
        if "1000" in only:
            scenario_synthetic(tmp, results, 1000, naive="naive" in only, clean=True)
        if "cpu" in only:
            scenario_cpu(tmp, results, args.cpu_titles)
        if "guards" in only:
            scenario_guards(tmp, results)
        if "10000" in only:
            scenario_synthetic(tmp, results, 10000, naive=False)
    finally:
        if args.keep:
            say(f"work folder kept: {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    text = render(results, argv)
    print(text)
    if not args.no_doc:  # a partial or trial run leaves the recorded results (and the doc made from them) alone
        RESULTS_JSON.parent.mkdir(parents=True, exist_ok=True)
        RESULTS_JSON.write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
        DOC.parent.mkdir(parents=True, exist_ok=True)
        DOC.write_text(text, encoding="utf-8")
        say(f"wrote {DOC.relative_to(ROOT)} ({time.perf_counter() - started:.0f} s in all)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
