# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The shape of each declared entry of the fleet module, checked once per run, each message naming its entry."""

from __future__ import annotations

import pytest

from ansible_collections.azureml.model_management.plugins.module_utils.fleet_entries import entry_shape_problems
from ansible_collections.azureml.model_management.plugins.module_utils.fleet_scope import OptionNames

ROLE = OptionNames({"accounts": "accounts_list"})


@pytest.mark.parametrize("entry, problems", [
    ({"name": "a", "location": "eastus", "sku": {"name": "S1", "capacity": 1}, "tags": {"x": "y"}, "state": "present",
      "resource_group": "rg", "append_tags": False, "description": "d"}, []),
    ({"location": "eastus"}, ["accounts_list[0]: missing required arguments: name"]),
    ({"name": "a", "colour": "red"}, ["accounts_list[0]: colour. Supported parameters include: append_tags, description, location, "
                                      "name, resource_group, sku, state, subscription_id, tags."]),
    ({"name": "a", "sku": {"capacity": "many"}}, ["accounts_list[0]: argument 'capacity' is of type str found in 'sku'. and we were "
                                                  "unable to convert to int: \"'many'\" cannot be converted to an int"]),
    ({"name": "a", "state": "gone"}, ["accounts_list[0]: value of state must be one of: present, absent, got: gone"]),
    ("acc1", ["accounts_list[0] must be a dictionary with name and the options of azureml.model_management.account, got a string"]),
    (["a"], ["accounts_list[0] must be a dictionary with name and the options of azureml.model_management.account, got a list"]),
])
def test_each_entry_that_ansible_would_refuse_is_named(entry, problems):
    assert entry_shape_problems([entry], ROLE) == problems


def test_ansibles_repeated_words_are_said_once_and_every_entry_is_checked():
    problems = entry_shape_problems([{"name": "a", "sku": "S1"}, {"name": "b"}, {"tags": "x"}], OptionNames())
    assert problems[0].startswith("accounts[0]: argument 'sku' is of type str and we were unable to convert to dict")
    assert not any(problem == "accounts[0]: dictionary requested, could not parse JSON or key=value" for problem in problems)
    assert [p.split(":")[0] for p in problems if "missing" in p] == ["accounts[2]"]
    assert entry_shape_problems(None, OptionNames()) == []
    assert entry_shape_problems("acc1, acc2", ROLE) == ["accounts_list must be a list of dictionaries (one per account), got a string"]
    assert entry_shape_problems({"name": "a"}, ROLE) == ["accounts_list must be a list of dictionaries (one per account), got a dictionary"]
