"""The config contract: keys, relative paths, clear errors naming file and line, the key from the env."""

from __future__ import annotations

from pathlib import Path

import pytest

from paper_catalogue.config import DEFAULT_CONFIG, ConfigError, load_settings


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "conf" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_project_config_has_the_contract_keys() -> None:
    settings = load_settings(DEFAULT_CONFIG, env={})
    assert settings.arxiv.base_url == "https://export.arxiv.org/api/query"
    assert settings.arxiv.min_interval_s == 3.0
    assert settings.semantic_scholar.base_url == "https://api.semanticscholar.org/graph/v1"
    assert settings.semantic_scholar.min_interval_s == 1.0
    assert settings.semantic_scholar.api_key_env == "S2_API_KEY"
    assert settings.paths.raw == DEFAULT_CONFIG.parent / "data" / "raw"
    assert settings.paths.cache == DEFAULT_CONFIG.parent / "data" / "cache" / "http.sqlite"
    assert settings.run.data_origin == "live"


def test_relative_paths_resolve_against_the_config_folder(tmp_path: Path) -> None:
    path = write(tmp_path, '[paths]\nraw = "lists"\nenriched = "../out"\n')
    settings = load_settings(path, env={})
    assert settings.paths.raw == (tmp_path / "conf" / "lists").resolve()
    assert settings.paths.enriched == (tmp_path / "out").resolve()
    assert settings.paths.interim == (tmp_path / "conf" / "data" / "interim").resolve()


def test_api_key_comes_from_the_named_env_variable_and_is_never_in_repr(tmp_path: Path) -> None:
    path = write(tmp_path, '[semantic_scholar]\napi_key_env = "MY_KEY"\n')
    settings = load_settings(path, env={"MY_KEY": "sekrit-123", "S2_API_KEY": "other"})
    assert settings.s2_api_key == "sekrit-123"
    assert "sekrit-123" not in repr(settings)
    assert load_settings(path, env={}).s2_api_key is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[arxiv]\nmin_interval_s = "fast"\n', r"config.toml:2: \[arxiv\] min_interval_s must be float, got str"),
        ("[arxiv]\n\nmin_intervall_s = 3\n", r"config.toml:3: unknown key 'min_intervall_s' in \[arxiv\]"),
        ("[arxv]\nbase_url = 'x'\n", r"config.toml:1: unknown section \[arxv\]"),
        ("[arxiv]\nmin_interval_s = 3.0\nmin_interval_s = 1\n", r"invalid TOML"),
        ("[semantic_scholar]\nbatch_size = 1000\n", r"batch_size must be between 1 and 500"),
        ('[arxiv]\nbase_url = "ftp://x"\n', r"base_url must be an http\(s\) URL"),
        ('[run]\ndata_origin = "real"\n', r"data_origin must be one of"),
        ("[http]\nmax_attempts = true\n", r"max_attempts must be int, got bool"),
    ],
)
def test_bad_config_is_refused_with_file_and_line(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(ConfigError, match=expected):
        load_settings(write(tmp_path, text), env={})


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_settings(tmp_path / "nope.toml", env={})


def test_demo_config_is_fixture_and_writes_outside_the_live_catalogue() -> None:
    demo = load_settings(DEFAULT_CONFIG.parent / "demo" / "config.toml", env={})
    live = load_settings(DEFAULT_CONFIG, env={})
    assert demo.run.data_origin == "fixture"
    assert demo.paths.enriched != live.paths.enriched
    assert demo.paths.cache != live.paths.cache
    assert demo.arxiv.base_url.startswith("http://127.0.0.1:")


def test_api_key_from_dotenv_next_to_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "")
    (path.parent / ".env").write_text("# secrets\nexport S2_API_KEY='from-dotenv'\n", encoding="utf-8")
    monkeypatch.delenv("S2_API_KEY", raising=False)
    assert load_settings(path).s2_api_key == "from-dotenv"
    monkeypatch.setenv("S2_API_KEY", "from-env")
    assert load_settings(path).s2_api_key == "from-env"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[arxiv]\ntimeout_s = 0.0\n", r"config.toml:2: \[arxiv\] timeout_s must be > 0"),
        ("[semantic_scholar]\ntimeout_s = 0\n", r"config.toml:2: \[semantic_scholar\] timeout_s must be > 0"),
        ("[http]\ncircuit_breaker_failures = 0\n", r"config.toml:2: \[http\] circuit_breaker_failures must be >= 1"),
        ("[arxiv]\nmin_interval_s = 0.0\n", r"config.toml:2: \[arxiv\] min_interval_s = 0 is below the published"),
        ("[arxiv]\nmin_interval_s = 2.9\n", r"one request every three seconds\); use at least 3"),
        ("[semantic_scholar]\nmin_interval_s = 0.5\n", r"\[semantic_scholar\] min_interval_s = 0.5 is below"),
        ("[snapshot]\nfinal = true\n", r"config.toml:2: \[snapshot\] final = true needs enabled = true"),
    ],
)
def test_values_that_pass_the_types_but_break_a_run_are_refused(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(ConfigError, match=expected):
        load_settings(write(tmp_path, text), env={})


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8765/api/query", "http://127.3.2.1/api/query", "http://localhost:1/x", "http://[::1]:9/x"]
)
def test_short_intervals_are_allowed_only_for_loopback_hosts(tmp_path: Path, url: str) -> None:
    settings = load_settings(write(tmp_path, f'[arxiv]\nbase_url = "{url}"\nmin_interval_s = 0.0\n'), env={})
    assert settings.arxiv.min_interval_s == 0.0
    with pytest.raises(ConfigError, match="published limit"):
        load_settings(write(tmp_path, '[arxiv]\nbase_url = "http://128.0.0.1/x"\nmin_interval_s = 0.0\n'), env={})


def test_output_paths_that_cannot_be_folders_are_refused_before_any_run(tmp_path: Path) -> None:
    from paper_catalogue.config import check_paths

    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "out.txt").write_text("a file")
    (tmp_path / "conf" / "cachedir").mkdir()
    for text, expected in [
        ('[paths]\nenriched = "out.txt"\n', r"config.toml:2: \[paths\] enriched = .*out.txt is a file, not a folder"),
        ('[paths]\ninterim = "out.txt/sub"\n', r"\[paths\] interim = .*out.txt is a file, not a folder"),
        ('[paths]\ncache = "cachedir"\n', r"\[paths\] cache = .*is a folder; it must name the SQLite file"),
        ('[paths]\ncache = "out.txt/http.sqlite"\n', r"\[paths\] cache = .*out.txt is a file"),
        ('[paths]\nraw = "out.txt"\n', r"\[paths\] raw = .*is a file, not the folder of reading lists"),
    ]:
        settings = load_settings(write(tmp_path, text), env={})
        with pytest.raises(ConfigError, match=expected):
            check_paths(settings)
    check_paths(load_settings(write(tmp_path, '[paths]\nenriched = "new/deeper"\n'), env={}))
    assert not (tmp_path / "conf" / "new").exists()  # checked, not created
