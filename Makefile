# OGC NewFinity — two commands: `make run` (embedded SQLite + in-process worker + the
# demo world; installs requirements.txt only) and `make test` (the whole suite on
# MariaDB; installs everything). Everything else is a helper.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
DB_USER ?= ogc
DB_PASSWORD ?= ogc-dev-password
TEST_DATABASE_URL ?= mysql://$(DB_USER):$(DB_PASSWORD)@127.0.0.1:3306/ogc
PYTEST_ARGS ?=
PORT ?= 8000

.PHONY: run test lint venv venv-serve system-deps services db-user migrate-local bench fuzz clean docs messages

# Two install levels, one stamp each (a stamp is older than a requirements file it
# depends on => reinstall). Serving (`make run`) needs requirements.txt only: wheels, no
# compiler, no system packages. Everything else (`make test`, lint, docs, bench, fuzz)
# installs requirements-dev.txt (which includes requirements-mysql.txt: mysqlclient
# compiles) after the system packages below.
SERVE_STAMP := $(VENV)/.installed-serve
DEV_STAMP := $(VENV)/.installed-dev

define venv_install
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r $(1)
endef

venv-serve: $(SERVE_STAMP)

$(SERVE_STAMP): requirements.txt
	$(call venv_install,requirements.txt)
	touch $@

venv: $(DEV_STAMP)

$(DEV_STAMP): requirements.txt requirements-mysql.txt requirements-dev.txt
	@$(MAKE) --no-print-directory system-deps
	$(call venv_install,requirements-dev.txt)
	touch $@ $(SERVE_STAMP)

# For `make test` only (not `make run`): mysqlclient compiles against MariaDB's client
# headers; browser tests use Debian's Chromium.
system-deps:
	@missing=""; \
	pkg-config --exists libmariadb 2>/dev/null || pkg-config --exists mysqlclient 2>/dev/null || missing="$$missing libmariadb-dev pkg-config"; \
	command -v cc >/dev/null 2>&1 || missing="$$missing build-essential"; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    echo "Installing system packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else \
	    echo "Missing system packages:$$missing. Run: sudo apt-get install -y$$missing" >&2; exit 1; \
	  fi; \
	fi

# Start MariaDB and Redis if they are not running (the machine's own commands).
services:
	@bash .ci/services.sh

db-user: services
	@bash .ci/db-user.sh "$(DB_USER)" "$(DB_PASSWORD)"

# Type checks: core and every app's write and read layers (mypy.ini; docs/architecture.md).
MYPY_TARGETS := core accounts/services.py accounts/selectors.py wallets/services wallets/selectors \
	notifications/services.py notifications/selectors.py subscriptions/services subscriptions/selectors.py \
	challenges/services challenges/selectors.py governance/services.py governance/selectors.py \
	ai/services ai/selectors

lint: venv
	$(BIN)/ruff check .
	PYTHONPATH=. $(BIN)/lint-imports
	DATABASE_URL=sqlite:///:memory: $(BIN)/mypy $(MYPY_TARGETS)
	DATABASE_URL=sqlite:///:memory: DJANGO_SETTINGS_MODULE=ogc.settings.local $(PY) manage.py makemigrations --check --dry-run

test: venv db-user lint
	DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/pytest --create-db $(PYTEST_ARGS)

# Data-model documents (docs/erd.md, schema.md, migrations.md), generated from the live
# models and migrations on MariaDB. The schema is read from a throwaway database
# (test_ogc_docs) created, migrated and dropped by the command. `make test` fails when
# the committed copies are stale.
DOCS_ENV := DATABASE_URL=$(TEST_DATABASE_URL) DJANGO_SETTINGS_MODULE=ogc.settings.test OGC_TEST_DATABASE_NAME=test_ogc_docs
docs: venv db-user
	$(DOCS_ENV) $(PY) manage.py erd
	$(DOCS_ENV) $(PY) manage.py migration_map
	$(DOCS_ENV) $(PY) manage.py schema_reference --fresh-db

# Translations (docs/ui.md, "Translations"): extract every wrapped string of our code
# and templates into locale/<code>/LC_MESSAGES/django.po for each language of
# settings.LANGUAGES but English (a new code gets a new catalogue), then compile the
# .mo files, which are committed (serving and CI need no gettext tools). Needs GNU
# gettext (xgettext, msgmerge, msgfmt): `apt-get install gettext`. Then translate
# every empty msgstr and fuzzy entry: tests/test_translations.py fails until
# the catalogue is complete and its .mo current.
I18N_ENV := DATABASE_URL=sqlite:///:memory: DJANGO_SETTINGS_MODULE=ogc.settings.local
MESSAGES_IGNORE := --ignore=.venv --ignore=staticfiles --ignore=test-artifacts --ignore=demo --ignore=bench \
  --ignore=tests --ignore='*/tests' --ignore='*/migrations'
messages: venv-serve
	@command -v xgettext >/dev/null && command -v msgfmt >/dev/null || { echo "GNU gettext is missing: apt-get install gettext" >&2; exit 1; }
	@locales="$$($(I18N_ENV) $(PY) manage.py shell -v 0 -c "from django.conf import settings; print(' '.join('-l ' + code for code, _ in settings.LANGUAGES if code != settings.LANGUAGE_CODE))")"; \
	  $(I18N_ENV) $(PY) manage.py makemessages $$locales --no-obsolete --no-wrap --add-location=file $(MESSAGES_IGNORE) && \
	  $(I18N_ENV) $(PY) manage.py compilemessages $$locales --ignore=.venv --ignore=staticfiles

migrate-local: venv-serve
	DJANGO_SETTINGS_MODULE=ogc.settings.local $(PY) manage.py migrate --noinput
	DJANGO_SETTINGS_MODULE=ogc.settings.local $(PY) manage.py seed --demo

run: migrate-local
	@echo "Serving http://127.0.0.1:$(PORT)  (admin: admin@ogc.local / admin-change-me-42; demo users: see README)"
	DJANGO_SETTINGS_MODULE=ogc.settings.local $(PY) manage.py runserver 127.0.0.1:$(PORT)

bench: venv db-user
	DATABASE_URL=$(TEST_DATABASE_URL) $(PY) -m bench $(BENCH)

# The long schema fuzz (schemathesis, every check, anonymous/member/operator, per
# operation and stateful): the same tests as the bounded run inside `make test`
# (tests/test_fuzz_schema.py: 5 examples per operation, 15 scenarios of 6 steps), longer.
# docs/security.md has the numbers of the last long run.
FUZZ_EXAMPLES ?= 120
FUZZ_SCENARIOS ?= 300
FUZZ_STEPS ?= 10
fuzz: venv db-user
	DATABASE_URL=$(TEST_DATABASE_URL) OGC_TEST_DATABASE_NAME=test_ogc_fuzz OGC_FUZZ_MAX_EXAMPLES=$(FUZZ_EXAMPLES) \
	  OGC_FUZZ_STATEFUL_EXAMPLES=$(FUZZ_SCENARIOS) OGC_FUZZ_STATEFUL_STEPS=$(FUZZ_STEPS) OGC_FUZZ_REPORT=fuzz-report.json \
	  $(BIN)/pytest --create-db -p no:warnings tests/test_fuzz_schema.py $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
