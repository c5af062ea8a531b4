"""Shared fixtures.

Which fixture serves which kind of test:
- ``tests/unit/``: pure code and parsers; recorded real responses under ``tests/fixtures/recorded/``; no sockets.
- ``tests/integration/``: the real session stack (cache, politeness, retries) against the loopback emulator:
  ``emulator`` starts one per test with short intervals; ``make_settings`` builds a Settings pointing at it with every
  path under ``tmp_path``; ``run_cli`` runs ``python -m paper_catalogue`` in-process and returns (exit code, stdout).
- ``tests/emulator/``: the emulator itself, against the real recordings.
Nothing here reaches beyond 127.0.0.1.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED_LISTS = ROOT / "data" / "raw"

#: Intervals used against the emulator in tests: short enough for speed, long enough that a
#: too-early request is a real bug and not clock noise.
ARXIV_INTERVAL_S = 0.05
S2_INTERVAL_S = 0.02
#: How much earlier than the interval an arrival may be stamped before the emulator counts it too early. The stamp
#: is taken when a server thread reads the request, which a busy machine delays by milliseconds; the client's own
#: margin is 2 % + 15 ms, and a client that ignored the limit would arrive a whole interval early.
ARRIVAL_TOLERANCE_S = 0.01


@pytest.fixture
def emulator() -> Iterator[Any]:
    from paper_catalogue_emulator import Emulator, load_seed_corpus

    with Emulator(
        corpus=load_seed_corpus(),
        arxiv_interval_s=ARXIV_INTERVAL_S,
        s2_interval_s=S2_INTERVAL_S,
        tolerance_s=ARRIVAL_TOLERANCE_S,
    ) as emu:
        yield emu


def config_text(emu: Any, *, raw: str = "raw", extra: str = "", origin: str = "fixture") -> str:
    from paper_catalogue_emulator import pipeline_config_text

    return pipeline_config_text(emu, raw=raw, extra=extra, origin=origin)


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[..., Path]:
    """Write a config for the emulator into tmp_path (copying the seed lists) and return its path."""

    def make(emu: Any, *, lists: Path | None = SEED_LISTS, extra: str = "", origin: str = "fixture") -> Path:
        raw = tmp_path / "raw"
        if lists is not None and not raw.exists():
            shutil.copytree(lists, raw)
        raw.mkdir(exist_ok=True)
        path = tmp_path / "config.toml"
        path.write_text(config_text(emu, extra=extra, origin=origin), encoding="utf-8")
        return path

    return make


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str]]:
    from paper_catalogue.cli import main

    def run(*args: str) -> tuple[int, str]:
        code = main(list(args))
        out = capsys.readouterr()
        return code, out.out + out.err

    return run
