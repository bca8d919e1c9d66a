# SiBlanko: `make run` to try it, `make test` to check it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml build-constraints.txt | cksum | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: venv run test lint format serve messages migrate benchmark clean

venv: $(STAMP)

$(STAMP): pyproject.toml build-constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check "pip==26.3"
	$(BIN)/python -m pip install -q --disable-pip-version-check \
		--build-constraint build-constraints.txt --group dev
	rm -f $(VENV)/.installed-*
	touch $@

# Development server on SQLite with the demo data. DEBUG is on only here.
run: export DJANGO_DEBUG ?= 1
run: venv
	$(BIN)/python manage.py migrate --noinput -v 0
	$(BIN)/python manage.py seed_demo
	@echo "SiBlanko berjalan di http://$(HOST):$(PORT)/  (Ctrl+C untuk berhenti)"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# Ruff, then the whole suite: SQLite by default, PostgreSQL when DATABASE_URL is set.
test: export DJANGO_DEBUG ?= 1
test: venv
	$(BIN)/ruff check .
	$(BIN)/python manage.py makemigrations --check --dry-run -v 0
	$(BIN)/pytest $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check .

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Production: gunicorn + whitenoise. Needs DJANGO_SECRET_KEY, DATABASE_URL and
# DJANGO_ALLOWED_HOSTS (see README, "Production").
serve: export DJANGO_CACHE ?= db
serve: venv
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py createcachetable
	$(BIN)/python manage.py collectstatic --noinput -v 0
	$(BIN)/gunicorn config.wsgi --bind $(HOST):$(PORT) --workers $${WEB_CONCURRENCY:-4} \
		--access-logfile - --timeout 30

messages: venv
	cd $(CURDIR) && DJANGO_DEBUG=1 $(BIN)/python manage.py makemessages -l en --ignore=.venv \
		--ignore=tests --ignore=staticfiles --ignore=test-artifacts
	cd $(CURDIR) && DJANGO_DEBUG=1 $(BIN)/python manage.py compilemessages --ignore=.venv

# The figures of the README's Performance section, as JSON on stdout (progress on stderr).
# Builds and reuses one database per size; PostgreSQL when DATABASE_URL is set.
BENCH_SIZES ?= 10000,1000000
benchmark: export DJANGO_DEBUG ?= 1
benchmark: venv
	@$(BIN)/python manage.py benchmark --sizes $(BENCH_SIZES) $(BENCH_ARGS)

clean:
	rm -rf $(VENV) staticfiles test-artifacts .pytest_cache .ruff_cache
