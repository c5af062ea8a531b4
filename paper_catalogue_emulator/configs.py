"""A pipeline config that points at a running emulator (tests, benchmarks, the evaluation).

One place for it, so the three users cannot drift apart: the same paths layout, the emulator's own
intervals as the politeness limits, a fast retry policy (the emulator answers in milliseconds), and
``data_origin = "fixture"`` because everything the emulator serves is fixture data.
"""

from __future__ import annotations

from typing import Any


def pipeline_config_text(
    emu: Any,
    *,
    raw: str = "raw",
    retry_budget_s: float = 20.0,
    contact: str = "",
    origin: str = "fixture",
    extra: str = "",
) -> str:
    intervals = emu.intervals
    return f"""
[paths]
raw = "{raw}"
interim = "interim"
enriched = "enriched"
cache = "cache/http.sqlite"

[arxiv]
base_url = "{emu.arxiv_url}"
min_interval_s = {intervals["arxiv"]}

[semantic_scholar]
base_url = "{emu.s2_url}"
min_interval_s = {intervals["s2"]}

[http]
contact = "{contact}"
backoff_initial_s = 0.01
backoff_max_s = 0.2
retry_budget_s = {retry_budget_s}

[run]
data_origin = "{origin}"
{extra}
"""
