# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""From the inventory source's options and Resource Manager's list answers to the accounts that become hosts.

Pure: no Ansible, no I/O. Every list item is an untrusted answer: it is used only when it is an account of the very
subscription (and resource group) that was listed. Whether its name can make a host is the host name's concern
(``host_names.field_problem``): an odd name costs that one host, an answer outside the listed scope the listing.
"""

from __future__ import annotations

from ansible_collections.azureml.model_management.plugins.module_utils.account_model import ACCOUNT_ID_RE, AccountId, account_problem
from ansible_collections.azureml.model_management.plugins.module_utils.account_scope import same_scope
from ansible_collections.azureml.model_management.plugins.module_utils.tagging import matches_tag_filters

HEALTHY_STATE = "Succeeded"  # Resource Manager's contract: an absent provisioningState means Succeeded


def unique_subscriptions(subscriptions):
    """Subscription ids in lower case, each once: Azure compares them ignoring case."""
    return list(dict.fromkeys(str(s).strip().lower() for s in subscriptions))


def unique_resource_groups(resource_groups):
    """Resource groups each once, compared ignoring case as Azure does; the first spelling is kept."""
    seen = {}
    for group in resource_groups:
        seen.setdefault(group.lower(), group)
    return list(seen.values())


def account_vars(item, subscription_id, resource_group=None):
    """``(host variable, None)`` for one list item, or ``(None, why it cannot be used)``.

    The item must be an account (``account_problem``) whose id names an account of ``subscription_id`` (and of
    ``resource_group`` when one was listed) with the item's own name, compared ignoring case. The id is read by its
    shape only (``ACCOUNT_ID_RE``, matched whole): a name or group Azure's rules refuse is left to the host name.
    """
    problem = account_problem(item)
    if problem:
        return None, problem
    found = ACCOUNT_ID_RE.fullmatch(item["id"]) if isinstance(item.get("id"), str) else None
    if not found:
        return None, "an item's id %s is not the id of an account" % (ascii(item.get("id")),)
    item_group, item_name = found.group("rg", "name")
    name = item.get("name") or item_name
    # the modules' scope check (account_scope.same_scope), on the id read by its shape only
    if not same_scope(AccountId(*found.group("sub", "rg", "name")), subscription_id, resource_group or None) or name.lower() != item_name.lower():
        return None, "an item's id %s is not an account of the listed scope" % (ascii(item["id"]),)
    properties = item.get("properties") or {}
    sku = item.get("sku") or {}
    return {
        "id": item["id"],
        "name": name,
        "resource_group": item_group,
        "subscription_id": subscription_id.lower(),
        "location": item.get("location"),
        "sku": {"name": sku.get("name"), "capacity": sku.get("capacity")},
        "tags": dict(item.get("tags") or {}),
        "description": properties.get("description"),
        "provisioning_state": properties.get("provisioningState") or HEALTHY_STATE,
    }, None


def unique_accounts(accounts):
    """Each account once, by id ignoring case (a page may repeat an item while the list changes); the first is kept."""
    seen = {}
    for account in accounts:
        seen.setdefault(account["id"].lower(), account)
    return list(seen.values())


def keep_account(account, include_tags, exclude_tags):
    """All of ``include_tags`` match and none of ``exclude_tags`` does."""
    if include_tags and not matches_tag_filters(account, include_tags):
        return False
    return not any(matches_tag_filters(account, [item]) for item in exclude_tags or [])
