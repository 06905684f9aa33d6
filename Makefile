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
# The second supported pair, ansible-core 2.21 on Python 3.12: its own venv, collection copy and test run.
PYTHON_NEXT ?= $(shell for p in $$HOME/.pyenv/versions/3.12*/bin/python3.12 python3.12; do \
	$$p -c 'import sys; sys.exit(sys.version_info[:2] != (3, 12))' >/dev/null 2>&1 && { echo $$p; break; }; done)
VENV_NEXT := .venv-core2.21
BIN_NEXT := $(CURDIR)/$(VENV_NEXT)/bin
COLLECTIONS_NEXT := $(CURDIR)/$(VENV_NEXT)/collections

# Playbooks and tests find the collection as installed from its built artifact, as users get it.
export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS)
export ANSIBLE_LOCALHOST_WARNING := false
export ANSIBLE_INVENTORY_UNPARSED_WARNING := false
export PATH := $(BIN):$(PATH)

.PHONY: help venv install demo test test-next test-cli unit sanity pytest emulator bench reliability molecule clean

help:
	@echo "make demo      run the demo playbook against the embedded emulator"
	@echo "make test      run the whole test suite (ansible-test sanity, then pytest: unit, emulator, integration)"
	@echo "make emulator  run the emulator in the foreground (DATA_DIR=$(DATA_DIR) PORT=$(PORT)); then: . $(DATA_DIR)/env"
	@echo "make test-cli  a scripted Azure CLI session against the emulator (installs the CLI into $(VENV_CLI))"
	@echo "make reliability  fault matrix, concurrency and security tests; regenerates docs/reliability.md from them"

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-test.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements-test.txt
	touch $@

install: venv
	rm -rf $(VENV)/build
	$(BIN)/ansible-galaxy collection build --force --output-path $(VENV)/build . >/dev/null
	$(BIN)/ansible-galaxy collection install --force -p $(COLLECTIONS) $(VENV)/build/azureml-model_management-*.tar.gz >/dev/null
	@echo "installed azureml.model_management into $(COLLECTIONS)"

demo: install
	$(BIN)/python tests/tools/with_emulator.py -- $(BIN)/ansible-playbook docs/examples/demo.yml

emulator: venv
	$(BIN)/python tests/emulator/run.py --data-dir $(DATA_DIR) --port $(PORT)

sanity: install
	$(BIN)/python tests/tools/ansible_test_offline.py $(TARBALL) $(SANITY_PYTHON)

pytest: install
	cd $(INSTALLED) && PYTHONPATH=$(COLLECTIONS) $(BIN)/python -m pytest $(PYTEST_ARGS) tests

unit: install
	cd $(INSTALLED) && PYTHONPATH=$(COLLECTIONS) $(BIN)/python -m pytest $(PYTEST_ARGS) tests/unit

# ansible-core 2.21 / Python 3.12 first, then 2.19 / 3.11 (sanity, then pytest last): the run ends with
# pytest's summary line and stops at the first failure.
test: install
	$(MAKE) --no-print-directory test-next
	$(BIN)/python tests/tools/ansible_test_offline.py $(TARBALL) $(SANITY_PYTHON)
	$(MAKE) --no-print-directory molecule
	cd $(INSTALLED) && PYTHONPATH=$(COLLECTIONS) $(BIN)/python -m pytest $(PYTEST_ARGS) tests

$(VENV_NEXT)/.installed: requirements.txt requirements-test.txt
	@test -n "$(PYTHON_NEXT)" || { echo "Python 3.12 not found: set PYTHON_NEXT=/path/to/python3.12" >&2; exit 1; }
	$(PYTHON_NEXT) -m venv $(VENV_NEXT)
	$(BIN_NEXT)/python -m pip install --quiet -r requirements-test.txt 'ansible-core>=2.21,<2.22'
	touch $@

# The emulator's conformance suite does not depend on ansible-core, so this leg runs unit and integration tests.
test-next: install $(VENV_NEXT)/.installed
	$(BIN_NEXT)/ansible-galaxy collection install --force -p $(COLLECTIONS_NEXT) $(TARBALL) >/dev/null
	PATH=$(BIN_NEXT):$$PATH $(BIN_NEXT)/python tests/tools/ansible_test_offline.py $(TARBALL) 3.12
	cd $(COLLECTIONS_NEXT)/ansible_collections/azureml/model_management && PATH=$(BIN_NEXT):$$PATH \
		ANSIBLE_COLLECTIONS_PATH=$(COLLECTIONS_NEXT) PYTHONPATH=$(COLLECTIONS_NEXT) \
		$(BIN_NEXT)/python -m pytest -p no:cacheprovider $(PYTEST_ARGS) tests/unit tests/integration

# The Azure CLI (large) in its own venv, and the scripted CLI session against the emulator; CI runs it after make test.
VENV_CLI := .venv-cli
$(VENV_CLI)/.installed: requirements-cli.txt
	$(PYTHON) -m venv $(VENV_CLI)
	$(VENV_CLI)/bin/python -m pip install --quiet -r requirements-cli.txt
	touch $@

test-cli: install $(VENV_CLI)/.installed
	cd $(INSTALLED) && AZ_CLI=$(CURDIR)/$(VENV_CLI)/bin/az PYTHONPATH=$(COLLECTIONS) $(BIN)/python -m pytest -p no:cacheprovider \
		$(PYTEST_ARGS) tests/conformance/test_azure_cli.py

bench: install
	PYTHONPATH=$(COLLECTIONS) $(BIN)/python tests/bench/bench.py

# The role's Molecule scenarios (extensions/molecule/), from the installed collection; each starts and stops its own emulator.
molecule: install
	cd $(INSTALLED) && $(BIN)/molecule test --all

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
	rm -rf $(VENV) $(VENV_NEXT) $(VENV_CLI) $(DATA_DIR) tests/output .pytest_cache
