# The two commands: `make run` and `make test`. Both work on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export FLASK_APP := pbplatform
export DATABASE_URL ?= sqlite:///$(CURDIR)/instance/pbplatform.sqlite3

.PHONY: run serve test install install-test lint migrate demo clean translations messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# setup.py builds the tally's optional C modules; editing it or their sources rebuilds
KERNEL := setup.py pbplatform/tally/engines/_kernel.c pbplatform/tally/engines/_ballots.c

$(VENV)/.installed: pyproject.toml $(KERNEL) | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(KERNEL) | $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	touch $(VENV)/.installed $@

translations: $(VENV)/.installed
	$(BIN)/pybabel compile -f -d pbplatform/translations

# After changing user-facing strings: refresh the catalogue, then translate the new entries.
messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k lazy_gettext -k _l -o pbplatform/translations/messages.pot .
	$(BIN)/pybabel update -i pbplatform/translations/messages.pot -d pbplatform/translations

install: $(VENV)/.installed translations
install-test: $(VENV)/.installed-test translations

migrate: install
	mkdir -p instance
	$(BIN)/flask db upgrade

demo: migrate
	$(BIN)/flask pb demo --if-empty

run: demo
	$(BIN)/flask run --host 127.0.0.1 --port $(PORT)

# The production stack locally: the Procfile's `web` (gunicorn with WEB_CONCURRENCY workers of
# WEB_WORKER_CLASS on PORT; bench/web.py compares sync and gthread) and `worker` (`flask pb
# worker`, the job queue), against DATABASE_URL and Redis, started and stopped together
# (Ctrl-C stops both). PBP_ENV and its settings (SECRET_KEY, TRUSTED_HOSTS, ...) come from the
# environment; without them the development settings run, with Redis for limits and jobs.
WEB_CONCURRENCY ?= 4
WEB_WORKER_CLASS ?= gthread
WEB_THREADS ?= 4
serve: export RATELIMIT_STORAGE_URI ?= redis://127.0.0.1:6379/0
serve: export JOBS_REDIS_URL ?= redis://127.0.0.1:6379/1
serve: install
	$(BIN)/flask db upgrade
	PORT=$(PORT) WEB_CONCURRENCY=$(WEB_CONCURRENCY) WEB_WORKER_CLASS=$(WEB_WORKER_CLASS) \
	  WEB_THREADS=$(WEB_THREADS) $(BIN)/python -m pbplatform.procfile Procfile

# Always the whole suite on SQLite, and the count's tests again on its pure-Python path;
# then, when PBP_TEST_DATABASE_URL is set (.ci/run sets it), everything that touches the
# database again on PostgreSQL, where a refused connection fails.
test: install-test
	env -u PBP_TEST_DATABASE_URL $(BIN)/python -m pytest $(PYTEST_ARGS)
	env -u PBP_TEST_DATABASE_URL PBP_TALLY_KERNEL=0 $(BIN)/python -m pytest tests/tally $(PYTEST_ARGS)
	if [ -n "$$PBP_TEST_DATABASE_URL" ]; then \
	  $(BIN)/python -m pytest --ignore=tests/tally $(PYTEST_ARGS); fi

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) instance/pbplatform.sqlite3
