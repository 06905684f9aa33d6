# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Hosts and groups built aside first, checked, then added to the inventory: all of them, or none.

Constructable's ``compose``, ``groups`` and ``keyed_groups`` add groups while they go, named from Azure's data. A
group named like a host makes a pattern select the group (Ansible prefers it: healthy accounts ended up in
``hosts: failed``), and one named ``localhost`` makes ``hosts: localhost`` select an account. Both are refused, which
needs every name; so the plugin builds into a ``Stage``, checks it, and only then copies it into the inventory
(ansible-core before 2.21 keeps whatever a failing plugin added).
"""

from __future__ import annotations

from ansible.inventory.data import InventoryData

IMPLICIT_GROUPS = ("all", "ungrouped")
# Group names that would take a meaning from Ansible: the implicit groups, and the implicit host of the controller.
ANSIBLE_WORDS = IMPLICIT_GROUPS + ("localhost",)


class GroupNameClash(ValueError):
    """A group of this source is named like one of its hosts or like an Ansible word: the message names both."""


class Stage(InventoryData):
    """An empty inventory that remembers, for every group asked for, the first host it was asked for.

    The plugin sets ``current_host`` before it composes and groups each host; ``all`` and ``ungrouped`` exist from
    the start, so a keyed group of that name would otherwise go unseen.
    """

    def __init__(self):
        self.current_host = None
        self.asked = {}
        super(Stage, self).__init__()  # adds all and ungrouped, before any host

    def add_group(self, group):
        if self.current_host is not None:
            self.asked.setdefault(group, self.current_host)
        return super(Stage, self).add_group(group)


def check_names(stage, accounts_of):
    """Raise GroupNameClash when a group asked for while building a host is named like a host of ``stage`` or like an
    Ansible word. ``accounts_of`` maps each host name to its account id, for the message."""
    problems = []
    for group, host in sorted(stage.asked.items()):
        made_for = "made for the host %r (account %s)" % (host, accounts_of.get(host, "?"))
        if group in ANSIBLE_WORDS:
            problems.append("the group %r, %s, would take the name Ansible keeps for %s" % (
                group, made_for, "the controller" if group == "localhost" else "its own group"))
        elif group in stage.hosts:
            problems.append("the group %r, %s, has the name of the host %r (account %s)" % (
                group, made_for, group, accounts_of.get(group, "?")))
    if problems:
        raise GroupNameClash("; ".join(problems) + ". Change keyed_groups or groups (a prefix, for example) or hostname_format")


def commit(stage, inventory):
    """Add every group, host, membership and host variable of ``stage`` to ``inventory``, in their order."""
    for group in stage.groups.values():
        if group.name not in IMPLICIT_GROUPS:
            inventory.add_group(group.name)
    for group in stage.groups.values():
        for child in group.child_groups:
            inventory.add_child(group.name, child.name)
    for host in stage.hosts.values():
        inventory.add_host(host.name)
        for group in host.groups:
            if group.name not in IMPLICIT_GROUPS:
                inventory.add_child(group.name, host.name)
        for name, value in host.vars.items():
            inventory.set_variable(host.name, name, value)
