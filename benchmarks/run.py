"""Benchmarks: the pipeline vs the naive per-title script, against the loopback emulator → docs/benchmarks.md.

python -m benchmarks.run            # everything but the sweep (the 10,000-title per-title run has a ≥ 100 s floor)
python -m benchmarks.run --quick    # the same without the 10,000-title scenarios
python -m benchmarks.run --only seed,cpu --no-doc   # a subset, table on stdout only
python -m benchmarks.run --only sweep   # the [batch] settings sweep → results/sweep.json, doc re-rendered

Every list is resolved twice, batched (the default config) and per-title (``[batch] enabled = false``), on the
same list files against the same emulator (``--only`` without ``per-title`` runs the batched side alone).

Every pipeline run is a fresh ``python -m paper_catalogue ... --json-summary -q`` child process (wall time includes the
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

from benchmarks.batching import (
    BATCH_ROUTES,
    RequestTap,
    agreement,
    batch_targets,
    comparison_section,
    quality,
    sweep_section,
    truth_ids,
)
from benchmarks.common import (
    ARXIV_INTERVAL_S,
    PER_TITLE,
    ROOT,
    S2_INTERVAL_S,
    SEED_LISTS,
    api_delta,
    batch_config,
    floor_for,
    list_stats,
    run_child,
    write_synthetic_lists,
    write_workdir,
)

DOC = ROOT / "docs" / "benchmarks.md"
RESULTS_JSON = ROOT / "benchmarks" / "results" / "latest.json"
SWEEP_JSON = ROOT / "benchmarks" / "results" / "sweep.json"


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


def run_pipeline(
    emu: Any, workdir: Path, command: str, label: str, floor: Any | None = None, tap: RequestTap | None = None
) -> dict[str, Any]:
    """One ``python -m paper_catalogue <command>`` against ``emu``; emulator-counted requests, wall, summary, RSS.
    With ``tap``, requests by kind too (arXiv one-title vs OR-ed searches, S2 bulk pages)."""
    cfg = workdir / "config.toml"
    before = emu.stats()
    kinds_before = tap.snapshot() if tap is not None and tap.active else None
    server_cpu = time.process_time()  # this process serves the emulator: its CPU time is the servers'
    expected = (floor.s2_min + floor.arxiv_min) if floor is not None and command == "enrich" else None
    child = run_child(
        ["-m", "paper_catalogue", command, "--config", str(cfg), "--json-summary", "-q"],
        cwd=workdir,
        progress=_progress(emu, label, expected),
        label=label,
    )
    server_cpu = time.process_time() - server_cpu
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
        "cpu_s": child.cpu_s,
        "emulator_cpu_s": server_cpu,
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
        "matched_by_route": summary.get("matched_by_route"),
    }
    if tap is not None and kinds_before is not None:
        out["kinds"] = RequestTap.delta(kinds_before, tap.snapshot())
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
    """Titles neither a batch nor the S2 title match alone settled (resolve.resolve_title then asks arXiv's phrase
    search, and S2's relevance search if still unmatched): score < SURE_SCORE, not matched, or no arXiv id."""
    from paper_catalogue.matching.decide import SURE_SCORE

    data = json.loads((workdir / "interim" / "resolved.json").read_text(encoding="utf-8"))["resolutions"]
    out: dict[str, Any] = {"count": 0, "by_status": {}, "by_noise": {}, "examples": [], "batch_settled": 0}
    for norm, r in data.items():
        route = r.get("route") or ""
        if r.get("status") == "matched" and any(b in route for b in BATCH_ROUTES):
            out["batch_settled"] += 1
            continue
        settled = (
            r.get("status") == "matched"
            and r.get("arxiv_id")
            and (r.get("score") or 0) >= SURE_SCORE
            and route == "s2-match"
        )
        if settled or route in ("identifier", "override"):
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
def scenario_seed(tmp: Path, results: dict[str, Any], naive: bool = True, per_title: bool = True) -> None:
    from paper_catalogue_emulator import Emulator, load_seed_corpus

    say("== seed lists (data/raw) against the seed corpus")
    with Emulator(corpus=load_seed_corpus(), arxiv_interval_s=ARXIV_INTERVAL_S, s2_interval_s=S2_INTERVAL_S) as emu:
        tap = RequestTap(emu)
        work = tmp / "seed"
        write_workdir(work, emu, lists=SEED_LISTS)
        n, to_search, titles, skipped = list_stats(work / "raw")
        floor = floor_for(n, to_search)
        results["seed_cold"] = run_pipeline(emu, work, "enrich", "seed-cold", floor, tap)
        results["seed_cold"]["skipped"] = skipped
        results["seed_cold"]["fallbacks"] = fallback_titles(work)
        results["seed_warm"] = run_pipeline(emu, work, "enrich", "seed-warm", floor, tap)
        if per_title:
            say("== the same seed lists, per-title path ([batch] enabled = false)")
            pwork = tmp / "seed-per-title"
            write_workdir(pwork, emu, lists=work / "raw", extra=PER_TITLE)
            results["pt_seed_cold"] = run_pipeline(emu, pwork, "enrich", "seed-per-title-cold", floor, tap)
            results["pt_seed_cold"]["fallbacks"] = fallback_titles(pwork)
            results["pt_seed_warm"] = run_pipeline(emu, pwork, "enrich", "seed-per-title-warm", floor, tap)
            results["seed_cold"]["vs_per_title"] = agreement(work, pwork)
        if naive:
            say("== naive script on the seed titles (twice: it has no cache)")
            for key in ("naive_seed", "naive_seed_rerun"):
                results[key] = run_naive(emu, tmp / key, titles, key)
                results[key]["titles"] = len(titles)


def _cold_pair(
    emu: Any,
    tap: RequestTap,
    tmp: Path,
    results: dict[str, Any],
    key: str,
    label: str,
    noise_by_norm: dict[str, list[str]],
    truth: dict[str, set[str]],
    per_title: bool,
) -> tuple[Path, Any]:
    """Cold runs of the lists in ``tmp/<label>/raw``: batched (the default config) and, with ``per_title``, the
    per-title path on a copy of the same lists with a cache of its own."""
    work = tmp / label
    n_titles, to_search, _, skipped = list_stats(work / "raw")
    floor = floor_for(n_titles, to_search)
    cold = run_pipeline(emu, work, "enrich", label, floor, tap)
    cold["skipped"] = skipped
    cold["fallbacks"] = fallback_titles(work, noise_by_norm)
    cold["quality"] = quality(work, truth)
    results[key] = cold
    if per_title:
        say(f"  … and per-title ([batch] enabled = false) on the same lists: {label}-per-title")
        pwork = tmp / f"{label}-per-title"
        write_workdir(pwork, emu, lists=work / "raw", extra=PER_TITLE)
        pt = run_pipeline(emu, pwork, "enrich", f"{label}-per-title", floor, tap)
        pt["fallbacks"] = fallback_titles(pwork, noise_by_norm)
        pt["quality"] = quality(pwork, truth)
        results[f"pt_{key}"] = pt
        cold["vs_per_title"] = agreement(work, pwork)
    return work, floor


def scenario_synthetic(
    tmp: Path, results: dict[str, Any], n: int, naive: bool, clean: bool = False, per_title: bool = True
) -> None:
    from paper_catalogue_emulator import Emulator, synthetic_corpus

    say(f"== {n:,} synthetic titles")
    t0 = time.perf_counter()
    corpus = synthetic_corpus(n)
    say(f"  corpus of {len(corpus):,} papers built in {time.perf_counter() - t0:.1f} s")
    with Emulator(corpus=corpus, arxiv_interval_s=ARXIV_INTERVAL_S, s2_interval_s=S2_INTERVAL_S) as emu:
        tap = RequestTap(emu)
        label = f"cold-{n}"
        write_workdir(tmp / label, emu)
        sources: dict[str, set[str]] = {}
        noise, noise_by_norm = write_synthetic_lists(tmp / label / "raw", [p.title for p in corpus], sources=sources)
        n_titles, _, titles, _ = list_stats(tmp / label / "raw")
        say(f"  {n_titles:,} distinct titles after merging ({n:,} bullets)")
        work, floor = _cold_pair(
            emu, tap, tmp, results, f"cold_{n}", label, noise_by_norm, truth_ids(corpus, sources), per_title
        )
        cold = results[f"cold_{n}"]
        cold["noise"] = noise.__dict__
        cold["bullets"] = n
        cold["distinct_corpus_titles"] = len({p.title for p in corpus})
        results[f"warm_{n}"] = run_pipeline(emu, work, "enrich", f"warm-{n}", floor, tap)
        if per_title:
            results[f"pt_warm_{n}"] = run_pipeline(
                emu, tmp / f"{label}-per-title", "enrich", f"warm-{n}-per-title", floor, tap
            )
        papers = resolved_papers(work)
        ref = run_pipeline(emu, work, "refresh", f"refresh-{n}", tap=tap)
        ref["papers"] = papers
        ref["expected_s2"] = math.ceil(papers / 500)
        results[f"refresh_{n}"] = ref
        if clean:
            say(f"== control: the same {n:,} titles written verbatim (no noise), cold")
            clabel = f"clean-{n}"
            write_workdir(tmp / clabel, emu)
            csources: dict[str, set[str]] = {}
            _, clean_norms = write_synthetic_lists(
                tmp / clabel / "raw", [p.title for p in corpus], noise=False, sources=csources
            )
            _cold_pair(
                emu, tap, tmp, results, f"clean_{n}", clabel, clean_norms, truth_ids(corpus, csources), per_title
            )
        if naive:
            say(f"== naive script on the {n_titles:,} titles")
            results[f"naive_{n}"] = run_naive(emu, tmp / f"naive-{n}", titles, f"naive-{n}")
            results[f"naive_{n}"]["titles"] = len(titles)


#: The sweep's grid (``--only sweep``): each setting with the others at their defaults, at 1,000 noisy titles.
SWEEP_ORDERS = ("s2,arxiv", "arxiv,s2", "s2")
SWEEP_S2_TITLES = (10, 25, 50, 100)
SWEEP_S2_PAGES = (1, 2, 4)


def scenario_sweep(tmp: Path, results: dict[str, Any], n: int = 1000) -> None:
    """Every combination of ``[batch] order``, ``s2_titles`` and ``s2_max_pages`` on the same noisy lists, cold,
    next to one per-title run of them; requests, wall and precision/recall of each."""
    from paper_catalogue_emulator import Emulator, synthetic_corpus

    say(f"== sweep of [batch] settings on {n:,} noisy synthetic titles")
    corpus = synthetic_corpus(n)
    sweep: dict[str, Any] = {"bullets": n, "runs": []}
    with Emulator(corpus=corpus, arxiv_interval_s=ARXIV_INTERVAL_S, s2_interval_s=S2_INTERVAL_S) as emu:
        tap = RequestTap(emu)
        lists = tmp / "sweep-lists"
        sources: dict[str, set[str]] = {}
        write_synthetic_lists(lists, [p.title for p in corpus], sources=sources)
        truth = truth_ids(corpus, sources)
        n_titles, to_search, _, _ = list_stats(lists)
        floor = floor_for(n_titles, to_search)
        sweep["floor"] = floor.__dict__
        grid: list[dict[str, Any] | None] = [None]  # None: the per-title path
        grid += [
            {"order": o, "s2_titles": t, "s2_max_pages": pages}
            for o in SWEEP_ORDERS
            for t in SWEEP_S2_TITLES
            for pages in SWEEP_S2_PAGES
        ]
        for i, settings in enumerate(grid):
            name = "per-title" if settings is None else "-".join(str(v) for v in settings.values()).replace(",", "+")
            work = tmp / f"sweep-{i:02d}"
            write_workdir(work, emu, lists=lists, extra=PER_TITLE if settings is None else batch_config(**settings))
            r = run_pipeline(emu, work, "enrich", f"sweep-{name}", floor, tap)
            r["quality"] = quality(work, truth)
            r["settings"] = settings
            for k in ("emulator", "floor", "statuses"):
                r.pop(k, None)
            sweep["runs"].append(r)
            shutil.rmtree(work, ignore_errors=True)
    results["sweep"] = sweep


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
        "# Benchmarks: batched and per-title resolution, and the naive per-title script",
        "",
        f"- Command: `{cmd}` (generated by `benchmarks/run.py`; `--quick` skips the 10,000-title scenarios)",
        f"- Date: {now}",
        f"- Machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, {platform.platform()}",
        f"- Intervals: arXiv {ARXIV_INTERVAL_S} s, Semantic Scholar {S2_INTERVAL_S} s — **scaled 100× down** from the"
        " real 3 s / 1 s, so a wall time here × 100 is roughly the real politeness-bound time.",
        "- Servers: the loopback emulator (`paper_catalogue_emulator/`), whose corpus is **FIXTURE data** (made-up"
        " metadata; the synthetic corpora are generated by `paper_catalogue_emulator.papers.synthetic_corpus`)."
        " Requests are counted by the emulator.",
        "- Each pipeline run is a fresh `python -m paper_catalogue … --json-summary -q` process: wall includes"
        " interpreter start-up and imports; peak RSS is that process's own (wait4).",
        "- floor (the *per-title* floor) = max(S2 requests needed × S2 interval, arXiv requests needed × arXiv"
        " interval), where S2 needs one title lookup per title without an identifier + ⌈N/500⌉ batch calls and arXiv"
        " needs ⌈N/100⌉ id_list calls: what the per-title path cannot go below. Batched resolution (the default)"
        " asks for many titles a request, so it can.",
        "- The pipeline runs below use the default config (batched resolution); every list is also resolved"
        " per-title (`[batch] enabled = false`) in the same run, compared in *Batched vs per-title resolution*.",
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
        " way the pipeline's politeness gate does (`paper_catalogue/sources/politeness.py`: interval × 1.02 + 15 ms"
        " between request starts); at the real 1 s / 3 s intervals that margin is 3.5 % / 2.5 %, at these scaled"
        " intervals it is 152 % / 52 %. *titles* are the distinct titles the titles stage keeps (after merging"
        " duplicates and skipping lines it takes for non-titles, listed below).",
        "",
    ]
    # statuses / noise
    det = []
    for key in (
        "seed_cold",
        "pt_seed_cold",
        "cold_1000",
        "pt_cold_1000",
        "clean_1000",
        "pt_clean_1000",
        "cold_10000",
        "pt_cold_10000",
    ):
        r = results.get(key)
        if r:
            fb = r.get("fallbacks") or {}
            fl, em = r["floor"], r["emulator"]
            total = r["requests"]["arxiv"] + r["requests"]["s2"]
            retried = em["s2"]["by_status"].get("429", 0) + em["arxiv"]["by_status"].get("429", 0)
            extra = ""
            if "noise" in r:
                extra = (
                    f"; bullets {r['bullets']:,}, distinct corpus titles {r['distinct_corpus_titles']:,};"
                    f" noise applied {r['noise']}"
                )
            det.append(
                f"- `{key}`: {total:,} requests (the per-title floor: {fl['s2_min'] + fl['arxiv_min']:,}), {retried}"
                f" answered 429; statuses {r['statuses']}; matched by route {r.get('matched_by_route')}; S2"
                f" endpoints {em['s2']['by_endpoint']}; arXiv endpoints {em['arxiv']['by_endpoint']}; politeness"
                f" wait {r['politeness_wait_s']} s; pipeline-reported {_f(r['pipeline_s'])} s, its CPU"
                f" {_f(r.get('cpu_s', 0))} s, the emulator's CPU {_f(r.get('emulator_cpu_s', 0))} s{extra}"
            )
            det.append(
                f"- `{key}`: titles neither a batch ({fb.get('batch_settled', 0):,} settled there) nor the S2 title"
                f" match alone settled (so arXiv's phrase search, and when still unmatched S2's relevance search,"
                f" were asked too): {fb.get('count')} — by final status {fb.get('by_status')}, by noise applied"
                f" {fb.get('by_noise') or '-'}; e.g. {fb.get('examples')}"
                + (f". Lines skipped by the titles stage: {r.get('skipped')}" if r.get("skipped") else "")
            )
    if det:
        lines += ["Details of the cold runs:", "", *det, ""]
    lines += comparison_section(results)
    lines += sweep_section(results.get("sweep"))

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
    lines += [DEFAULTS] if results.get("sweep") else []
    lines += [DIAGNOSTICS, SNAPSHOT_POINTER]
    return "\n".join(lines)


SNAPSHOT_POINTER = """Snapshot mode at scale (3,000,000-record snapshot, 1,000,000 list titles) is measured by
`make bench-snapshot`: see `docs/snapshot-benchmark.md`.
"""


DEFAULTS = """## How the `[batch]` defaults were chosen

The defaults (`order = "s2,arxiv"`, `s2_titles` 25, `s2_max_pages` 2, `arxiv_titles` 25) were set with the batched
path (commit 0529d05); the sweep above measures them against the alternatives. Request counts are deterministic (same
lists, same corpus: the same requests every run); wall times at these scaled intervals vary by about ±10 % between runs
of identical settings, so they rank nothing here, and the *est.* column follows the request counts.

- **`s2_titles`.** Requests per title fall from 0.377 (10 titles a query) to 0.317 (25) and 0.300 (50), with the same
  precision and recall for every value. 100 gives exactly what 50 gives: `max_query_chars` = 3000 already closes a
  query at about 50 titles of this corpus's length (≈ 50 characters + 10 for quotes and `|`), so 23 queries either way.
  50 is measurably cheaper than the default here (−0.017 requests/title, est. 0.30 vs 0.32 × the per-title floor).
  What the emulator cannot show is the cost of a longer OR-chain on the real service: every paper whose title *or
  abstract* holds any phrase is returned, most-cited first, so more phrases a query make it likelier that a query
  fills its 1,000-paper page with abstract mentions before the paper asked for.
- **`s2_max_pages`.** No effect in any run: not one query had a second page (0 continuation pages in every row, here
  and in the default run at 10,000), because the synthetic abstracts never contain a whole title. The value 2 is
  therefore not chosen by measurement; it bounds what a query of common phrases can cost (2 requests for 25 titles).
- **`order`.** `"s2"` alone is the cheapest: at 1,000 titles the 7 OR-ed arXiv queries settle no title (835 are
  settled by the batches with or without them), at 10,000 the 84 settle 4. What S2's bulk search leaves is typo'd
  titles (the typo breaks arXiv's phrase too), truncated ones (never settled by a batch: a cut title scores below
  `SURE_SCORE`) and titles that two corpus papers share (a tie in any batch). `"arxiv,s2"` costs more (0.314–0.326
  requests/title, est. 0.39–0.40) because each arXiv request costs 3× an S2 one. The arXiv batch is there for papers
  S2 lacks or lists without their arXiv id; every paper of the synthetic corpora is on both APIs, so this benchmark
  can show its cost (at the real interval 7 × 3 s at 1,000 titles, 84 × 3 s = 4.3 min at 10,000) but not its benefit.
- **`arxiv_titles`** (25) was not swept.
"""

DIAGNOSTICS = """## Why the missed targets are missed (measured; see also the details above)

Batched resolution (the default):

- **Wall ≤ 0.3 × the per-title floor.** Missed at these scaled intervals for every list; the real-interval model
  (*est.*) meets it for clean titles and the seed lists, not for noisy ones. What does not scale with the intervals
  is a large share of a batched run: interpreter start-up, the titles stage and
  writing the catalogue (the warm rerun's wall, 1–11 s), the politeness gate's absolute 15 ms a request (at the 10 ms
  S2 interval every request costs 2.5 intervals), and the CPU spent scoring every batch answer against every title of
  its query plus rewriting the checkpoint (`resolved.json` is 22 MB at 10,000 batched titles, which keep up to 5
  candidates each; the details give the pipeline's CPU time). Side by side in the same run the batched wall is 0.31×
  the per-title path's at 1,000 noisy titles, 0.15× clean, 0.49× at 10,000. With every request at its real gap (the
  *est.* column, a model) it is 0.09× the floor for clean titles, 0.29× for the seed lists, 0.32× at 1,000 noisy and
  0.39× at 10,000: what the batches leave to the per-title path costs that path's requests, and at the real intervals
  its arXiv phrase searches (3 s each) take as long as its S2 lookups (at 10,000: 2,083 S2 title matches and 542
  relevance searches ≈ 2,700 s, next to 844 arXiv phrase searches ≈ 2,600 s).
- **≤ 0.4 requests/title at 10,000 (0.412 in the run above, 0.424 in the sweep run).** In the sweep run 7,450 of
  9,533 titles were settled by the batches, 2,083 went on: 983
  typo'd titles (the typo breaks the phrase, so neither batch finds them), 472 truncated ones (found, but a cut title
  scores below `SURE_SCORE` and a batch does not settle it, by design), 592 titles that another paper of the
  synthetic corpus has too (the 10,000-paper corpus has 605 duplicated titles, 9,364 distinct; the 1,000-paper one 8):
  a batch sees both papers and leaves the tie to the per-title path, whose S2 match sees only one and takes it; and 36
  titles with a near-identical sibling (`Encoders`/`Decoders`) in the same batch. Without the duplicated titles the
  run would be at about 0.36. (Counted from the `resolved.json` of a 10,000-title batched run making the same
  requests as this one, and the noise applied to each title.)
- **Precision 1.0 and recall ≥ per-title.** The sweep run found one wrong match that was batch-only: the typo'd
  `Learning Interpretable Encoders for Low-Resource Machine Tarnslation` was accepted as the *Decoders* paper at
  0.9706, from candidates another title of the same query brought back (the typo broke its own phrase). Since then a
  batch settles a title only on a paper its own phrases could have found (`stages/batch.found_by`): 0 batch-only
  wrong matches in the run above (precision 1.000 at 1,000 noisy titles, recall equal to per-title). At 10,000 both
  wrong matches of the batched run are the per-title path's too, on titles the batches left to it: truncated titles
  whose missing last word was the only difference (`Towards Multimodal Code Generation with`), through arXiv's phrase
  search. The per-title path has three more: titles that are another paper's title with its two adjectives swapped
  (`A and B X: Revisiting T` vs `B and A X: …`, score 1.0 by token-sort ratio), accepted as that other paper by S2's
  title match, while the bulk search's exact phrase finds the right one; so the batched recall is higher there.

The per-title path (`[batch] enabled = false`), and the targets of the first benchmarks:

- **Requests per title.** With titles written verbatim the per-title path makes exactly its floor (1.012
  requests/title at 1,000). The noise is what costs: a title the S2 title match does not settle (score below
  `decide.SURE_SCORE` = 0.97, a wrong paper, or a year that contradicts the list) is checked with one arXiv `ti:`
  phrase search, and only when still unmatched with an S2 relevance search; truncated and typo'd titles take that
  route (the details count them per noise kind). Those extra requests fall mostly on arXiv.
- **Wall vs floor.** `paper_catalogue/sources/politeness.py` spaces request starts by interval × 1.02 + 15 ms (the
  absolute part absorbs network and scheduling jitter between our clock and the server's). At the real 1 s interval
  that is 3.5 % over the floor; at the 100×-scaled 10 ms interval it is 2.5×, which alone puts every per-title cold
  run at ≥ 2.5 × floor; against the margin-aware floor the per-title runs sit at about 1.1–1.3× (the 45 seed titles at
  2.0×: start-up is most of that run). The batched runs make far
  fewer requests and are under the floor except where local work dominates (the seed lists: 1.25 s, of which 1.06 s
  is what a warm rerun costs too; 10,000 titles: see above).
- **≥ 5× fewer requests than the naive script** is met since batched resolution (it makes 3 per title; the per-title
  path could not go below ≈ 1.01, ≈ 2.96×).
- **CPU path 100,000 < 60 s**: missed on 2026-12-02 (114.8 s: a shared machine, and parsing had grown slower with
  the published-list readings), met since 2026-12-06 (41.8 s; match 75.3 → 22.8 s from the scorer's spelling cache,
  its exact shortcuts and `decide`'s grouping, parse 21.5 → 12.0 s on a quieter machine).

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
(2026-12-02) Batched resolution measured next to the per-title path: the tables above, the sweep, and the wrong
match a batch made that the per-title path did not (fixed: a title is settled only on a paper its own phrases found).
"""


def targets(results: dict[str, Any]) -> list[str]:
    rows = []

    def row(t: str, res: str, ok: bool | None) -> None:
        rows.append(f"| {t} | {res} | {'met' if ok else ('missed' if ok is not None else 'n/a')} |")

    batch_targets(results, row)
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
    p.add_argument(
        "--only",
        default="",
        help="comma list of: seed, 1000, 10000, cpu, guards, naive, per-title, sweep (default: all but sweep)",
    )
    p.add_argument("--cpu-titles", type=int, default=100_000)
    p.add_argument(
        "--no-doc", action="store_true", help=f"do not overwrite {DOC.relative_to(ROOT)} or the recorded results"
    )
    p.add_argument("--keep", action="store_true", help="keep the temporary work folder")
    p.add_argument("--render-only", action="store_true", help=f"rewrite the doc from {RESULTS_JSON.name}, run nothing")
    args = p.parse_args(argv)
    if args.render_only:
        saved = json.loads(RESULTS_JSON.read_text(encoding="utf-8"))
        DOC.write_text(render(with_sweep(saved), saved.get("_argv", [])), encoding="utf-8")
        say(f"wrote {DOC.relative_to(ROOT)} from {RESULTS_JSON.relative_to(ROOT)}")
        return 0
    only = {s.strip() for s in args.only.split(",") if s.strip()} or {
        "seed",
        "1000",
        "10000",
        "cpu",
        "guards",
        "naive",
        "per-title",
    }
    if args.quick:
        only.discard("10000")
    sweep_alone = only == {"sweep"}
    per_title = "per-title" in only or sweep_alone

    tmp = Path(tempfile.mkdtemp(prefix="paper-bench-"))
    results: dict[str, Any] = {"_date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"), "_argv": argv}
    started = time.perf_counter()
    try:
        if "seed" in only:
            scenario_seed(tmp, results, naive="naive" in only, per_title=per_title)
        if "1000" in only:
            scenario_synthetic(tmp, results, 1000, naive="naive" in only, clean=True, per_title=per_title)
        if "cpu" in only:
            scenario_cpu(tmp, results, args.cpu_titles)
        if "guards" in only:
            scenario_guards(tmp, results)
        if "10000" in only:
            scenario_synthetic(tmp, results, 10000, naive=False, per_title=per_title)
        if "sweep" in only:
            t0 = time.perf_counter()
            scenario_sweep(tmp, results)
            results["sweep"]["_date"] = results["_date"]
            results["sweep"]["_seconds"] = time.perf_counter() - t0
    finally:
        if args.keep:
            say(f"work folder kept: {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    if sweep_alone:  # the sweep is recorded apart; the doc is re-rendered from the recorded default run
        if not args.no_doc:
            SWEEP_JSON.write_text(json.dumps(results["sweep"], indent=1, default=str), encoding="utf-8")
            say(f"wrote {SWEEP_JSON.relative_to(ROOT)}")
        if RESULTS_JSON.exists():
            saved = json.loads(RESULTS_JSON.read_text(encoding="utf-8"))
            saved["sweep"] = results["sweep"]
            text = render(saved, saved.get("_argv", []))
        else:
            text = "\n".join(sweep_section(results["sweep"]))
        print(text)
        if not args.no_doc and RESULTS_JSON.exists():
            DOC.write_text(text, encoding="utf-8")
            say(f"wrote {DOC.relative_to(ROOT)} ({time.perf_counter() - started:.0f} s in all)")
        return 0
    if "sweep" in only and not args.no_doc:
        SWEEP_JSON.write_text(json.dumps(results["sweep"], indent=1, default=str), encoding="utf-8")
    text = render(with_sweep(results), argv)
    print(text)
    if not args.no_doc:  # a partial or trial run leaves the recorded results (and the doc made from them) alone
        RESULTS_JSON.parent.mkdir(parents=True, exist_ok=True)
        RESULTS_JSON.write_text(
            json.dumps({k: v for k, v in results.items() if k != "sweep"}, indent=1, default=str), encoding="utf-8"
        )
        DOC.parent.mkdir(parents=True, exist_ok=True)
        DOC.write_text(text, encoding="utf-8")
        say(f"wrote {DOC.relative_to(ROOT)} ({time.perf_counter() - started:.0f} s in all)")
    return 0


def with_sweep(results: dict[str, Any]) -> dict[str, Any]:
    """``results`` with the recorded sweep (``--only sweep``, recorded apart) when it has none of its own."""
    if "sweep" not in results and SWEEP_JSON.exists():
        return {**results, "sweep": json.loads(SWEEP_JSON.read_text(encoding="utf-8"))}
    return results


if __name__ == "__main__":
    raise SystemExit(main())
