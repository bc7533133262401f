# Peace Exchange: `make run` to try it, `make test` to check it.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
PORT ?= 8000

.PHONY: run room test test-fast lint format messages bench install clean

$(STAMP): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { \
	  echo "Peace Exchange needs Python 3.11 or newer: set PYTHON=python3.12 (for example)."; exit 1; }
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
	  echo "Python's venv module is missing. On Debian or Ubuntu: apt-get install python3-venv"; \
	  exit 1; }
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

MO := locale/fr/LC_MESSAGES/django.mo

$(MO): $(wildcard locale/fr/LC_MESSAGES/*.po) $(STAMP)
	$(PY) bin/compile_messages.py

messages: $(STAMP)
	$(PY) manage.py makemessages -l fr --ignore=.venv --ignore=staticfiles --no-obsolete
	$(PY) manage.py makemessages -d djangojs -l fr --ignore=.venv --ignore=staticfiles --ignore=static/vendor --no-obsolete

run: $(STAMP) $(MO)
	$(PY) manage.py migrate --no-input -v 0
	$(PY) manage.py seed_demo --base-url http://127.0.0.1:$(PORT)
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

# The room: the demo on this machine's LAN address (DEBUG off) so phones on the same
# Wi-Fi can join; prints the address and the join QR. ROOM_HOST=192.168.1.20 overrides.
ROOM_HOST ?= $(shell $(PY) workshops/room.py 2>/dev/null || echo 127.0.0.1)
ROOM_ENV := DEBUG=false ALLOWED_HOSTS=$(ROOM_HOST),localhost,127.0.0.1 \
  PUBLIC_BASE_URL=http://$(ROOM_HOST):$(PORT) CSRF_TRUSTED_ORIGINS=http://$(ROOM_HOST):$(PORT)

room: $(STAMP) $(MO)
	$(PY) manage.py migrate --no-input -v 0
	$(ROOM_ENV) $(PY) manage.py seed_demo
	$(ROOM_ENV) $(PY) manage.py room --host $(ROOM_HOST) --port $(PORT)

test: $(STAMP) $(MO)
	$(PY) -m pytest $(PYTEST_ARGS)

test-fast: $(STAMP) $(MO)
	$(PY) -m pytest -m "not browser and not fuzz and not render" $(PYTEST_ARGS)

# Templates are indented by djhtml, two spaces (it has no config file; it only indents
# .html files under templates/, so sw.js is left alone). Keep a textarea's text out of
# its reach with {# fmt:off #}…{# fmt:on #}: indenting it would change the text shown.
DJHTML := $(VENV)/bin/djhtml --tabwidth 2

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(DJHTML) --check templates

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .
	$(DJHTML) templates

bench: $(STAMP) $(MO)
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 db.sqlite3-wal db.sqlite3-shm
