"""The exploration notebook runs headless against a small catalogue (no network, no emulator)."""

from __future__ import annotations

import ast
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


def _imports(source: str) -> list[tuple[str, str]]:
    """(module, name) of every import in the notebook's code; ``import x`` gives (x, "")."""
    found: list[tuple[str, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module:
            found += [(node.module, alias.name) for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [(alias.name, "") for alias in node.names]
    return found


def test_notebook_loads_the_catalogue_with_the_public_loader() -> None:
    """Analysts copy from the notebook: it must show the one-liner, not an internal loader of ``outputs``."""
    import nbformat

    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "code")
    imports = _imports(code)
    assert ("paper_catalogue", "load_catalogue") in imports
    assert "catalogue = load_catalogue(CATALOGUE_DIR)" in code
    ours = [(module, name) for module, name in imports if module.split(".")[0] == "paper_catalogue"]
    # Beyond the loader, only the modules paper_catalogue/outputs/__init__.py names public for analysts: the plots and
    # the citation history; never outputs.catalogue (the pipeline's own incremental-run loader) or a private name.
    assert set(ours) <= {
        ("paper_catalogue", "load_catalogue"),
        ("paper_catalogue.outputs", "plots"),
        ("paper_catalogue.outputs.history", "load_history"),
    }, ours
    assert "paper_catalogue.outputs.catalogue" not in code
    assert not [name for _, name in ours if name.startswith("_")]
    intro = nb.cells[0].source
    assert 'from paper_catalogue import load_catalogue; df = load_catalogue("data/enriched")' in intro
    assert "fixture data" in intro.lower()


def test_notebook_explains_how_the_growth_panel_fills() -> None:
    import nbformat

    nb = nbformat.read(NOTEBOOK, as_version=4)
    growth = next(cell.source for cell in nb.cells if cell.source.startswith("## Citation growth"))
    assert "one point per refresh run" in growth
    assert "simulated by the emulator (fixture)" in growth and "make demo-refresh" in growth


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
    markdown = "".join(o.get("data", {}).get("text/markdown", "") for o in outputs if "data" in o)
    assert HOSTILE not in markdown
    assert "any growth below was simulated by the offline emulator" in markdown  # fixture rows: said at the panel
