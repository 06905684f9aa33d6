# Everything runs from a virtual environment in .venv/ that these targets create on first use.
# Quickstart: `make demo` (the demo against the embedded emulator) and `make test` (the whole suite).

PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
COLLECTIONS := $(CURDIR)/$(VENV)/collections
INSTALLED := $(COLLECTIONS)/ansible_collections/azureml/model_management
TARBALL = $(wildcard $(VENV)/build/azureml-model_management-*.tar.gz)
SANITY_PYTHON ?= $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])')
DATA_DIR ?= .emulator
PORT ?= 0
PYTEST_ARGS ?=
# The supported ansible-core releases (2.16 to 2.21), each tested in its own venv on its own installed copy:
# the oldest, 2.16 on its oldest controller Python 3.10, and the newest, 2.21 on Python 3.12: sanity, unit and
# integration tests; 2.19 in between (the main .venv on $(PYTHON)): sanity, unit and the emulator's conformance
# suite, which does not depend on ansible-core and so runs once.
CORE_OLDEST := ansible-core>=2.16,<2.17
CORE_MAIN := ansible-core>=2.19,<2.20
CORE_NEXT := ansible-core>=2.21,<2.22
find_python = $(shell for p in $$HOME/.pyenv/versions/$(1)*/bin/python$(1) python$(1); do \
	$$p -c 'import sys; sys.exit("%d.%d" % sys.version_info[:2] != "$(1)")' >/dev/null 2>&1 && { echo $$p; break; }; done)
PYTHON_OLDEST ?= $(call find_python,3.10)
PYTHON_NEXT ?= $(call find_python,3.12)
PYTHON_TARGET_OLDEST ?= $(call find_python,3.9)
VENV_OLDEST := .venv-core2.16
VENV_TARGET_OLDEST := .venv-target3.9
VENV_NEXT := .venv-core2.21
BIN_NEXT := $(CURDIR)/$(VENV_NEXT)/bin
COLLECTIONS_NEXT := $(CURDIR)/$(VENV_NEXT)/collections
# The maintainer tools (ansible-lint, antsibull-changelog, antsibull-docs, ansible-builder, galaxy-importer), pinned,
# in their own venv: they bring their own ansible-core and ansible-lint ranges.
VENV_TOOLS := .venv-tools
BIN_TOOLS := $(CURDIR)/$(VENV_TOOLS)/bin
COLLECTIONS_TOOLS := $(CURDIR)/$(VENV_TOOLS)/collections
# pytest-xdist workers per leg; each worker starts its own emulator.
WORKERS ?= 2

# Playbooks and tests find the collection as installed from its built artifact, as users get it.
export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS)
export ANSIBLE_LOCALHOST_WARNING := false
export ANSIBLE_INVENTORY_UNPARSED_WARNING := false
export PATH := $(BIN):$(PATH)

.PHONY: help venv install demo test test-oldest test-next test-main tools lint release-check docs test-cli unit sanity integration-targets pytest emulator emulator-check bench bench-fleet reliability molecule clean

help:
	@echo "make demo      run the demo playbook against the embedded emulator"
	@echo "make test      the whole suite on ansible-core 2.16, 2.21 and 2.19: sanity, unit, integration, emulator; ansible-lint and the release tools"
	@echo "make release-check  release notes dry run and galaxy-importer (Automation Hub settings); CI runs it after make test"
	@echo "make docs      regenerate docs/reference/ (antsibull-docs) from the code"
	@echo "make emulator  the emulator in the foreground, e.g. RESOURCE_GROUPS=\"ml-prod ml-staging\" THROTTLING=1 (DATA_DIR=$(DATA_DIR) PORT=$(PORT)); then: . $(DATA_DIR)/env"
	@echo "make integration-targets  ansible-test integration of tests/integration/targets/ against an emulator (2.19)"
	@echo "make test-cli  a scripted Azure CLI session against the emulator (installs the CLI into $(VENV_CLI))"
	@echo "make reliability  fault matrix, concurrency and security tests; regenerates docs/reliability.md from them"
	@echo "make bench     what a task costs (tests/bench/bench.py), then make bench-fleet: the fleet module at 1,000 and 10,000 accounts"

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-test.txt requirements-emulator.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements-test.txt '$(CORE_MAIN)'
	touch $@

install: venv
	rm -rf $(VENV)/build
	$(BIN)/ansible-galaxy collection build --force --output-path $(VENV)/build . >/dev/null
	$(BIN)/ansible-galaxy collection install --force -p $(COLLECTIONS) $(VENV)/build/azureml-model_management-*.tar.gz >/dev/null
	@echo "installed azureml.model_management into $(COLLECTIONS)"

# The emulator's log goes to a file in its (temporary) data directory, named once on stderr; the playbook's output
# stays as Ansible prints it.
demo: install
	$(BIN)/python tests/tools/with_emulator.py -- $(BIN)/ansible-playbook docs/examples/demo.yml

# In the foreground, logging each request to the terminal. RESOURCE_GROUPS: the groups that exist from the start (as
# in Azure, none is created on demand; default: the emulator's demo-rg), in the default subscription and in each of
# SUBSCRIPTIONS (extra subscription IDs the emulator knows), e.g. make emulator RESOURCE_GROUPS="ml-prod ml-staging".
# THROTTLING=1: Resource Manager's throttling on from the start (the emulator's --throttling; off by default).
# From its own venv (requirements-emulator.txt: the emulator's three packages), not the test venv.
RESOURCE_GROUPS ?=
SUBSCRIPTIONS ?=
THROTTLING ?= 0
VENV_EMULATOR := .venv-emulator
BIN_EMULATOR := $(CURDIR)/$(VENV_EMULATOR)/bin
EMULATOR_COMMAND = $(BIN_EMULATOR)/python tests/tools/with_emulator.py --data-dir $(DATA_DIR) --port $(PORT) \
	$(RESOURCE_GROUPS:%=--resource-group=%) $(SUBSCRIPTIONS:%=--subscription=%) $(if $(filter 1,$(THROTTLING)),--emulator-arg=--throttling)
check_throttling = @case "$(THROTTLING)" in 0|1) ;; *) echo "THROTTLING must be 0 or 1, got '$(THROTTLING)'" >&2; exit 2;; esac

$(VENV_EMULATOR)/.installed: requirements-emulator.txt
	$(PYTHON) -m venv $(VENV_EMULATOR)
	$(BIN_EMULATOR)/python -m pip install --quiet -r requirements-emulator.txt
	touch $@

emulator: $(VENV_EMULATOR)/.installed
	$(check_throttling)
	$(EMULATOR_COMMAND)

# make test's check of the target above: the same command, with tests/tools/check_emulator.py run against it instead
# of the foreground (healthy, throttling as THROTTLING says, no test packages in its venv). A few seconds.
emulator-check: $(VENV_EMULATOR)/.installed
	$(check_throttling)
	$(EMULATOR_COMMAND) -- $(BIN_EMULATOR)/python tests/tools/check_emulator.py --throttling $(THROTTLING)

sanity: install
	$(BIN)/python tests/tools/ansible_test_offline.py $(TARBALL) $(SANITY_PYTHON)

# The ansible-test integration targets (tests/integration/targets/: account, account_info, operations_info) against a
# fresh emulator, on 2.19: what downstream CI can run without this Makefile (tests/tools/ansible_test_integration.py).
integration-targets: install
	$(BIN)/python tests/tools/ansible_test_integration.py $(TARBALL) $(SANITY_PYTHON)

pytest: install
	cd $(INSTALLED) && PYTHONPATH=$(COLLECTIONS) $(BIN)/python -m pytest $(PYTEST_ARGS) tests

unit: install
	cd $(INSTALLED) && PYTHONPATH=$(COLLECTIONS) $(BIN)/python -m pytest $(PYTEST_ARGS) tests/unit

# The legs one after the other, each on all (2) cores: 2.16 / Python 3.10, 2.21 / 3.12, the tools, Molecule, the
# ansible-test integration targets, `make emulator THROTTLING=1` from its own venv, then 2.19 / 3.11 (pytest last, so
# the run ends with pytest's summary line).
# Stops at the first failure.
test: install
	$(MAKE) --no-print-directory test-oldest
	$(MAKE) --no-print-directory test-next
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory molecule
	$(MAKE) --no-print-directory integration-targets
	$(MAKE) --no-print-directory emulator-check THROTTLING=1 DATA_DIR=$(VENV_EMULATOR)/check-data
	$(MAKE) --no-print-directory test-main

# One leg: the built collection installed into the leg's venv, ansible-test sanity on it (no ignore files), then
# pytest over $(3) from that installed copy. $(1): the venv, $(2): the Python version sanity runs on.
define leg
	$(CURDIR)/$(1)/bin/ansible-galaxy collection install --force -p $(CURDIR)/$(1)/collections $(TARBALL) >/dev/null
	PATH=$(CURDIR)/$(1)/bin:$$PATH $(CURDIR)/$(1)/bin/python tests/tools/ansible_test_offline.py $(TARBALL) $(2)
	cd $(CURDIR)/$(1)/collections/ansible_collections/azureml/model_management && PATH=$(CURDIR)/$(1)/bin:$$PATH \
		ANSIBLE_COLLECTIONS_PATH=$(CURDIR)/$(1)/collections PYTHONPATH=$(CURDIR)/$(1)/collections \
		$(CURDIR)/$(1)/bin/python -m pytest -p no:cacheprovider -n $(WORKERS) $(PYTEST_ARGS) $(3)
endef

# The oldest leg runs the integration tests that meet ansible-core (argument specs, check and diff, no_log, warnings,
# plugins, the role, docs); the HTTP-level ones (faults, retries, async, concurrency: module_utils over requests, the
# same on every core) run on the newest only, to keep make test within its time.
CORE_NEUTRAL_TESTS := test_fault_matrix test_concurrency test_resilience test_account_async
# test_target_python (the modules on Python 3.9) runs once, on the newest leg (test-next), not here.
test-oldest: install $(VENV_OLDEST)/.installed
	$(call leg,$(VENV_OLDEST),3.10,tests/unit tests/integration $(CORE_NEUTRAL_TESTS:%=--ignore=tests/integration/%.py) \
		--ignore=tests/integration/test_target_python.py)

# The newest leg also runs the modules on Python 3.9 once (tests/integration/test_target_python.py): the oldest Python
# README promises for the host that runs them, and ansible-core 2.21's floor there.
test-next: export AZUREML_TARGET_PYTHON := $(CURDIR)/$(VENV_TARGET_OLDEST)/bin/python
test-next: install $(VENV_NEXT)/.installed $(VENV_TARGET_OLDEST)/.installed
	$(call leg,$(VENV_NEXT),3.12,tests/unit tests/integration)

test-main: install
	$(call leg,$(VENV),$(SANITY_PYTHON),tests/unit tests/conformance)

$(VENV_OLDEST)/.installed: requirements.txt requirements-test.txt requirements-emulator.txt
	@test -n "$(PYTHON_OLDEST)" || { echo "Python 3.10 not found: set PYTHON_OLDEST=/path/to/python3.10" >&2; exit 1; }
	$(PYTHON_OLDEST) -m venv $(VENV_OLDEST)
	$(VENV_OLDEST)/bin/python -m pip install --quiet -r requirements-test.txt '$(CORE_OLDEST)'
	touch $@

$(VENV_NEXT)/.installed: requirements.txt requirements-test.txt requirements-emulator.txt
	@test -n "$(PYTHON_NEXT)" || { echo "Python 3.12 not found: set PYTHON_NEXT=/path/to/python3.12" >&2; exit 1; }
	$(PYTHON_NEXT) -m venv $(VENV_NEXT)
	$(BIN_NEXT)/python -m pip install --quiet -r requirements-test.txt '$(CORE_NEXT)'
	touch $@

# The host that runs the modules, on its oldest supported Python: requirements.txt only, as README tells users.
$(VENV_TARGET_OLDEST)/.installed: requirements.txt
	@test -n "$(PYTHON_TARGET_OLDEST)" || { echo "Python 3.9 not found: set PYTHON_TARGET_OLDEST=/path/to/python3.9" >&2; exit 1; }
	$(PYTHON_TARGET_OLDEST) -m venv $(VENV_TARGET_OLDEST)
	$(VENV_TARGET_OLDEST)/bin/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV_TOOLS)/.installed: requirements-tools.txt
	$(PYTHON) -m venv $(VENV_TOOLS)
	$(BIN_TOOLS)/python -m pip install --quiet -r requirements-tools.txt
	touch $@

tools: install $(VENV_TOOLS)/.installed
	$(BIN_TOOLS)/ansible-galaxy collection install --force -p $(COLLECTIONS_TOOLS) $(TARBALL) >/dev/null

# The tools pytest runs from their installed copy; $(1): the test file under tests/release/.
define tools_pytest
	cd $(COLLECTIONS_TOOLS)/ansible_collections/azureml/model_management && PATH=$(BIN_TOOLS):$$PATH \
		ANSIBLE_COLLECTIONS_PATH=$(COLLECTIONS_TOOLS) $(BIN_TOOLS)/python -m pytest -p no:cacheprovider $(PYTEST_ARGS) $(1)
endef

# ansible-lint (production profile) in the checkout, as a contributor runs it: it installs the checkout into
# .ansible/collections itself (no download: galaxy.yml has no dependencies). Then changelog fragments, the EE
# definition and the generated reference (tests/release/test_tooling.py).
lint: tools
	env -u ANSIBLE_COLLECTIONS_PATH PATH=$(BIN_TOOLS):$$PATH $(BIN_TOOLS)/ansible-lint --nocolor
	$(call tools_pytest,tests/release/test_tooling.py)

# What a release needs beyond make test (CI runs it after make test): the release notes of the version in
# galaxy.yml from the fragments, and galaxy-importer with Automation Hub's settings (.ci/galaxy-importer.cfg).
# From the checkout (galaxy.yml, changelogs/), on throw-away copies of it.
release-check: tools
	PATH=$(BIN_TOOLS):$$PATH $(BIN_TOOLS)/python -m pytest -p no:cacheprovider $(PYTEST_ARGS) tests/release/test_release.py

# docs/reference/: the plugin and role reference generated by antsibull-docs from the code (make test checks it is current).
docs: tools
	rm -rf docs/reference && mkdir -m 755 docs/reference
	PATH=$(BIN_TOOLS):$$PATH ANSIBLE_COLLECTIONS_PATH=$(COLLECTIONS_TOOLS) $(BIN_TOOLS)/antsibull-docs collection \
		--use-current --squash-hierarchy --output-format simplified-rst --fail-on-error \
		--no-add-antsibull-docs-version --no-breadcrumbs --dest-dir docs/reference azureml.model_management

# The Azure CLI (large) in its own venv, and the scripted CLI session against the emulator; CI runs it after make test.
VENV_CLI := .venv-cli
$(VENV_CLI)/.installed: requirements-cli.txt
	$(PYTHON) -m venv $(VENV_CLI)
	$(VENV_CLI)/bin/python -m pip install --quiet -r requirements-cli.txt
	touch $@

test-cli: install $(VENV_CLI)/.installed
	cd $(INSTALLED) && AZ_CLI=$(CURDIR)/$(VENV_CLI)/bin/az PYTHONPATH=$(COLLECTIONS) $(BIN)/python -m pytest -p no:cacheprovider \
		$(PYTEST_ARGS) tests/conformance/test_azure_cli.py

# BENCH_ARGS, e.g. --previous <git rev> (repeatable) to time that revision's no-op, cache off and on, in the same run (docs/performance.md).
# The charts go to docs/images/performance-*.svg, beside the tables of docs/performance.md.
BENCH_ARGS ?=
bench: install
	PYTHONPATH=$(COLLECTIONS) $(BIN)/python tests/bench/bench.py --charts docs/images $(BENCH_ARGS)
	$(MAKE) --no-print-directory bench-fleet

# Fleets (issue 13): the fleet module at 1,000 and 10,000 accounts, 1,000 creates with the emulator's throttling on,
# the per-account role of FLEET_BENCH_ARGS --previous at 100 accounts (docs/performance.md, "Fleets").
FLEET_BENCH_ARGS ?=
bench-fleet: install
	PYTHONPATH=$(COLLECTIONS) $(BIN)/python tests/bench/fleet_bench.py --charts docs/images $(FLEET_BENCH_ARGS)

# The role's Molecule scenarios (extensions/molecule/), run from the checkout root (Molecule finds a collection's
# scenarios by its galaxy.yml) against the installed collection; each starts and stops its own emulator.
molecule: install
	$(BIN)/molecule test --all

# The fault matrix, concurrency, security and bad-input tests, then docs/reliability.md rendered from the rows they
# recorded (also when some fail: the report shows which rules broke); exits with the tests' status.
# `make test` runs the same tests, recording into the installed copy's tests/output/ only.
RELIABILITY_TESTS := tests/integration/test_fault_matrix.py tests/integration/test_concurrency.py \
	tests/integration/test_security.py tests/integration/test_input_validation.py
reliability: install
	rm -rf $(INSTALLED)/tests/output/reliability
	cd $(INSTALLED) && PYTHONPATH=$(COLLECTIONS) $(BIN)/python -m pytest -p no:cacheprovider $(PYTEST_ARGS) \
		$(RELIABILITY_TESTS); status=$$?; \
	$(BIN)/python tests/tools/reliability_report.py --input tests/output/reliability --output $(CURDIR)/docs/reliability.md \
		--command "make reliability"; exit $$status

clean:
	rm -rf $(VENV) $(VENV_OLDEST) $(VENV_NEXT) $(VENV_TOOLS) $(VENV_EMULATOR) $(VENV_TARGET_OLDEST) .ansible $(VENV_CLI) $(DATA_DIR) tests/output .pytest_cache
