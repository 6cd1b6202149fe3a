# isa: `make run` serves the app with demo data; `make test` runs every test.
# Both set everything up first: the virtual environment, Python and npm packages, the
# compiled stylesheet, and the database schema.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
export FLASK_APP := isa

.PHONY: setup run test bench clean

setup: $(VENV)/.installed node_modules/.installed isa/static/build/isa.css

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

isa/static/build/isa.css: isa/static/src/isa.scss node_modules/.installed
	mkdir -p isa/static/build
	npm run --silent build

run: setup
	$(BIN)/flask db upgrade
	$(BIN)/flask demo
	ISA_DEVELOPMENT=true $(BIN)/flask run --host $(HOST) --port $(PORT)

test: setup
	$(BIN)/pytest

bench: setup
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) node_modules isa/static/build .pytest_cache
