"""The resolver on the labelled evaluation set (FIXTURE corpus), in-process through the loopback emulator.

Precision must be exactly 1.0 (a wrong acceptance silently puts the wrong paper in the catalogue);
recall must be at least 0.95. The failure message lists the offending rows with the resolver's reason.
Same run as ``make evaluate`` (``evaluation.run``), minus writing docs/evaluation.md.
"""

from __future__ import annotations

import time

import pytest

from evaluation.run import Report, evaluate

MIN_RECALL = 0.95


@pytest.fixture(scope="module")
def report() -> Report:
    started = time.monotonic()
    result = evaluate()
    assert time.monotonic() - started < 20, "the evaluation must stay fast (< 20 s)"
    return result


def _rows(rows) -> str:
    return "\n".join(
        f"  labelled.csv line {r.line}: {r.written!r} expected {r.expected}, got {r.got or r.status}: {r.reason}"
        for r in rows
    )


def test_every_row_is_resolved_without_errors(report: Report) -> None:
    errors = [r for r in report.rows if r.status == "error"]
    assert not errors, "lookups failed against the emulator:\n" + _rows(errors)
    assert len(report.rows) >= 100


def test_precision_is_one(report: Report) -> None:
    assert report.precision == 1.0, (
        f"precision {report.precision:.3f}: {len(report.wrong)} wrong acceptance(s)\n" + _rows(report.wrong)
    )


def test_recall_at_least_095(report: Report) -> None:
    assert report.recall >= MIN_RECALL, (
        f"recall {report.recall:.3f} < {MIN_RECALL}: {len(report.misses)} miss(es), "
        f"{len([r for r in report.wrong if r.expected != 'none'])} wrong id(s)\n"
        + _rows(report.misses + [r for r in report.wrong if r.expected != "none"])
    )


def test_rows_expected_none_are_never_matched(report: Report) -> None:
    """Titles not in the corpus (or not on arXiv) must end unmatched/ambiguous: the sharpest precision check."""
    accepted = [r for r in report.rows if r.expected == "none" and r.got is not None]
    assert not accepted, "titles not in the corpus were matched:\n" + _rows(accepted)
