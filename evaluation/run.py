"""Resolver precision/recall on the four labelled evaluation sets (FIXTURE corpus) → docs/evaluation.md.

    .venv/bin/python -m evaluation.run          (or: make evaluate)

Four sets, reported separately:

- dev set, ``evaluation/labelled.csv``: the matcher was tuned on it, so its numbers are optimistic;
- held-out set, ``evaluation/heldout.csv``: written after the tuning without reading the matcher
  (``pipeline/titles.py``, ``matching.py``, ``resolve.py``), and not adjusted to its answers;
- held-out 2, ``evaluation/heldout2.csv``: written after the matcher changes that the first held-out
  set prompted, without reading the matcher or the other sets; its first-contact numbers are the honest
  estimate (fixes it prompted since are listed in the doc);
- held-out 3, ``evaluation/heldout3.csv``: independent, written after all matcher changes without reading
  the matcher, the list parser or the other sets, labels fixed before its first run, never used to tune;
  its first-contact numbers are the current honest estimate (fixes it prompted since are in the doc).

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
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from emulator import Emulator, load_corpus, pipeline_config_text
from pipeline import resolve
from pipeline.config import load_settings
from pipeline.listtext import clean_title, is_title, parse_venue
from pipeline.markdown_lists import _split_row
from pipeline.models import Resolution, TitleRecord
from pipeline.readinglists import merge_entries, parse_markdown
from pipeline.session import HttpClient

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CORPUS_PATH = HERE / "corpus.json"
LABELLED_PATH = HERE / "labelled.csv"
HELDOUT_PATH = HERE / "heldout.csv"
HELDOUT2_PATH = HERE / "heldout2.csv"
HELDOUT2_LABEL = "held-out 2 (written after the matcher changes; used for fixes since)"
HELDOUT3_PATH = HERE / "heldout3.csv"
HELDOUT3_LABEL = "held-out 3 (written after the held-out 2 fixes; used for fixes since)"
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
    return f"- {written}\n"


def table_header(cells: list[str]) -> list[str]:
    """The header a list with this row would have: a row carries no header of its own, and a header
    with another number of columns makes it a ragged row, so one is written for it from what its cells
    hold (a year/venue -> "Venue", the first title-like cell -> "Title", the rest -> "Notes"; a cell
    before the title -> "Model", as in "| Transformer-XL | Attentive Language Models ... |")."""
    if len(cells) == 2:
        return ["Title", "Venue"]
    header: list[str] = []
    for cell in cells:
        text = cell.strip()
        if "Title" not in header and ("《" in text or is_title(clean_title(text))[0]):
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


def evaluate(corpus_path: Path = CORPUS_PATH, labelled_path: Path = LABELLED_PATH) -> Report:
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
        config.write_text(pipeline_config_text(emu), encoding="utf-8")
        settings = load_settings(config, env={})
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


def render(
    dev: Report, heldout: Report | None = None, heldout2: Report | None = None, heldout3: Report | None = None
) -> str:
    n_sets = 1 + sum(r is not None for r in (heldout, heldout2, heldout3))
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
        f"{['One', 'Two', 'Three', 'Four'][n_sets - 1]} labelled set{'s' if n_sets > 1 else ''}, scored separately:",
        "",
        f"- **dev set** (`{_rel(dev.source)}`): the matcher was **tuned on this set** (it started at precision"
        " 0.972 / recall 0.921), so its numbers are optimistic.",
    ]
    if heldout is not None:
        out += [
            f"- **held-out set** (`{_rel(heldout.source)}`): written **after** the tuning, without reading the"
            " matcher (`pipeline/titles.py`, `pipeline/matching.py`, `pipeline/resolve.py`) and not adjusted to"
            " the resolver's answers.",
            "",
            "**Its first contact is the honest estimate: precision 1.000 (42/42), recall 0.677 (42/62).** No wrong"
            " paper was accepted; the 20 misses were titles with a short name in front (`ViT: …`, `CLIP - …`, 12),"
            " a citation around the title (`…, Vaswani et al. 2017`, 6), `Distillation` vs `Distilling` (1) and a"
            " bracketed Chinese lead-in the list parser rejected (1). The matcher and the parser were then changed"
            " for these *classes* (leading labels, citation pieces, -ation stems, bracketed lead-ins), so the"
            " numbers below are after that change and the set is no longer independent; a fresh held-out set is"
            " the next measurement to make.",
        ]
    if heldout2 is not None:
        out += [
            "",
            f"- **{HELDOUT2_LABEL}** (`{_rel(heldout2.source)}`): written after those changes, without reading"
            " the matcher or the list parser (`pipeline/titles.py`, `matching.py`, `resolve.py`, `listtext.py`,"
            " `markdown_lists.py`), the other two sets or this file; labels fixed before its first run and never"
            " changed after seeing results.",
            "",
            "**Its first contact was the honest estimate at the time: precision 1.000 (39/39), recall 0.780 (39/50).**"
            " Two generic bugs it exposed were fixed afterwards (a citation in brackets, `(Ba et al., 2016)`, was"
            " only half ignored; a leading name with digits, `word2vec:`, was read as a version number): 0.820;"
            " then one gap class it showed was closed (shorthands `LMs`, `LLMs`, `Nets` and number words such as"
            " `Two` are read as the words and digits titles use): 0.900 below. So it is no longer independent; the"
            " remaining misses are known gaps: numbers reformatted (`100k+`), a dataset name with a version in"
            " brackets (`(SQuAD 2.0)`), and commentary the list parser keeps (`- github link`, an emoji).",
        ]
    if heldout3 is not None:
        hits3 = [r for r in heldout3.correct if r.expected != "none"]
        out += [
            "",
            f"- **{HELDOUT3_LABEL}** (`{_rel(heldout3.source)}`): written on 2026-11-28 after all the matcher"
            " changes above, without reading the matcher or the list parser (`pipeline/titles.py`, `matching.py`,"
            " `resolve.py`, `listtext.py`, `markdown_lists.py`), the other three sets or this file; labels fixed"
            " before its first run and never changed after seeing results; never used to tune.",
            "",
            "**Its first contact is the current honest estimate: precision 1.000 (41/41), recall 0.774 (41/53).**"
            " Three classes of its misses were then handled in the matcher (Google Scholar's `[PDF] arxiv.org`"
            " tags in front, an `arXiv preprint` tail, an acronym in brackets inside the title), so the numbers"
            f" below (precision {heldout3.precision:.3f}, recall {heldout3.recall:.3f}"
            f" ({len(hits3)}/{len(heldout3.positives)})) are after that change and the set is no longer"
            " independent. The next honest measurement needs a fresh set.",
        ]
    sets = [("dev (tuned on)", dev)]
    if heldout is not None:
        sets.append(("held-out", heldout))
    if heldout2 is not None:
        sets.append((HELDOUT2_LABEL, heldout2))
    if heldout3 is not None:
        sets.append((HELDOUT3_LABEL, heldout3))
    if len(sets) > 1:
        out += [
            "",
            "| set | rows | precision | recall | wrong acceptances | misses |",
            "|---|---|---|---|---|---|",
        ]
        for label, rep_ in sets:
            out.append(
                f"| {label} | {len(rep_.rows)} | **{rep_.precision:.3f}** ({len(rep_.correct)}/{len(rep_.matched)})"
                f" | **{rep_.recall:.3f}** | {len(rep_.wrong)} | {len(rep_.misses)} |"
            )
    out.append("")
    if heldout3 is not None:
        out += render_set(
            heldout3,
            "Held-out set 3",
            [
                f"{HELDOUT3_LABEL[0].upper()}{HELDOUT3_LABEL[1:]}. Titles as researchers paste them into",
                "markdown reading lists, English and Chinese mixed: Google Scholar copies with `[PDF]` / `[HTML]`",
                "prefixes and `arXiv preprint arXiv:…` tails (only correct ids, or none), smart quotes, a subtitle",
                "after ` - ` instead of `:`, a stray period, `v2` suffixes, parenthesised acronyms in the middle",
                "(`(RAG)`, `(DPO)`), British spelling, `w/` and `&`, a doubled word, a missing first word, Chinese",
                "notes, table rows with a venue; and `none` rows for real papers absent from the corpus that are",
                "close to papers in it (sequels, revisited papers, surveys of a corpus paper's topic, the same",
                "title with another model's name).",
            ],
        )
    if heldout2 is not None:
        out += render_set(
            heldout2,
            "Held-out set 2",
            [
                f"{HELDOUT2_LABEL[0].upper()}{HELDOUT2_LABEL[1:]}. Titles as researchers write them in markdown",
                "reading lists, English and Chinese mixed: emoji and `[pdf]` / `- github link` / venue or year",
                "suffixes, Chinese notes, trailing `*` or `!!`, quotes and bold around the title, all caps,",
                "lowercase, a missing space after a colon, British spelling, a word dropped from a long title,",
                "swapped words, a one-letter typo, numbers written out, `LMs`/`LLMs` for language models, table",
                "rows with a venue; and `none` rows for real papers absent from the corpus that share many words",
                "with papers in it (follow-ups, v2 versions, surveys, titles that contain a corpus title).",
            ],
        )
    if heldout is not None:
        out += render_set(
            heldout,
            "Held-out set",
            [
                "Written after the matcher was tuned, without looking at the matcher's code. Titles as",
                "researchers write them in reading lists: nickname or abbreviation in front, author/year or",
                "venue appended, markdown links and bold, missing articles, British spelling, dropped",
                "hyphens, reworded subtitles, typos, lowercase, Chinese commentary; and `none` rows for real",
                "papers absent from the corpus that resemble papers in it (wrong version numbers of a",
                "family, follow-up papers, shared title prefixes).",
            ],
        )
    out += render_set(
        dev,
        "Dev set",
        ["The matcher was tuned on these rows: read its numbers as training accuracy, not as an estimate."],
    )
    out += [
        "## Notes",
        "",
        "- Each row is parsed as a one-line reading list (`- <title>`; rows starting with `|` as a table row",
        "  under `| Title | Venue |`, which is how a list gives a year hint) with",
        "  `readinglists.parse_markdown` + `merge_entries`, then resolved with `resolve.resolve_all`",
        "  (fresh HTTP cache, no previous resolutions, no overrides).",
        "- A wrong acceptance on a row expecting an id counts against precision *and* recall; it is listed",
        "  only under wrong acceptances.",
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
    parser.add_argument("--labelled", type=Path, default=LABELLED_PATH, help="dev set (the matcher was tuned on it)")
    parser.add_argument("--heldout", type=Path, default=HELDOUT_PATH, help="held-out set")
    parser.add_argument(
        "--heldout2", type=Path, default=HELDOUT2_PATH, help="held-out set 2 (written after the matcher changes)"
    )
    parser.add_argument(
        "--heldout3",
        type=Path,
        default=HELDOUT3_PATH,
        help="held-out set 3 (independent: written after all matcher changes, never used to tune)",
    )
    parser.add_argument("--out", type=Path, default=DOC_PATH)
    args = parser.parse_args(argv)
    dev = evaluate(args.corpus, args.labelled)
    heldout = evaluate(args.corpus, args.heldout)
    heldout2 = evaluate(args.corpus, args.heldout2)
    heldout3 = evaluate(args.corpus, args.heldout3)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(render(dev, heldout, heldout2, heldout3), encoding="utf-8")
    _summary("dev set (tuned on)", dev)
    _summary("held-out set", heldout)
    _summary(HELDOUT2_LABEL, heldout2)
    _summary(HELDOUT3_LABEL, heldout3)
    print(f"→ {args.out}")
    return 1 if min(dev.precision, heldout.precision, heldout2.precision, heldout3.precision) < 1.0 else 0


if __name__ == "__main__":
    sys.exit(main())
