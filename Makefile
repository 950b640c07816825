# Two commands on a fresh machine: `make run` (full refresh on the embedded data) and
# `make test` (the test suite, dbt build included). Both create .venv when it is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint ui docs bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/finsam refresh

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

ui: $(STAMP)
	DAGSTER_HOME=$(CURDIR) FINSAM_DAGSTER_STORAGE=$(CURDIR)/data/dagster \
		$(BIN)/dagster dev -m orchestration.definitions

docs: $(STAMP)
	test -f data/warehouse.duckdb || $(BIN)/finsam refresh
	mkdir -p data/dbt_docs && cp data/warehouse.duckdb data/dbt_docs/warehouse.duckdb
	cd dbt_project && FINSAM_DATA_DIR=$(CURDIR)/data ../$(BIN)/dbt docs generate \
		--target docs --target-path $(CURDIR)/data/dbt_docs
	@echo "serve it: cd dbt_project && ../$(BIN)/dbt docs serve --target-path $(CURDIR)/data/dbt_docs"

bench: $(STAMP)
	$(BIN)/python bench/run_all.py

clean:
	rm -rf data/build data/dagster data/cache data/exports data/dbt_target data/warehouse.duckdb
