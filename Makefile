# The front door: `make run` and `make test` work on a machine with only Python 3.11+ and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format bench serve clean setup

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11+ is needed" or 0)'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

## Set up, migrate, import the sample dumps, create a demo editor, serve on http://$(HOST):$(PORT)
run: $(STAMP)
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py import_dumps sample_data/ || test $$? -eq 1
	$(BIN)/python manage.py create_demo_user
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

## Production: migrate, collect static files, serve with gunicorn on $(GUNICORN_BIND).
## DJANGO_DEBUG defaults to 0 here, so DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS are needed.
GUNICORN_BIND ?= 127.0.0.1:8000
WEB_CONCURRENCY ?= $(shell echo $$(( $$(nproc 2>/dev/null || echo 1) * 2 + 1 )))
GUNICORN_TIMEOUT ?= 60
serve: export DJANGO_DEBUG := $(or $(DJANGO_DEBUG),0)
serve: $(STAMP)
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py collectstatic --no-input
	$(BIN)/gunicorn newsroom.wsgi:application --bind $(GUNICORN_BIND) \
		--workers $(WEB_CONCURRENCY) --timeout $(GUNICORN_TIMEOUT) --error-logfile -

## Set up and run the whole suite (browser tests run when Chromium is installed)
test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Benchmarks: import throughput and peak memory on a synthetic corpus (BENCH_ARTICLES=50000)
bench: $(STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) staticfiles .bench .pytest_cache .ruff_cache
