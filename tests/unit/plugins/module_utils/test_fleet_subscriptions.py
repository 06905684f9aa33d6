# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fleets across subscriptions: subscriptions in order, one client and gate each, listed and applied at the same time."""

from __future__ import annotations

import threading

from ansible_collections.azureml.model_management.plugins.module_utils import fleet_apply as fa
from ansible_collections.azureml.model_management.plugins.module_utils import fleet_plan as fp
from ansible_collections.azureml.model_management.plugins.module_utils import fleet_subscriptions as fs
from ansible_collections.azureml.model_management.plugins.module_utils.fleet_scope import OptionNames
from ansible_collections.azureml.model_management.tests.unit.fakes import NEW, OTHER_SUB, SUB, InMemoryArm, account


NAMES = OptionNames()

TASK = "00000000-0000-0000-0000-00000000000a"
OTHER = "00000000-0000-0000-0000-00000000000b"


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


# -- a run over two subscriptions, end to end on an in-memory Resource Manager -----------------------------------------


class Client(object):
    """One subscription's client: the shared in-memory Resource Manager, and which subscription's client sent what."""

    def __init__(self, arm, sent, subscription_id):
        self.arm, self.sent, self.subscription_id = arm, sent, subscription_id

    def __getattr__(self, name):
        call = getattr(self.arm, name)

        def recorded(path, *args, **kwargs):
            self.sent.append((self.subscription_id, path.split("/")[2] if path.startswith("/subscriptions/") else None))
            return call(path, *args, **kwargs)
        return recorded if name in ("list_all", "get_or_none") else call

    def request(self, method, path, *args, **kwargs):
        self.sent.append((self.subscription_id, path.split("/")[2]))
        return self.arm.request(method, path, *args, **kwargs)


def test_two_subscriptions_each_listed_and_applied_through_its_own_client_and_purged_only_in_its_own_scope():
    """Group "rg" in both subscriptions; the purge scope is the task's "rg" only: the other's undeclared account stays."""
    arm = InMemoryArm([account(name, "rg", sub) for sub in (SUB, OTHER_SUB) for name in ("keep", "stale")])
    raw = [dict(NEW, name="keep"), dict(NEW, name="keep", subscription_id=OTHER_SUB), dict(NEW, name="fresh", subscription_id=OTHER_SUB)]
    entries, errors = fp.declared_entries(raw, "rg", True, NAMES, SUB)
    scopes, scope_errors = fp.check_request(dict(accounts=raw, purge=True, purge_resource_groups=["rg"], purge_tags={"managed-by": "ansible"}),
                                            SUB, entries, NAMES)
    assert errors == scope_errors == [] and list(scopes) == [SUB]
    sent = []
    subscriptions = fs.subscriptions_in_order(SUB, [entry.subscription_id for entry in entries])
    clients = dict((key, Client(arm, sent, key)) for key in subscriptions)
    listings = fs.list_subscriptions(clients, [(e.subscription_id, e.resource_group) for e in entries] + [(SUB, "rg")], 4)
    assert sorted(listings) == [(SUB, "rg"), (OTHER_SUB, "rg")]
    items = fp.plan_fleet(entries, listings, scopes)
    assert [(i.subscription_id, i.name, i.action) for i in items] == [
        (SUB, "keep", "none"), (OTHER_SUB, "keep", "none"), (OTHER_SUB, "fresh", "create"), (SUB, "stale", "purge")]
    applied = fs.apply_subscriptions(clients, items, scopes, lambda client, sub, part, scope: fa.apply_plan(
        client, sub, part, scope, 4, False, True, 600))
    assert sorted((items[index].subscription_id, items[index].name, outcome.action) for index, outcome in applied.items()) == [
        (SUB, "stale", "purge"), (OTHER_SUB, "fresh", "create")]
    assert all(client == target for client, target in sent)  # every request went through its own subscription's client
    assert sorted(key.split("/")[2] + "/" + key.rsplit("/", 1)[1] for key in arm.store) == sorted(
        [SUB + "/keep", OTHER_SUB + "/keep", OTHER_SUB + "/stale", OTHER_SUB + "/fresh"])
