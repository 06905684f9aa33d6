# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The shape of each declared entry of the fleet module, checked once per run, each message naming its entry."""

from __future__ import annotations

import pytest

from ansible_collections.azureml.model_management.plugins.module_utils.fleet_entries import entry_shape_problems
from ansible_collections.azureml.model_management.plugins.module_utils.fleet_scope import OptionNames

ROLE = OptionNames({"accounts": "accounts_list"})
KEYS = "name, resource_group, location, sku, tags, description, state, subscription_id and append_tags"  # the order of account_model.FIELDS


@pytest.mark.parametrize("entry, problems", [
    ({"name": "a", "location": "eastus", "sku": {"name": "S1", "capacity": 1}, "tags": {"x": "y"}, "state": "present",
      "resource_group": "rg", "append_tags": False, "description": "d"}, []),
    ({"location": "eastus"}, ["accounts_list[0]: missing required arguments: name"]),
    ({"name": "a", "colour": "red"}, ["accounts_list[0]: colour. Supported parameters include: append_tags, description, location, "
                                      "name, resource_group, sku, state, subscription_id, tags."]),
    ({"name": "a", "state": "gone"}, ["accounts_list[0]: value of state must be one of: present, absent, got: gone"]),
    ("acc1", ["accounts_list[0]: must be a dictionary with %s; got a string ('acc1')" % KEYS]),
    (["a"], ["accounts_list[0]: must be a dictionary with %s; got a list" % KEYS]),
    ({"name": "a", "sku": "S1"}, ["accounts_list[0].sku must be a dictionary with name and capacity; got a string ('S1')"]),
    ({"name": "a", "location": ["x"]}, ["accounts_list[0].location must be a string, got a list (quote it in YAML if it is meant as text)"]),
])
def test_each_entry_that_ansible_would_refuse_is_named(entry, problems):
    assert entry_shape_problems([entry], ROLE) == problems


def test_a_value_of_the_wrong_type_gets_ansibles_words_naming_the_entry():
    """Ansible's wording differs between cores (``str`` or ``<class 'str'>``): the entry and the option are what count."""
    problems = entry_shape_problems([{"name": "a", "sku": {"capacity": "many"}}], ROLE)
    assert len(problems) == 1 and problems[0].startswith("accounts_list[0]: argument 'capacity' is of type")
    assert "found in 'sku'" in problems[0] and "cannot be converted to an int" in problems[0]


def test_ansibles_repeated_words_are_said_once_and_every_entry_is_checked():
    problems = entry_shape_problems([{"name": "a", "sku": {"capacity": "x"}}, {"name": "b"}, {"tags": "x"}], OptionNames())
    assert problems[0].startswith("accounts[0]: argument 'capacity' is of type")
    assert not any(problem == "accounts[0]: dictionary requested, could not parse JSON or key=value" for problem in problems)
    assert problems[1:] == ["accounts[2].tags must be a dictionary; got a string ('x')", "accounts[2]: missing required arguments: name"]
    assert entry_shape_problems(None, OptionNames()) == []
    assert entry_shape_problems("acc1, acc2", ROLE) == ["accounts_list must be a list of dictionaries (one per account), got a string"]
    assert entry_shape_problems({"name": "a"}, ROLE) == ["accounts_list must be a list of dictionaries (one per account), got a dictionary"]
