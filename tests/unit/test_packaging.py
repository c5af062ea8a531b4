"""A newcomer's install (issue 17, item 1): ranges in pyproject, pins in requirements, every imported library
declared, the project installed into .venv (``pipeline`` on PATH, ``python -m paper_catalogue`` from any folder),
the default config looked for in the current folder first, a LICENSE, and ``--help`` in plain text."""

from __future__ import annotations

import ast
import importlib.metadata
import os
import re
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from paper_catalogue.config import DEFAULT_CONFIG, ConfigError, find_default_config, load_settings

ROOT = Path(__file__).resolve().parents[2]


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _declared() -> dict[str, Requirement]:
    reqs = [Requirement(r) for r in _pyproject()["project"]["dependencies"]]
    return {_canon(r.name): r for r in reqs}


def _canon(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, version = line.split("==", 1)
            pins[_canon(name)] = version.strip()
    return pins


def test_pyproject_gives_ranges_and_every_range_holds_the_pinned_version() -> None:
    pins = _pins(ROOT / "requirements.txt")
    for name, req in _declared().items():
        assert not any(s.operator == "==" for s in req.specifier), f"{req}: a library's metadata takes a range"
        assert req.specifier, f"{req}: give the range the code is written against"
        assert name in pins, f"{name} is a dependency in pyproject.toml but not pinned in requirements.txt"
        assert req.specifier.contains(pins[name]), f"requirements.txt pins {name}=={pins[name]}, outside {req}"


def _imported_modules() -> set[str]:
    try:
        listed = subprocess.run(
            ["git", "ls-files", "paper_catalogue"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.split()
        files = [ROOT / f for f in listed if f.endswith(".py")]
    except (OSError, subprocess.CalledProcessError):
        files = sorted((ROOT / "paper_catalogue").rglob("*.py"))
    names: set[str] = set()
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return {n for n in names if n not in sys.stdlib_module_names and n != "paper_catalogue"}


def test_every_library_the_package_imports_is_a_declared_dependency() -> None:
    """`pip install .` must give everything `pipeline` imports (matplotlib for the report was missing)."""
    declared = set(_declared())
    dists = importlib.metadata.packages_distributions()
    missing = {}
    for module in sorted(_imported_modules()):
        owners = {_canon(d) for d in dists.get(module, [module])}
        if not owners & declared:
            missing[module] = sorted(owners)
    assert not missing, f"imported by paper_catalogue/ but not in pyproject.toml dependencies: {missing}"
    assert "matplotlib" in declared


def test_make_install_installs_the_project_after_the_pins() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("$(STAMP):", 1)[1].split("\n\n", 1)[0]
    pinned = recipe.index("-r requirements-dev.txt")
    project = recipe.index("--no-deps -e .")
    assert pinned < project


def _in_other_folder(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run(args, cwd=tmp_path, capture_output=True, text=True, env=env, timeout=60)


def test_the_project_is_installed_into_the_environment(tmp_path: Path) -> None:
    """After `make install`: `.venv/bin/pipeline` exists and `python -m paper_catalogue` works outside the checkout."""
    script = Path(sysconfig.get_path("scripts")) / "pipeline"
    assert script.exists(), f"{script} missing: run `make install` (pip install -e . --no-deps)"
    for cmd in ([str(script), "--help"], [sys.executable, "-m", "paper_catalogue", "--help"]):
        done = _in_other_folder(tmp_path, *cmd)
        assert done.returncode == 0, done.stderr
        assert "enrich" in done.stdout and "report" in done.stdout
    done = _in_other_folder(tmp_path, sys.executable, "-m", "paper_catalogue_emulator", "--help")
    assert done.returncode == 0, done.stderr


#: The only top-level import names the distribution may install: its own (issue 17: ``pipeline`` and ``emulator``
#: collided with any other project so named).
OWN_IMPORT_NAMES = {"paper_catalogue", "paper_catalogue_emulator"}


def test_the_distribution_installs_only_import_names_of_its_own() -> None:
    config = _pyproject()["tool"]["setuptools"]["packages"]["find"]["include"]
    assert {name.split(".")[0] for name in config} == OWN_IMPORT_NAMES
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")}
    assert packages >= OWN_IMPORT_NAMES and not {"pipeline", "emulator"} & packages
    # What the installed (editable) distribution maps, as pip recorded it.
    dist = importlib.metadata.distribution("paper-catalogue")
    assert dist.version == __import__("paper_catalogue").__version__
    scripts = {ep.name: ep.value for ep in dist.entry_points if ep.group == "console_scripts"}
    assert scripts == {"pipeline": "paper_catalogue.cli:main", "paper-catalogue": "paper_catalogue.cli:main"}


def test_the_old_module_names_are_gone_from_code_and_docs() -> None:
    """No code, config or current doc still runs or imports the old names (docs/ keeps the history as written)."""
    listed = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    stale = re.compile(r"python -m (?:pipeline|emulator)\b|^\s*(?:from|import) (?:pipeline|emulator)\b", re.MULTILINE)
    found = []
    for name in listed:
        if not name.endswith((".py", ".md", ".toml", ".ipynb", "Makefile", ".txt")) or name.startswith("docs/"):
            continue
        text = (ROOT / name).read_text(encoding="utf-8", errors="replace")
        found += [f"{name}: {m.group(0).strip()}" for m in stale.finditer(text)]
    assert not found, found


@pytest.mark.parametrize("command", [[], ["enrich"], ["refresh"], ["report"], ["bibtex"]])
def test_help_is_plain_text(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    from paper_catalogue.cli import main

    with pytest.raises(SystemExit) as done:
        main([*command, "--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert "``" not in out and ":func:" not in out, out
    assert "./config.toml" in out or not command


def test_default_config_is_the_current_folder_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "config.toml").write_text('[run]\ndata_origin = "fixture"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    settings = load_settings(env={})
    assert settings.config_path == (tmp_path / "config.toml").resolve()
    assert settings.paths.raw == (tmp_path / "data" / "raw").resolve()


def test_no_default_config_names_every_path_tried(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("paper_catalogue.config.DEFAULT_CONFIG", tmp_path / "site-packages" / "config.toml")
    with pytest.raises(ConfigError) as err:
        find_default_config(tmp_path / "elsewhere")
    message = str(err.value)
    assert str(tmp_path / "elsewhere" / "config.toml") in message
    assert str(tmp_path / "site-packages" / "config.toml") in message
    assert "--config" in message


def test_without_a_local_config_the_projects_is_used(tmp_path: Path) -> None:
    assert find_default_config(tmp_path) == DEFAULT_CONFIG


def test_licence_is_the_mit_licence_the_metadata_names() -> None:
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License") and "paper-catalogue contributors" in text
    assert _pyproject()["project"]["license"] == {"text": "MIT"}


def test_dotenv_is_read_by_python_dotenv_without_touching_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Item 4: python-dotenv reads `.env` (quotes, export, trailing comments); the environment wins; no ${}."""
    monkeypatch.delenv("S2_API_KEY", raising=False)
    monkeypatch.setenv("HOME_SECRET", "leak")
    config = tmp_path / "config.toml"
    config.write_text("", encoding="utf-8")
    (tmp_path / ".env").write_text(
        "# secrets\nOTHER=1\nexport S2_API_KEY=abc123  # from the S2 form\n", encoding="utf-8"
    )
    assert load_settings(config).s2_api_key == "abc123"
    assert "S2_API_KEY" not in os.environ and "OTHER" not in os.environ
    (tmp_path / ".env").write_text('S2_API_KEY="a${HOME_SECRET}b"\n', encoding="utf-8")
    assert load_settings(config).s2_api_key == "a${HOME_SECRET}b"
    monkeypatch.setenv("S2_API_KEY", "from-env")
    assert load_settings(config).s2_api_key == "from-env"
    (tmp_path / ".env").unlink()
    (tmp_path / ".env").mkdir()
    monkeypatch.delenv("S2_API_KEY")
    assert load_settings(config).s2_api_key is None


def test_readme_weighs_the_libraries_the_issue_names() -> None:
    """Item 4: what each library would replace and what was decided, in one README section."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Libraries we use and why", 1)[1].split("\n## ", 1)[0]
    for name in ("python-dotenv", "markdown-it-py", "bibtexparser", "jinja2", "tqdm", "pyrate-limiter", "pybreaker"):
        assert f"`{name}`" in section, name
    assert "**adopted**" in section and "`Paper` model only" in section
