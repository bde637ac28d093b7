# Outcomes Budget Dashboard. `make run` serves the demo; `make test` runs every test.
# Both set everything up on a fresh machine (Debian or Ubuntu, Python 3.11+).

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8050
WAREHOUSE_PATH ?= var/warehouse.duckdb
export WAREHOUSE_PATH
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: run run-public serve system-serve-deps test setup setup-dev system-deps warehouse demo bench lint clean plotly-bundle css

$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(DEV_STAMP): $(STAMP) requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

setup: $(STAMP)
setup-dev: $(DEV_STAMP) system-deps

# apt-get install the Debian packages named in $$missing (a shell variable), as root only
INSTALL_MISSING = if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$missing; \
	  else \
	    echo "missing system packages:$$missing (run as root, or: sudo apt-get install$$missing)"; exit 1; \
	  fi; \
	fi

# Debian's Chromium (and its driver) for the browser tests, Redis for the shared-cache tests,
# nginx for `make serve` and its tests; installed only when missing, and only when we may (root).
system-deps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium chromium-driver"; \
	command -v redis-server >/dev/null 2>&1 || missing="$$missing redis-server"; \
	{ command -v nginx || test -x /usr/sbin/nginx; } >/dev/null 2>&1 || missing="$$missing nginx"; \
	$(INSTALL_MISSING)

# built only when missing (order-only on the install); a public file is never built here:
# it comes from `python -m warehouse publish`
$(WAREHOUSE_PATH): | $(STAMP)
	@if [ "$${DASHBOARD_MODE:-internal}" = "public" ]; then \
	  echo "$(WAREHOUSE_PATH) is missing: make it with .venv/bin/python -m warehouse publish $(WAREHOUSE_PATH)"; exit 1; \
	fi
	$(PY) -m warehouse build

warehouse: $(STAMP)
	$(PY) -m warehouse build

run: $(STAMP) $(WAREHOUSE_PATH)
	HOST=$(HOST) PORT=$(PORT) $(VENV)/bin/gunicorn --config gunicorn.conf.py dashboard.app:server

# the production stack, as a council would run it on a server: nginx (Debian's) on HOST:PORT in
# front of two gunicorn instances sharing one Redis (deploy/; run files and logs in SERVE_DIR,
# default var/serve). Installs nginx and Redis when missing, as root.
serve: $(STAMP) $(WAREHOUSE_PATH) system-serve-deps
	HOST=$(HOST) PORT=$(PORT) $(PY) -m deploy.serve

system-serve-deps:
	@missing=""; \
	command -v redis-server >/dev/null 2>&1 || missing="$$missing redis-server"; \
	{ command -v nginx || test -x /usr/sbin/nginx; } >/dev/null 2>&1 || missing="$$missing nginx"; \
	$(INSTALL_MISSING)

# the public site on the demo: published rows only, server-rendered pages
PUBLIC_PATH ?= var/public.duckdb
run-public: $(STAMP) $(WAREHOUSE_PATH)
	$(PY) -m warehouse publish $(PUBLIC_PATH)
	DASHBOARD_MODE=public WAREHOUSE_PATH=$(PUBLIC_PATH) HOST=$(HOST) PORT=$(PORT) \
	  $(VENV)/bin/gunicorn --config gunicorn.conf.py dashboard.app:server

test: setup-dev
	$(VENV)/bin/ruff check .
	$(PY) -m pytest -n 2 --dist loadfile

lint: setup-dev
	$(VENV)/bin/ruff check .

bench: setup-dev $(WAREHOUSE_PATH)
	$(PY) -m bench.run_all

# dashboard/vendor/plotly.min.js: plotly.js with only the trace types in
# assets-src/plotly/traces.txt. The built file is committed (make run needs no node); this
# rebuilds it with node and npm from the pinned package-lock.json, refusing a plotly.js version
# other than the one the installed plotly.py ships. No install scripts run.
PLOTLY_SRC := assets-src/plotly
plotly-bundle: $(STAMP)
	cd $(PLOTLY_SRC) && npm ci --ignore-scripts --no-audit --no-fund
	cd $(PLOTLY_SRC) && PLOTLY_JS_VERSION="$$($(CURDIR)/$(PY) -c 'from plotly.offline import get_plotlyjs_version as v; print(v())')" node build.mjs

# assets/static/bootstrap.purged.min.css: Bootstrap with only the rules the server-rendered
# pages use. corpus.py renders every page in the states its classes depend on (it needs the
# demo warehouse); PurgeCSS (pinned in assets-src/css/package-lock.json) keeps the rules those
# pages match. The built file is committed; tests/dashboard/test_css.py fails if a page starts
# using a Bootstrap class the file lacks, until this is run again.
CSS_SRC := assets-src/css
css: $(STAMP) $(WAREHOUSE_PATH)
	rm -rf var/css-corpus
	$(PY) $(CSS_SRC)/corpus.py var/css-corpus
	cd $(CSS_SRC) && npm ci --ignore-scripts --no-audit --no-fund
	cd $(CSS_SRC) && node build.mjs $(CURDIR)/var/css-corpus

clean:
	rm -rf var/warehouse.duckdb var/demo-source
