# isa: `make run` serves the app with demo data; `make test` runs every test.
# Both set everything up first: the virtual environment, Python and npm packages, the
# compiled stylesheet, and the database schema.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
export FLASK_APP := isa

.PHONY: setup system-deps translations messages run test bench clean

setup: system-deps $(VENV)/.installed node_modules/.installed isa/static/build/isa.css translations

system-deps:
	bash scripts/system-deps.sh

# The package in editable mode with its `dev` extra (pyproject.toml): the app and the test tools.
$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

isa/static/build/isa.css: isa/static/src/isa.scss node_modules/.installed
	mkdir -p isa/static/build
	npm run --silent build

# The Welsh catalogue (isa/translations/cy/LC_MESSAGES/messages.po) compiled for Flask-Babel.
translations: $(VENV)/.installed
	$(BIN)/pybabel compile -d isa/translations

# After changing messages in the code or templates: refresh the Welsh catalogue from them.
messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l --no-location -o isa/translations/messages.pot .
	$(BIN)/pybabel update -i isa/translations/messages.pot -d isa/translations --no-fuzzy-matching

run: setup
	$(BIN)/flask db upgrade
	$(BIN)/flask demo
	ISA_DEVELOPMENT=true ISA_SCHEDULER_IN_PROCESS=true $(BIN)/flask run --host $(HOST) --port $(PORT)

# The whole suite on SQLite (with the browser tests), then again on a throwaway PostgreSQL.
test: setup
	$(BIN)/pytest
	ISA_TEST_BACKEND=postgresql $(BIN)/pytest --ignore=tests/e2e

bench: setup
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) node_modules isa/static/build .pytest_cache
