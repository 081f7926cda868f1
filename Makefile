# The few commands a person needs. `make run` and `make test` work on a fresh machine.
PY := .venv/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-fast install lint format messages bench serve-prod demo clean

.venv/installed: requirements/base.txt requirements/dev.txt
	test -x $(PY) || python3 -m venv .venv
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements/base.txt -r requirements/dev.txt
	touch $@

install: .venv/installed

## Run the system on SQLite with demo data at http://$(HOST):$(PORT)/: web server, background worker and
## scheduler together (Procfile.dev, honcho); Ctrl-C stops all three, and so does any one of them dying.
run: install
	DEBUG=1 $(PY) manage.py migrate --noinput -v0
	DEBUG=1 $(PY) manage.py demo_data
	@echo ""
	@echo "AfterSales QMS: http://$(HOST):$(PORT)/   (API docs: http://$(HOST):$(PORT)/api/docs/)"
	@echo "Demo logins: admin / advisor1 / manager1 / care1 / region_south / oem ... password demo12345"
	@echo "Running: web server, background worker (db_worker), scheduler (run_schedule --loop). Ctrl-C stops all."
	DEBUG=1 HOST=$(HOST) .venv/bin/honcho start -f Procfile.dev -e /dev/null -p $(PORT)

## All tests: lint, checks, SQLite, PostgreSQL, browser
test: install
	scripts/test.sh

## The inner loop: the SQLite lane's tests on both cores, on the kept test databases (ARGS: more pytest arguments,
## e.g. make test-fast ARGS=repairs)
test-fast: install
	$(PY) -m pytest -m "not browser" -q -n 2 --dist loadfile $(ARGS)

lint: install
	.venv/bin/ruff check . && .venv/bin/ruff format --check .

format: install
	.venv/bin/ruff check --fix . && .venv/bin/ruff format .

## Regenerate and compile translations (needs GNU gettext)
messages: install
	$(PY) manage.py makemessages -l zh_Hans --ignore=.venv --ignore=staticfiles --no-obsolete
	$(PY) manage.py compilemessages --ignore=.venv

bench: install
	$(PY) benchmarks/run.py

## Production-style server (set SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL first)
serve-prod: install
	DJANGO_SETTINGS_MODULE=config.settings.production $(PY) manage.py collectstatic --noinput -v0
	DJANGO_SETTINGS_MODULE=config.settings.production .venv/bin/gunicorn config.wsgi --bind $(HOST):$(PORT) --workers 3

clean:
	rm -rf .venv db.sqlite3 db.sqlite3-* staticfiles test-results junit .pytest_cache
