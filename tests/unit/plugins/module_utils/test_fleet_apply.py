# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Listing and applying a fleet plan against an in-memory Resource Manager that honours If-Match / If-None-Match."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.azureml.model_management.plugins.module_utils import fleet_apply as fa
from ansible_collections.azureml.model_management.plugins.module_utils import fleet_listing as fl
from ansible_collections.azureml.model_management.plugins.module_utils import fleet_plan as fp
from ansible_collections.azureml.model_management.plugins.module_utils.account_model import account_path, accounts_path
from ansible_collections.azureml.model_management.plugins.module_utils.arm import ArmError
from ansible_collections.azureml.model_management.plugins.module_utils.fleet_scope import OptionNames
from ansible_collections.azureml.model_management.tests.unit.fakes import NEW, SUB, InMemoryArm, account

NAMES = OptionNames()


def rg_account(name, **over):
    body = account(name, "rg", SUB, **over)
    body["id"] = account_path(SUB, "rg", name)
    body.pop("etag", None)
    return body


def run(arm, raw_entries, purge=True, concurrency=4, check_mode=False, wait=True, between=None):
    entries, errors = fp.declared_entries(raw_entries, "rg", True, NAMES, SUB)
    assert errors == []
    params = dict(accounts=raw_entries, purge=purge, purge_resource_groups=["rg"], purge_tags={"managed-by": "ansible"},
                  purge_allow_empty=True, concurrency=concurrency, wait_timeout=600)
    scopes, errors = fp.check_request(params, SUB, entries, NAMES)
    assert errors == []
    scope = (scopes or {}).get(SUB)
    listings = fl.list_groups(arm, SUB, [e.resource_group for e in entries] + ["RG"], concurrency)
    items = fp.plan_fleet(entries, dict((fp.listing_key(SUB, group), found) for group, found in listings.items()), scopes)
    if between:
        between(arm)
    outcomes = fa.apply_plan(arm, SUB, items, scope, concurrency, check_mode, wait, 600)
    return items, outcomes


def by_name(items, outcomes):
    return dict((items[index].name, outcome) for index, outcome in outcomes.items())


# -- listing -------------------------------------------------------------------------------------------------------------

def test_each_group_is_listed_once_whatever_its_case():
    arm = InMemoryArm([rg_account("a")])
    listings = fl.list_groups(arm, SUB, ["rg", "RG", "Rg"], 4)
    assert arm.calls == [("LIST", accounts_path(SUB, "rg"))]
    assert list(listings) == ["rg"] and list(listings["rg"].accounts) == [("rg", "a")]


class ListingClient(object):
    def __init__(self, answer):
        self.answer = answer

    def list_all(self, path):
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


def test_a_list_answer_with_an_account_of_another_group_makes_the_listing_an_error_naming_it():
    victim = account("victim", "other-rg")
    listing = fl.list_group(ListingClient([account("a"), victim]), SUB, "rg")
    assert listing.accounts == {} and listing.error.code == "InvalidResponse"
    assert victim["id"] in listing.error.message and "not in the listed scope" in listing.error.message


def test_a_list_answer_naming_an_account_twice_is_an_error():
    listing = fl.list_group(ListingClient([account("a"), account("A")]), SUB, "rg")
    assert "twice" in listing.error.message


def test_a_missing_resource_group_lists_as_empty_and_other_errors_are_kept():
    missing = fl.list_group(ListingClient(ArmError(404, "ResourceGroupNotFound", "no")), SUB, "rg")
    assert missing.missing and missing.error is None and not missing.accounts
    denied = fl.list_group(ListingClient(ArmError(403, "AuthorizationFailed", "no")), SUB, "rg")
    assert denied.error.status == 403


# -- applying ------------------------------------------------------------------------------------------------------------

def test_only_the_writes_are_sent_each_conditional_on_what_was_listed():
    arm = InMemoryArm([rg_account("same"), rg_account("bigger"), rg_account("stale"), rg_account("old"), rg_account("mine", tags={})])
    etags = dict((a["name"], a["etag"]) for a in arm.store.values())
    items, outcomes = run(arm, [dict(name="same"), dict(name="bigger", sku={"capacity": 2}), NEW, dict(name="old", state="absent"),
                                dict(name="mine")])
    assert sorted(arm.writes()) == sorted([
        ("PATCH", "bigger", {"If-Match": etags["bigger"]}),
        ("PUT", "new", {"If-None-Match": "*"}),
        ("DELETE", "old", {"If-Match": etags["old"]}),
        ("DELETE", "stale", {"If-Match": etags["stale"]}),
    ])
    assert not [c for c in arm.calls if c[0] == "GET"]  # planned from the list: no GET per account
    done = by_name(items, outcomes)
    assert set(done) == {"bigger", "new", "old", "stale"} and all(o.changed and o.error is None for o in done.values())


def test_check_mode_sends_nothing_but_the_list_and_predicts_what_the_service_would_do():
    arm = InMemoryArm([rg_account("stale"), rg_account("bigger"), rg_account("going", properties={"provisioningState": "Deleting"})])
    items, outcomes = run(arm, [NEW, dict(name="bigger", sku={"capacity": 2}), dict(NEW, name="going")], check_mode=True)
    assert [c[0] for c in arm.calls] == ["LIST"]
    done = by_name(items, outcomes)
    assert [(name, done[name].action, done[name].changed) for name in ("new", "bigger", "going", "stale")] == [
        ("new", "create", True), ("bigger", "update", True), ("going", "create", True), ("stale", "purge", True)]
    assert done["going"].busy == "Deleting"  # not waited for: a Deleting account counts as gone, as the account module says
    assert done["bigger"].diff["after"]["sku"]["capacity"] == 2


def test_one_accounts_failure_does_not_stop_the_others():
    failures = {("PUT", "bad"): [ArmError(400, "InvalidSkuName", "no such sku")]}
    arm = InMemoryArm(failures=failures)
    raw = [dict(NEW, name="n%02d" % i) for i in range(10)] + [dict(NEW, name="bad")]
    items, outcomes = run(arm, raw)
    done = by_name(items, outcomes)
    assert done["bad"].error["code"] == "InvalidSkuName" and done["bad"].changed is False
    assert all(done["n%02d" % i].changed and done["n%02d" % i].error is None for i in range(10))
    assert len(arm.store) == 10


class LostPatchAnswers(InMemoryArm):
    """Every PATCH is applied, and its answer lost (a 500 after the write)."""

    def request(self, method, path, body=None, headers=None, success=None, objects=None):
        answer = InMemoryArm.request(self, method, path, body, headers)
        if method == "PATCH":
            raise ArmError(500, "InternalServerError", "the answer was lost")
        return answer


def test_a_failure_after_the_write_was_sent_still_says_changed():
    arm = LostPatchAnswers([rg_account("a")])
    items, outcomes = run(arm, [dict(name="a", sku={"capacity": 5})], purge=False)
    outcome = by_name(items, outcomes)["a"]
    assert outcome.error["status"] == 500 and outcome.changed is True


def test_writes_run_concurrently_within_the_bound():
    arm = InMemoryArm(delay=0.02)
    run(arm, [dict(NEW, name="n%02d" % i) for i in range(24)], concurrency=3)
    assert 2 <= arm.max_in_flight <= 3


def test_a_purge_candidate_re_tagged_after_the_listing_is_skipped_not_deleted():
    arm = InMemoryArm([rg_account("stale")])

    def someone_claims_it(arm):
        claimed = copy.deepcopy(arm.store[account_path(SUB, "rg", "stale").lower()])
        claimed["tags"] = {"managed-by": "someone-else"}
        arm.put(claimed)  # a new etag
    items, outcomes = run(arm, [NEW], between=someone_claims_it)
    outcome = by_name(items, outcomes)["stale"]
    assert outcome.skipped and "no longer has the purge tags" in outcome.skipped and outcome.changed is False
    assert account_path(SUB, "rg", "stale").lower() in arm.store
    assert [w[0] for w in arm.writes() if w[1] == "stale"] == ["DELETE"]  # the one conditional DELETE, answered 412


class LostDeleteThenRecreated(InMemoryArm):
    """The DELETE of ``stale`` is applied and its answer lost; before the retry someone creates the account again without
    the purge tags, so the retry's If-Match answers 412."""

    def request(self, method, path, body=None, headers=None, success=None, objects=None):
        if method == "DELETE" and path.endswith("/stale") and not getattr(self, "lost", False):
            InMemoryArm.request(self, method, path, body, headers)
            self.lost = True
            self.put(dict(rg_account("stale", tags={}), properties={"createdOn": "later"}))
            error = ArmError(412, "PreconditionFailed", "etag")
            error.answer_lost = True  # the client retried after the lost answer; the retry was refused
            raise error
        return InMemoryArm.request(self, method, path, body, headers)


def test_a_purge_skipped_after_its_own_delete_may_have_applied_still_says_changed():
    arm = LostDeleteThenRecreated([rg_account("stale", properties={"createdOn": "first"})])
    items, outcomes = run(arm, [NEW])
    outcome = by_name(items, outcomes)["stale"]
    assert outcome.skipped and "no longer has the purge tags" in outcome.skipped and outcome.changed is True
    assert "earlier DELETE lost its answer" in outcome.skipped


def test_without_etags_a_purge_reads_the_account_again_right_before_its_delete():
    arm = InMemoryArm([rg_account("stale"), rg_account("gone")], etags=False)

    def someone_claims_it(arm):
        arm.store[account_path(SUB, "rg", "stale").lower()]["tags"] = {"managed-by": "someone-else"}
    items, outcomes = run(arm, [NEW], between=someone_claims_it)
    done = by_name(items, outcomes)
    assert done["stale"].skipped and done["gone"].changed
    assert [w[:2] for w in arm.writes() if w[0] == "DELETE"] == [("DELETE", "gone")]
    assert ("GET", account_path(SUB, "rg", "stale")) in arm.calls


def test_an_unexpected_exception_is_that_accounts_error_and_may_have_written():
    arm = InMemoryArm(failures={("PUT", "new"): [ZeroDivisionError("bug")]})
    items, outcomes = run(arm, [NEW])
    outcome = by_name(items, outcomes)["new"]
    assert outcome.error["code"] == "UnexpectedError" and "ZeroDivisionError" in outcome.error["message"] and outcome.changed


def test_a_busy_account_is_handed_to_the_service_even_when_the_list_shows_nothing_to_do():
    arm = InMemoryArm([rg_account("busy", properties={"provisioningState": "Updating"})])
    items, _outcomes = run(arm, [dict(name="busy")], purge=False)
    assert items[0].action == "none" and items[0].busy and fa.needs_service(items[0])


@pytest.mark.parametrize("check_mode", [False, True])
def test_with_wait_false_a_busy_account_is_unchanged_when_it_needs_no_write_and_fails_when_it_does(check_mode):
    """Issue 20.7: check mode said "unchanged, busy" and the real run failed; both now say what the real run does."""
    arm = InMemoryArm([rg_account("same", properties={"provisioningState": "Updating"}),
                       rg_account("bigger", properties={"provisioningState": "Updating"})])
    items, outcomes = run(arm, [dict(name="same"), dict(name="bigger", sku={"capacity": 2})], purge=False, wait=False,
                          check_mode=check_mode)
    done = by_name(items, outcomes)
    assert (done["same"].changed, done["same"].error, done["same"].busy) == (False, None, "Updating")
    assert "is Updating" in done["bigger"].error["message"] and done["bigger"].changed is False
    assert arm.writes() == []


def test_each_write_that_ends_is_told_to_the_runs_progress_once():
    failures = {("PUT", "bad"): [ArmError(400, "InvalidSkuName", "no such sku")]}
    arm = InMemoryArm(accounts=[account("same")], failures=failures)
    raw = [dict(NEW, name="n%02d" % i) for i in range(6)] + [dict(NEW, name="bad"), dict(name="same")]
    entries, _errors = fp.declared_entries(raw, "rg", True, NAMES, SUB)
    items = fp.plan_fleet(entries, {fp.listing_key(SUB, "rg"): fl.list_groups(arm, SUB, ["rg"], 4)["rg"]}, None)
    told = []
    outcomes = fa.apply_plan(arm, SUB, items, None, 4, False, True, 600, on_done=told.append)
    assert len(told) == len(outcomes) == len(fa.work_of(items)) == 7  # the unchanged account is no work
    assert sorted(id(a) for a in told) == sorted(id(a) for a in outcomes.values())
    assert [a.error["code"] for a in told if a.error] == ["InvalidSkuName"]
