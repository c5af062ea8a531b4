"""Stage files checked on load, one schema per file, and one way to treat a damaged one everywhere.

A file in ``data/interim/`` that months of scheduled runs, a full disk or a hand edit left damaged is not a
reason to stop every run: everything in it can be rebuilt, the titles from the reading lists, decisions and
records from the APIs (answers still in the HTTP cache cost no request). So:

* a file that cannot be read at all (not UTF-8, not JSON, the wrong shape) is moved aside as
  ``<name>.damaged-<UTC time>``, kept for inspection, and the stage starts from nothing;
* an entry that does not fit the schema (a resolution without ``status``, a ``null`` record, a date that is no
  date) is named and dropped, the rest is kept: the file as it was is moved aside too, and the good entries are
  written back at once, so every later reader in the run sees a clean file and says nothing more.

Either way the run says what it found, where it kept the damaged file, and what will be rebuilt.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from paper_catalogue.models import ArxivRecord, Resolution, S2Record, SkippedLine, TitleRecord
from paper_catalogue.storage import move_aside, write_json_atomic

log = logging.getLogger(__name__)

Report = Callable[[str], None]

#: JSON types that a field annotation's names allow (``from __future__ import annotations`` makes them strings).
_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "str": (str,),
    "int": (int,),
    "float": (int, float),
    "bool": (bool,),
    "None": (type(None),),
    "list": (list,),
    "tuple": (list,),
    "dict": (dict,),
    "datetime": (str,),
    "Any": (object,),
}


def _allowed(annotation: str) -> tuple[type, ...]:
    allowed: tuple[type, ...] = ()
    for part in annotation.split("|"):
        name = part.strip().split("[", 1)[0]
        allowed += _JSON_TYPES.get(name, (dict,))  # another record type nested in this one: a JSON object
    return allowed


def record_problem(cls: type, data: Any) -> str | None:
    """Why ``data`` is not what ``cls.to_dict()`` writes (names the first field that is wrong), or None."""
    if not isinstance(data, dict):
        return f"{type(data).__name__ if data is not None else 'null'} instead of an object"
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - set(fields))
    if unknown:
        return f"unknown field {unknown[0]!r}"
    for name, spec in fields.items():
        if name not in data:
            if spec.default is dataclasses.MISSING and spec.default_factory is dataclasses.MISSING:
                return f"no {name!r}"
            continue
        value, allowed = data[name], _allowed(str(spec.type))
        if (isinstance(value, bool) and bool not in allowed) or not isinstance(value, allowed):
            return f"{name!r} is {json.dumps(value)[:40]}"
    try:
        cls.from_dict(data)  # type: ignore[attr-defined]
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        return str(exc)
    return None


@dataclass(frozen=True)
class StageFile:
    """What one stage file holds: the top-level key of its entries, their shape, and what rebuilding means."""

    container: str  # "records" | "resolutions"
    container_type: type  # list or dict
    check_entry: Callable[[Any], str | None]
    rebuild_all: str  # what happens when the whole file was lost
    rebuild_some: str  # ... when some entries were


def _store_entry(record_cls: type) -> Callable[[Any], str | None]:
    def check(entry: Any) -> str | None:
        if not isinstance(entry, dict):
            return f"{type(entry).__name__ if entry is not None else 'null'} instead of an object"
        record = entry.get("record")
        if record is not None and (why := record_problem(record_cls, record)):
            return f"record: {why}"
        for key in ("fetched_at", "failed_at"):
            value = entry.get(key)
            if value is None:
                continue
            if not isinstance(value, str):
                return f"{key!r} is not a time"
            try:
                datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                return f"{key!r} is not a time ({value[:30]!r})"
        if entry.get("error") is not None and not isinstance(entry.get("error"), str):
            return "'error' is not text"
        if record is None and not (entry.get("error") or entry.get("unknown")):
            return "neither a record nor why there is none"
        return None

    return check


def _resolution(entry: Any) -> str | None:
    return record_problem(Resolution, entry)


def _title_record(entry: Any) -> str | None:
    return record_problem(TitleRecord, entry)


_FREE = "answers still in the HTTP cache cost no request"
SCHEMAS: dict[str, StageFile] = {
    "titles.json": StageFile(
        "records", list, _title_record, "it is rebuilt from the reading lists", "it is rebuilt from the reading lists"
    ),
    "resolved.json": StageFile(
        "resolutions",
        dict,
        _resolution,
        f"the resolve stage decides every title again ({_FREE}; overrides still hold)",
        f"the resolve stage decides those titles again ({_FREE})",
    ),
    "arxiv.json": StageFile(
        "records",
        dict,
        _store_entry(ArxivRecord),
        "the arxiv stage fetches every record again",
        "the arxiv stage fetches those records again",
    ),
    "s2.json": StageFile(
        "records",
        dict,
        _store_entry(S2Record),
        "the semantic_scholar stage fetches every record again",
        "the semantic_scholar stage fetches those records again",
    ),
}


_MISSING = object()


def _read(path: Path) -> tuple[Any, str | None]:
    """The parsed JSON, or why it could not be had; (_MISSING, None) for a missing file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return _MISSING, None
    except UnicodeDecodeError as exc:
        return None, f"not UTF-8 text (byte {exc.start})"
    except OSError as exc:
        return None, f"cannot read it ({exc.strerror or exc})"
    try:
        return json.loads(text), None
    except json.JSONDecodeError as exc:
        return None, f"not JSON (line {exc.lineno}: {exc.msg})"


def load_stage_file(path: Path, report: Report) -> dict[str, Any] | None:
    """The stage file at ``path`` with only entries that fit its schema; None when missing or unusable as a whole.

    Damage is reported through ``report`` (once: the file is moved aside, and a cleaned copy written back).
    """
    schema = SCHEMAS[path.name]
    data, why = _read(path)
    if data is _MISSING:
        return None
    if why is None:
        if not isinstance(data, dict):
            why = f"JSON {json.dumps(data)[:20]} instead of an object"
        elif not isinstance(data.get(schema.container, schema.container_type()), schema.container_type):
            why = f"{schema.container!r} is not a JSON {'list' if schema.container_type is list else 'object'}"
    if why is not None:
        kept = move_aside(path)
        report(f"{path} was damaged ({why}); moved it to {kept.name}; {schema.rebuild_all}")
        return None
    entries = data.get(schema.container, schema.container_type())
    bad: list[str] = []
    if isinstance(entries, list):
        good_list = []
        for number, entry in enumerate(entries, start=1):
            problem = schema.check_entry(entry)
            if problem is None:
                good_list.append(entry)
            else:
                bad.append(f"entry {number}: {problem}")
        cleaned: Any = good_list
    else:
        good_dict = {}
        for key, entry in entries.items():
            problem = schema.check_entry(entry)
            if problem is None and schema.container == "resolutions" and entry.get("norm") != key:
                problem = "its 'norm' is not its key"
            if problem is None:
                good_dict[key] = entry
            else:
                bad.append(f"{key!r}: {problem}")
        cleaned = good_dict
    extra = _check_extras(path.name, data)
    if extra is not None:
        bad.append(extra[0])
        data = {**data, **extra[1]}
    if not bad:
        return data
    data = {**data, schema.container: cleaned}
    kept = move_aside(path)
    write_json_atomic(path, data)
    more = f" and {len(bad) - 3} more" if len(bad) > 3 else ""
    report(
        f"{path}: {len(bad)} damaged entr{'y' if len(bad) == 1 else 'ies'} dropped ({'; '.join(bad[:3])}{more});"
        f" the file as it was is kept as {kept.name}; {schema.rebuild_some}"
    )
    return data


def _check_extras(name: str, data: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """Top-level fields besides the entries: a bad one is named and replaced by the value that rebuilds safely."""
    if name == "resolved.json":
        version = data.get("resolver_version", 0)
        if not isinstance(version, int) or isinstance(version, bool):
            # 0 revisits every non-match with today's matcher; matches are never revisited, so nothing is lost.
            return f"'resolver_version' is {json.dumps(version)[:20]}", {"resolver_version": 0}
    if name == "titles.json":
        skipped = data.get("skipped", [])
        if not isinstance(skipped, list) or any(record_problem(SkippedLine, s) for s in skipped):
            return "'skipped' is not a list of skipped lines", {"skipped": []}
    return None


def reporter(notes: list[str]) -> Report:
    """Report damage as a warning now and a note in the run summary."""

    def report(message: str) -> None:
        log.warning("%s", message)
        notes.append(message)

    return report
