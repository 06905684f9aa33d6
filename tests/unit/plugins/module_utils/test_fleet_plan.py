# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet plan: declared entries and list answers in, one item per account out (no I/O)."""

from __future__ import annotations

from collections import OrderedDict

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.azureml.model_management.plugins.module_utils import fleet_apply as fa
from ansible_collections.azureml.model_management.plugins.module_utils import fleet_plan as fp
from ansible_collections.azureml.model_management.plugins.module_utils.account_model import parse_account_id
from ansible_collections.azureml.model_management.plugins.module_utils.arm import ArmError
from ansible_collections.azureml.model_management.plugins.module_utils.fleet_listing import Listing
from ansible_collections.azureml.model_management.plugins.module_utils.fleet_scope import OptionNames, key_of
from ansible_collections.azureml.model_management.tests.unit.fakes import OTHER_SUB, SUB, account


NAMES = OptionNames()
ROLE_NAMES = OptionNames({"accounts": "accounts_list", "resource_group": "accounts_resource_group", "purge": "accounts_purge",
                          "purge_resource_groups": "accounts_purge_resource_groups", "purge_tags": "accounts_purge_tags",
                          "purge_allow_empty": "accounts_purge_allow_empty", "concurrency": "accounts_concurrency",
                          "purge_allow_missing_groups": "accounts_purge_allow_missing_groups"})
PROPERTIES = settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
NEW = {"name": "new", "location": "eastus", "sku": {"name": "S1", "capacity": 1}, "tags": {"managed-by": "ansible"}}


def entries(*raw, group="rg", names=NAMES):
    found, errors = fp.declared_entries(list(raw), group, True, names, SUB)
    assert errors == []
    return found


def listing(group="rg", *accounts, **kwargs):
    return Listing(group, OrderedDict((key_of(group, a["name"]), a) for a in accounts), **kwargs)


def at(listings, sub=SUB):
    """Listings by resource group, as the plan keys them: by (subscription, resource group)."""
    return dict((fp.listing_key(sub, group), found) for group, found in listings.items())


def request(**params):
    base = dict(accounts=[NEW], purge=True, purge_resource_groups=["rg"], purge_tags=["managed-by:ansible"],
                purge_allow_empty=False, concurrency=10, wait_timeout=600)
    base.update(params)
    return base


def scope_for(params, found, names=NAMES):
    scope, errors = fp.check_request(params, SUB, found, names)
    assert errors == []
    return scope


# -- the request -------------------------------------------------------------------------------------------------------

def test_entries_take_the_default_group_and_append_tags():
    found = entries({"name": "a"}, {"name": "b", "resource_group": "other", "append_tags": False, "tags": {}})
    assert [(e.name, e.resource_group, e.state) for e in found] == [("a", "rg", "present"), ("b", "other", "present")]
    assert found[0].desired["append_tags"] is True and found[1].desired["append_tags"] is False


@pytest.mark.parametrize("raw, group, words", [
    ([{"name": "a"}], None, "accounts_list[0] ('a') has no resource_group and accounts_resource_group is not set"),
    ([{"name": "a", "sku": {"capacity": 99}}], "rg", "accounts_list[0]: sku.capacity must be from 1 to 16"),
    ([{"name": "a/b"}], "rg", "accounts_list[0]: name must not contain"),
    ([{"name": "a"}, {"name": "A", "resource_group": "RG"}], "rg", "accounts_list[0] and accounts_list[1] both declare"),
    ([{"name": "a", "subscription_id": "prod"}], "rg", "accounts_list[0]: subscription_id must be a subscription id, a GUID like"),
    ([{"name": "a", "subscription_id": OTHER_SUB}, {"name": "A", "subscription_id": OTHER_SUB.upper()}], "rg",
     "accounts_list[0] and accounts_list[1] both declare rg/A in subscription %s" % OTHER_SUB.upper()),
])
def test_bad_entries_are_refused_naming_the_entry_as_the_caller_knows_it(raw, group, words):
    _found, errors = fp.declared_entries(raw, group, True, ROLE_NAMES)
    assert any(words in error for error in errors), errors


def test_one_name_may_be_declared_once_in_each_subscription():
    found = entries({"name": "a"}, {"name": "a", "subscription_id": OTHER_SUB}, {"name": "b", "subscription_id": SUB.upper()})
    assert [(e.subscription_id, e.name, e.listing) for e in found] == [
        (SUB, "a", (SUB, "rg")), (OTHER_SUB, "a", (OTHER_SUB, "rg")), (SUB.upper(), "b", (SUB, "rg"))]


def test_each_subscription_has_its_own_purge_scope_with_its_own_declared_accounts():
    found = entries(dict(NEW, name="a"), dict(NEW, name="b", subscription_id=OTHER_SUB))
    scopes = scope_for(request(purge_resource_groups=["rg", "/subscriptions/%s/resourceGroups/ml" % OTHER_SUB.upper(), "other"]), found)
    assert [(key, scope.subscription_id, sorted(scope.resource_groups.values()), sorted(scope.declared_keys))
            for key, scope in scopes.items()] == [(SUB, SUB, ["other", "rg"], [("rg", "a")]),
                                                  (OTHER_SUB, OTHER_SUB.upper(), ["ml"], [("rg", "b")])]


@pytest.mark.parametrize("params, words", [
    (dict(purge_resource_groups=[]), "accounts_purge needs accounts_purge_resource_groups"),
    (dict(accounts=[]), "accounts_list is empty and accounts_purge is on"),
    (dict(accounts=[], purge_tags=None), "set accounts_purge_allow_empty: true"),
    (dict(purge_tags="managed-by:ansible"), "accounts_purge_tags must be"),
    (dict(purge_resource_groups=["bad group!"]), "each entry of accounts_purge_resource_groups may contain only"),
    (dict(concurrency=0), "accounts_concurrency must be from 1 to 64"),
    (dict(concurrency=65), "accounts_concurrency must be from 1 to 64"),
    (dict(wait_timeout=0), "wait_timeout must be from 1 to 86400 seconds"),
])
def test_a_request_that_cannot_be_planned_safely_is_refused(params, words):
    scope, errors = fp.check_request(request(**params), SUB, [], ROLE_NAMES)
    assert scope is None and any(words in error for error in errors), errors


def test_purge_tags_are_checked_even_with_purge_off():
    _scope, errors = fp.check_request(request(purge=False, purge_tags=42), SUB, [], NAMES)
    assert errors and "purge_tags must be" in errors[0]


def test_an_empty_list_with_purge_and_the_opt_in_purges_the_whole_scope():
    scope = scope_for(request(accounts=[], purge_allow_empty=True), [])
    items = fp.plan_fleet([], at({"rg": listing("rg", account("x"), account("y"))}), scope)
    assert [(i.name, i.action) for i in items] == [("x", "purge"), ("y", "purge")]


def test_without_purge_there_is_no_scope():
    assert scope_for(request(purge=False, accounts=[]), []) is None


# -- the plan ----------------------------------------------------------------------------------------------------------

def plan(raw_entries, listings, params=None, restrict=None, names=NAMES):
    found = entries(*raw_entries)
    scope = scope_for(params or request(), found, names) if (params or {}).get("purge", True) else None
    return fp.plan_fleet(found, at(listings), scope, None if restrict is None else {SUB: restrict})


def test_each_entry_is_planned_against_its_listed_account_with_the_account_modules_rules():
    listed = listing("rg", account("same", sku={"name": "S1", "capacity": 1}),
                     account("bigger", sku={"name": "S1", "capacity": 1}),
                     account("broken", properties={"provisioningState": "Failed"}))
    items = plan([dict(name="same", sku={"capacity": 1}), dict(name="bigger", sku={"capacity": 2}), dict(name="broken"), NEW,
                  dict(name="gone", state="absent"), dict(name="same2", state="absent")],
                 {"rg": listed}, request(purge=False))
    assert [(i.name, i.action, i.error) for i in items] == [
        ("same", "none", None), ("bigger", "update", None), ("broken", "repair", None), ("new", "create", None),
        ("gone", "none", None), ("same2", "none", None)]


def test_an_impossible_change_is_an_error_of_that_account_only():
    items = plan([dict(name="moved", location="westus"), dict(name="incomplete")], {"rg": listing("rg", account("moved"))},
                 request(purge=False))
    assert items[0].action == "update" and "location cannot be changed" in items[0].error
    assert items[1].action == "create" and "needs location" in items[1].error


def test_purge_candidates_are_the_listed_undeclared_accounts_with_the_tags():
    listed = listing("rg", account("new"), account("stale"), account("hand-made", tags={"owner": "me"}))
    items = plan([NEW], {"rg": listed})
    assert [(i.name, i.action) for i in items] == [("new", "none"), ("stale", "purge")]


def test_a_declared_absent_account_is_deleted_wherever_it_is_and_never_purged_twice():
    listed = listing("rg", account("old"))
    items = plan([NEW, dict(name="old", state="absent")], {"rg": listed})
    assert [(i.name, i.action) for i in items] == [("new", "create"), ("old", "delete")]


def sent(items):
    """(name, action) of the items the plan hands to the service: what a real run would send."""
    return [(i.name, i.action) for i in items if fa.needs_service(i)]


def test_a_failed_listing_of_the_purge_scope_withholds_every_delete_of_the_run_and_says_so_once():
    error = ArmError(0, "InvalidResponse", "the list ... is not in the listed scope")
    listings = {"rg": listing("rg", error=error), "other": listing("other", account("old", group="other"))}
    items = plan([dict(NEW, resource_group="other"), dict(name="old", resource_group="other", state="absent")], listings)
    assert [(i.name, i.action, i.error, i.withheld) for i in items] == [("new", "create", None, False), ("old", "delete", None, True)]
    assert sent(items) == [("new", "create")]
    assert items.problems == ["cannot list resource group rg of purge_resource_groups: 0 InvalidResponse: the list ... is not in "
                              "the listed scope"]
    assert items.withheld == "this run deletes nothing because a resource group could not be listed completely (1 delete withheld)"


def test_a_purge_group_that_cannot_be_listed_is_a_problem_even_with_nothing_to_delete():
    """Issue 20.2: page 2 of the purge group's list answered 403; nothing else was to be deleted, and the run said nothing."""
    error = ArmError(403, "AuthorizationFailed", "no (on page 2 of the list, after 1 page was read)")
    items = plan([NEW], {"rg": listing("rg", account("new")), "other": listing("other", error=error)},
                 request(purge_resource_groups=["rg", "other"]), names=ROLE_NAMES)
    assert sent(items) == [] and items.withheld is None
    assert items.problems == ["cannot list resource group other of accounts_purge_resource_groups: 403 AuthorizationFailed: no "
                              "(on page 2 of the list, after 1 page was read)"]


def test_a_purge_group_that_does_not_exist_withholds_every_write_unless_missing_groups_are_allowed():
    """Issue 20.3: purge_resource_groups: [ml-stagign] planned purge 0 without a word."""
    listings = {"rg": listing("rg", account("stale"), account("bigger")), "typo": listing("typo", missing=True)}
    raw = [NEW, dict(name="bigger", sku={"capacity": 2})]
    items = plan(raw, listings, request(purge_resource_groups=["rg", "typo"]), names=ROLE_NAMES)
    assert [(i.name, i.action, i.withheld) for i in items] == [("new", "create", True), ("bigger", "update", True), ("stale", "purge", True)]
    assert sent(items) == []
    assert items.problems == ["resource group typo of accounts_purge_resource_groups does not exist (ResourceGroupNotFound); if it is "
                              "created later, set accounts_purge_allow_missing_groups: true"]
    assert items.withheld == "this run writes nothing because the purge scope names a resource group that does not exist (3 writes withheld)"
    allowed = plan(raw, listings, request(purge_resource_groups=["rg", "typo"], purge_allow_missing_groups=True))
    assert sent(allowed) == [("new", "create"), ("bigger", "update"), ("stale", "purge")]
    assert allowed.problems == [] and allowed.withheld is None


def test_a_declared_entry_that_cannot_be_planned_withholds_every_delete_of_the_run():
    """Issue 20.4: scoring and batch declared in a misspelt group failed there, and the purge of the right group deleted
    them, because nothing declared them in it."""
    listings = {"rg": listing("rg", account("scoring"), account("batch"), account("old")), "typo": listing("typo", missing=True)}
    raw = [dict(NEW, name="scoring", resource_group="typo"), dict(NEW, name="batch", resource_group="typo"),
           dict(name="old", state="absent"), dict(NEW, name="fresh")]
    items = plan(raw, listings)
    assert [(i.name, i.resource_group, i.action, i.error is not None, i.withheld) for i in items] == [
        ("scoring", "typo", "create", True, False), ("batch", "typo", "create", True, False), ("old", "rg", "delete", False, True),
        ("fresh", "rg", "create", False, False), ("scoring", "rg", "purge", False, True), ("batch", "rg", "purge", False, True)]
    assert sent(items) == [("fresh", "create")]
    assert items.problems == []
    assert items.withheld == "this run deletes nothing because 2 declared accounts could not be planned (3 deletes withheld)"


def test_a_complete_plan_withholds_nothing():
    items = plan([NEW, dict(name="old", state="absent")], {"rg": listing("rg", account("old"), account("stale"))})
    assert sent(items) == [("new", "create"), ("old", "delete"), ("stale", "purge")]
    assert items.problems == [] and items.withheld is None and not any(i.withheld for i in items)


GROUPS = ("g0", "g1", "g2")
LISTING_STATES = st.sampled_from(["ok", "ok", "error", "missing"])
ENTRY = st.fixed_dictionaries({"name": st.sampled_from(["a", "b", "c"]), "resource_group": st.sampled_from(GROUPS),
                               "kind": st.sampled_from(["present", "absent", "moved"])})


def _listings(states, listed):
    found = {}
    for group, state in zip(GROUPS, states):
        accounts = [account(name, group=group) for name in listed if state == "ok"]
        found[group] = listing(group, *accounts, error=ArmError(500, "InternalServerError", "x") if state == "error" else None,
                               missing=state == "missing")
    return found


@given(states=st.tuples(LISTING_STATES, LISTING_STATES, LISTING_STATES), listed=st.sets(st.sampled_from(["a", "b", "c", "d"])),
       raw=st.lists(ENTRY, max_size=4, unique_by=lambda e: (e["name"], e["resource_group"])),
       purge_groups=st.sets(st.sampled_from(GROUPS), min_size=1), allow_missing=st.booleans())
@PROPERTIES
def test_any_listing_error_or_unplanned_entry_means_no_delete_is_sent(states, listed, raw, purge_groups, allow_missing):
    """Issue 20, items 1 and 4 as a property: a plan built on a failed listing or an entry that could not be planned
    hands no delete to the service; a purge group that does not exist (not allowed) lets nothing through at all."""
    entries_raw = [dict(NEW, name=e["name"], resource_group=e["resource_group"], location="westus" if e["kind"] == "moved" else "eastus")
                   if e["kind"] != "absent" else dict(name=e["name"], resource_group=e["resource_group"], state="absent") for e in raw]
    listings = _listings(states, listed)
    params = request(accounts=entries_raw, purge_resource_groups=sorted(purge_groups), purge_allow_missing_groups=allow_missing,
                     purge_allow_empty=True)
    items = plan(entries_raw, listings, params)
    incomplete = any(state == "error" for state in states) or any(i.entry is not None and i.error is not None for i in items)
    missing = any(states[GROUPS.index(g)] == "missing" for g in purge_groups) and not allow_missing
    deletes = [i for i in items if fa.needs_service(i) and i.action in ("delete", "purge")]
    if incomplete or missing:
        assert deletes == []
    if missing:
        assert sent(items) == []
    if not incomplete and not missing:
        assert not any(i.withheld for i in items) and items.withheld is None
    assert bool(items.withheld) == any(i.withheld for i in items)
    assert bool(items.problems) == (any(states[GROUPS.index(g)] == "error" for g in purge_groups) or missing)


def test_entries_of_a_group_that_could_not_be_listed_fail_and_a_missing_group_fails_only_creates():
    listings = {"rg": listing("rg", error=ArmError(403, "AuthorizationFailed", "no")), "gone": listing("gone", missing=True)}
    items = plan([NEW, dict(NEW, resource_group="gone"), dict(name="x", resource_group="gone", state="absent")], listings,
                 request(purge=False))
    assert "cannot list resource group rg" in items[0].error
    assert "does not exist" in items[1].error
    assert items[2].error is None and items[2].action == "none"


def test_restricted_to_some_accounts_others_are_left_alone_but_missing_ones_are_created():
    listed = listing("rg", account("mine"), account("theirs"), account("stale"), account("stale2"))
    restrict = {key_of("rg", "mine"), key_of("rg", "stale")}
    items = plan([dict(name="mine", sku={"capacity": 3}), dict(name="theirs", sku={"capacity": 3}), NEW], {"rg": listed},
                 restrict=restrict)
    assert [(i.name, i.action, i.note is not None) for i in items] == [
        ("mine", "update", False), ("theirs", "none", True), ("new", "create", False), ("stale", "purge", False)]


def test_busy_accounts_are_marked_with_their_state():
    items = plan([dict(name="busy", sku={"capacity": 2})], {"rg": listing("rg", account("busy", properties={"provisioningState": "Updating"}))},
                 request(purge=False))
    assert items[0].busy and items[0].busy_state == "Updating" and items[0].action == "update"


def test_restrict_to_takes_ids_or_parts_and_compares_the_subscription_ignoring_case():
    raw = [{"id": account("a")["id"]}, {"subscription_id": SUB.upper(), "resource_group": "RG", "name": "B"},
           {"id": account("c", sub=OTHER_SUB)["id"]}]
    keys, outside, errors = fp.restricted_keys(raw, [SUB], NAMES)
    assert keys == {SUB: {("rg", "a"), ("rg", "b")}} and outside == 1 and errors == []
    _keys, _outside, errors = fp.restricted_keys([{"name": "x"}], [SUB], NAMES)
    assert errors == ["restrict_to[0]: an account needs its id, or subscription_id, resource_group and name"]
    assert fp.restricted_keys(None, [SUB], NAMES) == (None, 0, [])


# -- several subscriptions: one plan, its rules across all, each purge scope exact --------------------------------------

SUBS = (SUB, OTHER_SUB)
PLACES = [(sub, group) for sub in SUBS for group in ("g0", "g1")]  # the same group names in both subscriptions


def _group_id(sub, group):
    return "/subscriptions/%s/resourceGroups/%s" % (sub, group)


@given(states=st.tuples(*[LISTING_STATES] * len(PLACES)), listed=st.sets(st.sampled_from(["a", "b", "c"])),
       raw=st.lists(st.fixed_dictionaries({"name": st.sampled_from(["a", "b", "x"]), "place": st.sampled_from(PLACES),
                                           "absent": st.booleans()}), max_size=4, unique_by=lambda e: (e["name"], e["place"])),
       purge_places=st.sets(st.sampled_from(PLACES), min_size=1))
@PROPERTIES
def test_across_subscriptions_a_failed_listing_anywhere_deletes_nothing_anywhere_and_purges_stay_in_their_own_scope(
        states, listed, raw, purge_places):
    entries_raw = [dict(name=e["name"], resource_group=e["place"][1], subscription_id=e["place"][0], state="absent") if e["absent"]
                   else dict(NEW, name=e["name"], resource_group=e["place"][1], subscription_id=e["place"][0]) for e in raw]
    found = entries(*entries_raw)
    params = request(accounts=entries_raw, purge_allow_empty=True, purge_allow_missing_groups=True,
                     purge_resource_groups=[group if sub == SUB else _group_id(sub, group) for sub, group in sorted(purge_places)])
    listings = {}
    for (sub, group), state in zip(PLACES, states):
        accounts = [account(name, group=group, sub=sub) for name in listed] if state == "ok" else []
        listings[fp.listing_key(sub, group)] = listing(group, *accounts, missing=state == "missing",
                                                       error=ArmError(500, "InternalServerError", "x") if state == "error" else None)
    items = fp.plan_fleet(found, listings, scope_for(params, found))
    deletes = [i for i in items if fa.needs_service(i) and i.action in ("delete", "purge")]
    if "error" in states:
        assert deletes == []
    declared = set((e["place"][0], e["place"][1], e["name"]) for e in raw)
    for item in items:
        if item.action == "purge":
            assert (item.subscription_id, item.resource_group) in purge_places
            assert (item.subscription_id, item.resource_group, item.name) not in declared
            assert item.account_id() == parse_account_id(item.current["id"])
