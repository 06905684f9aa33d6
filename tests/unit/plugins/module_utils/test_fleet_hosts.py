# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which result of a fleet run is which host's (the role's per-host results), and what no host stands for."""

from __future__ import annotations

import pytest

from ansible_collections.azureml.model_management.plugins.module_utils import fleet_hosts as fh
from ansible_collections.azureml.model_management.plugins.module_utils.fleet_scope import OptionNames
from ansible_collections.azureml.model_management.tests.unit.fakes import OTHER_SUB, SUB, account_id


DIFF = {"before": {"sku": {"capacity": 1}}, "after": {"sku": {"capacity": 2}}, "before_header": "x", "after_header": "x"}


def result(name, action="none", changed=False, error=None, hosted=True, **extra):
    found = dict(name=name, resource_group="rg", id=account_id(name), action=action, changed=changed, busy=False, error=error,
                 in_restrict_to=hosted)
    found.update(extra)
    return found


FLEET = {"subscription_id": SUB, "changed": True, "accounts": [
    result("same"),
    result("bigger", "update", True, changes=["sku.capacity 1 → 2"], diff=DIFF),
    result("broken", "update", False, error={"status": 400, "code": "BadRequest", "message": "no"}),
    result("new", "create", True, hosted=False, diff=DIFF),
    result("declared-elsewhere", note="not one of this run's accounts (restrict_to)", hosted=False),
]}


def host(name, sub=SUB, group="rg"):
    return {"id": account_id(name, group, sub), "name": name}


def test_each_host_gets_its_own_accounts_result_matched_by_id_ignoring_case():
    outcome = fh.host_outcome(FLEET, {"id": account_id("BIGGER", "RG", SUB.upper())})
    assert (outcome["changed"], outcome["failed"], outcome["action"]) == (True, False, "update")
    assert outcome["diff"] == DIFF and outcome["msg"] == "update: sku.capacity 1 → 2"
    same = fh.host_outcome(FLEET, host("same"))
    assert (same["changed"], same["failed"], same["msg"]) == (False, False, "unchanged") and "diff" not in same
    by_parts = fh.host_outcome(FLEET, {"subscription_id": SUB, "resource_group": "rg", "name": "bigger"})
    assert by_parts["changed"] is True


def test_a_host_of_any_subscription_the_run_reconciled_gets_its_result():
    """A run over two subscriptions (``subscriptions``): the second one's hosts are matched, not left alone."""
    fleet = dict(FLEET, subscriptions=[SUB, OTHER_SUB], accounts=FLEET["accounts"] + [
        dict(result("away", "update", True), id=account_id("away", "rg", OTHER_SUB))])
    outcome = fh.host_outcome(fleet, host("away", sub=OTHER_SUB.upper()))
    assert (outcome["changed"], outcome["failed"], outcome["action"]) == (True, False, "update")
    assert fh.host_outcome(fleet, host("bigger", sub=OTHER_SUB))["msg"] == "left alone: not declared, and not in the purge scope"


def test_a_failed_account_fails_its_host_and_only_its_host():
    outcome = fh.host_outcome(FLEET, host("broken"))
    assert (outcome["changed"], outcome["failed"]) == (False, True)
    assert outcome["msg"] == "update failed: no" and outcome["error"]["code"] == "BadRequest"


@pytest.mark.parametrize("account, words", [
    (host("not-planned"), "not declared, and not in the purge scope"),
    (host("bigger", sub=OTHER_SUB), "the account is in subscription %s, the run in %s" % (OTHER_SUB, SUB)),
])
def test_a_host_the_run_did_not_plan_is_unchanged_and_says_why(account, words):
    outcome = fh.host_outcome(FLEET, account)
    assert (outcome["changed"], outcome.get("failed", False)) == (False, False) and words in outcome["msg"]


@pytest.mark.parametrize("fleet, account, words", [
    ({"failed": True, "msg": "accounts_list is empty"}, host("same"), "the fleet run planned no account: accounts_list is empty"),
    (None, host("same"), "it did not run"),
    (FLEET, {"name": "no-id"}, "has no id"),
    (FLEET, {"id": "/subscriptions/x/whatever"}, "has no id"),
])
def test_no_result_to_report_fails_the_host(fleet, account, words):
    outcome = fh.host_outcome(fleet, account)
    assert outcome["failed"] is True and words in outcome["msg"]


def test_the_accounts_no_host_stands_for_are_reported_once_never_as_changed():
    outcome = fh.unhosted_outcome(FLEET)
    assert (outcome["changed"], outcome["failed"]) == (False, False)
    assert outcome["msg"] == "accounts that are no host of this play: new (rg): create"
    assert [a["name"] for a in outcome["accounts"]] == ["new"]
    failing = dict(FLEET, accounts=FLEET["accounts"] + [result("other", "create", error={"message": "quota"}, hosted=False)])
    assert fh.unhosted_outcome(failing)["failed"] is True
    quiet = dict(FLEET, accounts=[result("same")])
    assert fh.unhosted_outcome(quiet)["msg"].endswith("none: every account written is a host of this play")


def test_a_run_failure_that_no_account_carries_fails_the_unhosted_report():
    """A run-level failure (every account fine, the task failed anyway) must fail somewhere: here."""
    run_failed = dict(FLEET, failed=True, msg="the purge scope could not be listed", accounts=[result("same")])
    outcome = fh.unhosted_outcome(run_failed)
    assert outcome["failed"] is True and "the run failed: the purge scope could not be listed" in outcome["msg"]
    hosts_carry_it = dict(FLEET, failed=True, msg="1 of 5 accounts failed")
    assert fh.unhosted_outcome(hosts_carry_it)["failed"] is False
    assert fh.unhosted_outcome({"failed": True, "msg": "refused"})["failed"] is True


def test_the_runs_own_problems_fail_the_unhosted_report_even_when_a_host_failed_too():
    """A purge group that could not be listed belongs to no host: a failing host must not swallow it."""
    why = "this run deletes nothing because the listing of resource group ml-prod failed (1 delete withheld)"
    both = dict(FLEET, failed=True, msg="...", problems=[why],
                accounts=FLEET["accounts"] + [result("old", "purge", hosted=True, withheld=True)])
    outcome = fh.unhosted_outcome(both)
    assert outcome["failed"] is True and ("the run failed: " + why) in outcome["msg"]
    withheld = fh.host_outcome(both, host("old"))
    assert (withheld["changed"], withheld["failed"], withheld["withheld"]) == (False, False, True)
    assert withheld["msg"].startswith("purge withheld")


def test_hosts_with_nothing_declared_and_no_purge_are_refused_naming_the_variable():
    names = OptionNames({"accounts": "accounts_list", "restrict_to": "the play's hosts"})
    problem = fh.nothing_declared_problem([], [{"id": account_id("a")}], False, names)
    assert problem.startswith("accounts_list is empty: nothing is declared for the 1 account(s) of the play's hosts")
    assert fh.nothing_declared_problem([], [{"id": "x"}], True, names) is None  # a purge of the hosts: its own opt-in
    assert fh.nothing_declared_problem([{"name": "a"}], [{"id": "x"}], False, names) is None
    assert fh.nothing_declared_problem([], None, False, names) is None  # on localhost: no hosts, nothing refused


def test_a_name_that_ends_like_another_is_not_that_account():
    fleet = dict(FLEET, accounts=[result("x-bigger", "update", True), result("bigger", "none")])
    assert fh.host_outcome(fleet, host("bigger"))["changed"] is False
    other_group = dict(FLEET, accounts=[dict(result("bigger", "update", True), id=account_id("bigger", "rg2"))])
    assert fh.host_outcome(other_group, host("bigger"))["msg"].startswith("left alone")
