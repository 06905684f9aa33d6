# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A fleet across subscriptions: where each declared account and each purge group is, and one pace per subscription.

Resource Manager's throttling buckets are per subscription and principal, so each subscription of a run gets its own
client (the same endpoint, token and connections, ``ArmClient.with_gate``) with its own ``fleet_gate.PacingGate``, and
the subscriptions are listed and applied in parallel: two subscriptions apply in the time of one. The plan stays one
(``fleet_plan``): its rules, such as "a listing that failed anywhere deletes nothing anywhere", see every subscription.

A purge group is named by its resource group name (in the task's subscription) or by its resource group id
(``/subscriptions/<id>/resourceGroups/<name>``, as the portal and ``az group show`` give it), parsed exactly here.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.azureml.model_management.plugins.module_utils.account_model import check_resource_group
from ansible_collections.azureml.model_management.plugins.module_utils.connection import GUID_RE
from ansible_collections.azureml.model_management.plugins.module_utils.text import kind, shown

GROUP_ID_RE = re.compile(r"/subscriptions/([^/]*)/resourcegroups/([^/]*)", re.IGNORECASE)
GROUP_ID_FORM = "/subscriptions/<subscription id>/resourceGroups/<name>"


def subscription_id_problem(value, option):
    """None when ``value`` is a subscription id (a GUID), else the message naming ``option``."""
    if isinstance(value, str) and GUID_RE.fullmatch(value):
        return None
    return "%s must be a subscription id, a GUID like 00000000-0000-0000-0000-000000000000; got %s" % (
        option, shown(value, 80) if isinstance(value, str) else kind(value))


def parse_purge_group(value, default_subscription, option):
    """``((subscription_id, resource_group), None)`` or ``(None, message)`` for one entry of the purge groups: a name
    (in ``default_subscription``) or exactly a resource group id; nothing around it, no trailing slash."""
    if isinstance(value, str) and value.startswith("/"):
        match = GROUP_ID_RE.fullmatch(value)
        if match is None:
            return None, "%s: %s is neither a resource group name nor a resource group id (%s)" % (
                option, shown(value, 200), GROUP_ID_FORM)
        subscription_id, resource_group = match.groups()
        problem = subscription_id_problem(subscription_id, "the subscription of %s" % option) or \
            check_resource_group(resource_group, "the resource group of %s" % option)
        return (None, problem) if problem else ((subscription_id, resource_group), None)
    problem = check_resource_group(value, option)
    return (None, problem) if problem else ((default_subscription, value), None)


def subscriptions_in_order(first, others):
    """Each subscription once (compared ignoring case), ``first`` first, then in the order given: {lower id: id}."""
    ordered = OrderedDict([(first.lower(), first)])
    for subscription_id in others:
        ordered.setdefault(subscription_id.lower(), subscription_id)
    return ordered


def clients_for(client, subscriptions, make_gate):
    """{lower subscription id: a client of ``client``'s connections paced by a gate of its own (``make_gate()``)}."""
    return dict((key, client.with_gate(make_gate())) for key in subscriptions)


def in_parallel(work, call):
    """``call(key, value)`` for each pair of ``work`` (an ordered dict), all at once: {key: result}."""
    if not work:
        return {}
    with ThreadPoolExecutor(max_workers=len(work)) as pool:
        futures = OrderedDict((key, pool.submit(call, key, value)) for key, value in work.items())
        return dict((key, future.result()) for key, future in futures.items())


def by_subscription(items, subscription_of):
    """{lower subscription id: [indexes of ``items``]}, in order of first appearance."""
    parts = OrderedDict()
    for index, item in enumerate(items):
        parts.setdefault(subscription_of(item).lower(), []).append(index)
    return parts
