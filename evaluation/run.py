"""Resolver precision/recall on the labelled evaluation sets (FIXTURE corpus) → docs/evaluation.md.

    .venv/bin/python -m evaluation.run          (or: make evaluate)

The sets are listed in ``SETS`` with their history, reported separately: the dev set
(``evaluation/labelled.csv``, the matcher was tuned on it) and held-out sets 1-5, each written without
reading the matcher or list parser, labels fixed before its first run. A held-out set's first run is its
honest measurement (recorded in ``SETS``); the sets that were then used to fix classes of misses say so.

All are ``written_title,expected`` CSVs (expected = arXiv id or ``none``); lines whose first
non-blank character is ``#`` and blank lines are skipped (comments), line numbers stay the file's.

For each set: starts the loopback emulator on ``evaluation/corpus.json``, turns every row into its
own ``TitleRecord`` the way a reading list would (``readinglists.parse_markdown`` +
``merge_entries``), resolves them all with ``resolve.resolve_all`` through the real HTTP stack, and
scores the answers:

- precision = correct matched / all matched
- recall    = correct matched / rows whose expected answer is an arXiv id
- abstentions = ambiguous / unmatched (and rows the list parser skipped, and errors)

Exits 1 when any set's precision < 1.0: a wrong acceptance is the one mistake the resolver must
never make.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from evaluation import snapshot_sets, whole_lists
from evaluation.snapshot_corpus import SNAPSHOT_FINAL, build_snapshot
from paper_catalogue.config import Settings, load_settings
from paper_catalogue.lists.line_text import clean_title, is_title, lowercase_title_ok, parse_venue
from paper_catalogue.lists.load import merge_entries, parse_markdown
from paper_catalogue.lists.markdown import _split_row
from paper_catalogue.matching.identifiers import ARXIV_NO_ENTRY, unknown_identifier
from paper_catalogue.models import Resolution, TitleRecord
from paper_catalogue.sources import arxiv_source, s2_source
from paper_catalogue.sources.session import HttpClient
from paper_catalogue.stages import resolve
from paper_catalogue_emulator import Emulator, load_corpus, pipeline_config_text

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CORPUS_PATH = HERE / "corpus.json"
LABELLED_PATH = HERE / "labelled.csv"
DOC_PATH = ROOT / "docs" / "evaluation.md"
COMMAND = ".venv/bin/python -m evaluation.run   (or: make evaluate)"

ARXIV_INTERVAL_S = 0.005
S2_INTERVAL_S = 0.002
NOW = "2025-01-01T00:00:00Z"  # fixed: resolutions carry it, nothing depends on the clock

#: Status given to a row the list parser did not take as a title (no record to resolve).
SKIPPED = "skipped-by-parser"


@dataclass
class Row:
    line: int  # line in the set's CSV file (comments included in the count)
    written: str
    expected: str  # arXiv id, or "none"
    record: TitleRecord | None = None
    parse_note: str = ""
    resolution: Resolution | None = None

    @property
    def status(self) -> str:
        if self.resolution is None:
            return SKIPPED
        return self.resolution.status

    @property
    def got(self) -> str | None:
        """The accepted arXiv id ("" for a match to a paper without one), None when nothing was accepted."""
        if self.resolution is None or self.resolution.status != "matched":
            return None
        return self.resolution.arxiv_id or ""

    @property
    def correct_match(self) -> bool:
        got = self.got
        if got is None:
            return False
        # A match to a record with no arXiv id is right for a "not on arXiv" row, wrong otherwise.
        return got == self.expected or (got == "" and self.expected == "none")

    @property
    def reason(self) -> str:
        if self.resolution is None:
            return self.parse_note
        r = self.resolution
        parts = [r.reason or ""]
        if self.record is not None and self.record.title != self.written.strip():
            parts.insert(0, f'parsed as "{self.record.title}"')
        best = r.best_rejected
        if best and r.status != "matched":
            parts.append(
                f'best: {best.get("arxiv_id") or "-"} "{best.get("title")}" '
                f"score {best.get('score')} ({best.get('why')})"
            )
        if self.expected != "none" and not self.correct_match:
            own = [c for c in (r.candidates or []) if c.get("arxiv_id") == self.expected]
            if own:
                parts.append(
                    f"expected paper scored {own[0].get('score')} ({own[0].get('why')}, via {own[0].get('route')})"
                )
            else:
                parts.append("expected paper not among the kept candidates")
        return "; ".join(p for p in parts if p)


@dataclass
class Report:
    rows: list[Row]
    corpus_size: int
    seconds: float
    requests: dict[str, int] = field(default_factory=dict)
    source: Path = LABELLED_PATH
    #: Requests the pipeline's resolution made (``requests`` also counts the evaluation's identifier check).
    resolve_requests: dict[str, int] = field(default_factory=dict)

    @property
    def matched(self) -> list[Row]:
        return [r for r in self.rows if r.got is not None]

    @property
    def positives(self) -> list[Row]:
        return [r for r in self.rows if r.expected != "none"]

    @property
    def correct(self) -> list[Row]:
        return [r for r in self.matched if r.correct_match]

    @property
    def wrong(self) -> list[Row]:
        return [r for r in self.matched if not r.correct_match]

    @property
    def misses(self) -> list[Row]:
        """Rows with an expected id that were not accepted at all (wrong ids are in ``wrong``)."""
        return [r for r in self.positives if r.got is None]

    @property
    def precision(self) -> float:
        return len(self.correct) / len(self.matched) if self.matched else 1.0

    @property
    def recall(self) -> float:
        hits = [r for r in self.correct if r.expected != "none"]
        return len(hits) / len(self.positives) if self.positives else 1.0

    @property
    def statuses(self) -> Counter[str]:
        return Counter(r.status for r in self.rows)


# ------------------------------------------------------------------------------------ input


def load_rows(path: Path = LABELLED_PATH) -> list[Row]:
    """The rows of a ``written_title,expected`` CSV. Blank lines and lines whose first non-blank
    character is ``#`` are comments; ``Row.line`` is the line in the file. A field may not span lines."""
    rows: list[Row] = []
    header_seen = False
    with path.open(encoding="utf-8", newline="") as fh:
        for i, text in enumerate(fh, start=1):
            if not text.strip() or text.lstrip().startswith("#"):
                continue
            fields = next(csv.reader([text]))
            if not header_seen:
                if fields != ["written_title", "expected"]:
                    raise SystemExit(f"{path}:{i}: header must be written_title,expected (got {fields})")
                header_seen = True
                continue
            if len(fields) != 2:
                raise SystemExit(f"{path}:{i}: expected 2 fields, got {len(fields)} ({fields})")
            expected = fields[1].strip()
            if not expected:
                raise SystemExit(f"{path}:{i}: empty expected (use an arXiv id or 'none')")
            rows.append(Row(line=i, written=fields[0], expected=expected))
    if not header_seen:
        raise SystemExit(f"{path}: no written_title,expected header")
    return rows


def list_text(written: str) -> str:
    """The row as a reading-list line: a markdown bullet, or (rows starting with '|') a table row
    under a header naming its columns, which is how a list gives a venue/year hint."""
    if written.lstrip().startswith("|"):
        header = table_header(_split_row(written))
        return f"| {' | '.join(header)} |\n|{'---|' * len(header)}\n{written.strip()}\n"
    if re.match(r"\s*(?:[-*+]|\d+[.)])\s", written):
        return f"{written}\n"  # already a list item ("- [ ] ...", "1. ..."): not a bullet inside a bullet
    return f"- {written}\n"


def table_header(cells: list[str]) -> list[str]:
    """The header a list with this row would have: a row carries no header of its own, and a header
    with another number of columns makes it a ragged row, so one is written for it from what its cells
    hold (a year/venue -> "Venue", the first title-like cell, lower-case ones too -> "Title", the rest ->
    "Notes"; a cell before the title -> "Model", as in "| Transformer-XL | Attentive Language Models ... |")."""
    if len(cells) == 2:
        return ["Title", "Venue"]
    header: list[str] = []
    for cell in cells:
        text = cell.strip()
        cleaned = clean_title(text)
        if "Title" not in header and ("《" in text or is_title(cleaned)[0] or lowercase_title_ok(cleaned)[0]):
            header.append("Title")
        elif "Venue" not in header and parse_venue(text)[1] is not None:
            header.append("Venue")
        else:
            header.append("Notes" if "Title" in header else "Model")
    if "Title" not in header:
        header[0] = "Title"
    return [name if name not in header[:i] else f"{name} {i}" for i, name in enumerate(header)]


def to_record(row: Row) -> None:
    """Parse the row like a one-line reading list; sets ``row.record`` or ``row.parse_note``."""
    entries, skipped, problems = parse_markdown(list_text(row.written), f"evaluation-row-{row.line}.md")
    records = merge_entries(entries)
    if not records:
        why = "; ".join(s.reason for s in skipped) or "; ".join(str(p) for p in problems) or "no entry"
        row.parse_note = f"the list parser did not take the line as a title ({why})"
        return
    row.record = records[0]
    if len(records) > 1:
        row.parse_note = f"the parser found {len(records)} titles; the first was resolved"


# ---------------------------------------------------------------------------------- running


def _rounds(rows: list[Row]) -> list[list[Row]]:
    """Split rows so that no round has two records with the same ``norm`` (resolve_all keys by it)."""
    rounds: list[list[Row]] = []
    for row in rows:
        for batch in rounds:
            if all(other.record.norm != row.record.norm for other in batch):  # type: ignore[union-attr]
                batch.append(row)
                break
        else:
            rounds.append([row])
    return rounds


def confirm_identifiers(http: HttpClient, settings: Settings, rows: list[Row]) -> None:
    """Apply the pipeline's check of list identifiers (``resolve.unknown_identifier``, done by its catalogue
    stage) to rows matched by an arXiv id written on the line: one arXiv and one S2 request for all."""
    given = [r for r in rows if r.resolution is not None and r.resolution.route == "identifier"]
    ids = sorted({r.resolution.arxiv_id for r in given if r.resolution and r.resolution.arxiv_id})
    if not ids:
        return
    records, missing = arxiv_source.fetch_records(http, settings, ids)
    s2 = s2_source.fetch_batch(http, settings, [f"ARXIV:{i}" for i in ids])
    for row in given:
        res = row.resolution
        assert res is not None
        if not res.arxiv_id:
            continue
        arxiv_entry = {
            "record": records.get(res.arxiv_id),
            "error": ARXIV_NO_ENTRY if res.arxiv_id in missing else None,
        }
        s2_record = s2.get(f"ARXIV:{res.arxiv_id}")
        s2_entry = {"record": s2_record, "unknown": s2_record is None}
        row.resolution = unknown_identifier(res, arxiv_entry, s2_entry) or res


def evaluate(
    corpus_path: Path = CORPUS_PATH, labelled_path: Path = LABELLED_PATH, *, batch: bool = True, snapshot: bool = False
) -> Report:
    """One set through ``resolve.resolve_all`` against the emulator; with ``snapshot``, against a final snapshot
    of the same corpus instead (``[snapshot] final``: the snapshot route alone decides, no title search)."""
    rows = load_rows(labelled_path)
    for row in rows:
        to_record(row)
    corpus = load_corpus(corpus_path)
    started = time.monotonic()
    with (
        tempfile.TemporaryDirectory(prefix="evaluation-") as tmp,
        Emulator(corpus=corpus, arxiv_interval_s=ARXIV_INTERVAL_S, s2_interval_s=S2_INTERVAL_S) as emu,
    ):
        config = Path(tmp) / "config.toml"
        extra = ("" if batch else "[batch]\nenabled = false\n") + (SNAPSHOT_FINAL if snapshot else "")
        config.write_text(pipeline_config_text(emu, extra=extra), encoding="utf-8")
        settings = load_settings(config, env={})
        if snapshot:
            build_snapshot(corpus, settings, Path(tmp) / "downloads")
        http = HttpClient(settings)
        try:
            for batch in _rounds([r for r in rows if r.record is not None]):
                records = [r.record for r in batch if r.record is not None]
                results = resolve.resolve_all(
                    http,
                    settings,
                    records,
                    previous={},
                    previous_version=1,
                    overrides={},
                    now=NOW,
                )
                for row in batch:
                    row.resolution = results[row.record.norm]  # type: ignore[union-attr]
            resolving = emu.stats()
            confirm_identifiers(http, settings, rows)
        finally:
            http.close()
        stats = emu.stats()
    requests = {api: int(stats.get(api, {}).get("requests", 0)) for api in ("arxiv", "s2")}
    return Report(
        rows=rows,
        corpus_size=len(corpus),
        seconds=time.monotonic() - started,
        requests=requests,
        source=labelled_path,
        resolve_requests={api: int(resolving.get(api, {}).get("requests", 0)) for api in ("arxiv", "s2")},
    )


# ---------------------------------------------------------------------------------- writing


def _cell(text: str | None) -> str:
    return (text or "").replace("|", "\\|").replace("\n", " ")


def _rel(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def render_set(report: Report, heading: str, blurb: list[str]) -> list[str]:
    """One set's section: summary table, wrong acceptances, misses (with the resolver's reasons), all rows."""
    s = report.statuses
    pos, matched = report.positives, report.matched
    negatives = [r for r in report.rows if r.expected == "none"]
    hits = [r for r in report.correct if r.expected != "none"]
    name = _rel(report.source)
    out = [
        f"## {heading}",
        "",
        *blurb,
        "",
        f"Rows: {len(report.rows)} in `{name}` ({len(pos)} with an expected arXiv id,"
        f" {len(negatives)} expected `none`), corpus of {report.corpus_size} papers, resolved through the"
        f" loopback emulator in {report.seconds:.1f} s ({report.requests.get('s2', 0)} S2 and"
        f" {report.requests.get('arxiv', 0)} arXiv requests).",
        "",
        "| measure | value |",
        "|---|---|",
        f"| precision (correct matched / all matched) | **{report.precision:.3f}**"
        f" ({len(report.correct)}/{len(matched)}) |",
        f"| recall (correct matched / rows expecting an id) | **{report.recall:.3f}** ({len(hits)}/{len(pos)}) |",
        f"| wrong acceptances | {len(report.wrong)} |",
        f"| misses (expected id, nothing accepted) | {len(report.misses)} |",
        f"| status matched | {s.get('matched', 0)} |",
        f"| abstained: ambiguous | {s.get('ambiguous', 0)} |",
        f"| abstained: unmatched | {s.get('unmatched', 0)} |",
        f"| not resolved: skipped by the list parser | {s.get(SKIPPED, 0)} |",
        f"| error | {s.get('error', 0)} |",
        f"| `none` rows correctly left unmatched | {sum(1 for r in negatives if r.got is None)}/{len(negatives)} |",
        "",
        f"### {heading}: wrong acceptances",
        "",
    ]
    if report.wrong:
        out += [
            "| line | written title | expected | got | score | resolver's reason |",
            "|---|---|---|---|---|---|",
        ]
        for r in report.wrong:
            res = r.resolution
            assert res is not None
            out.append(
                f'| {r.line} | {_cell(r.written)} | {r.expected} | {r.got or "(no arXiv id)"} "{_cell(res.title)}"'
                f" | {res.score} | {_cell(r.reason)} |"
            )
    else:
        out.append("None.")
    out += ["", f"### {heading}: misses (expected an id, nothing accepted)", ""]
    if report.misses:
        out += ["| line | written title | expected | status | resolver's reason |", "|---|---|---|---|---|"]
        for r in report.misses:
            out.append(f"| {r.line} | {_cell(r.written)} | {r.expected} | {r.status} | {_cell(r.reason)} |")
    else:
        out.append("None.")
    out += [
        "",
        f"### {heading}: all rows",
        "",
        f"Line numbers are lines of `{name}` (comment lines counted).",
        "",
        "| line | written title | expected | status | got | score |",
        "|---|---|---|---|---|---|",
    ]
    for r in report.rows:
        res = r.resolution
        mark = "" if (r.correct_match or (r.expected == "none" and r.got is None)) else " ✗"
        out.append(
            f"| {r.line} | {_cell(r.written)} | {r.expected} | {r.status}{mark} |"
            f" {r.got if r.got is not None else ''} | {res.score if res and res.score is not None else ''} |"
        )
    out.append("")
    return out


@dataclass(frozen=True)
class EvalSet:
    """One labelled set and its history: how it was written and what its first run measured."""

    key: str  # command-line flag (--KEY) and short name
    path: Path
    label: str  # its row in the summary tables
    written: str  # how and when it was written (markdown)
    first_contact: tuple[int, int, int] | None  # (correct matched, matched, rows expecting an id) on its first run
    after: str  # what happened after its first run (markdown; "" = nothing)
    styles: tuple[str, ...]  # what its rows look like (markdown lines)


_BLIND_ALL = (
    "without reading anything in `pipeline/` (the package's name then), `tests/` or `docs/`, the earlier sets or"
    " the evaluation script; labels fixed before its first run"
)
_BLIND = (
    "without reading the matcher or the list parser (`pipeline/matching/similarity.py`, `matching.py`, `resolve.py`,"
    " `listtext.py`, `markdown_lists.py`), the other sets or this file; labels fixed before its first run"
)

SETS: tuple[EvalSet, ...] = (
    EvalSet(
        "heldout7",
        HERE / "heldout7.csv",
        "held-out 7 (written blind after the held-out 6 fixes; used for fixes since)",
        f"written on 2026-11-28 after held-out 6's fixes, by a helper {_BLIND_ALL}; its report gave only row counts.",
        (65, 65, 68),
        "Its three misses: a bullet that was already a list item (`- [ ] …`) got a second bullet from the"
        " evaluation (fixed there: 0.971 first run with it), and two list-parser gaps, fixed as classes: an"
        " all-lower-case title in a table's title column (`| attention is all you need |`), and an all-lower-case"
        " title with a spaced dash where titles have a colon (`constitutional ai - harmlessness from ai feedback`).",
        ("Titles as researchers write them in reading lists, written blind: the writer reported row counts only.",),
    ),
    EvalSet(
        "heldout6",
        HERE / "heldout6.csv",
        "held-out 6 (written blind after held-out 5; used for fixes since)",
        f"written on 2026-11-28 after held-out 5's run, by a helper {_BLIND_ALL}; its report gave only row counts.",
        (61, 62, 65),
        "Its one wrong acceptance was not a title match: the line was only an arXiv URL, of a real paper that is"
        " not in the corpus (`none`), and the resolver takes a list's identifier as written. Now a list's arXiv"
        " id that neither arXiv nor Semantic Scholar knows is shown as unmatched with what to check (the"
        " catalogue stage does it; the evaluation applies the same check). Its four misses were list-parser"
        " gaps, fixed as classes: Chinese glued to a short name before the title (`清华ERNIE - ERNIE: …`,"
        " `百度ERNIE 1.0：ERNIE: …`), two spaces typed after a colon, and an all-lower-case title longer than"
        " 12 words with a colon.",
        ("Titles as researchers write them in reading lists, written blind: the writer reported row counts only.",),
    ),
    EvalSet(
        "heldout5",
        HERE / "heldout5.csv",
        "held-out 5 (written blind after the held-out 4 fixes; never used to tune)",
        f"written on 2026-11-28 after the held-out 4 fixes, by a helper {_BLIND_ALL}, and the helper's report"
        " gave only row counts, so nothing about its rows was known before the run.",
        (67, 67, 67),
        "For comparison, the resolver as it stood before the held-out 3 gap fixes and the held-out 4 round"
        " (commit b75b332) scores 0.821 (55/67) on it with the same evaluation: the set is not an easy one, and"
        " the 12 rows gained come from the general readings added since (notes around a whole title, pasted"
        " references, the whole title inside a line, identifier-only lines).",
        (
            "Titles as researchers write them in reading lists, written blind: the writer reported row counts",
            "only. Its rows can be read in the table below.",
        ),
    ),
    EvalSet(
        "heldout4",
        HERE / "heldout4.csv",
        "held-out 4 (used for fixes since)",
        f"written on 2026-11-28 after the held-out 3 fixes and the known gaps were closed, by a helper {_BLIND_ALL}.",
        (55, 55, 68),
        "Of its 13 misses, 4 were table rows with 3-4 cells that the evaluation put under a 2-column header (the"
        " list parser rightly skipped them as ragged; the evaluation now writes a header that fits the row:"
        " 0.868 first contact with that fixed). The rest were real gaps, fixed as classes, not rows: pasted"
        " references in citation styles (authors with initials, venue without a year), a line with only an"
        " arXiv id or URL (the parser dropped it), list numbering inside a bullet, a Chinese word and a space in"
        " front of the title, `ERNIE 1.0` for the unnumbered `ERNIE`. The general fix: a candidate's whole title"
        " found word for word inside the line is accepted when what surrounds it is set off by punctuation (or is"
        " a venue and year) and cannot make it another paper (no subtitle, continuation, sequel number,"
        " negation, quoting title, `revisited`/`survey`/`beyond`-type words); the unit tests pin 21 wrapped"
        " forms and 24 lines that contain a title and are another paper.",
        (
            "Reading-list lines: short names in front, notes around the title (Chinese and English, stars,",
            "emoji), pasted references (Google Scholar, APA with initials), typos and spacing, truncations,",
            "case changes, table rows with venue and year, markdown, arXiv ids or URLs alone; `none` rows for",
            "real papers close to corpus papers (sequels, one-word changes, other models' reports, surveys).",
        ),
    ),
    EvalSet(
        "heldout3",
        HERE / "heldout3.csv",
        "held-out 3 (used for fixes since)",
        f"written on 2026-11-28 after the held-out 2 fixes, {_BLIND}.",
        (41, 41, 53),
        "Fixed afterwards, as classes: Google Scholar's `[PDF] arxiv.org` tags, `arXiv preprint` tails, an acronym"
        " in brackets inside the title; then the known gaps (titles in single quotes, a full-width colon after a"
        " one-word name). One miss is left by design: a title missing its *first* word (`Estimation of Word"
        " Representations…`); a written title that is the end of a longer one is too often a different paper"
        " (`Revisiting X` vs `X`), so it goes to the review report instead.",
        (
            "Google Scholar copies with `[PDF]` / `[HTML]` prefixes and `arXiv preprint arXiv:…` tails, smart",
            "quotes, a subtitle after ` - `, a stray period, `v2` suffixes, parenthesised acronyms in the middle,",
            "British spelling, `w/` and `&`, a doubled word, a missing first word, Chinese notes, table rows;",
            "`none` rows for sequels, revisited papers, surveys, the same title with another model's name.",
        ),
    ),
    EvalSet(
        "heldout2",
        HERE / "heldout2.csv",
        "held-out 2 (used for fixes since)",
        "written after the held-out fixes, " + _BLIND + ".",
        (39, 39, 50),
        "Fixed afterwards: a citation in brackets (`(Ba et al., 2016)`), a leading name with digits (`word2vec:`),"
        " shorthands (`LMs`, `LLMs`, `Nets`) and number words; later the remaining gaps it showed (`100k+` for"
        " `100,000+`, `(SQuAD 2.0)` after the title, `- github link`, an emoji and a note after the title).",
        (
            "Emoji and `[pdf]` / `- github link` / venue or year suffixes, Chinese notes, trailing `*` or `!!`,",
            "quotes and bold, all caps, lowercase, a missing space after a colon, British spelling, a dropped word,",
            "swapped words, typos, numbers written out, `LMs`/`LLMs`, table rows; `none` rows for follow-ups, v2",
            "versions, surveys, titles that contain a corpus title.",
        ),
    ),
    EvalSet(
        "heldout",
        HERE / "heldout.csv",
        "held-out (used for fixes since)",
        "written after the dev-set tuning without reading the matcher (`pipeline/titles.py`, `matching.py`,"
        " `resolve.py`, as they were then) and not adjusted to the resolver's answers.",
        (42, 42, 62),
        "Its misses were short names in front (`ViT: …`, 12), a citation around the title (6), `Distillation` vs"
        " `Distilling` (1) and a bracketed Chinese lead-in (1); those classes were handled afterwards.",
        (
            "Nickname or abbreviation in front, author/year or venue appended, markdown links and bold, missing",
            "articles, British spelling, dropped hyphens, reworded subtitles, typos, lowercase, Chinese notes;",
            "`none` rows for wrong version numbers of a family, follow-up papers, shared title prefixes.",
        ),
    ),
    EvalSet(
        "labelled",
        HERE / "labelled.csv",
        "dev (tuned on)",
        "the matcher was **tuned on this set** (it started at precision 0.972 / recall 0.921), so its numbers are"
        " training accuracy, not an estimate.",
        None,
        "",
        ("The matcher was tuned on these rows: read its numbers as training accuracy, not as an estimate.",),
    ),
)
SETS_BY_KEY = {s.key: s for s in SETS}
#: The sets written blind after the general readings were in: their first runs together are the estimate.
BLIND_AFTER_READINGS = ("heldout5", "heldout6", "heldout7")


def pooled_first_runs(keys: tuple[str, ...] = BLIND_AFTER_READINGS) -> tuple[int, int, int]:
    """(correct matched, matched, rows expecting an id) of these sets' first runs, added up."""
    firsts = [SETS_BY_KEY[k].first_contact or (0, 0, 0) for k in keys]
    return sum(f[0] for f in firsts), sum(f[1] for f in firsts), sum(f[2] for f in firsts)


def _first_contact_cell(first: tuple[int, int, int] | None) -> str:
    if first is None:
        return "(tuned on it)"
    correct, matched, positives = first
    return f"{correct / matched:.3f} / **{correct / positives:.3f}** ({correct}/{positives})"


def render(reports: dict[str, Report]) -> str:
    """docs/evaluation.md for the sets in ``reports`` (keyed by ``EvalSet.key``), newest set first."""
    sets = [s for s in SETS if s.key in reports]
    pooled = pooled_first_runs()
    out = [
        "# Resolver evaluation",
        "",
        "> **FIXTURE DATA.** The corpus (`evaluation/corpus.json`) is an emulator corpus: real arXiv ids and",
        "> titles where the author was sure of them, made-up distractor papers with ids `2199.xxxxx`, and",
        "> made-up metadata (authors, dates, venues, counts, S2 ids) everywhere. The numbers below measure",
        "> the resolver's decisions on these titles, not the real arXiv / Semantic Scholar search engines.",
        "",
        f"Command: `{COMMAND}` (writes this file; exits 1 when any set's precision < 1.0).",
        "",
        "Goal (issue 3): no wrong paper accepted (precision 1.0) while resolving at least 95 % of the titles that",
        "exist. A set measures that honestly only on its **first run**: every set after the dev set was written",
        "without reading the resolver, its labels fixed before that run; each was then used to fix what it",
        "missed (as classes of titles, never single rows), so its later numbers are no longer independent.",
        "",
        f"**Estimate: first-run recall {pooled[0] / pooled[2]:.3f} ({pooled[0]}/{pooled[2]}), precision"
        f" {pooled[0] / pooled[1]:.3f} ({pooled[0]}/{pooled[1]})** on the three sets written blind after the general"
        " readings were in (held-out 5-7; see the notes at the end for what the one wrong acceptance was).",
        "",
        "| set | rows | first run: precision / **recall** | now: precision | now: recall | wrong acceptances now |",
        "|---|---|---|---|---|---|",
    ]
    for s in sets:
        r = reports[s.key]
        out.append(
            f"| {s.label} | {len(r.rows)} | {_first_contact_cell(s.first_contact)}"
            f" | **{r.precision:.3f}** ({len(r.correct)}/{len(r.matched)}) | **{r.recall:.3f}** | {len(r.wrong)} |"
        )
    out += [""]
    for s in sets:
        r = reports[s.key]
        hits = [x for x in r.correct if x.expected != "none"]
        text = f"- **{s.label}** (`{_rel(r.source)}`): {s.written}"
        if s.first_contact is not None:
            text += f" First run: {_first_contact_cell(s.first_contact).replace('**', '')}."
        if s.after:
            text += f" {s.after}"
        text += f" Now: precision {r.precision:.3f}, recall {r.recall:.3f} ({len(hits)}/{len(r.positives)})."
        out += [text, ""]
    for s in sets:
        heading = s.label.split(" (")[0]
        out += render_set(reports[s.key], heading[0].upper() + heading[1:], list(s.styles))
    out += [
        "## Notes",
        "",
        "- Each row is parsed as a one-line reading list (`- <title>`; rows starting with `|` as a table row",
        "  under a header that names its columns, which is how a list gives a venue/year hint) with",
        "  `readinglists.parse_markdown` + `merge_entries`, then resolved with `resolve.resolve_all`",
        "  (fresh HTTP cache, no previous resolutions, no overrides).",
        "- A wrong acceptance on a row expecting an id counts against precision *and* recall; it is listed",
        "  only under wrong acceptances.",
        "- The three sets written blind after the general readings were in (held-out 5, 6, 7; 200 titles that exist,",
        "  62 `none` rows) scored on their first runs: recall 1.000 (67/67), 0.938 (61/65), 0.956 (65/68), together",
        "  **0.965 (193/200)**; precision 1.000, 0.984, 1.000, together 0.995 (193/194). The one wrong acceptance",
        "  was a list's bare arXiv URL of a paper outside the corpus, taken as written; identifiers no source knows",
        "  have been shown as unmatched since. Their misses were list-parser gaps (and one evaluation artefact),",
        "  each fixed as a class after its run. 193 of 200 gives a one-sided 95 % lower confidence bound on recall",
        "  of 0.935: the point estimate meets the goal, the bound does not prove it.",
        "- The earlier sets' first runs (0.68-0.87) are the history of what the resolver lacked.",
        "- Papers known to Semantic Scholar only (no arXiv id) cannot be put in the emulator corpus: every",
        "  `emulator.Paper` is keyed by its arXiv id, the S2 API always sends `externalIds.ArXiv`, and the",
        "  arXiv API serves every paper. Titles of such papers (GPT-1, GPT-2) are therefore labelled `none`",
        "  and are simply absent from the corpus.",
        "- Titles that are truly ambiguous given the corpus (e.g. a truncated BERT title that is a prefix of",
        '  both BERT and the made-up "... for Language Generation" distractor) are not labelled: the',
        '  expected column has no value for "must abstain".',
        "",
    ]
    return "\n".join(out)


def _summary(label: str, report: Report) -> None:
    print(
        f"{label}: precision {report.precision:.3f} ({len(report.correct)}/{len(report.matched)}), "
        f"recall {report.recall:.3f}, wrong acceptances {len(report.wrong)}, misses {len(report.misses)}, "
        f"statuses {dict(report.statuses)}, {report.seconds:.1f} s"
    )
    name = report.source.name
    for r in report.wrong:
        print(f"  WRONG  {name}:{r.line}: {r.written!r} expected {r.expected} got {r.got!r} ({r.reason})")
    for r in report.misses:
        print(f"  MISS   {name}:{r.line}: {r.written!r} expected {r.expected} [{r.status}] {r.reason}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=CORPUS_PATH)
    for s in SETS:
        parser.add_argument(f"--{s.key}", type=Path, default=s.path, help=s.label)
    parser.add_argument("--out", type=Path, default=DOC_PATH)
    args = parser.parse_args(argv)
    reports = {s.key: evaluate(args.corpus, getattr(args, s.key)) for s in SETS}
    lists = whole_lists.evaluate_lists(corpus_path=args.corpus)
    pairs = snapshot_pairs(reports, lists, args.corpus)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    text = render(reports)
    at = text.index("## Notes")
    sections = whole_lists.render(lists, whole_lists.FIRST_RUN) + snapshot_sets.render(pairs)
    text = text[:at] + "\n".join(sections) + "\n" + text[at:]
    args.out.write_text(text, encoding="utf-8")
    for s in SETS:
        _summary(s.label, reports[s.key])
    print(f"whole published lists: {whole_lists.summary_line(lists)}")
    for pair in pairs:
        print(
            f"snapshot mode, {pair.label}: precision {pair.snapshot.precision:.3f}, recall"
            f" {pair.snapshot.recall:.3f} ({pair.recall_gap_points:+.1f} points against the API path)"
        )
    print(f"→ {args.out}")
    precise = min([r.precision for r in reports.values()] + [lists.precision]) == 1.0
    return 0 if precise and all(p.meets_target for p in pairs) else 1


def _hits(correct: int, positives: int) -> str:
    return f"{correct}/{positives}"


def snapshot_pairs(
    reports: dict[str, Report], lists: whole_lists.ListsReport, corpus_path: Path = CORPUS_PATH
) -> list[snapshot_sets.Pair]:
    """Every set (and the whole lists) resolved again from a final snapshot, next to its API-path report."""
    pairs = []
    for s in SETS:
        if s.key not in reports:
            continue
        api, snap = reports[s.key], evaluate(corpus_path, s.path, snapshot=True)
        pairs.append(
            snapshot_sets.Pair(
                s.label.split(" (")[0],
                len(api.rows),
                api,
                snap,
                _hits(len([r for r in api.correct if r.expected != "none"]), len(api.positives)),
                _hits(len([r for r in snap.correct if r.expected != "none"]), len(snap.positives)),
                sum(api.resolve_requests.values()),
                sum(snap.resolve_requests.values()),
            )
        )
    snap_lists = whole_lists.evaluate_lists(corpus_path=corpus_path, snapshot=True)
    pairs.append(
        snapshot_sets.Pair(
            "whole published lists",
            len(lists.outcomes),
            lists,
            snap_lists,
            _hits(len(lists.correct), len(lists.papers)),
            _hits(len(snap_lists.correct), len(snap_lists.papers)),
            sum(lists.requests.values()),
            sum(snap_lists.requests.values()),
        )
    )
    return pairs


if __name__ == "__main__":
    sys.exit(main())
