# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The layers of module_utils, kept by a test: every file in one layer, imports only from its own layer or below
(imports inside functions included), and no cycle. docs/dev/architecture.md says what each layer is for."""

from __future__ import annotations

import ast
import os

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
MODULE_UTILS = os.path.join(ROOT, "plugins", "module_utils")
PACKAGE = "ansible_collections.azureml.model_management.plugins.module_utils"

# Lowest first. rules: no I/O at all (what is valid, what to send, what a plan is); transport: HTTP, credentials,
# tokens, the cloud's endpoints; services: what one account or one fleet run does over the transport; runtime: the
# modules' common start (options, connection, failure).
LAYERS = (
    ("rules", {"text", "errors", "version", "retry", "option_rules", "option_shapes", "tagging", "account_model", "account_fields",
               "account_scope", "arm_errors", "fleet_scope", "fleet_plan", "fleet_report", "fleet_entries", "fleet_hosts",
               "fleet_gate"}),
    ("transport", {"arm", "arm_wait", "cloud", "credentials", "token_cache", "cached_token", "token_fetch", "tokens",
                   "connection", "libraries"}),
    ("services", {"account_service", "fleet_listing", "fleet_apply", "fleet_subscriptions", "fleet_progress"}),
    ("runtime", {"base"}),
)


def import_graph():
    """{file: set of module_utils files it imports}, lazy imports (inside functions) included."""
    graph = {}
    for name in sorted(os.listdir(MODULE_UTILS)):
        if not name.endswith(".py") or name == "__init__.py":
            continue
        with open(os.path.join(MODULE_UTILS, name), encoding="utf-8") as handle:
            tree = ast.parse(handle.read())
        found = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(PACKAGE):
                tail = node.module[len(PACKAGE):].lstrip(".")
                found.update([tail] if tail else [alias.name for alias in node.names])
            elif isinstance(node, ast.Import):
                found.update(alias.name[len(PACKAGE) + 1:] for alias in node.names if alias.name.startswith(PACKAGE + "."))
        graph[name[:-3]] = found
    return graph


def layer_of(name):
    return next((index for index, (_label, names) in enumerate(LAYERS) if name in names), None)


def test_every_file_has_a_layer_and_every_layer_name_a_file():
    graph = import_graph()
    assert sorted(name for name in graph if layer_of(name) is None) == [], "add the new file to LAYERS (and to docs/dev/architecture.md)"
    named = set().union(*(names for _label, names in LAYERS))
    assert sorted(named - set(graph)) == []


def test_nothing_imports_a_higher_layer():
    graph = import_graph()
    upward = sorted("%s (%s) imports %s (%s)" % (name, LAYERS[layer_of(name)][0], used, LAYERS[layer_of(used)][0])
                    for name, uses in graph.items() for used in uses
                    if layer_of(used) is not None and layer_of(name) is not None and layer_of(used) > layer_of(name))
    assert upward == []


def test_the_rules_import_no_io():
    graph = import_graph()
    rules = LAYERS[0][1]
    assert sorted("%s imports %s" % (name, used) for name in rules for used in graph.get(name, ()) if used not in rules) == []


def test_no_import_cycle():
    graph = import_graph()
    state, cycles = {}, []

    def visit(name, path):
        state[name] = "open"
        for used in sorted(graph.get(name, ())):
            if state.get(used) == "open":
                cycles.append(" -> ".join(path[path.index(used):] + [used]))
            elif used in graph and used not in state:
                visit(used, path + [used])
        state[name] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert cycles == []


def test_the_modules_common_start_imports_no_account_rules():
    """``base`` serves every module (operations_info too): an option check it needs (the api-version's format) lives in
    ``option_rules``, not in the account's rules, so the account's model is never part of what every module starts with."""
    graph = import_graph()
    account_rules = {"account_model", "account_fields", "account_scope", "account_service"}
    assert sorted(graph["base"] & account_rules) == []
