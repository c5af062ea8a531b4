"""The resolver on the two labelled evaluation sets (FIXTURE corpus), in-process through the loopback emulator.

- dev set (``evaluation/labelled.csv``): the matcher was tuned on it. Precision must be exactly 1.0,
  recall at least 0.95.
- held-out set (``evaluation/heldout.csv``): written after the tuning without reading the matcher.
  Precision must be exactly 1.0 (a wrong acceptance silently puts the wrong paper in the catalogue;
  it is the one failure never accepted); recall must be at least 0.85.

The failure messages list the offending rows with the resolver's reason. Same runs as
``make evaluate`` (``evaluation.run``), minus writing docs/evaluation.md.
"""

from __future__ import annotations

import time

import pytest

from evaluation.run import HELDOUT_PATH, LABELLED_PATH, Report, evaluate

MIN_RECALL = 0.95
MIN_HELDOUT_RECALL = 0.85


def _evaluate(path) -> Report:
    started = time.monotonic()
    result = evaluate(labelled_path=path)
    assert time.monotonic() - started < 20, "the evaluation must stay fast (< 20 s)"
    return result


@pytest.fixture(scope="module")
def report() -> Report:
    """The dev set (the matcher was tuned on it)."""
    return _evaluate(LABELLED_PATH)


@pytest.fixture(scope="module")
def heldout() -> Report:
    """The held-out set (written without looking at the matcher)."""
    return _evaluate(HELDOUT_PATH)


def _rows(rows, name: str = "labelled.csv") -> str:
    return "\n".join(
        f"  {name} line {r.line}: {r.written!r} expected {r.expected}, got {r.got or r.status}: {r.reason}"
        for r in rows
    )


# ------------------------------------------------------------------------------ dev set


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


# ------------------------------------------------------------------------- held-out set


def test_heldout_is_a_real_set_resolved_without_errors(heldout: Report) -> None:
    errors = [r for r in heldout.rows if r.status == "error"]
    assert not errors, "lookups failed against the emulator:\n" + _rows(errors, "heldout.csv")
    assert len(heldout.rows) >= 75
    assert len(heldout.positives) >= 55
    assert len(heldout.rows) - len(heldout.positives) >= 18


def test_heldout_precision_is_one(heldout: Report) -> None:
    """A wrong paper accepted is the one failure never accepted, on rows the matcher was not tuned on too."""
    assert heldout.precision == 1.0, (
        f"held-out precision {heldout.precision:.3f}: {len(heldout.wrong)} wrong acceptance(s)\n"
        + _rows(heldout.wrong, "heldout.csv")
    )


def test_heldout_rows_expected_none_are_never_matched(heldout: Report) -> None:
    accepted = [r for r in heldout.rows if r.expected == "none" and r.got is not None]
    assert not accepted, "held-out titles not in the corpus were matched:\n" + _rows(accepted, "heldout.csv")


def test_heldout_recall_at_least_085(heldout: Report) -> None:
    wrong_ids = [r for r in heldout.wrong if r.expected != "none"]
    assert heldout.recall >= MIN_HELDOUT_RECALL, (
        f"held-out recall {heldout.recall:.3f} < {MIN_HELDOUT_RECALL}: {len(heldout.misses)} miss(es), "
        f"{len(wrong_ids)} wrong id(s)\n" + _rows(heldout.misses + wrong_ids, "heldout.csv")
    )
