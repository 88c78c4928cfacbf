# The README's two commands: `make run` and `make test`. Everything installs from requirements.lock.
PYTHON ?= $(shell command -v python3.12 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
WITH_DB := $(PY) -m config.localdb run --

.PHONY: install run test lint bench migrate seed clean-local

$(VENV)/.installed: requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.12+ is required, found " + sys.version.split()[0]) if sys.version_info < (3, 12) else None'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

install: $(VENV)/.installed

run: install
	$(WITH_DB) $(PY) -m config.runall

# The test settings by name: importing `config` (Celery app) would otherwise default them to local.
test: install
	DJANGO_SETTINGS_MODULE=config.settings.test $(WITH_DB) $(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(WITH_DB) $(VENV)/bin/mypy catalogue config

bench: install
	$(WITH_DB) $(PY) manage.py bench $(BENCH_ARGS)

clean-local:
	rm -rf .local
