PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-dates lint serve bench clean

# Days the suite must also pass on: a year end, a provisional Spring Festival, a later year.
# On those days the PostgreSQL half and the Spark backend (no date in it) are left to `make test`.
TEST_DATES := 2026-12-31 2027-02-10 2030-06-30

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/jingban demo

test: $(STAMP)
	$(BIN)/ruff check jingban tests bench
	$(BIN)/pytest -n 2 --dist loadgroup

test-dates: $(STAMP)
	for day in $(TEST_DATES); do \
	  $(BIN)/pytest -n 2 --dist loadgroup -k "not postgresql and not spark" --today $$day || exit 1; \
	done

lint: $(STAMP)
	$(BIN)/ruff check jingban tests bench

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) var .pytest_cache
