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

# Playbooks and tests find the collection as installed from its built artifact, as users get it.
export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS)
export ANSIBLE_LOCALHOST_WARNING := false
export ANSIBLE_INVENTORY_UNPARSED_WARNING := false
export PATH := $(BIN):$(PATH)

.PHONY: help venv install demo test unit sanity pytest emulator bench clean

help:
	@echo "make demo      run the demo playbook against the embedded emulator"
	@echo "make test      run the whole test suite (ansible-test sanity, then pytest: unit, emulator, integration)"
	@echo "make emulator  run the emulator in the foreground (DATA_DIR=$(DATA_DIR) PORT=$(PORT)); then: . $(DATA_DIR)/env"

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

# Sanity first, pytest last: the run ends with pytest's summary line and fails if anything failed.
test: install
	$(BIN)/python tests/tools/ansible_test_offline.py $(TARBALL) $(SANITY_PYTHON)
	cd $(INSTALLED) && PYTHONPATH=$(COLLECTIONS) $(BIN)/python -m pytest $(PYTEST_ARGS) tests

bench: install
	PYTHONPATH=$(COLLECTIONS) $(BIN)/python tests/bench/bench.py

clean:
	rm -rf $(VENV) $(DATA_DIR) tests/output .pytest_cache
