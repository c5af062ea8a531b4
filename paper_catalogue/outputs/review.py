"""The review report: what a person should look at after a run, with the fix ready to paste.

Written next to the catalogue as ``review.md`` on every run. Ambiguous and unmatched titles
come with their best candidates and override lines for the overrides file the config uses
(``<paths.raw>/overrides.csv``); a line for a candidate below the accept score says in its note
that it is a guess. Titles where arXiv and Semantic Scholar disagree about the arXiv id are
listed too, because one of the two routes is then wrong.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from paper_catalogue.matching.overrides import override_line
from paper_catalogue.models import Resolution, SkippedLine, TitleRecord

LOW_SCORE_SPOT_CHECKS = 10


def format_score(score: Any, threshold: float | None = None) -> str:
    """A match score for people: two decimals, as the match reasons print them; empty when there is none.

    Given the ``threshold`` it is compared with, a score below it that two decimals would round up to it
    gets more decimals (0.899 against 0.90 is shown 0.899, not 0.90).
    """
    if score is None:
        return ""
    try:
        value = float(score)
    except (TypeError, ValueError):
        return str(score)
    if math.isnan(value):
        return ""
    digits = 2
    while threshold is not None and value < threshold <= round(value, digits) and digits < 6:
        digits += 1
    return f"{value:.{digits}f}"


def override_note(score: Any, accept_score: float) -> str:
    """The note of a paste-ready override line: a candidate below the accept score is marked as a guess."""
    try:
        below = score is None or float(score) < accept_score
    except (TypeError, ValueError):
        below = True
    if below:
        shown = format_score(score, accept_score) or "none"
        return f"GUESS: score {shown} < {accept_score:.2f} — check before pasting"
    return "checked by hand"


def _where(record: TitleRecord) -> str:
    return ", ".join(f"{o.source_file}:{o.line}" for o in record.occurrences) or "?"


def _md(text: Any) -> str:
    """Table cells are data: keep pipes and newlines from breaking the table."""
    return str(text if text is not None else "").replace("|", "\\|").replace("\n", " ")


def _candidates(res: Resolution) -> list[dict[str, Any]]:
    found = list(getattr(res, "candidates", None) or [])
    if res.best_rejected and not any(_same(c, res.best_rejected) for c in found):
        found.append(res.best_rejected)
    return found


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return bool(
        (a.get("arxiv_id") and a.get("arxiv_id") == b.get("arxiv_id"))
        or (a.get("s2_paper_id") and a.get("s2_paper_id") == b.get("s2_paper_id"))
    )


def disagreements(
    pairs: Iterable[tuple[TitleRecord, Resolution]], s2_records: dict[str, dict[str, Any]], s2_ids: dict[str, str]
) -> list[tuple[TitleRecord, Resolution, str]]:
    """Matched titles whose S2 record names another arXiv id than the one we resolved."""
    out = []
    for record, res in pairs:
        if res.status != "matched" or not res.arxiv_id:
            continue
        entry = s2_records.get(s2_ids.get(record.norm, ""), {})
        s2_arxiv = (entry.get("record") or {}).get("arxiv_id")
        if s2_arxiv and s2_arxiv != res.arxiv_id:
            out.append((record, res, s2_arxiv))
    return out


def build_review(
    pairs: list[tuple[TitleRecord, Resolution]],
    disagreeing: list[tuple[TitleRecord, Resolution, str]],
    *,
    generated_at: str,
    data_origin: str,
    accept_score: float,
    skipped: Sequence[SkippedLine] = (),
    overrides_path: Path | str = "data/raw/overrides.csv",
) -> str:
    by_status: dict[str, list[tuple[TitleRecord, Resolution]]] = {}
    for record, res in pairs:
        by_status.setdefault(res.status, []).append((record, res))
    lines = [f"# Resolution review — {generated_at}", ""]
    if data_origin == "fixture":
        lines += ["> **FIXTURE DATA** — produced by the offline demo against the emulator's made-up corpus.", ""]
    counts = ", ".join(f"{len(by_status.get(s, []))} {s}" for s in ("matched", "ambiguous", "unmatched", "error"))
    lines += [
        f"{len(pairs)} distinct titles: {counts}. Accept threshold: {accept_score}.",
        "",
        f"To pin a decision, paste the line you agree with into `{overrides_path}`"
        " (header: `title,arxiv_id,s2_paper_id,note`); later runs obey it without searching."
        f" A line whose note starts with GUESS names a candidate below the accept score ({accept_score:.2f}):"
        " most often another paper; paste it only after checking it is the one the list means.",
        "",
    ]

    def section(title: str, items: list[tuple[TitleRecord, Resolution]], explain: str) -> None:
        lines.extend([f"## {title} ({len(items)})", "", explain, ""])
        for record, res in items:
            lines.append(f"### {record.title}")
            lines.append("")
            lines.append(f"- in: {_where(record)}")
            lines.append(f"- why: {res.reason or '—'}")
            cands = _candidates(res)
            if cands:
                lines.extend(["", "| candidate | arXiv | S2 | score | why not |", "|---|---|---|---|---|"])
                for c in cands:
                    lines.append(
                        f"| {_md(c.get('title'))} | {_md(c.get('arxiv_id'))} | {_md(c.get('s2_paper_id'))}"
                        f" | {format_score(c.get('score'))} | {_md(c.get('why'))} |"
                    )
            lines.extend(["", "```csv"])
            for c in cands:
                note = override_note(c.get("score"), accept_score)
                lines.append(override_line(record.title, c.get("arxiv_id"), c.get("s2_paper_id"), note))
            lines.append(override_line(record.title, None, None, "not a paper we can find"))
            lines.extend(["```", ""])

    section(
        "Ambiguous",
        by_status.get("ambiguous", []),
        "Two different papers fit about equally well; nothing was guessed.",
    )
    section(
        "Unmatched",
        by_status.get("unmatched", []),
        "No candidate reached the threshold. The best rejected candidate is shown with the reason.",
    )
    errors = by_status.get("error", [])
    lines += [f"## Lookup errors ({len(errors)})", "", "A source could not be asked; these are retried next run.", ""]
    lines += [f"- {_md(r.title)} ({_where(r)}): {_md(res.reason)}" for r, res in errors]
    lines += ["", f"## arXiv and Semantic Scholar disagree ({len(disagreeing)})", ""]
    lines += [
        f"- {_md(r.title)}: we resolved arXiv {res.arxiv_id}, Semantic Scholar links it to arXiv {other}"
        for r, res, other in disagreeing
    ]
    matched = sorted(
        (p for p in by_status.get("matched", []) if p[1].score is not None and p[1].route != "identifier"),
        key=lambda p: p[1].score or 0.0,
    )[:LOW_SCORE_SPOT_CHECKS]
    lines += ["", f"## Lowest-scoring accepted matches (spot check, {len(matched)})", ""]
    lines += ["| as written | accepted title | arXiv | score | route |", "|---|---|---|---|---|"]
    lines += [
        f"| {_md(r.title)} | {_md(res.title)} | {_md(res.arxiv_id)} | {format_score(res.score)} | {_md(res.route)} |"
        for r, res in matched
    ]
    lines += skipped_section(skipped)
    lines.append("")
    return "\n".join(lines)


#: Lines shown per reason in the review's skipped-lines section (the rest are counted).
SKIPPED_EXAMPLES = 5


def skipped_section(skipped: Sequence[SkippedLine]) -> list[str]:
    """The lines of the lists that were not read as papers, by reason: kept in view, never silently dropped.

    Short on purpose (a few examples per reason): a heading or an author line is rarely a mistake, but a
    paper the parser did not recognise shows up here, and its fix is to write the line as a title.
    """
    by_reason: dict[str, list[SkippedLine]] = {}
    for line in skipped:
        by_reason.setdefault(line.reason, []).append(line)
    out = [
        "",
        f"## Lines not read as papers ({len(skipped)})",
        "",
        "Headings, prose, links and notes of the lists, by reason. A paper among them is a line the parser"
        " could not read as a title: write it as a bullet with the title alone (or add its arXiv link).",
        "",
    ]
    for reason, lines in sorted(by_reason.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        shown = ", ".join(
            f"`{x.source_file}:{x.line}` {_md(x.text if len(x.text) <= 60 else x.text[:57] + '…')}"
            for x in lines[:SKIPPED_EXAMPLES]
        )
        more = f" … and {len(lines) - SKIPPED_EXAMPLES} more" if len(lines) > SKIPPED_EXAMPLES else ""
        out.append(f"- **{_md(reason)}** ({len(lines)}): {shown}{more}")
    return out
