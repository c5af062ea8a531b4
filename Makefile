# The Makefile is both the pipeline's DAG and its own help: `make` lists the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt pyproject.toml | sha1sum | cut -c1-12)
CONFIG ?= config.toml
DEMO_CONFIG := demo/config.toml
# `make demo LISTS=path/to/folder`: the demo on your own reading lists instead of data/raw/ (outputs still in data/demo/).
LISTS ?=
LISTS_ARG := $(if $(LISTS),--lists $(LISTS))
# The demo's emulator simulates citation growth (FIXTURE): each start advances an epoch kept in this file, so every
# `make demo-refresh` sees higher counts and the report's growth panel fills. `make demo DEMO_GROWTH=` turns it off.
# (A flag, not a demo/config.toml key: the pipeline refuses config sections it does not know.)
DEMO_GROWTH ?= --citation-growth data/demo/emulator-epoch.json

.PHONY: help
help: ## List the targets
	@grep -hE '^[a-zA-Z_/.-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  \033[36m%-18s\033[0m %s\n", $$1, $$2}'

# The pinned requirements first, then the project itself (editable, no dependency resolution: the pins are the
# environment), so .venv/bin/pipeline exists and `python -m paper_catalogue` / `python -m paper_catalogue_emulator` work from any folder.
$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@rm -f $(VENV)/.installed-*; touch $@

.PHONY: install
install: $(STAMP) ## Create .venv, install the pinned dependencies and the project (.venv/bin/pipeline)

.PHONY: demo
demo: $(STAMP) ## Run the whole pipeline offline against the bundled emulator (FIXTURE data → data/demo/; LISTS=folder for your own lists)
	$(PY) -m paper_catalogue_emulator run --config $(DEMO_CONFIG) $(DEMO_GROWTH) -- $(PY) -m paper_catalogue enrich --config $(DEMO_CONFIG) $(LISTS_ARG)

.PHONY: enrich
enrich: $(STAMP) ## Run the pipeline against the real arXiv and Semantic Scholar APIs (needs internet)
	$(PY) -m paper_catalogue enrich --config $(CONFIG)

.PHONY: refresh
refresh: $(STAMP) ## Refresh citation counts of every resolved paper (⌈N/500⌉ S2 calls, no title searches)
	$(PY) -m paper_catalogue refresh --config $(CONFIG)

.PHONY: demo-refresh
demo-refresh: $(STAMP) ## The refresh, offline against the emulator, whose counts grow a step per run (FIXTURE data → data/demo/)
	$(PY) -m paper_catalogue_emulator run --config $(DEMO_CONFIG) $(DEMO_GROWTH) -- $(PY) -m paper_catalogue refresh --config $(DEMO_CONFIG) $(LISTS_ARG)

# The report/bibtex of the live catalogue when there is one, else of the demo's.
OUT_CONFIG ?= $(if $(wildcard data/enriched/catalogue.parquet),$(CONFIG),$(DEMO_CONFIG))

.PHONY: report
report: $(STAMP) ## Static HTML report with plots → <enriched>/report/index.html (live catalogue, else the demo's)
	$(PY) -m paper_catalogue report --config $(OUT_CONFIG)

.PHONY: bibtex
bibtex: $(STAMP) ## BibTeX of the matched papers → <enriched>/catalogue.bib (live catalogue, else the demo's)
	$(PY) -m paper_catalogue bibtex --config $(OUT_CONFIG)

.PHONY: bench
bench: $(STAMP) ## Benchmarks against the emulator vs the naive script → docs/benchmarks.md (not part of make test)
	$(PY) -m benchmarks.run

.PHONY: bench-snapshot
bench-snapshot: $(STAMP) ## Snapshot mode at scale: 3M-record arXiv snapshot, 1M titles (~10 GB disk, not in make bench)
	$(PY) -m benchmarks.snapshot

.PHONY: evaluate
evaluate: $(STAMP) ## Resolver precision/recall on the labelled evaluation sets → docs/evaluation.md
	$(PY) -m evaluation.run

.PHONY: lint
lint: $(STAMP) ## ruff (lint + format check) and mypy
	$(BIN)/ruff check paper_catalogue paper_catalogue_emulator evaluation benchmarks tests
	$(BIN)/ruff format --check paper_catalogue paper_catalogue_emulator evaluation benchmarks tests/*.py tests/unit tests/integration tests/emulator
	$(BIN)/mypy paper_catalogue paper_catalogue_emulator

.PHONY: test
test: $(STAMP) ## Run the test suite (offline; uses the loopback emulator)
	$(PY) -m pytest -q

.PHONY: emulator
emulator: $(STAMP) ## Serve the emulator on the demo config's port until Ctrl-C (for notebooks)
	$(PY) -m paper_catalogue_emulator serve --port 8765 --arxiv-interval 0.3 --s2-interval 0.1 $(DEMO_GROWTH)

.PHONY: clean
clean: ## Remove caches and stage outputs (never data/raw/ or the HTTP cache)
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
	rm -rf .pytest_cache data/interim data/demo/interim data/demo/enriched
