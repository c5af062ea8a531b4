"""Whole reading lists as researchers publish them, through the whole pipeline (FIXTURE corpus).

    .venv/bin/python -m evaluation.whole_lists        (also part of: make evaluate)

The held-out sets in ``evaluation/run.py`` are one title a row. Real lists are documents: headings, prose,
badges, dataset and code bullets, a link on the line after its title, Chinese notes. This harness copies
the list files named in a ``labels.csv`` (one label for every non-blank line: an arXiv id, ``none`` for a
paper the corpus does not hold, ``skip`` for a line that is not a paper) into a fresh ``data/raw/``, runs
``python -m paper_catalogue enrich`` against the loopback emulator serving ``evaluation/corpus.json``, and reads
the catalogue it wrote. Each catalogue row names the lines it came from (``provenance``), so:

- recall    = id lines whose row is matched to that id / id lines
- precision = right matches / every matched row that a labelled paper line is behind, plus every matched
  row behind ``skip`` lines only (a non-paper line taken for a paper is a wrong acceptance too)
- non-paper rows = catalogue rows behind ``skip`` lines only (headings, prose, links: noise for analysts)
"""

from __future__ import annotations

import contextlib
import csv
import io
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evaluation.snapshot_corpus import SNAPSHOT_FINAL, build_snapshot
from paper_catalogue.cli import main as pipeline_main
from paper_catalogue.config import load_settings
from paper_catalogue.outputs.catalogue import load_catalogue
from paper_catalogue.storage import load_json
from paper_catalogue_emulator import Emulator, load_corpus, pipeline_config_text

HERE = Path(__file__).resolve().parent
REAL_LISTS = HERE / "real_lists"
CORPUS_PATH = HERE / "corpus.json"
#: The first run, before any change was made for these lists (commit 0529d05; evaluation/real_lists/FIRST_RUN.md).
FIRST_RUN = (
    "precision 0.997, recall 0.909 (321/353); 1 non-paper row matched (a results-table cell, `Fast R-CNN`);"
    " non-paper rows 95 of 552 (17.2 %): author lines, table-of-contents links, TODO and talk bullets,"
    " list headings, a results table, e-mail and slide links"
)
ARXIV_INTERVAL_S = 0.002
S2_INTERVAL_S = 0.001


@dataclass(frozen=True)
class Label:
    file: str
    line: int
    expected: str  # arXiv id, "none" or "skip"
    note: str = ""


@dataclass
class Outcome:
    label: Label
    text: str
    status: str  # matched / ambiguous / unmatched / error / not-a-row (the parser skipped it)
    got: str | None = None  # the matched arXiv id ("" for a match without one)
    why: str = ""

    @property
    def correct(self) -> bool:
        return self.status == "matched" and self.got == self.label.expected


@dataclass
class ListsReport:
    outcomes: list[Outcome]
    nonpaper_rows: list[dict[str, Any]]
    rows: int
    requests: dict[str, int] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)

    @property
    def papers(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.label.expected not in ("none", "skip")]

    @property
    def correct(self) -> list[Outcome]:
        return [o for o in self.papers if o.correct]

    @property
    def wrong(self) -> list[Outcome]:
        """Paper lines (id or none) matched to something else."""
        return [o for o in self.outcomes if o.label.expected != "skip" and o.status == "matched" and not o.correct]

    @property
    def nonpaper_matched(self) -> list[dict[str, Any]]:
        return [r for r in self.nonpaper_rows if r["match_status"] == "matched"]

    @property
    def misses(self) -> list[Outcome]:
        return [o for o in self.papers if not o.correct and o not in self.wrong]

    @property
    def precision(self) -> float:
        matched = len(self.correct) + len(self.wrong) + len(self.nonpaper_matched)
        return len(self.correct) / matched if matched else 1.0

    @property
    def recall(self) -> float:
        return len(self.correct) / len(self.papers) if self.papers else 1.0

    @property
    def nonpaper_share(self) -> float:
        return len(self.nonpaper_rows) / self.rows if self.rows else 0.0


def load_labels(folder: Path) -> list[Label]:
    with (folder / "labels.csv").open(encoding="utf-8", newline="") as fh:
        return [
            Label(r["file"], int(r["line"]), r["expected"].strip(), r.get("note") or "") for r in csv.DictReader(fh)
        ]


def _skipped_reasons(interim: Path) -> dict[tuple[str, int], str]:
    data = load_json(interim / "titles.json", default=None) or {}
    return {(s["source_file"], int(s["line"])): s.get("reason", "") for s in data.get("skipped", [])}


def evaluate_lists(
    folder: Path = REAL_LISTS, corpus_path: Path = CORPUS_PATH, *, batch: bool = True, snapshot: bool = False
) -> ListsReport:
    """The lists through ``enrich``; with ``snapshot``, from a final snapshot of the same corpus (no title search)."""
    labels = load_labels(folder)
    files = sorted({lab.file for lab in labels})
    texts = {f: (folder / f).read_text(encoding="utf-8").splitlines() for f in files}
    corpus = load_corpus(corpus_path)
    with (
        tempfile.TemporaryDirectory(prefix="whole-lists-") as tmp,
        Emulator(corpus, arxiv_interval_s=ARXIV_INTERVAL_S, s2_interval_s=S2_INTERVAL_S) as emu,
    ):
        work = Path(tmp)
        (work / "raw").mkdir()
        for f in files:
            shutil.copy(folder / f, work / "raw" / f)
        extra = ("" if batch else "[batch]\nenabled = false\n") + (SNAPSHOT_FINAL if snapshot else "")
        (work / "config.toml").write_text(pipeline_config_text(emu, extra=extra), encoding="utf-8")
        if snapshot:
            build_snapshot(corpus, load_settings(work / "config.toml", env={}), work / "downloads")
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            pipeline_main(["enrich", "--config", str(work / "config.toml"), "-q"])
        frame = load_catalogue(work / "enriched")
        skipped = _skipped_reasons(work / "interim")
        stats = emu.stats()
    if frame is None:
        raise RuntimeError("the pipeline wrote no catalogue")
    by_line: dict[tuple[str, int], dict[str, Any]] = {}
    for row in frame.to_dict("records"):
        for place in row["provenance"]:
            name, _, line = str(place).rpartition(":")
            by_line[(name, int(line))] = row
    kind = {(lab.file, lab.line): lab.expected for lab in labels}
    outcomes = []
    for lab in labels:
        text = texts[lab.file][lab.line - 1].strip() if lab.line <= len(texts[lab.file]) else ""
        row = by_line.get((lab.file, lab.line))
        if row is None:
            outcomes.append(Outcome(lab, text, "not-a-row", why=skipped.get((lab.file, lab.line), "no entry")))
            continue
        got = (row["arxiv_id"] or "") if row["match_status"] == "matched" else None
        outcomes.append(Outcome(lab, text, row["match_status"], got, str(row.get("match_note") or "")))
    nonpaper = []
    for row in frame.to_dict("records"):
        places = [str(p).rpartition(":") for p in row["provenance"]]
        if all(kind.get((n, int(ln)), "skip") == "skip" for n, _, ln in places):
            nonpaper.append(row)
    requests = {api: int(stats[api]["requests"]) for api in ("arxiv", "s2")}
    return ListsReport(outcomes, nonpaper, len(frame), requests, files)


def render(report: ListsReport, first_run: str) -> list[str]:
    """Markdown lines for docs/evaluation.md."""
    labels = Counter(o.label.expected if o.label.expected in ("none", "skip") else "id" for o in report.outcomes)
    out = [
        "## Whole published lists (`evaluation/real_lists/`)",
        "",
        f"{len(report.files)} real reading lists from GitHub READMEs outside NLP pre-training (sources and licences in",
        "`evaluation/real_lists/README.md`), excerpts kept verbatim, most arXiv links removed by one mechanical rule,",
        f"every non-blank line labelled before the first run: {labels['id']} paper lines with an arXiv id,",
        f"{labels['none']} paper lines the corpus does not hold, {labels['skip']} lines that are not papers.",
        "Run through the whole pipeline (`enrich`, batched resolution on) against the emulator.",
        "",
        f"- **First run** (before any change made for these lists): {first_run}",
        f"- **Now:** precision **{report.precision:.3f}**, recall **{report.recall:.3f}**"
        f" ({len(report.correct)}/{len(report.papers)}); wrong acceptances {len(report.wrong)}"
        f" + {len(report.nonpaper_matched)} non-paper rows matched; non-paper rows {len(report.nonpaper_rows)} of"
        f" {report.rows} ({report.nonpaper_share:.1%}); requests arXiv {report.requests.get('arxiv')},"
        f" S2 {report.requests.get('s2')}.",
        "",
    ]
    if report.wrong or report.nonpaper_matched:
        out += ["Wrong acceptances:", ""]
        out += [
            f"- `{o.label.file}:{o.label.line}` {o.text[:100]!r}: expected {o.label.expected}, got {o.got}"
            for o in report.wrong
        ]
        out += [
            f"- non-paper row `{r['provenance'][0]}` {r['entry_title'][:80]!r} → {r['arxiv_id']}"
            for r in report.nonpaper_matched
        ]
        out.append("")
    if report.misses:
        out += ["Misses (paper lines not matched to their paper):", ""]
        out += [
            f"- `{o.label.file}:{o.label.line}` [{o.status}] {o.text[:110]!r}: {o.why[:160]}" for o in report.misses
        ]
        out.append("")
    if report.nonpaper_rows:
        out += ["Non-paper rows in the catalogue:", ""]
        out += [
            f"- `{', '.join(r['provenance'])}` {r['entry_title'][:100]!r} [{r['match_status']}]"
            for r in report.nonpaper_rows
        ]
        out.append("")
    return out


def summary_line(report: ListsReport) -> str:
    return (
        f"precision {report.precision:.3f}, recall {report.recall:.3f} ({len(report.correct)}/{len(report.papers)}),"
        f" wrong {len(report.wrong)} + {len(report.nonpaper_matched)} non-paper matched,"
        f" non-paper rows {len(report.nonpaper_rows)}/{report.rows} ({report.nonpaper_share:.1%}),"
        f" requests {report.requests}"
    )


if __name__ == "__main__":
    r = evaluate_lists()
    print(summary_line(r))
    print("\n".join(render(r, FIRST_RUN)))
