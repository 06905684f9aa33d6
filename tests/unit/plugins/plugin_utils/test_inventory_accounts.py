# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""From list answers to host variables: only accounts of the listed scope, each once; scopes compared ignoring case."""

from __future__ import annotations

import pytest

from ansible_collections.azureml.model_management.plugins.plugin_utils import inventory_accounts as ia
from ansible_collections.azureml.model_management.tests.unit.fakes import OTHER_SUB_WITH_LETTERS as OTHER_SUB, SUB_WITH_LETTERS as SUB

ACCOUNTS = "/providers/Microsoft.MachineLearningModelManagement/accounts/"


def item(name="scoring", group="ml-prod", subscription=SUB, **extra):
    found = {"id": "/subscriptions/%s/resourceGroups/%s%s%s" % (subscription, group, ACCOUNTS, name), "name": name,
             "location": "westeurope", "sku": {"name": "S1", "capacity": 2}, "tags": {"team": "a"},
             "properties": {"description": "d", "createdOn": "x"}}
    found.update(extra)
    return found


def test_subscriptions_and_resource_groups_each_once_ignoring_case():
    assert ia.unique_subscriptions([SUB, SUB.upper(), " %s " % SUB, OTHER_SUB]) == [SUB, OTHER_SUB]
    assert ia.unique_resource_groups(["ml-prod", "ML-PROD", "ml-staging", "Ml-Prod"]) == ["ml-prod", "ml-staging"]


def test_account_vars():
    variables, problem = ia.account_vars(item(), SUB.upper(), "ML-PROD")
    assert problem is None
    assert variables == {"id": item()["id"], "name": "scoring", "resource_group": "ml-prod", "subscription_id": SUB,
                         "location": "westeurope", "sku": {"name": "S1", "capacity": 2}, "tags": {"team": "a"},
                         "description": "d", "provisioning_state": "Succeeded"}


@pytest.mark.parametrize("properties, state", [({}, "Succeeded"), ({"provisioningState": None}, "Succeeded"),
                                               ({"provisioningState": "Failed"}, "Failed"), (None, "Succeeded")])
def test_provisioning_state_is_succeeded_when_azure_leaves_it_out(properties, state):
    variables, _problem = ia.account_vars(item(properties=properties), SUB)
    assert variables["provisioning_state"] == state


def test_the_name_comes_from_the_id_when_the_item_has_none():
    found = item()
    del found["name"]
    assert ia.account_vars(found, SUB)[0]["name"] == "scoring"


@pytest.mark.parametrize("bad, why", [
    (["not", "an", "object"], "not a JSON object"),
    (item(tags={"a": 1}), "tags"),
    (item(id="/subscriptions/%s/resourceGroups/ml-prod/providers/Other.Provider/things/x" % SUB), "not the id of an account"),
    (item(subscription=OTHER_SUB), "not an account of the listed scope"),
    (item(group="elsewhere"), "not an account of the listed scope"),
    (dict(item(), name="other"), "not an account of the listed scope"),
    (item(id=None), "not the id of an account"),
])
def test_items_that_are_not_accounts_of_the_listed_scope_are_refused(bad, why):
    variables, problem = ia.account_vars(bad, SUB, "ml-prod")
    assert variables is None and why in problem


def test_an_account_listed_twice_is_one():
    first = ia.account_vars(item(), SUB)[0]
    again = ia.account_vars(item(id=item()["id"].upper().replace("SUBSCRIPTIONS", "subscriptions"), name="SCORING"), SUB)[0]
    assert ia.unique_accounts([first, again]) == [first]


def test_keep_account_by_tags():
    account = ia.account_vars(item(tags={"Team": "a", "archived": ""}), SUB)[0]
    assert ia.keep_account(account, ["team:a"], [])
    assert not ia.keep_account(account, ["team:b"], [])
    assert not ia.keep_account(account, [], ["archived"])
    assert ia.keep_account(account, None, None)


@pytest.mark.parametrize("name", ["x.", " x", "x ", "a\u00a0", "a\u2028b"])
def test_an_odd_name_of_the_listed_scope_is_an_account(name):
    """Issue 22 item 9: whether a name can make a host is decided per host (host_names.field_problem), not here,
    so that one odd name never fails the listing of its whole group."""
    variables, problem = ia.account_vars(item(name=name), SUB, "ml-prod")
    assert problem is None and variables["name"] == name
