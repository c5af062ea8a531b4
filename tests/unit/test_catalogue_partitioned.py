"""The partitioned copy of the catalogue: the same rows, columns and types as catalogue.parquet, read back by pyarrow,
pandas and DuckDB; swapped in whole; written when ``[outputs] partitioned`` says; removed when it no longer matches."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from paper_catalogue.config import ConfigError, load_settings
from paper_catalogue.outputs import catalogue, partitioned
from paper_catalogue.outputs.partitioned import PARTITIONED_DIR, PARTITIONING

META = catalogue.run_metadata("cafe0123", "2026-11-25T00:00:00Z", "fixture")


def _rows() -> list[dict[str, Any]]:
    """Three years and a row without one; nulls in every kind of column; lists, timestamps, booleans."""
    return [
        {
            "key": "arxiv:1810.04805",
            "title": "BERT",
            "authors": ["Jacob Devlin", "Ming-Wei Chang"],
            "categories": ["cs.CL"],
            "published": datetime(2018, 10, 11, 0, 38, 15, tzinfo=UTC),
            "year": 2019,
            "citation_count": 100,
            "match_score": 0.97,
            "match_status": "matched",
            "provenance": ["a.md:3", "b.md:9"],
            "stale": False,
        },
        {"key": "arxiv:1907.11692", "title": "RoBERTa", "year": 2019, "citation_count": None, "stale": True},
        {"key": "s2:" + "a" * 40, "title": "GPT-3", "year": 2020, "authors": [], "match_score": 1.0},
        {"key": "title:0f0f", "entry_title": "Unknown paper", "match_status": "unmatched", "year": None},
        {"key": "arxiv:2303.17564", "title": "BloombergGPT", "year": 2023, "list_year": 2023, "abstract": "é 中文"},
    ]


def _write(folder: Path, rows: list[dict[str, Any]] | None = None) -> tuple[Path, Path]:
    frame = catalogue.to_frame(_rows() if rows is None else rows)
    parquet, _ = catalogue.write_catalogue(frame, folder, META)
    return parquet, partitioned.write_partitioned(frame, folder, META)


def _by_key(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values("key", kind="stable").reset_index(drop=True)


def _sorted_table(table: pa.Table) -> pa.Table:
    return table.sort_by("key")


def _catalogue_metadata(schema: pa.Schema) -> dict[bytes, bytes]:
    return {k: v for k, v in (schema.metadata or {}).items() if k.startswith(b"paper_catalogue.")}


# --------------------------------------------------------------------------- read back: same rows, columns, types


def test_pyarrow_reads_the_same_table_as_catalogue_parquet(tmp_path: Path) -> None:
    parquet, dataset = _write(tmp_path)
    single = pq.read_table(parquet)
    table = ds.dataset(dataset, format="parquet", partitioning=PARTITIONING).to_table().select(list(catalogue.COLUMNS))
    assert table.schema.remove_metadata().equals(single.schema.remove_metadata())
    assert table.schema.remove_metadata().equals(catalogue.ARROW_SCHEMA)
    assert _sorted_table(table).equals(_sorted_table(single))
    # The run metadata travels with the dataset (every file carries it).
    assert table.schema.metadata == single.schema.metadata
    assert _catalogue_metadata(table.schema) == {k.encode(): v.encode() for k, v in META.items()}


def test_pandas_reads_the_same_frame_as_catalogue_parquet(tmp_path: Path) -> None:
    parquet, dataset = _write(tmp_path)
    single = pd.read_parquet(parquet)
    frame = pd.read_parquet(dataset, partitioning=PARTITIONING)
    assert set(frame.columns) == set(catalogue.COLUMNS)
    pd.testing.assert_frame_equal(_by_key(frame[list(catalogue.COLUMNS)]), _by_key(single))


def test_read_partitioned_gives_what_load_catalogue_gives(tmp_path: Path) -> None:
    _, dataset = _write(tmp_path)
    expected = catalogue.load_catalogue(tmp_path)
    assert expected is not None
    frame = partitioned.read_partitioned(dataset)
    assert list(frame.columns) == list(catalogue.COLUMNS)
    assert frame.dtypes.to_dict() == expected.dtypes.to_dict()
    pd.testing.assert_frame_equal(_by_key(frame), _by_key(expected))


def test_pyarrow_without_options_still_reads_it(tmp_path: Path) -> None:
    """What an analyst types first works: the partition column comes back last, with the reader's own type (int32).

    (Not ``pandas.read_parquet(folder)`` without ``partitioning=PARTITIONING``: pandas asks pyarrow for dictionary
    partitions, which neither its Int64 dtype nor pyarrow 26, given the null year of ``__HIVE_DEFAULT_PARTITION__``,
    can convert.)
    """
    _, dataset = _write(tmp_path)
    table = ds.dataset(dataset, format="parquet", partitioning="hive").to_table()
    assert set(table.column_names) == set(catalogue.COLUMNS) and table.column_names[-1] == "year"
    assert sorted(table.column("year").to_pylist(), key=str) == sorted((r["year"] for r in _rows()), key=str)


def test_duckdb_reads_the_same_rows_columns_and_types(tmp_path: Path) -> None:
    parquet, dataset = _write(tmp_path)
    glob = f"{dataset}/**/*.parquet"
    columns = ", ".join(f'"{c}"' for c in catalogue.COLUMNS)
    con = duckdb.connect()
    try:
        single = con.sql(f"DESCRIBE SELECT {columns} FROM read_parquet('{parquet}')").fetchall()
        hive = con.sql(f"DESCRIBE SELECT {columns} FROM read_parquet('{glob}', hive_partitioning = true)").fetchall()
        assert [row[:2] for row in hive] == [row[:2] for row in single]
        star = con.sql(f"DESCRIBE SELECT * FROM read_parquet('{glob}', hive_partitioning = true)").fetchall()
        assert sorted(row[:2] for row in star) == sorted(row[:2] for row in single)  # no extra column
        rows = f"SELECT {columns} FROM read_parquet('{{}}'{{}}) ORDER BY key"
        assert (
            con.sql(rows.format(glob, ", hive_partitioning = true")).fetchall()
            == con.sql(rows.format(parquet, "")).fetchall()
        )
        # Partition pruning is what the layout is for: a year filter reads that folder only.
        recent = f"SELECT key FROM read_parquet('{glob}', hive_partitioning = true) WHERE year >= 2020 ORDER BY key"
        assert [k for (k,) in con.sql(recent).fetchall()] == ["arxiv:2303.17564", "s2:" + "a" * 40]
        nulls = f"SELECT count(*) FROM read_parquet('{glob}', hive_partitioning = true) WHERE year IS NULL"
        assert con.sql(nulls).fetchall() == [(1,)]
    finally:
        con.close()


def test_layout_is_hive_by_year_with_the_run_metadata_in_every_file(tmp_path: Path) -> None:
    _, dataset = _write(tmp_path)
    folders = sorted(p.name for p in dataset.iterdir())
    assert folders == ["year=2019", "year=2020", "year=2023", "year=__HIVE_DEFAULT_PARTITION__"]
    files = sorted(dataset.rglob("*.parquet"))
    assert len(files) == 4
    for path in files:
        schema = pq.read_schema(path)
        assert "year" not in schema.names  # in the folder name, not twice
        assert schema.names == [c for c in catalogue.COLUMNS if c != "year"]
        assert _catalogue_metadata(schema) == {k.encode(): v.encode() for k, v in META.items()}
        assert schema.metadata == pq.read_schema(tmp_path / "catalogue.parquet").metadata  # pandas' dtypes too
    assert pq.read_table(dataset / "year=2019").num_rows == 2


def test_an_empty_catalogue_gives_a_dataset_with_the_columns(tmp_path: Path) -> None:
    _, dataset = _write(tmp_path, rows=[])
    frame = partitioned.read_partitioned(dataset)
    assert len(frame) == 0 and list(frame.columns) == list(catalogue.COLUMNS)
    con = duckdb.connect()
    try:
        count = con.sql(f"SELECT count(*) FROM read_parquet('{dataset}/**/*.parquet', hive_partitioning = true)")
        assert count.fetchall() == [(0,)]
    finally:
        con.close()


def test_catalogue_parquet_and_csv_are_unchanged_by_the_copy(tmp_path: Path) -> None:
    frame = catalogue.to_frame(_rows())
    alone = tmp_path / "alone"
    catalogue.write_catalogue(frame, alone, META)
    parquet, _ = _write(tmp_path / "both")
    assert pq.read_table(parquet).equals(pq.read_table(alone / "catalogue.parquet"))
    assert pq.read_schema(parquet).metadata == pq.read_schema(alone / "catalogue.parquet").metadata
    assert (parquet.parent / "catalogue.csv").read_bytes() == (alone / "catalogue.csv").read_bytes()
    loaded = catalogue.read_catalogue(parquet.parent)  # still reads catalogue.parquet
    assert list(loaded.columns) == list(catalogue.COLUMNS) and len(loaded) == len(_rows())


# --------------------------------------------------------------------------- the swap


def _hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_a_new_write_replaces_the_old_dataset_whole_and_leaves_no_temp_folder(tmp_path: Path) -> None:
    _write(tmp_path)
    first = {p.name for p in (tmp_path / PARTITIONED_DIR).rglob("*.parquet")}
    _, dataset = _write(tmp_path, rows=[{"key": "arxiv:2501.00001", "year": 2025}])
    assert sorted(p.name for p in dataset.iterdir()) == ["year=2025"]
    files = {p.name for p in dataset.rglob("*.parquet")}
    assert files.isdisjoint(first)  # new names: a reader holding old paths fails, never mixes two runs
    assert partitioned.read_partitioned(dataset).key.tolist() == ["arxiv:2501.00001"]
    assert _hidden(tmp_path) == []


def test_a_failed_write_leaves_the_previous_dataset_and_no_temp_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, dataset = _write(tmp_path)
    before = sorted((p.relative_to(dataset), p.read_bytes()) for p in dataset.rglob("*.parquet"))
    real = partitioned.ds.write_dataset

    def half_then_fail(table: pa.Table, root: Any, **kwargs: Any) -> None:
        real(table.slice(0, 1), root, **kwargs)  # some files are already there when the disk fills
        raise OSError("disk full")

    monkeypatch.setattr(partitioned.ds, "write_dataset", half_then_fail)
    with pytest.raises(OSError, match="disk full"):
        partitioned.write_partitioned(catalogue.to_frame(_rows()), tmp_path, META)
    assert sorted((p.relative_to(dataset), p.read_bytes()) for p in dataset.rglob("*.parquet")) == before
    assert _hidden(tmp_path) == []


def test_leftovers_of_a_killed_write_are_removed_by_the_next(tmp_path: Path) -> None:
    for name in (".catalogue_partitioned.k3j2x9_a.tmp", ".catalogue_partitioned.0a1b2c3d.old"):
        (tmp_path / name / "year=2019").mkdir(parents=True)
        (tmp_path / name / "year=2019" / "part-0.parquet").write_bytes(b"half")
    (tmp_path / ".catalogue.parquet.k3j2x9_a.parquet").write_bytes(b"not ours to remove here")
    _write(tmp_path)
    assert _hidden(tmp_path) == [".catalogue.parquet.k3j2x9_a.parquet"]


def test_folders_get_the_users_normal_mode(tmp_path: Path) -> None:
    _, dataset = _write(tmp_path)
    umask = os.umask(0o022)
    os.umask(umask)
    assert dataset.stat().st_mode & 0o777 == 0o777 & ~umask
    for path in dataset.rglob("*"):
        expected = 0o777 if path.is_dir() else 0o666
        assert path.stat().st_mode & 0o777 == expected & ~umask, path


def test_remove_partitioned_removes_a_stale_dataset_only(tmp_path: Path) -> None:
    assert partitioned.remove_partitioned(tmp_path) is False
    _write(tmp_path)
    assert partitioned.remove_partitioned(tmp_path) is True
    assert sorted(p.name for p in tmp_path.iterdir()) == ["catalogue.csv", "catalogue.parquet"]


# --------------------------------------------------------------------------- when it is written


@pytest.mark.parametrize(
    ("mode", "rows", "snapshot", "expected"),
    [
        ("auto", 10, False, False),
        ("auto", partitioned.AUTO_PARTITION_ROWS, False, False),
        ("auto", partitioned.AUTO_PARTITION_ROWS + 1, False, True),
        ("auto", 10, True, True),
        ("always", 0, False, True),
        ("never", 10**7, True, False),
    ],
)
def test_should_partition(mode: str, rows: int, snapshot: bool, expected: bool) -> None:
    assert partitioned.should_partition(mode, rows, snapshot) is expected


def _settings(tmp_path: Path, outputs: str = "", snapshot: str = "") -> Any:
    config = tmp_path / "config.toml"
    config.write_text(f'[paths]\nenriched = "enriched"\n{snapshot}{outputs}', encoding="utf-8")
    return load_settings(config, env={})


def test_the_stage_writes_the_copy_when_asked_and_removes_a_stale_one(tmp_path: Path) -> None:
    from paper_catalogue.stages.catalogue import write_or_drop_partitioned

    frame = catalogue.to_frame(_rows())
    always = SimpleNamespace(settings=_settings(tmp_path, '[outputs]\npartitioned = "always"\n'))
    always.summary = SimpleNamespace(notes=[])
    (written,) = write_or_drop_partitioned(always, frame, META)  # type: ignore[arg-type]
    assert written == always.settings.paths.enriched / PARTITIONED_DIR and written.is_dir()

    snapshot_mode = SimpleNamespace(settings=_settings(tmp_path, snapshot="[snapshot]\nenabled = true\n"))
    snapshot_mode.summary = SimpleNamespace(notes=[])
    assert write_or_drop_partitioned(snapshot_mode, frame, META) == (written,)  # type: ignore[arg-type]

    small = SimpleNamespace(settings=_settings(tmp_path), summary=SimpleNamespace(notes=[]))  # auto, 5 rows
    assert write_or_drop_partitioned(small, frame, META) == ()  # type: ignore[arg-type]
    assert not written.exists()
    assert small.summary.notes and "removed" in small.summary.notes[0] and "'auto'" in small.summary.notes[0]
    assert write_or_drop_partitioned(small, frame, META) == ()  # type: ignore[arg-type]
    assert len(small.summary.notes) == 1  # nothing to remove the second time, nothing said


# --------------------------------------------------------------------------- the config key


def test_partitioned_defaults_to_auto_and_the_project_configs_say_so() -> None:
    root = Path(__file__).resolve().parents[2]
    for path in (root / "config.toml", root / "demo" / "config.toml"):
        assert load_settings(path, env={}).outputs.partitioned == "auto"


def test_the_default_is_auto(tmp_path: Path) -> None:
    assert _settings(tmp_path).outputs.partitioned == "auto"


@pytest.mark.parametrize("mode", ["auto", "always", "never"])
def test_each_mode_is_accepted(tmp_path: Path, mode: str) -> None:
    assert _settings(tmp_path, f'[outputs]\npartitioned = "{mode}"\n').outputs.partitioned == mode


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[outputs]\npartitioned = "sometimes"\n', r'config.toml:4: \[outputs\] partitioned must be "auto", "always"'),
        ("[outputs]\npartitioned = true\n", r"config.toml:4: \[outputs\] partitioned must be str, got bool"),
        ('[outputs]\npartition = "always"\n', r"config.toml:4: unknown key 'partition' in \[outputs\]"),
    ],
)
def test_a_bad_partitioned_value_is_refused_with_file_and_line(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(ConfigError, match=expected):
        _settings(tmp_path, text)
