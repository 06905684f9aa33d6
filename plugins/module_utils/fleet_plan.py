# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The plan of a fleet run: declared entries and list answers in, one planned item per account out. No I/O.

Each declared entry is planned with ``account_model.plan_present`` (the account module's rules, one copy) against the
account as its resource group's list showed it; each listed account of the purge scope that is not declared and
carries the purge tags (``fleet_scope.PurgeScope``) becomes a ``purge``. Checks that need no network (options,
duplicates, the purge scope, an empty declaration with purge on) come first, in ``check_request``.

A run may span subscriptions: an entry is in its ``subscription_id`` (the task's by default), each subscription has its
own purge scope and restriction, and listings are keyed by ``listing_key(subscription, resource group)``. The plan is
one, and so are its rules: a listing that failed in any subscription withholds the deletes of every subscription.
"""

from __future__ import annotations

from collections import OrderedDict

from ansible_collections.azureml.model_management.plugins.module_utils.account_model import (
    AccountId,
    desired_from_params,
    needs_repair,
    plan_present,
    provisioning_state_of,
    parse_account_id,
    validate_account_params,
)
from ansible_collections.azureml.model_management.plugins.module_utils.arm_errors import is_running
from ansible_collections.azureml.model_management.plugins.module_utils.option_rules import number_problem
from ansible_collections.azureml.model_management.plugins.module_utils.fleet_scope import (
    PurgeScope,
    describe_tags,
    key_of,
    parse_purge_group,
    parse_purge_tags,
    subscription_id_problem,
)

WRITE_ACTIONS = ("create", "update", "repair", "delete", "purge")
ENTRY_DEFAULTS = (("resource_group", "resource_group"), ("append_tags", "append_tags"))
# The allowed range of each int option of the fleet module (low, high, unit), checked before any request.
INT_RANGES = {"concurrency": (1, 64, ""), "wait_timeout": (1, 86400, "seconds"), "throttling_timeout": (1, 86400, "seconds")}


def listing_key(subscription_id, resource_group):
    """How listings are keyed: (subscription, resource group), both lower case (Resource Manager ignores their case)."""
    return ((subscription_id or "").lower(), resource_group.lower())


class Entry(object):
    """One declared account: where it is, what it should be (``desired``), its place in the declared list."""

    def __init__(self, index, name, resource_group, state, desired, subscription_id=None):
        self.index = index
        self.name = name
        self.resource_group = resource_group
        self.state = state
        self.desired = desired
        self.subscription_id = subscription_id
        self.key = key_of(resource_group, name)  # within its subscription
        self.listing = listing_key(subscription_id, resource_group)


class Item(object):
    """One account of the plan: ``action`` one of create, update, repair, delete, purge, none; ``error`` when it cannot be done."""

    def __init__(self, name, resource_group, action, current=None, entry=None, subscription_id=None):
        self.name = name
        self.resource_group = resource_group
        self.subscription_id = subscription_id if subscription_id is not None or entry is None else entry.subscription_id
        self.action = action
        self.current = current  # the account as listed (None when absent)
        self.entry = entry  # the declared Entry (None for a purge)
        self.error = None  # why the planned action cannot be done (nothing is sent for it)
        self.note = None  # why nothing is done although the account is declared (not one of this run's accounts)
        self.withheld = False  # the run's rules withhold this item's write (fleet_plan.run_rules): nothing is sent
        self.busy = is_running(current)
        self.busy_state = provisioning_state_of(current) if self.busy else None

    @property
    def desired(self):
        return self.entry.desired if self.entry is not None else None

    @property
    def declared_absent(self):
        return self.entry is not None and self.entry.state == "absent"

    def account_id(self, subscription_id=None):
        return AccountId(subscription_id or self.subscription_id, self.resource_group, self.name)

    def fail(self, message):
        self.error = message
        return self


# ---------------------------------------------------------------------------------------------------------------------
# the request: options checked before anything is sent


def declared_entries(raw_entries, default_group, default_append_tags, names, default_subscription=None):
    """``(entries, errors)`` from the ``accounts`` option; each message names the entry as the caller knows it. An
    entry without ``subscription_id`` is in ``default_subscription`` (the task's)."""
    entries, errors, seen = [], [], {}
    for index, raw in enumerate(raw_entries or []):
        label = names.entry("accounts", index)
        params = dict(raw)
        params["resource_group"] = raw.get("resource_group") or default_group
        if params.get("append_tags") is None:
            params["append_tags"] = default_append_tags
        if not params["resource_group"]:
            errors.append("%s (%r) has no resource_group and %s is not set" % (label, raw.get("name"), names("resource_group")))
            continue
        problems = validate_account_params(params)
        if raw.get("subscription_id") is not None:
            problems = [subscription_id_problem(raw["subscription_id"], "subscription_id")] + problems
        problems = [problem for problem in problems if problem]
        if problems:
            errors.extend("%s: %s" % (label, problem) for problem in problems)
            continue
        entry = Entry(index, params["name"], params["resource_group"], params.get("state") or "present",
                      desired_from_params(params) if params.get("state", "present") != "absent" else None,
                      raw.get("subscription_id") or default_subscription)
        where = (entry.listing[0],) + entry.key
        if where in seen:
            errors.append("%s and %s both declare %s/%s%s (resource group and name compare ignoring case)"
                          % (names.entry("accounts", seen[where]), label, entry.resource_group, entry.name,
                             " in subscription %s" % entry.subscription_id if entry.subscription_id != default_subscription else ""))
            continue
        seen[where] = index
        entries.append(entry)
    return entries, errors


def check_request(params, subscription_id, entries, names):
    """``(scopes, errors)``: the purge scope of each subscription as asked, {lower subscription id: ``PurgeScope``} in
    the order the groups were given (None with purge off), or why it cannot be used. A group is a name in the task's
    subscription (``subscription_id``) or a resource group id; each scope's declared accounts are those of its own
    subscription."""
    errors = [number_problem(params[option], names(option), allowed) for option, allowed in INT_RANGES.items()
              if params.get(option) is not None]
    errors = [error for error in errors if error]
    filters, problem = parse_purge_tags(params.get("purge_tags"), names("purge_tags"))
    if problem:
        errors.append(problem)
    if not params.get("purge"):
        return None, errors
    groups = params.get("purge_resource_groups") or []
    if not groups:
        errors.append("%s needs %s (the only resource groups it may delete in)" % (names("purge"), names("purge_resource_groups")))
    where = OrderedDict()  # lower subscription id: (subscription id, [its groups])
    for group in groups:
        found, problem = parse_purge_group(group, subscription_id, "each entry of %s" % names("purge_resource_groups"))
        if problem:
            errors.append(problem)
        else:
            where.setdefault(found[0].lower(), (found[0], []))[1].append(found[1])
    if not params.get("accounts") and not params.get("purge_allow_empty"):
        errors.append("%s is empty and %s is on: that deletes every account of the purge scope (%s%s). If that is what you"
                      " want, set %s: true; if not, check the name of the variable that declares the accounts"
                      % (names("accounts"), names("purge"), ", ".join(groups) or "no resource group",
                         "; tags %s" % describe_tags(filters) if filters else "", names("purge_allow_empty")))
    if errors:
        return None, errors
    return OrderedDict((key, PurgeScope(sub, sub_groups, filters, [entry.key for entry in entries
                                                                   if (entry.subscription_id or subscription_id).lower() == key],
                                        allow_missing_groups=bool(params.get("purge_allow_missing_groups")), names=names))
                       for key, (sub, sub_groups) in where.items()), errors


def restricted_keys(raw_accounts, subscriptions, names):
    """``(keys, outside, errors)`` from the ``restrict_to`` option: {lower subscription id: its accounts' keys} for the
    run's ``subscriptions`` (None: no restriction).

    Each item is an account as the inventory plugin's ``azureml_account`` host variable has it: its ``id``, or
    ``subscription_id``, ``resource_group`` and ``name``. Accounts of a subscription that the run does not reconcile
    (compared ignoring case) are counted in ``outside`` and never touched.
    """
    if raw_accounts is None:
        return None, 0, []
    keys, outside, errors = dict((sub.lower(), set()) for sub in subscriptions), 0, []
    for index, raw in enumerate(raw_accounts):
        account_id = parse_account_id(raw.get("id")) if raw.get("id") is not None else None
        if account_id is None and all(isinstance(raw.get(k), str) and raw.get(k) for k in ("subscription_id", "resource_group", "name")):
            account_id = AccountId(raw["subscription_id"], raw["resource_group"], raw["name"])
        if account_id is None:
            errors.append("%s: an account needs its id, or subscription_id, resource_group and name" % names.entry("restrict_to", index))
            continue
        if account_id.subscription_id.lower() not in keys:
            outside += 1
            continue
        keys[account_id.subscription_id.lower()].add(key_of(account_id.resource_group, account_id.name))
    return keys, outside, errors


# ---------------------------------------------------------------------------------------------------------------------
# the plan


class Plan(list):
    """The planned items, in order, and what the whole run withholds (``run_rules``): ``problems``, each said once and
    each failing the task, and ``withheld``, the one line that says which writes are not sent and why (or None);
    ``unmanaged``: the accounts listed that are neither declared nor purge candidates (``unmanaged_accounts``)."""

    def __init__(self, items, problems=(), withheld=None, unmanaged=()):
        super(Plan, self).__init__(items)
        self.problems = list(problems)
        self.withheld = withheld
        self.unmanaged = list(unmanaged)


def plan_fleet(entries, listings, scopes, restrict=None):
    """The ``Plan``: the declared entries in their order, then the purge candidates in listing order (subscription by
    subscription), with the run's rules applied (``run_rules``).

    ``listings`` maps ``listing_key(subscription, resource group)`` to its ``fleet_listing.Listing``; ``scopes`` is
    ``check_request``'s {lower subscription id: PurgeScope} (or None), ``restrict`` ``restricted_keys``' (or None).
    """
    items = [_plan_entry(entry, listings[entry.listing], _restriction(restrict, entry.listing[0])) for entry in entries]
    for key, scope in (scopes or {}).items():
        for group in scope.resource_groups.values():
            items.extend(_purge_candidates(listings[listing_key(key, group)], scope, _restriction(restrict, key)))
    problems, hold, why = run_rules(items, listings, scopes)
    held = [item for item in items if _held(item, hold)]
    for item in held:
        item.withheld = True
    withheld = None
    if held:  # hold is "writes" or "deletes": "this run deletes nothing because ... (2 deletes withheld)"
        withheld = "this run %s nothing because %s (%d %s%s withheld)" % (hold, why, len(held), hold[:-1], "s" if len(held) > 1 else "")
    return Plan(items, problems, withheld, unmanaged_accounts(items, listings))


def unmanaged_accounts(items, listings):
    """The accounts of the groups read that the run neither declares nor may purge, as listed (Terraform's "not in the
    configuration"): what adopting an estate starts from. Sorted by subscription, group and name; a listing that
    failed shows nothing (its failure is said elsewhere)."""
    planned = set(((item.subscription_id or "").lower(),) + key_of(item.resource_group, item.name) for item in items)
    found = {}
    for (subscription_key, _group), listing in listings.items():
        for key, account in listing.accounts.items():
            if (subscription_key,) + key not in planned:
                found[(subscription_key,) + key] = account
    return [found[key] for key in sorted(found)]


def _restriction(restrict, subscription_key):
    return None if restrict is None else restrict.get(subscription_key, frozenset())


def run_rules(items, listings, scopes):
    """``(problems, hold, why)``: what the whole plan forbids, decided before anything is sent. Pure; unit tested.

    - A group of a purge scope that does not exist (a misspelt name, most often) withholds every write of the run
      (``hold`` "writes"), unless the scope allows missing groups.
    - A group of a purge scope that could not be listed, any other listing that failed, or a declared entry that could
      not be planned withholds every delete of the run, in every subscription, declared ``absent`` entries included
      (``hold`` "deletes"): a plan built on part of the truth must not delete.
    ``problems`` are the run-level messages about the purge scope (each fails the task, whether or not anything was to
    be deleted); ``why`` says in a few words why writes are withheld; ``hold`` is None when nothing is.
    """
    problems, missing, reasons = [], [], []
    several = len(set(key[0] for key in listings)) > 1
    for key, scope in (scopes or {}).items():
        names = scope.names
        for group in scope.resource_groups.values():
            listing = listings[listing_key(key, group)]
            named = "%s%s of %s" % (group, " (subscription %s)" % scope.subscription_id if several else "", names("purge_resource_groups"))
            if listing.error is not None:
                problems.append("cannot list resource group %s: %s" % (named, listing.error))
            elif listing.missing and not scope.allow_missing_groups:
                missing.append(group)
                problems.append("resource group %s does not exist (ResourceGroupNotFound); if it is created later, set %s: true"
                                % (named, names("purge_allow_missing_groups")))
    if missing:
        return problems, "writes", "the purge scope names a resource group that does not exist"
    if any(listing.error is not None for listing in listings.values()):
        reasons.append("a resource group could not be listed completely")
    unplanned = sum(1 for item in items if item.entry is not None and item.error is not None)
    if unplanned:
        reasons.append("%d declared account%s could not be planned" % (unplanned, "s" if unplanned > 1 else ""))
    return problems, ("deletes" if reasons else None), " and ".join(reasons)


def _held(item, hold):
    """True when ``hold`` withholds what the plan would send for ``item`` (a write, or waiting on a busy account)."""
    if hold is None or item.error is not None or item.note is not None:
        return False
    if hold == "writes":
        return item.action in WRITE_ACTIONS or item.busy
    return item.action in ("delete", "purge")


def _plan_entry(entry, listing, restrict):
    if listing.error is not None:
        return Item(entry.name, entry.resource_group, "none", entry=entry).fail(
            "cannot list resource group %s: %s" % (entry.resource_group, listing.error))
    current = listing.accounts.get(entry.key)
    item = Item(current.get("name") or entry.name if current else entry.name, entry.resource_group, "none", current, entry)
    if current is not None and restrict is not None and entry.key not in restrict:
        item.note = "not one of this run's accounts (restrict_to)"
        return item
    if entry.state == "absent":
        item.action = "delete" if current is not None else "none"
        return item
    if listing.missing:
        item.action = "create"
        return item.fail("resource group %s does not exist (ResourceGroupNotFound)" % entry.resource_group)
    the_plan = plan_present(entry.desired, current, entry.name)  # its body is not kept: the apply plans again
    if the_plan.action == "error":
        item.action = "create" if current is None else ("repair" if needs_repair(current) else "update")
        return item.fail(the_plan.message)
    item.action = the_plan.action
    return item


def _purge_candidates(listing, scope, restrict):
    for key, account in listing.accounts.items():
        if restrict is not None and key not in restrict:
            continue
        if scope.reason_out(account) is None:
            account_id = parse_account_id(account["id"])
            yield Item(account_id.name, account_id.resource_group, "purge", account, subscription_id=scope.subscription_id)
