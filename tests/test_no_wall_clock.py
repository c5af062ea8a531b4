"""No test asserts a wall time: the machines that run CI are shared, and such a test fails at random.

A regression in speed is caught by `make bench` (ratios measured side by side in one run), a regression in
complexity by asserting what grows (calls, rows, requests). This test reads every test file and fails on an
``assert`` that compares a clock reading (``time.monotonic()``, ``perf_counter()``, ``time.time()``, or a name
assigned from one) with a number. Two kinds of bound are allowed, each with a ``# wall-clock: <why>`` comment on
the assert's line: a lower bound where a wait is the behaviour under test, and a generous termination bound
(minutes) where ending at all is the behaviour.
"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent
CLOCKS = {"monotonic", "perf_counter", "time", "monotonic_ns", "perf_counter_ns", "time_ns"}
MARKER = "# wall-clock:"


def _is_clock_call(node: ast.AST) -> bool:
    if not isinstance(node, ast.Call):
        return False
    f = node.func
    if isinstance(f, ast.Attribute):
        return f.attr in CLOCKS and isinstance(f.value, ast.Name) and f.value.id == "time"
    return isinstance(f, ast.Name) and f.id in CLOCKS - {"time"}


def _uses(node: ast.AST, clock_names: set[str]) -> bool:
    return any(_is_clock_call(n) or (isinstance(n, ast.Name) and n.id in clock_names) for n in ast.walk(node))


def _has_number(node: ast.AST) -> bool:
    return any(
        isinstance(n, ast.Constant) and isinstance(n.value, int | float) and not isinstance(n.value, bool)
        for n in ast.walk(node)
    )


def timed_asserts(source: str) -> list[int]:
    """Line numbers of unmarked asserts that compare a clock reading with a number."""
    tree = ast.parse(source)
    lines = source.splitlines()
    clock_names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and _uses(node.value, clock_names):
            clock_names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Assert):
            continue
        for cmp in (n for n in ast.walk(node.test) if isinstance(n, ast.Compare)):
            operands = [cmp.left, *cmp.comparators]
            timed = any(_uses(o, clock_names) for o in operands)
            bound = any(_has_number(o) and not _uses(o, clock_names) for o in operands)
            if timed and bound:
                if MARKER not in lines[node.lineno - 1]:
                    found.append(node.lineno)
                break
    return found


def test_no_test_asserts_a_wall_time() -> None:
    offenders = [
        f"{path.relative_to(TESTS.parent)}:{line}"
        for path in sorted(TESTS.rglob("*.py"))
        for line in timed_asserts(path.read_text(encoding="utf-8"))
    ]
    assert not offenders, (
        "these asserts compare a wall time with a number (flaky on a busy machine): assert behaviour, time it "
        f"in benchmarks/, or mark a lower/termination bound with '{MARKER} <why>': {offenders}"
    )


def test_the_check_finds_the_patterns_it_is_for() -> None:
    src = (
        "import time\n"
        "def t():\n"
        "    start = time.perf_counter()\n"
        "    work()\n"
        "    elapsed = time.perf_counter() - start\n"
        "    assert elapsed < 1.0, elapsed\n"
        "    assert time.monotonic() - start < 2.5\n"
        "    assert len(x) == 3 and time.perf_counter() - start < 2.5\n"
        "    assert time.monotonic() - start >= 0.2  # wall-clock: lower bound (the wait is the behaviour)\n"
        "    assert len(x) == 3\n"
    )
    assert timed_asserts(src) == [6, 7, 8]
