# Two commands on a fresh machine: `make run` (full refresh on the embedded data) and
# `make test` (the test suite, dbt build included). Both create .venv when it is missing
# and prepare the dbt manifest when a dbt file changed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The manifest Dagster loads (orchestration/project.py), built ahead of time, never on import.
MANIFEST := dbt_project/target/manifest.json
# Every file and folder of the dbt project but what dbt writes; a folder's time changes when
# a file is added or removed, so a deleted model prepares the manifest again too.
DBT_FILES := $(shell find dbt_project \( -name target -o -name logs -o -name dbt_packages \) \
	-prune -o -print)
# Headless Chromium renders report.html in tests/test_exports.py (Debian's package).
CHROMIUM := /usr/bin/chromium

.PHONY: run test ui docs bench clean manifest browser

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# dagster-dbt runs the dbt it finds on PATH.
$(MANIFEST): $(STAMP) $(DBT_FILES)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/dagster-dbt project prepare-and-package \
		--file orchestration/project.py
	touch $(MANIFEST)

manifest: $(MANIFEST)

# Installed when missing and running as root; otherwise the browser test says why it skips
# (and fails under CI=true).
browser:
	@test -x $(CHROMIUM) || { test "$$(id -u)" = 0 && apt-get update -qq \
		&& DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } \
		|| echo "$(CHROMIUM) missing (apt-get install chromium, as root): the browser test skips"

run: $(MANIFEST)
	$(BIN)/finsam refresh

test: $(MANIFEST) browser
	$(BIN)/ruff check .
	# One worker per core, a test file per worker (a file's fixtures are built once), the
	# files in the order tests/conftest.py gives them (the slowest first).
	$(BIN)/python -m pytest -n auto --dist loadfile --no-loadscope-reorder

ui: $(MANIFEST)
	PATH="$(CURDIR)/$(BIN):$$PATH" DAGSTER_HOME=$(CURDIR) \
		FINSAM_DAGSTER_STORAGE=$(CURDIR)/data/dagster \
		$(BIN)/dagster dev -m orchestration.definitions

docs: $(MANIFEST)
	test -f data/warehouse.duckdb || $(BIN)/finsam refresh
	$(BIN)/finsam docs

bench: $(MANIFEST)
	$(BIN)/python bench/run_all.py

clean:
	rm -rf data/build data/dagster data/cache data/exports data/dbt_target data/dbt_docs \
		data/warehouse.duckdb dbt_project/target
