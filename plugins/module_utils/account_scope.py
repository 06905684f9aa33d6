# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Whether an account that Resource Manager answered lies where it was asked for: the one check of every list item.

A list answer is untrusted: an item may be malformed, carry an id that is not an account's, or name an account of
another subscription or resource group (a proxy, a bug, a hostile endpoint). ``account_info``, the fleet module's
listings and the inventory take an item only when its id parses exactly (``parse_account_id``) and lies in the scope
that was listed; ``as_entry`` then gives it in the shape of a declared entry, which needs its resource group.
"""

from __future__ import annotations

from ansible_collections.azureml.model_management.plugins.module_utils.account_model import FIELDS, account_problem, parse_account_id
from ansible_collections.azureml.model_management.plugins.module_utils.text import shown


def same_scope(account_id, subscription_id, resource_group=None, name=None):
    """True when ``account_id`` lies in this subscription (and resource group, and is this name, when given), ignoring case."""
    if account_id is None or account_id.subscription_id.lower() != subscription_id.lower():
        return False
    if resource_group is not None and account_id.resource_group.lower() != resource_group.lower():
        return False
    return name is None or account_id.name.lower() == name.lower()


def listed_account_problem(account, subscription_id, resource_group=None, name=None):
    """Why an item answered for this scope (a subscription, a resource group of it, one account) cannot be taken as
    one of its accounts, or None."""
    problem = account_problem(account)
    if problem:
        return problem
    account_id = parse_account_id(account.get("id"))
    if account_id is None:
        return "its id %s is not the id of a Model Management Account" % _shown(account.get("id"))
    if not same_scope(account_id, subscription_id, resource_group, name):
        scope = "subscription %s" % subscription_id
        if resource_group is not None:
            scope += ", resource group %s" % resource_group
        if name is not None:
            scope += ", account %s" % name
        return "its id %s is not in the listed scope (%s)" % (account["id"], scope)
    listed_name = account.get("name")
    if listed_name is not None and listed_name.lower() != account_id.name.lower():
        return "its name %s is not the name in its id %s" % (_shown(listed_name), account["id"])
    return None


def as_entry(account):
    """A checked account as an entry of the fleet module's ``accounts`` (the role's ``accounts_list``): what declaring
    it as it is takes, field by field from ``account_model.FIELDS``. A field Azure did not send is left out, so the
    entry declares nothing about it; the tag set is always given (``{}``: no tags), so the entry declares it whole."""
    account_id = parse_account_id(account["id"])
    entry = dict(name=account_id.name, resource_group=account_id.resource_group)
    for field in FIELDS:
        value = field.read(account)
        if field.unit == "tags":
            value = dict(value or {})
        if value is None:
            continue
        place = entry
        for key in field.option_path[:-1]:
            place = place.setdefault(key, {})
        place[field.option_path[-1]] = value
    return entry


def _shown(value, limit=300):
    return shown(value if isinstance(value, str) else repr(value), limit)
