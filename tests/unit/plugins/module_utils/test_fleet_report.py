# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a fleet run reports: results, counts, summary lines (one per account, never de-duplicated), diffs, failures."""

from __future__ import annotations

from collections import OrderedDict

from ansible_collections.azureml.model_management.plugins.module_utils import fleet_plan as fp
from ansible_collections.azureml.model_management.plugins.module_utils import fleet_report as fr
from ansible_collections.azureml.model_management.plugins.module_utils.fleet_apply import Applied, apply_plan
from ansible_collections.azureml.model_management.plugins.module_utils.fleet_listing import Listing
from ansible_collections.azureml.model_management.plugins.module_utils.fleet_scope import OptionNames, key_of

from test_fleet_scope import OTHER_SUB, SUB, account  # pylint: disable=import-error

NEW = {"name": "new", "location": "eastus", "sku": {"name": "S1", "capacity": 1}, "tags": {"managed-by": "ansible"}}


def planned(raw, listed, purge=True):
    entries, errors = fp.declared_entries(raw, "rg", True, OptionNames(), SUB)
    assert errors == []
    params = dict(accounts=raw, purge=purge, purge_resource_groups=["rg"], purge_tags=["managed-by:ansible"], purge_allow_empty=True)
    scopes, errors = fp.check_request(params, SUB, entries, OptionNames())
    assert errors == []
    listing = Listing("rg", OrderedDict((key_of("rg", a["name"]), a) for a in listed))
    return Planned(fp.plan_fleet(entries, {fp.listing_key(SUB, "rg"): listing}, scopes), (scopes or {}).get(SUB))


class Planned(list):
    """The planned items, and the purge scope they were planned with."""

    def __init__(self, items, scope):
        super(Planned, self).__init__(items)
        self.scope = scope

    def __add__(self, other):
        return Planned(list(self) + list(other), self.scope)


class NoNetwork(object):
    """Check mode is given the listed accounts: any request would be a bug."""

    def __getattr__(self, name):
        raise AssertionError("check mode sent a request (%s)" % name)


def predicted(items):
    return apply_plan(NoNetwork(), SUB, items, items.scope, 10, True, True, 600)


def report(items, applied=None):
    applied = predicted(items) if applied is None else applied
    return [fr.account_result(item, applied.get(index)) for index, item in enumerate(items)]


LISTED = [account("same"), account("bigger"), account("old"), account("stale"), account("busy", properties={"provisioningState": "Creating"})]
RAW = [dict(name="same"), dict(name="bigger", sku={"capacity": 2}), NEW, dict(name="old", state="absent"),
       dict(name="gone", state="absent"), dict(name="busy")]


def test_check_mode_results_counts_and_summary_come_from_the_plan():
    items = planned(RAW, LISTED)
    results = report(items)
    assert [(r["name"], r["action"], r["changed"], r["busy"]) for r in results] == [
        ("same", "none", False, False), ("bigger", "update", True, False), ("new", "create", True, False),
        ("old", "delete", True, False), ("gone", "none", False, False), ("busy", "none", False, True), ("stale", "purge", True, False)]
    assert fr.counts_of(items, results) == dict(create=1, update=1, repair=0, delete=1, purge=1, unchanged=2, absent=1,
                                                skipped=0, withheld=0, failed=0, busy=1)
    assert fr.summary_lines(SUB, items, results, True) == [
        "Plan (check mode, nothing was written) for subscription %s: create 1, update 1, repair 0, delete 1, purge 1, "
        "unchanged 2, absent 1, skipped 0, failed 0" % SUB,
        "create: new (rg)", "update: bigger (rg)", "delete: old (rg)", "purge: stale (rg)", "busy: busy (rg) is Creating"]


def test_a_real_run_reports_what_the_writes_did():
    items = planned([NEW, dict(name="bigger", sku={"capacity": 2})], [account("bigger"), account("stale"), account("claimed")])
    applied = {0: Applied(True, "create"), 1: Applied(error=dict(status=409, code="Conflict", message="busy elsewhere"), action="update"),
               2: Applied(True, "purge"), 3: Applied(action="purge", skipped="it no longer has the purge tags (managed-by:ansible)")}
    results = report(items, applied)
    lines = fr.summary_lines(SUB, items, results, False, outside=2)
    assert lines[0].startswith("Done for subscription %s: create 1, update 0, repair 0, delete 0, purge 1, unchanged 0, absent 0, "
                               "skipped 1, failed 1; 2 host(s) of other subscriptions left alone" % SUB)
    assert lines[1:] == ["create: new (rg)", "purge: stale (rg)",
                         "skipped: claimed (rg): it no longer has the purge tags (managed-by:ansible)",
                         "failed: update bigger (rg): busy elsewhere"]
    assert fr.failure_message(items, results) == "1 of 4 accounts failed: bigger (rg): busy elsewhere"


def test_withheld_writes_are_counted_and_listed_and_the_reason_is_said_once():
    items = planned([NEW, dict(name="old", state="absent")], [account("old"), account("stale")])
    for item in items[1:]:
        item.withheld = True  # as fleet_plan.run_rules marks them
    results = report(items)
    assert [(r["name"], r["action"], r["changed"], r.get("withheld")) for r in results] == [
        ("new", "create", True, None), ("old", "delete", False, True), ("stale", "purge", False, True)]
    why = "this run deletes nothing because 1 declared account could not be planned (2 deletes withheld)"
    lines = fr.summary_lines(SUB, items, results, True, run_lines=[why])
    assert lines[0].endswith("skipped 0, withheld 2, failed 0") and lines[1:] == [
        why, "create: new (rg)", "withheld: delete old (rg)", "withheld: purge stale (rg)"]
    assert fr.failure_message(items, results, [why]) == why


def test_two_accounts_of_the_same_name_and_group_are_two_lines():
    """Lines are never de-duplicated by "name (group)": each planned account has its own (two subscriptions' runs, or
    an item of a declared entry and of the purge scope, stay apart)."""
    items = planned([NEW], []) + planned([dict(NEW)], [])
    results = report(items)
    assert fr.summary_lines(SUB, items, results, True)[1:] == ["create: new (rg)", "create: new (rg)"]


def test_accounts_of_another_subscription_than_the_tasks_are_named_with_it():
    items = planned([NEW], []) + planned([NEW], [])
    items[1].subscription_id = OTHER_SUB  # as a run over two subscriptions plans it
    lines = fr.summary_lines(SUB, items, report(items), True)
    assert lines[0].startswith("Plan (check mode, nothing was written) for subscriptions %s, %s: create 2," % (SUB, OTHER_SUB))
    assert lines[1:] == ["create: new (rg)", "create: new (rg, subscription %s)" % OTHER_SUB]


def test_plan_errors_fail_the_task_naming_the_account():
    items = planned([dict(name="moved", location="westus")], [account("moved")], purge=False)
    results = report(items)
    assert results[0]["error"]["code"] == "NotPlanned" and results[0]["action"] == "update"
    assert "moved (rg): location cannot be changed" in fr.failure_message(items, results)
    assert fr.failure_message(items[:0], results[:0]) is None


def test_diffs_have_headers_naming_the_account_and_only_changes_have_one():
    items = planned(RAW, LISTED)
    applied = predicted(items)
    diffs = [fr.diff_of(item, applied.get(index)) for index, item in enumerate(items)]
    assert [d is not None for d in diffs] == [False, True, True, True, False, False, True]
    bigger = diffs[1]
    assert bigger["before_header"] == bigger["after_header"] == "account bigger (resource group rg)"
    assert bigger["before"]["sku"]["capacity"] == 1 and bigger["after"]["sku"]["capacity"] == 2
    assert diffs[3]["after"] == {} and diffs[2]["before"] == {}
    assert fr.diff_of(items[0], Applied(diff={"before": {"a": 1}, "after": {"a": 1}})) is None
