"""The resolver on every labelled evaluation set (FIXTURE corpus), in-process through the loopback emulator.

Every set (``evaluation.run.SETS``: the dev set and held-out sets 1-7) must keep precision exactly 1.0:
a wrong acceptance silently puts the wrong paper in the catalogue, the one failure never accepted, and
its `none` rows (real papers absent from the corpus, close to papers in it) must never be matched.

Recall must stay at least ``MIN_RECALL[key]``: the goal of issue 3, 0.95, for every set but held-out 3,
which keeps one deliberate miss (a title without its first word) and whose floor sits just below its value.
The recorded first runs of the sets written blind (held-out 5-7) must meet the goal together. The failure
messages list the offending rows with the resolver's reason. Same runs as ``make evaluate``
(``evaluation.run``), minus writing docs/evaluation.md.
"""

from __future__ import annotations

import pytest

from evaluation import snapshot_sets
from evaluation.run import (
    BLIND_AFTER_READINGS,
    SETS,
    SETS_BY_KEY,
    Report,
    evaluate,
    list_text,
    pooled_first_runs,
    render,
)
from evaluation.snapshot_sets import MAX_RECALL_LOSS_POINTS, Pair

GOAL_RECALL = 0.95
MIN_RECALL = {"heldout3": 0.94}
DEFAULT_MIN_RECALL = GOAL_RECALL
#: Smallest size for a set to measure anything: rows, rows expecting an id, `none` rows.
MIN_ROWS, MIN_POSITIVES, MIN_NONE = 65, 45, 18


@pytest.fixture(scope="module")
def reports() -> dict[str, Report]:
    out = {}
    for s in SETS:
        out[s.key] = evaluate(labelled_path=s.path)
    return out


def _rows(rows, name: str) -> str:
    return "\n".join(
        f"  {name} line {r.line}: {r.written!r} expected {r.expected}, got {r.got or r.status}: {r.reason}"
        for r in rows
    )


KEYS = [s.key for s in SETS]


@pytest.mark.parametrize("key", KEYS)
def test_set_is_real_and_resolved_without_errors(reports: dict[str, Report], key: str) -> None:
    report = reports[key]
    errors = [r for r in report.rows if r.status == "error"]
    assert not errors, "lookups failed against the emulator:\n" + _rows(errors, report.source.name)
    assert len(report.rows) >= MIN_ROWS
    assert len(report.positives) >= MIN_POSITIVES
    assert len(report.rows) - len(report.positives) >= MIN_NONE


@pytest.mark.parametrize("key", KEYS)
def test_precision_is_one(reports: dict[str, Report], key: str) -> None:
    report = reports[key]
    assert report.precision == 1.0, (
        f"{key} precision {report.precision:.3f}: {len(report.wrong)} wrong acceptance(s)\n"
        + _rows(report.wrong, report.source.name)
    )


@pytest.mark.parametrize("key", KEYS)
def test_rows_expected_none_are_never_matched(reports: dict[str, Report], key: str) -> None:
    """Titles not in the corpus must end unmatched/ambiguous: the sharpest precision check."""
    report = reports[key]
    accepted = [r for r in report.rows if r.expected == "none" and r.got is not None]
    assert not accepted, "titles not in the corpus were matched:\n" + _rows(accepted, report.source.name)


@pytest.mark.parametrize("key", KEYS)
def test_recall_floor(reports: dict[str, Report], key: str) -> None:
    report = reports[key]
    floor = MIN_RECALL.get(key, DEFAULT_MIN_RECALL)
    wrong_ids = [r for r in report.wrong if r.expected != "none"]
    assert report.recall >= floor, (
        f"{key} recall {report.recall:.3f} < {floor}: {len(report.misses)} miss(es), {len(wrong_ids)} wrong id(s)\n"
        + _rows(report.misses + wrong_ids, report.source.name)
    )


def test_the_doc_reports_every_set_with_its_first_run(reports: dict[str, Report]) -> None:
    doc = render(reports)
    for s in SETS:
        report = reports[s.key]
        row = [line for line in doc.splitlines() if line.startswith(f"| {s.label} |")]
        assert row, f"docs/evaluation.md has no table row for {s.key}"
        assert f"**{report.recall:.3f}**" in row[0], f"{s.key} recall not in its table row: {row[0]}"
        if s.first_contact is not None:
            correct, _, positives = s.first_contact
            assert f"({correct}/{positives})" in row[0], f"{s.key} first-run recall not in its table row"
    assert "FIXTURE DATA" in doc


def test_the_recall_goal_is_met_on_the_first_runs_of_the_sets_written_blind() -> None:
    """The *first runs* (recorded, not recomputed) of the blind sets: this pins the claim the docs make."""
    correct, matched, positives = pooled_first_runs()
    assert positives >= 200
    assert correct / positives >= GOAL_RECALL
    assert matched - correct <= 1  # held-out 6's list identifier, since checked (see docs/evaluation.md)
    for key in BLIND_AFTER_READINGS:
        assert SETS_BY_KEY[key].first_contact is not None


@pytest.fixture(scope="module")
def snapshot_runs(reports: dict[str, Report]) -> dict[str, Report]:
    return {s.key: evaluate(labelled_path=s.path, snapshot=True) for s in SETS}


@pytest.mark.parametrize("key", KEYS)
def test_snapshot_mode_decides_as_the_api_path_does(
    reports: dict[str, Report], snapshot_runs: dict[str, Report], key: str
) -> None:
    """Issue 15: from a final snapshot of the same corpus, precision 1.0, recall within a point, no request."""
    api, snap = reports[key], snapshot_runs[key]
    assert snap.precision == 1.0, _rows(snap.wrong, snap.source.name)
    assert 100 * (snap.recall - api.recall) >= -MAX_RECALL_LOSS_POINTS, _rows(snap.misses, snap.source.name)
    assert sum(snap.resolve_requests.values()) == 0 < sum(api.resolve_requests.values())


def test_the_doc_reports_snapshot_mode_with_its_first_run(
    reports: dict[str, Report], snapshot_runs: dict[str, Report]
) -> None:
    pairs = [Pair(s.key, len(reports[s.key].rows), reports[s.key], snapshot_runs[s.key], "-", "-", 1, 0) for s in SETS]
    text = "\n".join(snapshot_sets.render(pairs))
    assert "**First run:**" in text and "-3.0 points" in text  # the before stays next to the after
    assert "worst recall difference **+0.0 points**" in text
    assert all(f"| {s.key} | {len(reports[s.key].rows)} |" in text for s in SETS)


def test_a_table_row_gets_a_header_that_fits_it() -> None:
    """A row with more cells than ``| Title | Venue |`` must not be skipped as ragged by the evaluation."""
    text = list_text("| Transformer-XL | Attentive Language Models Beyond a Fixed-Length Context | ACL 2019 |")
    header = text.splitlines()[0]
    assert header == "| Model | Title | Venue |"
    assert list_text("| Attention Is All You Need | NIPS2017 |").splitlines()[0] == "| Title | Venue |"
