# Innspill: `make run` serves the guide locally, `make test` runs every test.
PYTHON ?= $(shell command -v python3.12 2>/dev/null || echo python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install system-packages migrate lint messages check-deploy clean bench

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

migrate: install
	$(PY) manage.py migrate --no-input

run: migrate
	$(PY) manage.py load_guide
	$(PY) manage.py runserver $(HOST):$(PORT)

# Chromium, Java and redis-server through apt when missing (sudo when not root).
system-packages:
	@scripts/install-system-packages

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/hadolint Dockerfile
	$(PY) manage.py makemigrations --check --dry-run

test: lint system-packages
	$(VENV)/bin/pytest $(PYTEST_ARGS)

# Re-extract translatable strings after changing templates or code, then translate
# the new entries in locale/*/LC_MESSAGES/django.po. The compiled .mo files are
# committed so a fresh machine needs no gettext.
messages: install
	$(PY) manage.py makemessages -l nb -l nn -l en --ignore='.venv/*' --ignore='content/*' --ignore='tests/*' --no-obsolete
	$(PY) manage.py compilemessages --ignore='.venv/*'

check-deploy: install
	DJANGO_DEBUG=false DJANGO_SECRET_KEY=check-only-$$(date +%s)-not-a-real-secret-xxxxxxxxxxxxxxxxxxxxxxxx \
	DJANGO_ALLOWED_HOSTS=innspill.example.no $(PY) manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) staticfiles test-artifacts .pytest_cache .ruff_cache .mypy_cache

# Throughput and latency of the main pages under gunicorn, with wrk on loopback; writes
# docs/benchmarks.md. SQLite, and PostgreSQL (+ Redis with REDIS_URL) in the same run
# when DATABASE_URL points there. BENCH_ARGS=--quick tries it with small data in minutes.
bench: install
	@scripts/install-system-packages wrk
	$(PY) manage.py benchmark $(BENCH_ARGS)
