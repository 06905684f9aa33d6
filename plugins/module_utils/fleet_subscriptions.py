# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A fleet across subscriptions: each subscription listed and applied side by side, each at a pace of its own.

Resource Manager's throttling buckets are per subscription and principal, so each subscription of a run gets its own
client (the same endpoint, token and connections, ``ArmClient.with_gate``) with its own ``fleet_gate.PacingGate``, and
the subscriptions are listed and applied in parallel: two subscriptions apply in the time of one. The plan stays one
(``fleet_plan``): its rules, such as "a listing that failed anywhere deletes nothing anywhere", see every subscription.

Where each account and each purge group is (their subscriptions) is decided by ``fleet_plan`` and ``fleet_scope``,
without I/O; this module only runs the subscriptions side by side.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.azureml.model_management.plugins.module_utils.fleet_listing import list_groups
from ansible_collections.azureml.model_management.plugins.module_utils.fleet_plan import listing_key


def subscriptions_in_order(first, others):
    """Each subscription once (compared ignoring case), ``first`` first, then in the order given: {lower id: id}."""
    ordered = OrderedDict([(first.lower(), first)])
    for subscription_id in others:
        ordered.setdefault(subscription_id.lower(), subscription_id)
    return ordered


def clients_for(client, subscriptions, make_gate):
    """{lower subscription id: a client of ``client``'s connections paced by a gate of its own (``make_gate()``)}."""
    return dict((key, client.with_gate(make_gate())) for key in subscriptions)


class Gates(object):
    """The pacing gates of a run's subscriptions (``new()`` makes one with ``make()``), seen as one by the run's
    progress and results: their throttling pauses summed, the latest end of a pause (on the gates' clock)."""

    def __init__(self, make, clock=time.monotonic):
        self.make = make
        self.clock = clock
        self.all = []

    def new(self):
        gate = self.make()
        self.all.append(gate)
        return gate

    @property
    def pauses(self):
        return sum(gate.pauses for gate in self.all)

    @property
    def paused_until(self):
        return max([gate.paused_until for gate in self.all] or [None], key=lambda until: -1.0 if until is None else until)


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


def list_subscriptions(clients, wanted, concurrency):
    """Each (subscription, resource group) of ``wanted`` listed once, every subscription at the same time through its own
    client, up to ``concurrency`` groups at a time in each: {``fleet_plan.listing_key``: ``fleet_listing.Listing``}."""
    groups = OrderedDict()
    for subscription_id, resource_group in wanted:
        groups.setdefault(subscription_id.lower(), (subscription_id, []))[1].append(resource_group)
    found = in_parallel(groups, lambda key, where: list_groups(clients[key], where[0], where[1], concurrency))
    return dict((listing_key(key, group), listing) for key, listings in found.items() for group, listing in listings.items())


def apply_subscriptions(clients, items, scopes, apply):
    """``apply(client, subscription_id, its items, its purge scope)`` for each subscription of ``items``, all at the same
    time: {index in ``items``: what ``apply`` returned for that item (by its index in the subscription's items)}."""
    parts = by_subscription(items, lambda item: item.subscription_id)
    done = in_parallel(parts, lambda key, indexes: apply(clients[key], items[indexes[0]].subscription_id,
                                                         [items[index] for index in indexes], (scopes or {}).get(key)))
    return dict((parts[key][local], applied) for key, by_local in done.items() for local, applied in by_local.items())
