"""The exploration notebook runs headless against a small catalogue (no network, no emulator)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "explore_catalogue.ipynb"
sys.path.insert(0, str(ROOT / "tests" / "unit"))

MISSING = [m for m in ("nbclient", "nbformat", "ipykernel") if importlib.util.find_spec(m) is None]
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        bool(MISSING),
        reason=f"notebook test needs {', '.join(MISSING)} (pip install -r requirements-dev.txt)",
    ),
]


def test_notebook_is_committed_without_outputs_and_matches_its_generator() -> None:
    import nbformat

    nb = nbformat.read(NOTEBOOK, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
    check = subprocess.run(
        [sys.executable, str(ROOT / "notebooks" / "make_notebook.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stderr


def test_notebook_executes_against_a_tmp_catalogue(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import nbformat
    from nbclient import NotebookClient
    from test_static_report import HOSTILE, write_sample

    enriched = tmp_path / "enriched"
    write_sample(enriched, origin="fixture", snapshots=2)
    monkeypatch.setenv("CATALOGUE_DIR", str(enriched))
    monkeypatch.setenv("MPLBACKEND", "Agg")

    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(ROOT / "notebooks")}}
    )
    client.execute()

    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "\n".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert f"Catalogue: {enriched / 'catalogue.parquet'} (9 rows)" in text
    assert "FIXTURE DATA — not real" in text
    images = [o for o in outputs if o.output_type == "display_data" and "image/png" in o.get("data", {})]
    assert len(images) == 6  # match status, per year, by year, by section, top cited, growth
    html = "\n".join(o.get("data", {}).get("text/html", "") for o in outputs if "data" in o)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and HOSTILE not in html  # pandas escapes cells
    assert HOSTILE not in "".join(o.get("data", {}).get("text/markdown", "") for o in outputs if "data" in o)
