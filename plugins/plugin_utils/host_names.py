# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Inventory host names of accounts: a function of one account and the source's options, never of the others.

Pure: no Ansible, no I/O. The inventory plugin calls ``assign`` once per run with the accounts it keeps.
"""

from __future__ import annotations

import string

FIELDS = ("name", "resource_group", "subscription_id", "location")
ONE_SUBSCRIPTION_FORMAT = "{name}.{resource_group}"
SEVERAL_SUBSCRIPTIONS_FORMAT = "{name}.{resource_group}.{subscription_id}"
# Host names Ansible gives a meaning of its own: the implicit groups, and the names of the implicit localhost.
ANSIBLE_NAMES = ("all", "ungrouped", "localhost", "127.0.0.1", "::1")


class HostNameCollision(ValueError):
    """Two accounts would get one host name: the message names the format, the host name and both account ids."""


def default_format(subscription_count):
    """Account names are unique per resource group, and resource groups per subscription: the default includes both."""
    return SEVERAL_SUBSCRIPTIONS_FORMAT if subscription_count > 1 else ONE_SUBSCRIPTION_FORMAT


def format_problem(hostname_format, option="hostname_format"):
    """None when ``hostname_format`` uses only the known fields (and at least one), else the message to fail with."""
    try:
        fields = [field for _text, field, _spec, _conv in string.Formatter().parse(hostname_format) if field is not None]
    except ValueError as err:
        return "%s %r is not a valid format string: %s" % (option, hostname_format, err)
    unknown = sorted(set(fields) - set(FIELDS))
    if unknown or not fields:
        return "%s %r may use only the fields %s" % (option, hostname_format, ", ".join("{%s}" % f for f in FIELDS))
    return None


def host_name(account, hostname_format, reserved=()):
    """The host name of ``account`` (a dict with FIELDS), in lower case: Azure ignores case in every one of them and
    returns the caller's latest spelling, so only the lower-case form is stable across runs.

    A name in ``reserved`` (lower case), or one of ANSIBLE_NAMES, is qualified with the account's resource group and
    subscription, so that ``hosts: localhost`` or ``all`` keep meaning what they mean to Ansible.
    """
    values = dict((field, "" if account.get(field) is None else str(account[field])) for field in FIELDS)
    name = hostname_format.format(**values).lower()
    if name in ANSIBLE_NAMES or name in reserved:
        name = "%s.%s.%s" % (name, values["resource_group"].lower(), values["subscription_id"].lower())
    return name


def assign(accounts, hostname_format, reserved=()):
    """``[(host name, account)]`` for ``accounts``, in their order; raises HostNameCollision when two would share one."""
    reserved = frozenset(name.lower() for name in reserved)
    owners = {}
    named = []
    for account in accounts:
        name = host_name(account, hostname_format, reserved)
        other = owners.setdefault(name, account)
        if other is not account:
            raise HostNameCollision(
                "hostname_format %r gives the host name %r to two accounts: %s and %s. Add the fields that tell them "
                "apart ({resource_group}, {subscription_id}), as the default does" % (hostname_format, name, other.get("id"), account.get("id")))
        named.append((name, account))
    return named
