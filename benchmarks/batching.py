"""Batched vs per-title title resolution: request kinds, truth, precision/recall, a real-interval estimate.

Used by ``benchmarks/run.py``. The emulator counts requests per endpoint; an arXiv title search one title at a
time and an OR-ed batch of titles are the same endpoint there, so :class:`RequestTap` counts them apart (and
S2 bulk continuation pages apart from first pages) on the benchmark's own emulator instance.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from benchmarks.common import ARXIV_INTERVAL_S, S2_INTERVAL_S

#: The real APIs' intervals, for the estimate of a run's politeness-bound time at full scale.
REAL_ARXIV_INTERVAL_S = 3.0
REAL_S2_INTERVAL_S = 1.0

#: Routes a batch settles a title by (``s2-bulk``, ``arxiv-batch``, or both merged).
BATCH_ROUTES = ("s2-bulk", "arxiv-batch")


class RequestTap:
    """Counts every request an emulator receives by kind (``arxiv:title`` one title, ``arxiv:title_batch``
    OR-ed titles, ``arxiv:id_list``; ``s2:bulk``, ``s2:bulk_next`` continuation page, ``s2:match``, ``s2:search``,
    ``s2:batch``). It wraps the request handler of that one started emulator only; when the emulator's
    internals are not as expected it stays inactive (``active`` False) and the tables show '-'."""

    def __init__(self, emu: Any) -> None:
        from paper_catalogue.sources.arxiv_source import TITLE_SEARCH_RESULTS

        self.counts: Counter[str] = Counter()
        self.lock = threading.Lock()
        self._title_results = str(TITLE_SEARCH_RESULTS)
        handler = getattr(getattr(emu, "_server", None), "RequestHandlerClass", None)
        original = getattr(handler, "_api", None)
        self.active = handler is not None and callable(original)
        if not self.active:
            return
        tap = self

        def _api(h: Any, api: str, endpoint: str, query: str, body: bytes, path: str) -> None:
            tap.count(api, path, query, body)
            original(h, api, endpoint, query, body, path)

        handler._api = _api  # type: ignore[union-attr]  # this emulator's own handler subclass only

    def kind(self, api: str, path: str, query: str, body: bytes = b"") -> str:
        params = dict(parse_qsl(query, keep_blank_values=True))
        if api == "arxiv":
            if body:
                params.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
            q = params.get("search_query", "").strip()
            if not q:
                return "id_list" if params.get("id_list", "").strip() else "other"
            batch = " OR " in q or params.get("max_results") != self._title_results
            kind = "title_batch" if batch else "title"
            return kind + ("_next" if params.get("start", "0") not in ("", "0") else "")
        sub = path.split("/graph/v1", 1)[-1].rstrip("/")
        kind = {
            "/paper/search/bulk": "bulk",
            "/paper/search/match": "match",
            "/paper/search": "search",
            "/paper/batch": "batch",
        }.get(sub, "other")
        return "bulk_next" if kind == "bulk" and params.get("token") else kind

    def count(self, api: str, path: str, query: str, body: bytes = b"") -> None:
        key = f"{api}:{self.kind(api, path, query, body)}"
        with self.lock:
            self.counts[key] += 1

    def snapshot(self) -> dict[str, int]:
        with self.lock:
            return dict(self.counts)

    @staticmethod
    def delta(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
        return {k: v - before.get(k, 0) for k, v in sorted(after.items()) if v - before.get(k, 0)}


# ------------------------------------------------------------------------------------ truth
def truth_ids(corpus: Any, sources: dict[str, set[str]]) -> dict[str, set[str]]:
    """Per normalised written title, the arXiv ids of the paper it was written from, and of any other corpus paper
    with exactly that title (the synthetic corpus has a few: either one is a right match)."""
    by_title: dict[str, set[str]] = {}
    for p in corpus:
        by_title.setdefault(p.title, set()).add(p.arxiv_id)
    return {norm: set().union(*(by_title[t] for t in titles)) for norm, titles in sources.items()}


def _resolutions(workdir: Path) -> dict[str, dict[str, Any]]:
    path = workdir / "interim" / "resolved.json"
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))["resolutions"]


def quality(workdir: Path, truth: dict[str, set[str]]) -> dict[str, Any]:
    """Precision = right matches / matches; recall = right matches / titles with a truth paper (all of them)."""
    res = _resolutions(workdir)
    matched = right = 0
    wrong: list[str] = []
    for norm, ids in truth.items():
        r = res.get(norm)
        if r is None or r.get("status") != "matched":
            continue
        matched += 1
        if r.get("arxiv_id") in ids:
            right += 1
        elif len(wrong) < 5:
            wrong.append(
                f"{norm[:70]!r} → {r.get('arxiv_id')} {r.get('title', '')[:70]!r} (truth {sorted(ids)},"
                f" {r.get('route')}, {r.get('score')})"
            )
    return {
        "titles": len(truth),
        "not_read": sum(1 for n in truth if n not in res),
        "matched": matched,
        "right": right,
        "precision": right / matched if matched else None,
        "recall": right / len(truth) if truth else None,
        "wrong_examples": wrong,
    }


def agreement(batched: Path, per_title: Path) -> dict[str, Any]:
    """Titles decided differently (status or arXiv id) by the two paths on the same lists."""
    a, b = _resolutions(batched), _resolutions(per_title)
    common = sorted(set(a) & set(b))

    def decision(r: dict[str, Any]) -> tuple[Any, Any]:
        return r.get("status"), r.get("arxiv_id")

    diff = [n for n in common if decision(a[n]) != decision(b[n])]
    return {
        "titles": len(common),
        "only_one_side": len(set(a) ^ set(b)),
        "differ": len(diff),
        "examples": [
            f"{n[:60]!r}: batched {a[n].get('status')} {a[n].get('arxiv_id')} ({a[n].get('route')}),"
            f" per-title {b[n].get('status')} {b[n].get('arxiv_id')} ({b[n].get('route')})"
            for n in diff[:5]
        ],
    }


def settled_by_batch(summary_routes: dict[str, int] | None) -> int:
    return sum(n for route, n in (summary_routes or {}).items() if any(b in route for b in BATCH_ROUTES))


# ------------------------------------------------------------------------------------ estimate at real intervals
def _gap(interval: float) -> float:
    from paper_catalogue.sources.politeness import MARGIN_FRACTION, MARGIN_S

    return interval * (1 + MARGIN_FRACTION) + MARGIN_S


def politeness_bound_s(kinds: dict[str, int], arxiv_interval: float, s2_interval: float) -> float:
    """The time a run's requests need at these intervals, phase by phase as the pipeline makes them: the batches
    one after the other (S2 bulk pages, arXiv OR-ed queries), then the per-title path with both hosts side by side,
    then the arxiv and semantic_scholar fetch stages one after the other."""
    g_ax, g_s2 = _gap(arxiv_interval), _gap(s2_interval)
    k = kinds.get
    batches = (k("s2:bulk", 0) + k("s2:bulk_next", 0)) * g_s2 + (
        k("arxiv:title_batch", 0) + k("arxiv:title_batch_next", 0)
    ) * g_ax
    s2_per_title = (k("s2:match", 0) + k("s2:search", 0)) * g_s2
    per_title = max(s2_per_title, (k("arxiv:title", 0) + k("arxiv:title_next", 0)) * g_ax)
    fetch = k("arxiv:id_list", 0) * g_ax + k("s2:batch", 0) * g_s2
    return batches + per_title + fetch


def real_estimate(run: dict[str, Any], floor: dict[str, Any]) -> dict[str, float] | None:
    """The measured wall with every request's scaled politeness gap swapped for the real one (3 s / 1 s), and
    the per-title floor at the real intervals. A model, not a measurement: local work is taken as the measured
    wall minus the scaled politeness-bound time (at least 0)."""
    kinds = run.get("kinds")
    if not kinds:
        return None
    local = max(0.0, run["wall_s"] - politeness_bound_s(kinds, ARXIV_INTERVAL_S, S2_INTERVAL_S))
    wall = local + politeness_bound_s(kinds, REAL_ARXIV_INTERVAL_S, REAL_S2_INTERVAL_S)
    real_floor = max(floor["s2_min"] * REAL_S2_INTERVAL_S, floor["arxiv_min"] * REAL_ARXIV_INTERVAL_S)
    return {"local_s": local, "wall_s": wall, "floor_s": real_floor, "ratio": wall / real_floor}


# ------------------------------------------------------------------------------------ report
#: (list, batched cold, batched warm, per-title cold, per-title warm) result keys, in table order.
PAIRS = (
    ("seed lists", "seed_cold", "seed_warm", "pt_seed_cold", "pt_seed_warm"),
    ("noisy 1,000", "cold_1000", "warm_1000", "pt_cold_1000", "pt_warm_1000"),
    ("clean 1,000", "clean_1000", None, "pt_clean_1000", None),
    ("noisy 10,000", "cold_10000", "warm_10000", "pt_cold_10000", "pt_warm_10000"),
)


def _n(x: float | None, nd: int = 2) -> str:
    return "-" if x is None else f"{x:,.{nd}f}"


def _total(r: dict[str, Any]) -> int:
    return int(r["requests"]["arxiv"] + r["requests"]["s2"])


def _warm_requests(r: dict[str, Any] | None) -> str:
    return "-" if not r else f"{_total(r)} ({_n(r['wall_s'])} s)"


def comparison_row(name: str, path: str, r: dict[str, Any], warm: dict[str, Any] | None) -> str:
    fl = r["floor"]
    t = fl["titles"]
    q = r.get("quality") or {}
    est = real_estimate(r, fl)
    return (
        f"| {name} | {path} | {t:,} | {_n(r['requests']['s2'] / t, 3)} | {_n(r['requests']['arxiv'] / t, 3)} |"
        f" {_n(_total(r) / t, 3)} | {_n(r['wall_s'])} | {_n(fl['seconds'])} | {_n(r['wall_s'] / fl['seconds'])} |"
        f" {_n(r['wall_s'] / fl['margin_seconds']) if fl.get('margin_seconds') else '-'} |"
        f" {_n(est['ratio']) if est else '-'} | {_n(q.get('precision'), 3)} | {_n(q.get('recall'), 3)} |"
        f" {_warm_requests(warm)} | {r['too_early']} |"
    )


def kinds_row(name: str, path: str, r: dict[str, Any], other: dict[str, Any] | None) -> str:
    k = r.get("kinds") or {}
    g = k.get
    fb = r.get("fallbacks") or {}
    vs = r.get("vs_per_title")
    ratios = "- | -"
    if other:
        ratios = f"{_n(_total(r) / max(_total(other), 1), 3)} | {_n(r['wall_s'] / other['wall_s'], 3)}"
    return (
        f"| {name} | {path} | {g('s2:bulk', 0):,} ({g('s2:bulk_next', 0):,}) | {g('s2:match', 0):,} |"
        f" {g('s2:search', 0):,} | {g('s2:batch', 0):,} | {g('arxiv:title_batch', 0):,} | {g('arxiv:title', 0):,} |"
        f" {g('arxiv:id_list', 0):,} | {fb.get('batch_settled', '-')} | {ratios} |"
        f" {vs['differ'] if vs else '-'} |"
    )


def comparison_section(results: dict[str, Any]) -> list[str]:
    rows, kinds, notes = [], [], []
    for name, bk, bw, pk, pw in PAIRS:
        b, p = results.get(bk), results.get(pk)
        if not b:
            continue
        rows.append(comparison_row(name, "batched", b, results.get(bw) if bw else None))
        kinds.append(kinds_row(name, "batched", b, p))
        if p:
            rows.append(comparison_row(name, "per-title", p, results.get(pw) if pw else None))
            kinds.append(kinds_row(name, "per-title", p, None))
        for path, r in (("batched", b), ("per-title", p)):
            q = (r or {}).get("quality") or {}
            if q.get("wrong_examples"):
                notes.append(
                    f"- `{name}`, {path}: {q['matched'] - q['right']} wrong match(es) of {q['matched']:,}:"
                    f" {'; '.join(q['wrong_examples'])}"
                )
            if q.get("not_read"):
                notes.append(f"- `{name}`, {path}: {q['not_read']} written titles not in resolved.json")
        vs = b.get("vs_per_title")
        if vs and vs["differ"]:
            notes.append(f"- `{name}`: {vs['differ']} title(s) decided differently: {'; '.join(vs['examples'])}")
    if not rows:
        return []
    return [
        "## Batched vs per-title resolution (same lists, same emulator, one run)",
        "",
        "*batched* is the default config (`[batch] enabled = true`, order `s2,arxiv`, 25 titles a query, 2 S2"
        " pages at most); *per-title* is the same pipeline with `[batch] enabled = false` on a copy of the same"
        " list files with a cache of its own. *per-title floor* is the floor defined above (one S2 title lookup per"
        " title): what the per-title path cannot go below. *est. at 1 s / 3 s* is a model, not a measurement: the"
        " measured wall with every request's scaled politeness gap replaced by the real one (requests counted by"
        " kind below, batches one after the other, the per-title path with both hosts side by side, then the"
        " fetch stages), divided by the per-title floor at the real intervals; local work is counted on top of the"
        " gaps although at the real intervals much of it would happen while the gate waits, so it errs high."
        " Precision = right matches /"
        " matches, recall = right matches / titles, against the corpus paper each synthetic title was written from"
        " (a title two corpus papers share counts either as right); the seed lists have no truth here"
        " (`make evaluate` measures them) and are compared by decisions instead (second table). *warm* is a"
        " rerun of the same folder: requests (wall).",
        "",
        "| list | path | titles | S2 req/title | arXiv req/title | req/title | wall s | per-title floor s"
        " | wall ÷ floor | wall ÷ (floor + margin) | est. wall ÷ floor at 1 s / 3 s | precision | recall"
        " | warm requests (s) | too early |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        *rows,
        "",
        "Requests by kind, counted at the emulator (S2 bulk: queries, in brackets the continuation pages among them;"
        ' arXiv OR-ed: `ti:"…" OR …` batch queries; one-title: the per-title path\'s phrase searches):',
        "",
        "| list | path | S2 bulk (pages 2+) | S2 match | S2 search | S2 batch | arXiv OR-ed | arXiv one-title"
        " | arXiv id_list | titles settled by a batch | requests ÷ per-title | wall ÷ per-title"
        " | decisions ≠ per-title |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        *kinds,
        "",
        *notes,
        *([""] if notes else []),
    ]


def _sweep_name(settings: dict[str, Any] | None) -> str:
    if settings is None:
        return "per-title"
    return f"`{settings['order']}`, {settings['s2_titles']}, {settings['s2_max_pages']}"


def is_default(settings: dict[str, Any] | None) -> bool:
    from paper_catalogue.config import BatchSettings

    d = BatchSettings()
    return settings is not None and (settings["order"], settings["s2_titles"], settings["s2_max_pages"]) == (
        d.order,
        d.s2_titles,
        d.s2_max_pages,
    )


def sweep_section(sweep: dict[str, Any] | None) -> list[str]:
    if not sweep or not sweep.get("runs"):
        return []
    fl = sweep["floor"]
    t = fl["titles"]
    rows = []
    for r in sweep["runs"]:
        q = r.get("quality") or {}
        est = real_estimate(r, fl)
        k = r.get("kinds") or {}
        bold = "**" if is_default(r["settings"]) else ""
        rows.append(
            f"| {bold}{_sweep_name(r['settings'])}{bold} | {_n(r['requests']['s2'] / t, 3)} |"
            f" {_n(r['requests']['arxiv'] / t, 3)} | {bold}{_n(_total(r) / t, 3)}{bold} |"
            f" {k.get('s2:bulk', 0)} ({k.get('s2:bulk_next', 0)}) | {k.get('arxiv:title_batch', 0)} |"
            f" {settled_by_batch(r.get('matched_by_route'))} | {_n(r['wall_s'])} | {_n(r['wall_s'] / fl['seconds'])} |"
            f" {_n(est['ratio']) if est else '-'} | {_n(q.get('precision'), 3)} | {_n(q.get('recall'), 3)} |"
            f" {r['too_early']} |"
        )
    return [
        f"## Sweep of the `[batch]` settings ({sweep['bullets']:,} noisy synthetic titles, {t:,} distinct)",
        "",
        f"`python -m benchmarks.run --only sweep` ({sweep.get('_date', '?')}, {sweep.get('_seconds', 0):.0f} s; not"
        " part of the default run): every combination of `order`, `s2_titles` and `s2_max_pages` (`arxiv_titles`"
        " 25, `max_query_chars` 3000), each a cold run in a fresh folder on the same list files and emulator, next"
        " to one per-title run. Columns as in the tables above; the default is in bold.",
        "",
        "| order, s2_titles, s2_max_pages | S2 req/title | arXiv req/title | req/title | S2 bulk (pages 2+)"
        " | arXiv OR-ed | settled by a batch | wall s | wall ÷ floor | est. wall ÷ floor at 1 s / 3 s | precision"
        " | recall | too early |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        *rows,
        "",
    ]


def batch_targets(results: dict[str, Any], row: Any) -> None:
    """Issue 14's targets for the batched path, next to the per-title path on the same lists."""
    limits = {"seed_cold": 0.4, "cold_1000": 0.4, "clean_1000": 0.2, "cold_10000": 0.4}
    for name, bk, bw, pk, pw in PAIRS:
        b, p = results.get(bk), results.get(pk)
        if not b:
            continue
        fl = b["floor"]
        per = _total(b) / fl["titles"]
        kind = "clean" if bk.startswith("clean") else "noisy"
        row(
            f"batched, {name}: ≤ {limits[bk]} requests/title ({kind})",
            f"{per:.3f} ({_total(b):,} for {fl['titles']:,})"
            + (f"; per-title {_total(p) / fl['titles']:.3f}" if p else ""),
            per <= limits[bk],
        )
        ratio = b["wall_s"] / fl["seconds"]
        est = real_estimate(b, fl)
        row(
            f"batched, {name}: wall ≤ 0.3 × per-title floor",
            f"{ratio:.2f}× ({b['wall_s']:.2f} s vs {fl['seconds']:.2f} s"
            + (f"; per-title path {p['wall_s'] / fl['seconds']:.2f}×" if p else "")
            + (f"; est. at the real intervals {est['ratio']:.2f}×" if est else "")
            + ")",
            ratio <= 0.3,
        )
        q, pq = b.get("quality"), (p or {}).get("quality")
        if q and q.get("precision") is not None:
            row(
                f"batched, {name}: precision 1.0",
                f"{q['precision']:.4f} ({q['right']:,} right of {q['matched']:,} matched)"
                + (f"; per-title {pq['precision']:.4f}" if pq and pq.get("precision") is not None else ""),
                q["right"] == q["matched"],
            )
            if pq:
                row(
                    f"batched, {name}: recall ≥ per-title",
                    f"{q['recall']:.4f} ({q['right']:,} of {q['titles']:,}) vs {pq['recall']:.4f} ({pq['right']:,})",
                    q["right"] >= pq["right"],
                )
        elif b.get("vs_per_title"):
            vs = b["vs_per_title"]
            row(
                f"(no truth) batched, {name}: same decisions as per-title",
                f"{vs['differ']} of {vs['titles']} differ",
                vs["differ"] == 0,
            )
        early = [b["too_early"]] + ([p["too_early"]] if p else [])
        row(f"{name}: too-early requests = 0 (batched, per-title)", " / ".join(map(str, early)), not any(early))
        warm = [results.get(k) for k in (bw, pw) if k and results.get(k)]
        if warm:
            reqs = [_total(w) for w in warm]
            row(f"{name}: warm rerun 0 requests (batched, per-title)", " / ".join(map(str, reqs)), not any(reqs))
