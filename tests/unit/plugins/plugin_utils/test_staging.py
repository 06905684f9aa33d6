# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hosts and groups built aside: a group named like a host or an Ansible word is refused naming both; else all is copied."""

from __future__ import annotations

import pytest

from ansible.inventory.data import InventoryData

from ansible_collections.azureml.model_management.plugins.plugin_utils import staging

IDS = {"a@rg": "/subscriptions/s/resourceGroups/rg/providers/x/accounts/a", "b@rg": "/subscriptions/s/resourceGroups/rg/providers/x/accounts/b"}


def build(groups_of):
    """A stage with hosts a@rg and b@rg, each added to the groups ``groups_of[host]`` while it is current."""
    stage = staging.Stage()
    stage.add_group("azureml_accounts")
    for host in ("a@rg", "b@rg"):
        stage.current_host = host
        stage.add_host(host, group="azureml_accounts")
        stage.set_variable(host, "v", host.upper())
        for group in groups_of.get(host, ()):
            stage.add_group(group)
            stage.add_child(group, host)
    return stage


@pytest.mark.parametrize("group, words", [("localhost", ["'localhost'", "the controller", "'a@rg'", IDS["a@rg"]]),
                                          ("all", ["'all'", "its own group"]), ("ungrouped", ["'ungrouped'"]),
                                          ("b@rg", ["'b@rg'", "has the name of the host", IDS["a@rg"], IDS["b@rg"]])])
def test_a_clash_is_refused_naming_both(group, words):
    with pytest.raises(staging.GroupNameClash) as caught:
        staging.check_names(build({"a@rg": [group]}), IDS)
    for word in words:
        assert word in str(caught.value)


def test_other_groups_are_copied_with_hosts_children_and_variables():
    stage = build({"a@rg": ["tag_team_a", "big"], "b@rg": ["tag_team_a"]})
    stage.add_group("parent")
    stage.add_child("parent", "tag_team_a")
    staging.check_names(stage, IDS)
    inventory = InventoryData()
    staging.commit(stage, inventory)
    assert sorted(inventory.hosts) == ["a@rg", "b@rg"]
    assert sorted(h.name for h in inventory.groups["tag_team_a"].get_hosts()) == ["a@rg", "b@rg"]
    assert [h.name for h in inventory.groups["big"].get_hosts()] == ["a@rg"]
    assert [g.name for g in inventory.groups["parent"].child_groups] == ["tag_team_a"]
    assert inventory.hosts["b@rg"].vars["v"] == "B@RG"
