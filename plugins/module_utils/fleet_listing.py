# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What a fleet run reads: each resource group's accounts, listed once (every page), each answer checked.

A fleet plans from list answers instead of one GET per account: a page carries 100 accounts with their etags. Each
item must be an account of exactly the subscription and resource group that was listed (``fleet_scope``), and no
account may appear twice; otherwise the whole listing is an error, and nothing is planned from it. A resource group
that does not exist (404 ResourceGroupNotFound on the first page) lists as empty, marked ``missing``; the same answer on
a later page is an error of the listing.
"""

from __future__ import annotations

from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.azureml.model_management.plugins.module_utils.account_model import accounts_path, parse_account_id
from ansible_collections.azureml.model_management.plugins.module_utils.account_service import group_missing
from ansible_collections.azureml.model_management.plugins.module_utils.arm import ArmError, invalid_response, printable
from ansible_collections.azureml.model_management.plugins.module_utils.errors import AzureMLError
from ansible_collections.azureml.model_management.plugins.module_utils.account_scope import listed_account_problem
from ansible_collections.azureml.model_management.plugins.module_utils.fleet_scope import key_of


class Listing(object):
    """The accounts of one resource group by ``key_of`` (in the order listed), or the error that listing it gave."""

    def __init__(self, resource_group, accounts=None, error=None, missing=False):
        self.resource_group = resource_group
        self.accounts = accounts if accounts is not None else OrderedDict()
        self.error = error
        self.missing = missing


def checked_accounts(items, subscription_id, resource_group):
    """The items of one list answer by key; raises InvalidResponse naming the first item that is not in the scope."""
    accounts = OrderedDict()
    where = "the list of the accounts of resource group %s" % resource_group
    for item in items:
        problem = listed_account_problem(item, subscription_id, resource_group)
        if problem:
            named = " (%s)" % printable(item["id"]) if isinstance(item.get("id"), str) else ""
            raise invalid_response("%s answered an account that cannot be trusted%s: %s" % (where, named, problem))
        account_id = parse_account_id(item["id"])
        key = key_of(account_id.resource_group, account_id.name)
        if key in accounts:
            raise invalid_response("%s answered the account %s twice" % (where, item["id"]))
        accounts[key] = item
    return accounts


def list_group(client, subscription_id, resource_group):
    """One ``Listing``; never raises an ``AzureMLError`` (it is kept as the listing's error)."""
    try:
        items = client.list_all(accounts_path(subscription_id, resource_group))
        return Listing(resource_group, checked_accounts(items, subscription_id, resource_group))
    except ArmError as err:
        if group_missing(err):
            return Listing(resource_group, missing=True)
        return Listing(resource_group, error=err)
    except AzureMLError as err:
        return Listing(resource_group, error=err)


def list_groups(client, subscription_id, resource_groups, concurrency):
    """Each resource group listed once (names compared ignoring case), up to ``concurrency`` at a time: {lower name: Listing}."""
    unique = OrderedDict()
    for group in resource_groups:
        unique.setdefault(group.lower(), group)
    if not unique:
        return {}
    workers = max(1, min(concurrency, len(unique)))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        listings = list(pool.map(lambda group: list_group(client, subscription_id, group), unique.values()))
    return dict((group.lower(), listing) for group, listing in zip(unique.values(), listings))
