"""The package's layout holds: one package per concern, no reaching into another package's private names, no cycles.

``paper_catalogue/lists`` (reading lists in, entries out), ``paper_catalogue/matching`` (pure title matching),
``paper_catalogue/sources`` (the only code that talks to the network), ``paper_catalogue/outputs`` (files for people),
and the run itself at the top (``cli``, ``stages``, ``progress``) with the records and settings every package shares.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "paper_catalogue"
CONCERNS = ("lists", "matching", "sources", "outputs", "stages")
#: What each concern may import from the others (the shared top-level modules are open to all).
ALLOWED = {
    "lists": {"matching"},
    "matching": set(),
    "sources": {"matching"},
    "outputs": {"matching"},
    "stages": {"lists", "matching", "sources", "outputs"},
}
#: Modules only the network layer may import.
NETWORK_LIBRARIES = {"requests", "requests_cache", "httpx", "urllib3", "arxiv", "semanticscholar", "tenacity"}


def _modules() -> dict[str, ast.Module]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        name = ".".join(("paper_catalogue", *path.relative_to(PACKAGE).with_suffix("").parts)).removesuffix(".__init__")
        out[name] = ast.parse(path.read_text(encoding="utf-8"))
    return out


def _concern(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 and parts[1] in CONCERNS else None


def _runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node but those under ``if TYPE_CHECKING:`` (type names, not imports that run)."""
    out: list[ast.AST] = []
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            continue
        out += [node, *_runtime_nodes(node)]
    return out


def _imports(tree: ast.Module) -> list[tuple[str, list[str]]]:
    found = []
    for node in _runtime_nodes(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            found += [(a.name, []) for a in node.names]
    return found


def test_no_module_imports_another_packages_private_names() -> None:
    bad = []
    for module, tree in _modules().items():
        for target, names in _imports(tree):
            if not target.startswith("pipeline.") or _concern(target) in (None, _concern(module)):
                continue
            bad += [f"{module} imports {target}.{n}" for n in names if n.startswith("_")]
    assert not bad, bad


def test_concerns_import_only_what_their_layer_allows() -> None:
    bad = []
    for module, tree in _modules().items():
        mine = _concern(module)
        for target, _ in _imports(tree):
            theirs = _concern(target) if target.startswith("pipeline.") else None
            if mine and theirs and theirs != mine and theirs not in ALLOWED[mine]:
                bad.append(f"{module} → {target}")
            # paper_catalogue.cli runs the commands; the package itself offers analysts load_catalogue (a late import)
            if not mine and theirs and module not in ("paper_catalogue.cli", "paper_catalogue") and theirs != "stages":
                # shared top-level modules (config, models, errors, storage, progress) depend on no concern
                bad.append(f"{module} → {target}")
    assert not bad, bad


def test_only_sources_talk_to_the_network() -> None:
    bad = []
    for module, tree in _modules().items():
        if _concern(module) == "sources":
            continue
        for target, _ in _imports(tree):
            if target.split(".")[0] in NETWORK_LIBRARIES:
                bad.append(f"{module} imports {target}")
    assert not bad, bad


def test_no_import_cycles_between_modules() -> None:
    mods = _modules()
    graph: dict[str, set[str]] = defaultdict(set)
    for module, tree in mods.items():
        for node in tree.body:  # module-level imports only: a function-level import is a deliberate late one
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("paper_catalogue"):
                graph[module].add(node.module)
                graph[module] |= {f"{node.module}.{a.name}" for a in node.names if f"{node.module}.{a.name}" in mods}
    graph = {m: {t for t in ts if t in mods and t != m and not m.startswith(t + ".")} for m, ts in graph.items()}
    state: dict[str, int] = {}
    cycles = []

    def visit(m: str, path: list[str]) -> None:
        state[m] = 1
        for t in sorted(graph.get(m, ())):
            if state.get(t) == 1:
                cycles.append(" → ".join([*path[path.index(t) :], t]) if t in path else f"{m} → {t}")
            elif t not in state:
                visit(t, [*path, t])
        state[m] = 2

    for m in sorted(mods):
        if m not in state:
            visit(m, [m])
    assert not cycles, cycles
