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
from ansible_collections.azureml.model_management.tests.unit.fakes import OTHER_SUB, SUB, account


NEW = {"name": "new", "location": "eastus", "sku": {"name": "S1", "capacity": 1}, "tags": {"managed-by": "ansible"}}


def planned(raw, listed, purge=True, restrict=None):
    entries, errors = fp.declared_entries(raw, "rg", True, OptionNames(), SUB)
    assert errors == []
    params = dict(accounts=raw, purge=purge, purge_resource_groups=["rg"], purge_tags=["managed-by:ansible"], purge_allow_empty=True)
    scopes, errors = fp.check_request(params, SUB, entries, OptionNames())
    assert errors == []
    listing = Listing("rg", OrderedDict((key_of("rg", a["name"]), a) for a in listed))
    return Planned(fp.plan_fleet(entries, {fp.listing_key(SUB, "rg"): listing}, scopes, restrict), (scopes or {}).get(SUB))


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


def report(items, applied=None, restrict=None):
    applied = predicted(items) if applied is None else applied
    return [fr.account_result(item, applied.get(index), SUB, restrict) for index, item in enumerate(items)]


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
                                                skipped=0, withheld=0, failed=0, busy=1, outside=0)
    assert fr.summary_lines(SUB, items, results, True) == [
        "Plan for subscription %s: 1 to add, 1 to change, 2 to destroy (check mode: nothing was written)" % SUB,
        "create 1, update 1, repair 0, delete 1, purge 1, unchanged 2, absent 1, skipped 0, failed 0, busy 1",
        "+ new (rg)", "~ bigger (rg): sku.capacity 1 → 2", "- old (rg) delete", "- stale (rg) purge", "busy: busy (rg) is Creating"]


def test_a_real_run_reports_what_the_writes_did():
    items = planned([NEW, dict(name="bigger", sku={"capacity": 2})], [account("bigger"), account("stale"), account("claimed")])
    applied = {0: Applied(True, "create"), 1: Applied(error=dict(status=409, code="Conflict", message="busy elsewhere"), action="update"),
               2: Applied(True, "purge"), 3: Applied(action="purge", skipped="it no longer has the purge tags (managed-by:ansible)")}
    results = report(items, applied)
    lines = fr.summary_lines(SUB, items, results, False, outside=2)
    assert lines[:2] == ["Done for subscription %s: 1 added, 0 changed, 1 destroyed" % SUB,
                         "create 1, update 0, repair 0, delete 0, purge 1, unchanged 0, absent 0, skipped 1, failed 1; "
                         "2 host(s) of other subscriptions left alone"]
    assert lines[2:] == ["+ new (rg)", "- stale (rg) purge",
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
    assert lines[1].endswith("skipped 0, withheld 2, failed 0") and lines[2:] == [
        why, "+ new (rg)", "withheld: delete old (rg)", "withheld: purge stale (rg)"]
    assert fr.failure_message(items, results, [why]) == why


def test_a_restricted_run_counts_only_its_own_accounts_and_says_how_many_are_outside():
    """A job slice (restrict_to: its hosts) declares 4 accounts but owns 1: the other 3 are not "unchanged"."""
    listed = [account("a"), account("b"), account("c"), account("d")]
    raw = [dict(name="a", sku={"capacity": 2}), dict(name="b"), dict(name="c"), dict(name="d", sku={"capacity": 3})]
    restrict = {SUB.lower(): {key_of("rg", "a")}}  # as fleet_plan.restricted_keys gives it: per subscription
    items = planned(raw, listed, purge=False, restrict=restrict)
    results = report(items, restrict=restrict)
    counts = fr.counts_of(items, results)
    assert (counts["update"], counts["unchanged"], counts["outside"]) == (1, 0, 3)
    assert fr.summary_lines(SUB, items, results, True)[1] == (
        "create 0, update 1, repair 0, delete 0, purge 0, unchanged 0, absent 0, skipped 0, failed 0; "
        "3 declared account(s) outside this run (not its hosts: --limit, or another job slice)")
    assert [r["in_restrict_to"] for r in results] == [True, False, False, False]
    assert "in_restrict_to" not in report(planned(raw, listed, purge=False))[0]


def test_each_result_carries_its_id_and_the_fields_that_change():
    items = planned([dict(name="bigger", sku={"name": "S2", "capacity": 2}, tags={"owner": "me", "env": "prod"}, append_tags=False)],
                    [account("bigger", tags={"env": "dev", "gone": "x"})], purge=False)
    result = report(items)[0]
    assert result["id"] == "/subscriptions/%s/resourceGroups/rg/providers/Microsoft.MachineLearningModelManagement/accounts/bigger" % SUB
    assert result["changes"] == ["sku.name S1 → S2", "sku.capacity 1 → 2", "tags.env dev → prod", "tags.gone removed", "tags.owner added"]
    assert result["diff"]["before_header"] == "account bigger (resource group rg)"
    unchanged = report(planned([dict(name="same")], [account("same")], purge=False))[0]
    assert "diff" not in unchanged and "changes" not in unchanged


def test_field_changes_name_each_field_and_show_odd_values_escaped():
    before = {"name": "a", "location": "eastus", "sku": {"name": "S1", "capacity": 1}, "tags": {"Owner": "x"}, "description": None}
    after = dict(before, tags={"owner": "line\nbreak"}, description="d" * 50, provisioning_state="Succeeded")
    before_failed = dict(before, provisioning_state="Failed")
    assert fr.field_changes(before_failed, after) == [
        "provisioning_state Failed → Succeeded", "tags.owner x → 'line\\nbreak'",
        "description (none) → '%s...'" % ("d" * 40)]
    assert fr.field_changes({}, after) == [] and fr.field_changes(before, {}) == []


def test_two_accounts_of_the_same_name_and_group_are_two_lines():
    """Lines are never de-duplicated by "name (group)": each planned account has its own (two subscriptions' runs, or
    an item of a declared entry and of the purge scope, stay apart)."""
    items = planned([NEW], []) + planned([dict(NEW)], [])
    results = report(items)
    assert fr.summary_lines(SUB, items, results, True)[2:] == ["+ new (rg)", "+ new (rg)"]


def test_accounts_of_another_subscription_than_the_tasks_are_named_with_it():
    items = planned([NEW], []) + planned([NEW], [])
    items[1].subscription_id = OTHER_SUB  # as a run over two subscriptions plans it
    lines = fr.summary_lines(SUB, items, report(items), True)
    assert lines[0] == "Plan for subscriptions %s, %s: 2 to add, 0 to change, 0 to destroy (check mode: nothing was written)" % (SUB, OTHER_SUB)
    assert lines[2:] == ["+ new (rg)", "+ new (rg, subscription %s)" % OTHER_SUB]
    results = report(items)
    assert [(r["subscription_id"], r["id"].split("/")[2]) for r in results] == [(SUB, SUB), (OTHER_SUB, OTHER_SUB)]


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


def test_the_accounts_neither_declared_nor_purgeable_are_named_as_not_managed():
    """Adopting an estate: a hand-made account in a declared group appeared in no plan at all."""
    hand_made = [account("hand-%02d" % index, tags={"owner": "someone"}) for index in range(22)]
    listed = [account("same"), account("stale")] + hand_made
    args = _plan_args([dict(name="same")], listed)
    items = fp.plan_fleet(*args)
    assert [a["name"] for a in items.unmanaged] == ["hand-%02d" % index for index in range(22)]  # stale is purged, same declared
    lines = fr.summary_lines(SUB, items, report(Planned(items, args[2][SUB])), True)
    assert lines[-1] == ("not managed: 22 account(s) of the groups read are not declared and not in the purge scope: %s and 2 more"
                         % ", ".join("hand-%02d (rg)" % index for index in range(20)))
    args = _plan_args([dict(name="same")], [account("same")])
    quiet = fp.plan_fleet(*args)
    assert quiet.unmanaged == [] and not fr.summary_lines(SUB, quiet, report(Planned(quiet, args[2][SUB])), True)[-1].startswith("not")


def _plan_args(raw, listed):
    entries, _errors = fp.declared_entries(raw, "rg", True, OptionNames(), SUB)
    params = dict(accounts=raw, purge=True, purge_resource_groups=["rg"], purge_tags=["managed-by:ansible"], purge_allow_empty=True)
    scopes, _errors = fp.check_request(params, SUB, entries, OptionNames())
    listing = Listing("rg", OrderedDict((key_of("rg", a["name"]), a) for a in listed))
    return entries, {fp.listing_key(SUB, "rg"): listing}, scopes
