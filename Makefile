# 社区协作台 — two commands: `make run` and `make test`. Everything else is what they call.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000
HTMX_VERSION := 2.0.11
IDB_KEYVAL_VERSION := 6.3.0
export FLASK_APP := wsgi
# The key that signs sessions and job links: made once, kept in instance/ (SECRET_KEY wins).
export SECRET_KEY_FILE ?= $(CURDIR)/instance/secret_key

.PHONY: run setup secret-key test test-pg test-browser browser-deps translations lint bench bench-deps clean

# gunicorn's arbiter also runs one outbox delivery process (notifications/gunicorn_conf.py):
# retries and scheduled reminders go out with nothing else started; Ctrl-C stops both.
run: setup
	$(FLASK) db upgrade
	$(FLASK) demo load
	@$(FLASK) demo logins
	@echo "Serving on http://$(HOST):$(PORT)"
	$(BIN)/gunicorn -c python:coordinator.notifications.gunicorn_conf --no-control-socket \
	  -w $${WORKERS:-2} --threads 4 -b $(HOST):$(PORT) --access-logfile - wsgi:app

setup: $(VENV)/.installed static/vendor/htmx.min.js static/vendor/idb-keyval.js secret-key translations

secret-key: $(SECRET_KEY_FILE)

$(SECRET_KEY_FILE):
	@mkdir -p "$(dir $@)"
	@umask 077 && $(PYTHON) -c "import secrets; print(secrets.token_hex(32))" > "$@.tmp" && mv "$@.tmp" "$@"
	@echo "Made a secret key in $@ (kept from now on; delete it to sign everyone out)."

$(VENV)/.installed: pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -e '.[dev]' 2>&1 | grep -v "is ignored" || true
	$(BIN)/python -c "import coordinator, flask_babel, playwright"
	touch $@

# htmx comes from the npm registry at setup; it is never committed.
static/vendor/htmx.min.js:
	mkdir -p static/vendor build
	cd build && npm pack --silent htmx.org@$(HTMX_VERSION) >/dev/null
	tar -xzf build/htmx.org-$(HTMX_VERSION).tgz -O package/dist/htmx.min.js > $@

# idb-keyval (IndexedDB as a key-value store: the job page's offline queue, static/js/offline.js).
static/vendor/idb-keyval.js:
	mkdir -p static/vendor build
	cd build && npm pack --silent idb-keyval@$(IDB_KEYVAL_VERSION) >/dev/null
	tar -xzf build/idb-keyval-$(IDB_KEYVAL_VERSION).tgz -O package/dist/umd.js > $@

translations: $(VENV)/.installed $(SECRET_KEY_FILE)
	$(FLASK) translate compile

# The browser journeys run beside the rest of the suite: they wait on Chromium about as much as
# they compute, and on a two-core machine the pair takes ~3 minutes less than one after the
# other (CI's budget). Separate processes, so separate SQLite files; the browser's report
# follows the suite's, and either one failing fails the target.
test: setup browser-deps
	@mkdir -p build
	@$(BIN)/pytest -q -m browser -p no:cacheprovider > build/browser-tests.log 2>&1 & browser=$$!; \
	$(BIN)/pytest -q -m "not browser"; suite=$$?; \
	wait $$browser; journeys=$$?; \
	echo "--- browser journeys (Chromium) ---"; cat build/browser-tests.log; \
	exit $$(( suite || journeys ))

# The same suite on a fresh PostgreSQL database (DOMAIN: production path).
test-pg: setup
	@db=coordinator_test_$$$$; \
	createdb -h 127.0.0.1 -U postgres $$db && \
	TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/$$db $(BIN)/pytest -q -m "not browser"; \
	status=$$?; dropdb -h 127.0.0.1 -U postgres --if-exists $$db; exit $$status

test-browser: setup browser-deps
	$(BIN)/pytest -q -m browser

# Debian's Chromium and a CJK font; Playwright's own browser download cannot work here.
browser-deps:
	@if ! command -v chromium >/dev/null || ! fc-list 2>/dev/null | grep -qi "wenquanyi\|noto sans cjk"; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null; fi

lint: setup
	$(BIN)/ruff check coordinator tests bench migrations wsgi.py
	$(BIN)/ruff format --check coordinator tests bench migrations wsgi.py

bench: setup bench-deps
	bash bench/run.sh

# Before/after: CPU ms per request of the team list, board, event list and sign-ups for two
# trees in one run (bench/README.md). BENCH_BEFORE=/path/to/the/old/tree make bench-compare
.PHONY: bench-compare
bench-compare: setup
	bash bench/compare.sh

# Photo intake: time and peak memory per photo, each case in a fresh process (bench/README.md).
.PHONY: bench-photos
bench-photos: setup
	$(BIN)/python bench/photo_bench.py

# wrk from Debian's packages: the load generator of bench/.
bench-deps:
	@command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }

clean:
	rm -rf $(VENV) static/vendor build instance
