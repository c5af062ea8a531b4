"""Shared helpers: configs, noisy synthetic titles, the request floor, and running a child process with its peak RSS."""

from __future__ import annotations

import json
import math
import os
import random
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from paper_catalogue_emulator import pipeline_config_text

ROOT = Path(__file__).resolve().parent.parent
SEED_LISTS = ROOT / "data" / "raw"

#: 100x shorter than the real APIs' 3 s (arXiv) and 1 s (Semantic Scholar).
ARXIV_INTERVAL_S = 0.03
S2_INTERVAL_S = 0.01


#: The ``[batch]`` section that switches batched title resolution off: today's one-title-per-request path.
PER_TITLE = "[batch]\nenabled = false\n"


def batch_config(**settings: Any) -> str:
    """A ``[batch]`` section with these settings (the others keep the pipeline's defaults)."""
    lines = ["[batch]"]
    for key, value in settings.items():
        text = f'"{value}"' if isinstance(value, str) else str(value).lower() if isinstance(value, bool) else value
        lines.append(f"{key} = {text}")
    return "\n".join(lines) + "\n"


def write_workdir(workdir: Path, emu: Any, lists: Path | None = None, extra: str = "") -> Path:
    """Config + raw folder under ``workdir``; returns the config path. ``extra``: more config (a ``[batch]``
    section)."""
    import shutil

    workdir.mkdir(parents=True, exist_ok=True)
    raw = workdir / "raw"
    if lists is not None and not raw.exists():
        shutil.copytree(lists, raw)
    raw.mkdir(exist_ok=True)
    cfg = workdir / "config.toml"
    cfg.write_text(pipeline_config_text(emu, contact="benchmark", retry_budget_s=60.0, extra=extra), encoding="utf-8")
    return cfg


# ------------------------------------------------------------------------------------ noisy titles
@dataclass
class NoiseCounts:
    typo: int = 0
    case: int = 0
    punctuation: int = 0
    truncated: int = 0
    ligature: int = 0


def _typo(title: str, rng: random.Random) -> str:
    """Swap two adjacent letters or drop one, inside a word of ≥ 4 letters."""
    idx = [i for i, w in enumerate(title.split(" ")) if len(w) >= 4 and w.isalpha()]
    if not idx:
        return title
    ws = title.split(" ")
    wi = rng.choice(idx)
    w = ws[wi]
    p = rng.randrange(1, len(w) - 1)
    swap = rng.random() < 0.5
    w = w[:p] + w[p + 1] + w[p] + w[p + 2 :] if swap else w[:p] + w[p + 1 :]
    ws[wi] = w
    return " ".join(ws)


def noisy_title(title: str, rng: random.Random, counts: NoiseCounts, kinds: list[str] | None = None) -> str:
    """The title as a person might write it: 10% typo, ~20% case change (10% all lower, 5% ALL UPPER, 5% Sentence
    case), ~15% of titles with ':' or '-' lose that punctuation, 5% trailing word missing, ~30% of titles
    containing "fi" with the ligature ﬁ. ``kinds`` collects the noise applied."""
    kinds = [] if kinds is None else kinds
    t = title
    if rng.random() < 0.05 and len(t.split()) > 4:
        t = " ".join(t.split()[:-1])
        counts.truncated += 1
        kinds.append("truncated")
    if rng.random() < 0.10:
        t2 = _typo(t, rng)
        if t2 != t:
            counts.typo += 1
            kinds.append("typo")
        t = t2
    r = rng.random()
    if r < 0.10:
        t, counts.case = t.lower(), counts.case + 1
        kinds.append("lower")
    elif r < 0.15:
        t, counts.case = t.upper(), counts.case + 1
        kinds.append("upper")
    elif r < 0.20:
        t, counts.case = t.capitalize(), counts.case + 1
        kinds.append("sentence")
    if rng.random() < 0.15 and any(c in t for c in ":-"):
        t = t.replace(":", "").replace("-", " ")
        counts.punctuation += 1
        kinds.append("punctuation")
    if "fi" in t and rng.random() < 0.30:
        t = t.replace("fi", "\ufb01")
        counts.ligature += 1
        kinds.append("ligature")
    return t


def write_synthetic_lists(
    raw: Path,
    titles: list[str],
    seed: int = 0,
    per_file: int = 2000,
    noise: bool = True,
    sources: dict[str, set[str]] | None = None,
) -> tuple[NoiseCounts, dict[str, list[str]]]:
    """Noisy (or, with noise=False, verbatim) ``titles`` as markdown bullets in ``raw/list-NNN.md``.

    Returns the noise counts and, per normalised written title, the kinds of noise applied. ``sources``
    collects, per normalised written title, the corpus titles it was written from (the truth)."""
    from paper_catalogue.matching.similarity import normalise_title

    rng = random.Random(seed)
    counts = NoiseCounts()
    by_norm: dict[str, list[str]] = {}
    raw.mkdir(parents=True, exist_ok=True)
    for f in range(math.ceil(len(titles) / per_file)):
        chunk = titles[f * per_file : (f + 1) * per_file]
        lines = [f"# Synthetic reading list {f + 1}", ""]
        for t in chunk:
            kinds: list[str] = []
            written = noisy_title(t, rng, counts, kinds) if noise else t
            by_norm.setdefault(normalise_title(written), []).extend(kinds or ["none"])
            if sources is not None:
                sources.setdefault(normalise_title(written), set()).add(t)
            lines.append(f"- {written}")
        (raw / f"list-{f + 1:03d}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return counts, by_norm


# ------------------------------------------------------------------------------------ floor
@dataclass
class Floor:
    titles: int  # distinct titles (after merging)
    to_search: int  # titles without an identifier on the line
    s2_min: int
    arxiv_min: int
    seconds: float
    #: the same with the pipeline's own politeness margin per request (paper_catalogue.sources.politeness MARGIN_*)
    margin_seconds: float = 0.0


def list_stats(raw: Path) -> tuple[int, int, list[str], dict[str, int]]:
    """(distinct titles, titles without identifiers, the titles, skipped lines by reason), as the titles stage sees
    them."""
    from paper_catalogue.lists.load import load_reading_lists, merge_entries

    loaded = load_reading_lists(raw)
    records = merge_entries(loaded.entries)
    to_search = sum(1 for r in records if not (r.arxiv_id or r.doi or r.s2_paper_id))
    skipped: dict[str, int] = {}
    for s in loaded.skipped:
        reason = s.reason.split(":")[0].split(" (")[0]
        skipped[reason] = skipped.get(reason, 0) + 1
    return len(records), to_search, [r.title for r in records], skipped


def floor_for(
    titles: int, to_search: int, arxiv_interval: float = ARXIV_INTERVAL_S, s2_interval: float = S2_INTERVAL_S
) -> Floor:
    """N S2 title lookups + ⌈N/500⌉ S2 batches on S2's clock, ⌈N/100⌉ id_list calls on arXiv's (in parallel)."""
    s2_min = to_search + math.ceil(titles / 500)
    arxiv_min = math.ceil(titles / 100)
    from paper_catalogue.sources.politeness import MARGIN_FRACTION, MARGIN_S

    def gap(interval: float) -> float:
        return interval * (1 + MARGIN_FRACTION) + MARGIN_S

    return Floor(
        titles,
        to_search,
        s2_min,
        arxiv_min,
        max(s2_min * s2_interval, arxiv_min * arxiv_interval),
        max((s2_min - 1) * gap(s2_interval), (arxiv_min - 1) * gap(arxiv_interval)),
    )


# ------------------------------------------------------------------------------------ child processes
@dataclass
class ChildResult:
    code: int
    wall_s: float
    maxrss_mb: float
    stdout: str
    stderr: str
    extra: dict[str, Any] = field(default_factory=dict)
    #: the child's own CPU time (user + system, from wait4): what is not waiting on the network or the gate
    cpu_s: float = 0.0

    def json_tail(self) -> dict[str, Any]:
        """The last JSON object line on stdout (the pipeline's --json-summary)."""
        for line in reversed(self.stdout.strip().splitlines()):
            line = line.strip()
            if line.startswith("{"):
                return json.loads(line)
        raise ValueError(f"no JSON on stdout (exit {self.code}); stderr tail:\n{self.stderr[-2000:]}")


def run_child(argv: list[str], cwd: Path, progress: Any = None, label: str = "") -> ChildResult:
    """Run ``python argv...`` in a fresh interpreter; wall time and the child's own peak RSS (wait4)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    out_path = cwd / f".child-{label or 'run'}.out"
    err_path = cwd / f".child-{label or 'run'}.err"
    cwd.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        proc = subprocess.Popen([sys.executable, *argv], cwd=cwd, env=env, stdout=out, stderr=err)
        stop = threading.Event()
        if progress is not None:

            def tick() -> None:
                while not stop.wait(5.0):
                    progress(time.perf_counter() - start)

            t = threading.Thread(target=tick, daemon=True)
            t.start()
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        stop.set()
    wall = time.perf_counter() - start
    return ChildResult(
        code=proc.returncode,
        wall_s=wall,
        maxrss_mb=usage.ru_maxrss / 1024.0,  # Linux: kilobytes
        stdout=out_path.read_text(encoding="utf-8", errors="replace"),
        stderr=err_path.read_text(encoding="utf-8", errors="replace"),
        cpu_s=usage.ru_utime + usage.ru_stime,
    )


def api_delta(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Emulator stats accumulated between two snapshots (per API)."""
    out: dict[str, Any] = {}
    for api in ("arxiv", "s2"):
        b, a = before[api], after[api]
        eps = {k: v - b["by_endpoint"].get(k, 0) for k, v in a["by_endpoint"].items()}
        sts = {k: v - b["by_status"].get(k, 0) for k, v in a["by_status"].items()}
        out[api] = {
            "requests": a["requests"] - b["requests"],
            "too_early": a["too_early"] - b["too_early"],
            "concurrent": a["concurrent"] - b["concurrent"],
            "by_endpoint": {k: v for k, v in eps.items() if v},
            "by_status": {k: v for k, v in sts.items() if v},
        }
    return out
