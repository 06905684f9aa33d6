# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fleets across subscriptions: purge groups by name or id, subscriptions in order, one gate per subscription."""

from __future__ import annotations

import threading

import pytest

from ansible_collections.azureml.model_management.plugins.module_utils import fleet_subscriptions as fs

TASK = "00000000-0000-0000-0000-00000000000a"
OTHER = "00000000-0000-0000-0000-00000000000b"


@pytest.mark.parametrize("value, expected", [
    ("ml-prod", (TASK, "ml-prod")),
    ("/subscriptions/%s/resourceGroups/ml-prod" % OTHER, (OTHER, "ml-prod")),
    ("/SUBSCRIPTIONS/%s/resourcegroups/ml.prod(1)" % OTHER.upper(), (OTHER.upper(), "ml.prod(1)")),
])
def test_a_purge_group_is_a_name_in_the_tasks_subscription_or_a_resource_group_id(value, expected):
    assert fs.parse_purge_group(value, TASK, "purge_resource_groups[0]") == (expected, None)


@pytest.mark.parametrize("value, words", [
    ("/subscriptions/%s/resourceGroups/ml-prod/" % OTHER, "is neither a resource group name nor a resource group id"),
    ("/subscriptions/%s/resourceGroups/ml-prod/providers/x" % OTHER, "is neither a resource group name nor"),
    ("/subscriptions/%s/resourceGroups/" % OTHER, "the resource group of purge_resource_groups[0] must be a non-empty string"),
    ("/subscriptions/not-a-guid/resourceGroups/ml-prod", "the subscription of purge_resource_groups[0] must be a subscription id"),
    ("/subscriptions/%s\n/resourceGroups/ml-prod" % OTHER, "the subscription of purge_resource_groups[0] must be a subscription id"),
    (" /subscriptions/%s/resourceGroups/ml-prod" % OTHER, "purge_resource_groups[0] may contain only letters"),
    ("/resourceGroups/ml-prod", "is neither a resource group name nor a resource group id"),
    ("ml prod", "purge_resource_groups[0] may contain only letters"),
    ("", "purge_resource_groups[0] must be a non-empty string"),
])
def test_anything_else_is_refused_naming_the_entry(value, words):
    parsed, problem = fs.parse_purge_group(value, TASK, "purge_resource_groups[0]")
    assert parsed is None and words in problem, problem


@pytest.mark.parametrize("value, ok", [(OTHER, True), (OTHER.upper(), True), (OTHER + "\n", False), ("x", False), (["a"], False), (None, False)])
def test_a_subscription_id_is_a_guid(value, ok):
    problem = fs.subscription_id_problem(value, "accounts[2].subscription_id")
    assert (problem is None) is ok
    if not ok:
        assert problem.startswith("accounts[2].subscription_id must be a subscription id")


def test_subscriptions_come_once_each_the_tasks_first():
    ordered = fs.subscriptions_in_order(TASK, [OTHER, TASK.upper(), OTHER.upper()])
    assert list(ordered.items()) == [(TASK, TASK), (OTHER, OTHER)]


def test_items_are_grouped_by_subscription_ignoring_case_in_order():
    items = [TASK, OTHER, TASK.upper(), OTHER]
    assert fs.by_subscription(items, lambda item: item) == {TASK: [0, 2], OTHER: [1, 3]}


def test_each_subscription_gets_a_client_with_its_own_gate():
    class Client(object):
        def __init__(self, gate=None):
            self.gate = gate

        def with_gate(self, gate):
            return Client(gate)

    gates = iter(["gate-a", "gate-b"])
    clients = fs.clients_for(Client(), fs.subscriptions_in_order(TASK, [OTHER]), lambda: next(gates))
    assert dict((key, client.gate) for key, client in clients.items()) == {TASK: "gate-a", OTHER: "gate-b"}


def test_subscriptions_run_at_once():
    """Two calls that each wait for the other finish only if they run at the same time."""
    barrier = threading.Barrier(2, timeout=10)
    results = fs.in_parallel({TASK: 1, OTHER: 2}, lambda key, value: (barrier.wait(), value * 10)[1])
    assert results == {TASK: 10, OTHER: 20} and fs.in_parallel({}, None) == {}
