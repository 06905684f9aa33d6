# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Listing and applying a fleet plan against an in-memory Resource Manager that honours If-Match / If-None-Match."""

from __future__ import annotations

import copy
import itertools
import threading
import time

import pytest

from ansible_collections.azureml.model_management.plugins.module_utils import fleet_apply as fa
from ansible_collections.azureml.model_management.plugins.module_utils import fleet_listing as fl
from ansible_collections.azureml.model_management.plugins.module_utils import fleet_plan as fp
from ansible_collections.azureml.model_management.plugins.module_utils.account_model import account_path, accounts_path
from ansible_collections.azureml.model_management.plugins.module_utils.arm import ArmError
from ansible_collections.azureml.model_management.plugins.module_utils.fleet_scope import OptionNames

from test_fleet_scope import SUB, account  # pylint: disable=import-error

NAMES = OptionNames()


class Response(object):
    def __init__(self, status, body=None, method=None):
        self.status, self.body, self.method, self.headers = status, body, method, {}


class FakeArm(object):
    """One subscription's accounts in memory (thread-safe); records every call; ``failures`` maps (METHOD, name) to errors."""

    def __init__(self, accounts=(), etags=True, delay=0.0, failures=None):
        self.lock = threading.Lock()
        self.etags = etags
        self.delay = delay
        self.failures = dict(failures or {})
        self.counter = itertools.count(100)
        self.store = {}
        self.calls = []
        self.in_flight = self.max_in_flight = 0
        for body in accounts:
            self.put(body)

    def put(self, body):
        body = copy.deepcopy(body)
        body["etag"] = '"e%d"' % next(self.counter) if self.etags else None
        if not self.etags:
            body.pop("etag")
        self.store[body["id"].lower()] = body
        return body

    def _enter(self, call):
        with self.lock:
            self.calls.append(call)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        time.sleep(self.delay)

    def _leave(self):
        with self.lock:
            self.in_flight -= 1

    def _scripted(self, method, path):
        errors = self.failures.get((method, path.rsplit("/", 1)[-1]))
        if errors:
            raise errors.pop(0)

    def get_or_none(self, path, missing_codes=None):
        self._enter(("GET", path))
        try:
            self._scripted("GET", path)
            with self.lock:
                return copy.deepcopy(self.store.get(path.lower()))
        finally:
            self._leave()

    def list_all(self, path):
        self._enter(("LIST", path))
        try:
            with self.lock:
                prefix = path.lower() + "/"
                return [copy.deepcopy(a) for key, a in sorted(self.store.items()) if key.startswith(prefix)]
        finally:
            self._leave()

    def request(self, method, path, body=None, headers=None, success=None, objects=None):
        self._enter((method, path, copy.deepcopy(body), dict(headers or {})))
        try:
            self._scripted(method, path)
            with self.lock:
                return self._write(method, path, body, headers or {})
        finally:
            self._leave()

    def _write(self, method, path, body, headers):
        current = self.store.get(path.lower())
        if headers.get("If-None-Match") == "*" and current is not None:
            raise ArmError(412, "PreconditionFailed", "exists")
        if "If-Match" in headers and (current is None or current.get("etag") != headers["If-Match"]):
            raise ArmError(412, "PreconditionFailed", "etag")
        if method == "DELETE":
            if current is None:
                return Response(204, None, method)
            del self.store[path.lower()]
            return Response(200, None, method)
        if method == "PUT":
            name = path.rsplit("/", 1)[-1]
            created = dict(body, id=path, name=name, tags=body.get("tags") or {})
            return Response(201, self.put(created), method)
        patched = copy.deepcopy(current)
        patched.update({k: v for k, v in body.items() if k != "properties"})
        patched["properties"] = dict(current.get("properties") or {}, **(body.get("properties") or {}))
        return Response(200, self.put(patched), method)

    def wait(self, response, timeout, resource_path=None, deleting=False):
        return None if deleting else response.body

    def pause(self, seconds):
        pass

    def now(self):
        return 0.0

    def writes(self):
        return [(c[0], c[1].rsplit("/", 1)[-1], c[3]) for c in self.calls if c[0] not in ("GET", "LIST")]


def rg_account(name, **over):
    body = account(name, "rg", SUB, **over)
    body["id"] = account_path(SUB, "rg", name)
    body.pop("etag", None)
    return body


NEW = {"name": "new", "location": "eastus", "sku": {"name": "S1", "capacity": 1}, "tags": {"managed-by": "ansible"}}


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
    arm = FakeArm([rg_account("a")])
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
    arm = FakeArm([rg_account("same"), rg_account("bigger"), rg_account("stale"), rg_account("old"), rg_account("mine", tags={})])
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
    arm = FakeArm([rg_account("stale"), rg_account("bigger"), rg_account("going", properties={"provisioningState": "Deleting"})])
    items, outcomes = run(arm, [NEW, dict(name="bigger", sku={"capacity": 2}), dict(NEW, name="going")], check_mode=True)
    assert [c[0] for c in arm.calls] == ["LIST"]
    done = by_name(items, outcomes)
    assert [(name, done[name].action, done[name].changed) for name in ("new", "bigger", "going", "stale")] == [
        ("new", "create", True), ("bigger", "update", True), ("going", "create", True), ("stale", "purge", True)]
    assert done["going"].busy == "Deleting"  # not waited for: a Deleting account counts as gone, as the account module says
    assert done["bigger"].diff["after"]["sku"]["capacity"] == 2


def test_one_accounts_failure_does_not_stop_the_others():
    failures = {("PUT", "bad"): [ArmError(400, "InvalidSkuName", "no such sku")]}
    arm = FakeArm(failures=failures)
    raw = [dict(NEW, name="n%02d" % i) for i in range(10)] + [dict(NEW, name="bad")]
    items, outcomes = run(arm, raw)
    done = by_name(items, outcomes)
    assert done["bad"].error["code"] == "InvalidSkuName" and done["bad"].changed is False
    assert all(done["n%02d" % i].changed and done["n%02d" % i].error is None for i in range(10))
    assert len(arm.store) == 10


class LostPatchAnswers(FakeArm):
    """Every PATCH is applied, and its answer lost (a 500 after the write)."""

    def request(self, method, path, body=None, headers=None, success=None, objects=None):
        answer = FakeArm.request(self, method, path, body, headers)
        if method == "PATCH":
            raise ArmError(500, "InternalServerError", "the answer was lost")
        return answer


def test_a_failure_after_the_write_was_sent_still_says_changed():
    arm = LostPatchAnswers([rg_account("a")])
    items, outcomes = run(arm, [dict(name="a", sku={"capacity": 5})], purge=False)
    outcome = by_name(items, outcomes)["a"]
    assert outcome.error["status"] == 500 and outcome.changed is True


def test_writes_run_concurrently_within_the_bound():
    arm = FakeArm(delay=0.02)
    run(arm, [dict(NEW, name="n%02d" % i) for i in range(24)], concurrency=3)
    assert 2 <= arm.max_in_flight <= 3


def test_a_purge_candidate_re_tagged_after_the_listing_is_skipped_not_deleted():
    arm = FakeArm([rg_account("stale")])

    def someone_claims_it(arm):
        claimed = copy.deepcopy(arm.store[account_path(SUB, "rg", "stale").lower()])
        claimed["tags"] = {"managed-by": "someone-else"}
        arm.put(claimed)  # a new etag
    items, outcomes = run(arm, [NEW], between=someone_claims_it)
    outcome = by_name(items, outcomes)["stale"]
    assert outcome.skipped and "no longer has the purge tags" in outcome.skipped and outcome.changed is False
    assert account_path(SUB, "rg", "stale").lower() in arm.store
    assert [w[0] for w in arm.writes() if w[1] == "stale"] == ["DELETE"]  # the one conditional DELETE, answered 412


class LostDeleteThenRecreated(FakeArm):
    """The DELETE of ``stale`` is applied and its answer lost; before the retry someone creates the account again without
    the purge tags, so the retry's If-Match answers 412."""

    def request(self, method, path, body=None, headers=None, success=None, objects=None):
        if method == "DELETE" and path.endswith("/stale") and not getattr(self, "lost", False):
            FakeArm.request(self, method, path, body, headers)
            self.lost = True
            self.put(dict(rg_account("stale", tags={}), properties={"createdOn": "later"}))
            error = ArmError(412, "PreconditionFailed", "etag")
            error.answer_lost = True  # the client retried after the lost answer; the retry was refused
            raise error
        return FakeArm.request(self, method, path, body, headers)


def test_a_purge_skipped_after_its_own_delete_may_have_applied_still_says_changed():
    arm = LostDeleteThenRecreated([rg_account("stale", properties={"createdOn": "first"})])
    items, outcomes = run(arm, [NEW])
    outcome = by_name(items, outcomes)["stale"]
    assert outcome.skipped and "no longer has the purge tags" in outcome.skipped and outcome.changed is True
    assert "earlier DELETE lost its answer" in outcome.skipped


def test_without_etags_a_purge_reads_the_account_again_right_before_its_delete():
    arm = FakeArm([rg_account("stale"), rg_account("gone")], etags=False)

    def someone_claims_it(arm):
        arm.store[account_path(SUB, "rg", "stale").lower()]["tags"] = {"managed-by": "someone-else"}
    items, outcomes = run(arm, [NEW], between=someone_claims_it)
    done = by_name(items, outcomes)
    assert done["stale"].skipped and done["gone"].changed
    assert [w[:2] for w in arm.writes() if w[0] == "DELETE"] == [("DELETE", "gone")]
    assert ("GET", account_path(SUB, "rg", "stale")) in arm.calls


def test_an_unexpected_exception_is_that_accounts_error_and_may_have_written():
    arm = FakeArm(failures={("PUT", "new"): [ZeroDivisionError("bug")]})
    items, outcomes = run(arm, [NEW])
    outcome = by_name(items, outcomes)["new"]
    assert outcome.error["code"] == "UnexpectedError" and "ZeroDivisionError" in outcome.error["message"] and outcome.changed


def test_a_busy_account_is_handed_to_the_service_even_when_the_list_shows_nothing_to_do():
    arm = FakeArm([rg_account("busy", properties={"provisioningState": "Updating"})])
    items, _outcomes = run(arm, [dict(name="busy")], purge=False)
    assert items[0].action == "none" and items[0].busy and fa.needs_service(items[0])


@pytest.mark.parametrize("check_mode", [False, True])
def test_with_wait_false_a_busy_account_is_unchanged_when_it_needs_no_write_and_fails_when_it_does(check_mode):
    """Issue 20.7: check mode said "unchanged, busy" and the real run failed; both now say what the real run does."""
    arm = FakeArm([rg_account("same", properties={"provisioningState": "Updating"}),
                   rg_account("bigger", properties={"provisioningState": "Updating"})])
    items, outcomes = run(arm, [dict(name="same"), dict(name="bigger", sku={"capacity": 2})], purge=False, wait=False,
                          check_mode=check_mode)
    done = by_name(items, outcomes)
    assert (done["same"].changed, done["same"].error, done["same"].busy) == (False, None, "Updating")
    assert "is Updating" in done["bigger"].error["message"] and done["bigger"].changed is False
    assert arm.writes() == []


def test_each_write_that_ends_is_told_to_the_runs_progress_once():
    failures = {("PUT", "bad"): [ArmError(400, "InvalidSkuName", "no such sku")]}
    arm = FakeArm(accounts=[account("same")], failures=failures)
    raw = [dict(NEW, name="n%02d" % i) for i in range(6)] + [dict(NEW, name="bad"), dict(name="same")]
    entries, _errors = fp.declared_entries(raw, "rg", True, NAMES, SUB)
    items = fp.plan_fleet(entries, {fp.listing_key(SUB, "rg"): fl.list_groups(arm, SUB, ["rg"], 4)["rg"]}, None)
    told = []
    outcomes = fa.apply_plan(arm, SUB, items, None, 4, False, True, 600, on_done=told.append)
    assert len(told) == len(outcomes) == len(fa.work_of(items)) == 7  # the unchanged account is no work
    assert sorted(id(a) for a in told) == sorted(id(a) for a in outcomes.values())
    assert [a.error["code"] for a in told if a.error] == ["InvalidSkuName"]
