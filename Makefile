# ContactPoint developer entry points.  Run `make` for a summary.

SHELL := /bin/bash

VENV        := .venv
PY          := $(VENV)/bin/python
PIP         := $(VENV)/bin/pip
DEMO_ARGS   ?=
PYTEST_ARGS ?=
BENCH_ARGS  ?=

# apt-get needs root; use sudo only when not already root.
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

.DEFAULT_GOAL := help
.PHONY: help demo servers browsers test bench cluster cluster-down faults fault-tests

help:
	@echo "ContactPoint"
	@echo "  make demo   # create .venv, install, run the demo  (DEMO_ARGS=...)"
	@echo "  make test   # create .venv, ensure PostgreSQL/Redis/RabbitMQ, lint with ruff, run pytest  (PYTEST_ARGS=...)"
	@echo "Other targets: servers, browsers, bench (BENCH_ARGS=...)"
	@echo "  make cluster   # a RabbitMQ cluster of three and a PostgreSQL primary with a hot standby on this machine (cluster-down removes it)"
	@echo "  make faults    # the fault suite against that cluster, with a feed and a search load going (not part of make test)"

$(VENV)/.installed: pyproject.toml
	@echo "Setting up $(VENV) ..."
	@python3 -m venv $(VENV)
	@$(PIP) install -qq --disable-pip-version-check --upgrade pip
	@$(PIP) install -qq --disable-pip-version-check -e '.[test]'
	@touch $@

demo: $(VENV)/.installed
	$(VENV)/bin/contactpoint demo $(DEMO_ARGS)

servers:
	@bash deploy/ensure-servers.sh

browsers:
	@if [ ! -x /usr/bin/chromium ]; then \
	  echo "Installing chromium and chromium-driver ..."; \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium chromium-driver; \
	else \
	  echo "chromium: present"; \
	fi

# Two workers, each taking whole modules (their module-wide systems start once); each worker has its own database and vhost.
TEST_WORKERS ?= 2

test: $(VENV)/.installed servers browsers
	$(VENV)/bin/ruff check .
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

bench: $(VENV)/.installed servers
	$(PY) -m bench $(BENCH_ARGS)

cluster: $(VENV)/.installed servers
	@bash deploy/cluster.sh up

cluster-down: $(VENV)/.installed
	@bash deploy/cluster.sh down

faults: cluster
	$(PY) -m bench faults

fault-tests: $(VENV)/.installed servers
	$(PY) -m pytest -m faults tests/e2e/test_faults.py $(PYTEST_ARGS)
