# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The rules that decide what a fleet run may delete: pure functions, no I/O.

Deleting is the one irreversible act, and what a list answer says is untrusted input. So an account is a purge
candidate only when its ``id`` parses as an account of exactly the subscription and resource group that were
listed (compared ignoring case, as Resource Manager does), it is not declared, and it carries every purge tag; and
the same rule is checked again on the account as it is right before its DELETE (``recheck_reason``).

Purge tags are given as a dictionary (``{managed-by: ansible}``, as ``tags`` everywhere in Azure collections) or as a
list of ``name`` / ``name:value`` strings, spaces around the name and the value trimmed; anything else is refused with
a message that names the option as the caller knows it (``option_names``: a role passes its own variable names).

A run may span subscriptions: each declared entry is in its ``subscription_id`` (the task's by default), and a purge
group is named by its resource group name (in the task's subscription) or by its resource group id
(``/subscriptions/<id>/resourceGroups/<name>``, as the portal and ``az group show`` give it), parsed exactly. Each
subscription has its own ``PurgeScope``: an account is only ever purged within its own subscription's listed groups.
"""

from __future__ import annotations

import re

from ansible_collections.azureml.model_management.plugins.module_utils.account_model import account_problem, check_resource_group, parse_account_id
from ansible_collections.azureml.model_management.plugins.module_utils.option_rules import GUID_RE
from ansible_collections.azureml.model_management.plugins.module_utils.tagging import TagFilter, check_tag_name, split_tag_filter, tags_match
from ansible_collections.azureml.model_management.plugins.module_utils.text import coerce_text, kind, shown


class OptionNames(object):
    """How messages name the options: the module's names, or those a caller (the role) maps them to."""

    def __init__(self, mapping=None):
        self.mapping = dict(mapping or {})

    def __call__(self, option):
        return self.mapping.get(option, option)

    def entry(self, option, index):
        """``accounts[3]`` as ``accounts_list[3]`` when the role called."""
        return "%s[%d]" % (self(option), index)


def key_of(resource_group, name):
    """The identity of an account within one subscription: Resource Manager compares names ignoring case."""
    return (resource_group.lower(), name.lower())


def _shown(value, limit=300):
    return shown(value if isinstance(value, str) else repr(value), limit)


# ---------------------------------------------------------------------------------------------------------------------
# subscriptions: of an entry, of a purge group

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
        problem = subscription_id_problem(subscription_id, "its subscription") or check_resource_group(resource_group, "its resource group")
        return (None, "%s: %s: %s" % (option, shown(value, 200), problem)) if problem else ((subscription_id, resource_group), None)
    problem = check_resource_group(value, option)
    return (None, problem) if problem else ((default_subscription, value), None)


# ---------------------------------------------------------------------------------------------------------------------
# purge tags

PURGE_TAGS_RULE = "a dictionary of tag names to values, or a list of 'name' or 'name:value' strings"


def parse_purge_tags(value, option="purge_tags"):
    """``(filters, None)`` or ``(None, message)``; ``value`` as the user gave it (None or empty: no tag narrows the scope)."""
    if value is None or value == [] or value == {}:
        return [], None
    if isinstance(value, dict):
        return _from_dict(value, option)
    if isinstance(value, list):
        return _from_list(value, option)
    return None, "%s must be %s; got %s" % (option, PURGE_TAGS_RULE, _kind(value))


def _from_dict(value, option):
    filters = []
    for tag_name, tag_value in value.items():
        tag_value = coerce_text(tag_value)
        if not isinstance(tag_name, str) or not isinstance(tag_value, str):
            return None, ("%s: each tag of the dictionary needs a name and a text value (got %s: %s); %s"
                          % (option, _shown(tag_name, 60), _kind(tag_value), "use the list form 'name' to match any value"))
        filters.append(TagFilter(tag_name.strip(" "), tag_value.strip(" ")))
    return _checked(filters, option)


def _from_list(value, option):
    filters = []
    for item in value:
        if not isinstance(item, str):
            return None, "%s: each entry must be a 'name' or 'name:value' string, got %s" % (option, _kind(item))
        filters.append(split_tag_filter(item))
    return _checked(filters, option)


def _checked(filters, option):
    seen = {}
    for tag in filters:
        problem = check_tag_name(tag.name, option)
        if problem:
            return None, problem
        if tag.name.lower() in seen and seen[tag.name.lower()] != tag.value:
            return None, "%s: tag %r is given twice with different values; an account has one value per tag" % (option, tag.name)
        seen[tag.name.lower()] = tag.value
    return filters, None


def _kind(value):
    if value is None:
        return "nothing"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return "a number"
    return kind(value)


def describe_tags(filters):
    return ", ".join(tag.name if tag.value is None else "%s:%s" % (tag.name, tag.value) for tag in filters)


# ---------------------------------------------------------------------------------------------------------------------
# the purge scope


class PurgeScope(object):
    """Where a purge may delete: these resource groups of this subscription, accounts with all these tags, not declared.

    ``allow_missing_groups``: a group of the scope that does not exist is not an error (it has nothing to delete);
    ``names`` names the options in messages (``OptionNames``).
    """

    def __init__(self, subscription_id, resource_groups, tag_filters, declared_keys, allow_missing_groups=False, names=None):
        self.subscription_id = subscription_id
        self.resource_groups = dict((group.lower(), group) for group in resource_groups)
        self.tag_filters = list(tag_filters)
        self.declared_keys = frozenset(declared_keys)
        self.allow_missing_groups = allow_missing_groups
        self.names = names or OptionNames()

    def covers_group(self, resource_group):
        return resource_group.lower() in self.resource_groups

    def reason_out(self, account):
        """Why ``account`` (its answer as Azure gave it) must not be purged, or None when it may be."""
        problem = account_problem(account)
        if problem:
            return "its answer is unusable: %s" % problem
        account_id = parse_account_id(account.get("id"))
        if account_id is None:
            return "its id %s is not the id of a Model Management Account" % _shown(account.get("id"))
        if account_id.subscription_id.lower() != self.subscription_id.lower() or not self.covers_group(account_id.resource_group):
            return "its id %s is outside the purge scope" % account["id"]
        if key_of(account_id.resource_group, account_id.name) in self.declared_keys:
            return "it is declared"
        if not tags_match(account, self.tag_filters):
            return "it no longer has the purge tags (%s)" % describe_tags(self.tag_filters)
        return None

    def recheck(self, expected_id):
        """The re-check for ``account_service.ensure_absent``: the fresh account must still be this one, and in scope."""
        def reason(account):
            found = parse_account_id((account or {}).get("id"))
            if found is None or key_of(found.resource_group, found.name) != key_of(expected_id.resource_group, expected_id.name) \
                    or found.subscription_id.lower() != expected_id.subscription_id.lower():
                return "the account read before the DELETE is not %s" % "/".join(expected_id)
            return self.reason_out(account)
        return reason
