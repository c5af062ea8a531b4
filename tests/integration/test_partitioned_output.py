"""``[outputs] partitioned`` through a whole run: the catalogue stage writes the partitioned copy next to
catalogue.parquet (the same frame), and a later run that writes none removes it and says so."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from paper_catalogue.outputs.catalogue import load_catalogue
from paper_catalogue.outputs.partitioned import PARTITIONED_DIR, read_partitioned


def test_a_run_writes_the_copy_and_a_later_run_without_it_removes_it(
    emulator: Any, make_settings: Callable[..., Path], run_cli: Callable[..., tuple[int, str]]
) -> None:
    config = make_settings(emulator, extra='[outputs]\npartitioned = "always"\n')
    code, out = run_cli("enrich", "--config", str(config))
    assert code == 0, out
    enriched = config.parent / "enriched"
    dataset = enriched / PARTITIONED_DIR
    assert str(dataset) in out  # listed with the run's outputs
    expected = load_catalogue(enriched)
    assert expected is not None and len(expected) > 0
    frame = read_partitioned(dataset)
    assert frame.year.notna().any()
    by_key = {"by": "key", "ignore_index": True}
    pd.testing.assert_frame_equal(frame.sort_values(**by_key), expected.sort_values(**by_key))

    config.write_text(config.read_text(encoding="utf-8").replace('"always"', '"never"'), encoding="utf-8")
    code, out = run_cli("catalogue", "--config", str(config))
    assert code == 0, out
    assert not dataset.exists()
    assert f"removed {dataset}" in out
    assert not [p for p in enriched.iterdir() if p.name.startswith(f".{PARTITIONED_DIR}")]
