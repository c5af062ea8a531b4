"""Progress lines while a run works, and the summary it ends with.

Kept apart from the stages so that a scheduled run can be quiet and a person at a terminal
sees what is happening (including that a wait is politeness, not a hang).
"""

from __future__ import annotations

import json
import logging
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import TextIO


class JsonLogFormatter(logging.Formatter):
    """One JSON object per log line, for scheduled runs whose logs are collected by machines."""

    def format(self, record: logging.LogRecord) -> str:
        data = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        data.update(getattr(record, "fields", {}))
        return json.dumps(data, ensure_ascii=False)


class Progress:
    """Throttled one-line progress per stage on stderr (or nowhere when quiet; JSON lines with json_mode)."""

    def __init__(
        self, stream: TextIO | None = None, quiet: bool = False, every_s: float = 2.0, json_mode: bool = False
    ) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.quiet = quiet
        self.json_mode = json_mode
        self.every_s = every_s
        self._last = 0.0
        self._stage_started = time.monotonic()
        self._lock = threading.Lock()

    def stage(self, name: str, detail: str = "") -> None:
        self._stage_started = time.monotonic()
        self._last = 0.0
        self.say(f"[{name}] {detail}".rstrip())

    def step(self, name: str, done: int, total: int, detail: str = "", force: bool = False) -> None:
        """Report ``done`` of ``total``; prints at most every ``every_s`` seconds, and at the end."""
        with self._lock:
            now = time.monotonic()
            if not force and done < total and now - self._last < self.every_s:
                return
            self._last = now
            elapsed = now - self._stage_started
            eta_s = elapsed / done * (total - done) if 0 < done < total else None
            if self.json_mode:
                self._emit(
                    {
                        "event": "progress",
                        "stage": name,
                        "done": done,
                        "total": total,
                        "eta_s": None if eta_s is None else round(eta_s, 1),
                        "detail": detail,
                    }
                )
                return
            eta = f", ETA {eta_s:.0f}s" if eta_s is not None else ""
            self.say(f"[{name}] {done}/{total}{eta}{(' ' + detail) if detail else ''}")

    def say(self, text: str) -> None:
        if self.json_mode:
            self._emit({"event": "message", "message": text})
        elif not self.quiet:
            print(text, file=self.stream, flush=True)

    def _emit(self, data: dict[str, object]) -> None:
        if not self.quiet:
            print(json.dumps(data, ensure_ascii=False), file=self.stream, flush=True)


@dataclass
class RunSummary:
    """Everything the final summary prints; also returned to tests and the JSON log."""

    data_origin: str = "live"
    lists_read: int = 0
    title_lines: int = 0
    distinct_titles: int = 0
    skipped_lines: int = 0
    input_problems: list[str] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    reused_resolutions: int = 0
    #: Titles matched in this run, by the route that settled them (``s2-bulk``, ``arxiv-batch``, ``s2-match`` …).
    routes: Counter[str] = field(default_factory=Counter)
    rows: int = 0
    http: dict[str, dict[str, float | int | bool]] = field(default_factory=dict)
    incomplete: list[str] = field(default_factory=list)  # why the catalogue lacks data
    notes: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    seconds: float = 0.0
    #: Set when the run stopped on unusable input or config (exit 2): what the last line says instead of "complete".
    stopped: str | None = None

    @property
    def complete(self) -> bool:
        return not self.incomplete and self.stopped is None

    def render(self) -> str:
        lines = []
        if self.data_origin == "fixture":
            lines.append("*** FIXTURE DATA: served by the local emulator's made-up corpus, not real API data ***")
        lines.append(
            f"titles: {self.title_lines} title lines in {self.lists_read} list(s) → {self.distinct_titles} distinct;"
            f" {self.skipped_lines} non-title line(s) skipped"
        )
        statuses = ", ".join(f"{self.statuses.get(s, 0)} {s}" for s in ("matched", "ambiguous", "unmatched", "error"))
        lines.append(
            f"papers: {self.rows} catalogue rows; {statuses}; {self.reused_resolutions} decided in earlier runs"
        )
        if self.routes:
            by_route = ", ".join(f"{n} by {route}" for route, n in self.routes.most_common())
            lines.append(f"matched in this run: {by_route}")
        for api, label in (("arxiv", "arXiv"), ("s2", "Semantic Scholar")):
            s = self.http.get(api)
            if not s:
                continue
            extra = []
            if s.get("retries"):
                extra.append(f"{s['retries']} retries")
            if s.get("stale_served"):
                extra.append(f"{s['stale_served']} stale from cache")
            if s.get("circuit_open"):
                extra.append("host marked down")
            if s.get("politeness_wait_s"):
                extra.append(f"{float(s['politeness_wait_s']):.1f}s politeness wait")
            tail = f" ({', '.join(extra)})" if extra else ""
            lines.append(
                f"{label}: {s.get('network_requests', 0)} network requests, {s.get('cache_hits', 0)} cache hits{tail}"
            )
        for problem in self.input_problems:
            lines.append(f"input: {problem}")
        for note in self.notes:
            lines.append(f"note: {note}")
        for out in self.outputs:
            lines.append(f"wrote {out}")
        if self.incomplete:
            lines.append(f"INCOMPLETE ({len(self.incomplete)}):")
            lines.extend(f"  - {reason}" for reason in self.incomplete[:20])
            if len(self.incomplete) > 20:
                lines.append(f"  - … and {len(self.incomplete) - 20} more (see data/interim/*.json)")
        if self.stopped is not None:
            lines.append(f"stopped after {self.seconds:.1f}s by {self.stopped}")
        else:
            lines.append(f"done in {self.seconds:.1f}s — {'complete' if self.complete else 'catalogue incomplete'}")
        return "\n".join(lines)
