# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The purge rules: ids parsed exactly, the listed scope compared ignoring case, purge tags in two forms only."""

from __future__ import annotations

import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.azureml.model_management.plugins.module_utils import account_model as m
from ansible_collections.azureml.model_management.plugins.module_utils import account_scope
from ansible_collections.azureml.model_management.plugins.module_utils import fleet_scope as fs
from ansible_collections.azureml.model_management.plugins.module_utils.account_model import PROVIDER
from ansible_collections.azureml.model_management.tests.unit.fakes import OTHER_SUB, SUB, account, account_id

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# -- ids ---------------------------------------------------------------------------------------------------------------

def test_an_account_id_parses_into_its_parts_with_the_fixed_segments_in_any_case():
    assert m.parse_account_id(account_id()) == m.AccountId(SUB, "rg", "a1")
    shouted = "/SUBSCRIPTIONS/%s/RESOURCEGROUPS/RG/PROVIDERS/%s/ACCOUNTS/A1" % (SUB.upper(), PROVIDER.upper())
    assert m.parse_account_id(shouted) == m.AccountId(SUB.upper(), "RG", "A1")


@pytest.mark.parametrize("value", [
    None, 42, "", account_id() + "/", "x" + account_id(), account_id() + "/extra",
    account_id(provider="Microsoft.Storage"),
    "/subscriptions/%s/resourceGroups/rg/providers/%s/workspaces/a1" % (SUB, PROVIDER),
    "/subscriptions/%s/resourceGroups/rg/providers/%s/accounts/a1?x=1" % (SUB, PROVIDER),  # '?' is not in a name
    "/subscriptions/%s/resourceGroups//providers/%s/accounts/a1" % (SUB, PROVIDER),
    "/subscriptions/%s/resourceGroups/r g/providers/%s/accounts/a1" % (SUB, PROVIDER),  # not a valid group name
    "/subscriptions/%s/resourceGroups/rg/resourceGroups/other/providers/%s/accounts/a1" % (SUB, PROVIDER),
    "/subscriptions/ /resourceGroups/rg/providers/%s/accounts/a1" % PROVIDER,
    account_id(name="a1.") , account_id(name="a\x85"),
], ids=repr)
def test_anything_but_exactly_an_account_id_is_refused(value):
    assert m.parse_account_id(value) is None


NAME = st.text(alphabet=string.ascii_letters + string.digits + "-_", min_size=1, max_size=30)


@SETTINGS
@given(sub=st.uuids().map(str), group=NAME, name=NAME, other_group=NAME)
def test_a_listed_account_is_in_scope_exactly_when_its_subscription_and_group_match_ignoring_case(sub, group, name, other_group):
    body = account(name, group, sub)
    assert account_scope.listed_account_problem(body, sub.upper(), group.swapcase()) is None
    problem = account_scope.listed_account_problem(body, sub, other_group)
    assert (problem is None) == (group.lower() == other_group.lower())
    if problem:
        assert "not in the listed scope" in problem and body["id"] in problem
    assert "not in the listed scope" in account_scope.listed_account_problem(body, OTHER_SUB if sub != OTHER_SUB else SUB, group)


@SETTINGS
@given(text=st.text(max_size=200))
def test_no_text_outside_the_listed_scope_passes_as_an_account_of_it(text):
    """Whatever the id says, it passes only if it parses as an account of exactly SUB/rg."""
    body = account(id=text)
    body.pop("name")
    problem = account_scope.listed_account_problem(body, SUB, "rg")
    parsed = m.parse_account_id(text)
    if problem is None:
        assert parsed is not None and parsed.subscription_id.lower() == SUB and parsed.resource_group.lower() == "rg"


def test_a_listed_account_whose_name_is_not_the_name_in_its_id_is_refused():
    assert "not the name in its id" in account_scope.listed_account_problem(account(name="a1", id=account_id("victim")), SUB, "rg")
    assert account_scope.listed_account_problem(account(name="A1"), SUB, "rg") is None


def test_an_unusable_answer_is_refused_before_its_id_is_read():
    assert "tags" in account_scope.listed_account_problem(account(tags=["x"]), SUB, "rg")


# -- purge tags --------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    (None, []), ([], []), ({}, []),
    (["managed-by:ansible"], [("managed-by", "ansible")]),
    (["managed-by: ansible"], [("managed-by", "ansible")]),
    ([" managed-by : ansible "], [("managed-by", "ansible")]),
    (["archived"], [("archived", None)]),
    (["env:"], [("env", "")]),
    (["env:prod:eu"], [("env", "prod:eu")]),
    ({"managed-by": "ansible"}, [("managed-by", "ansible")]),
    ({" managed-by ": " ansible "}, [("managed-by", "ansible")]),
    ({"version": 2}, [("version", "2")]),
    (["a:1", "A:1"], [("a", "1"), ("A", "1")]),
])
def test_purge_tags_as_a_dict_or_name_value_strings_with_spaces_trimmed(value, expected):
    filters, problem = fs.parse_purge_tags(value)
    assert problem is None
    assert [tuple(f) for f in filters] == expected


@pytest.mark.parametrize("value, words", [
    ("managed-by:ansible", "got a string"),
    (42, "got a number"),
    (True, "got a boolean"),
    ([{"managed-by": "ansible"}], "got a dictionary"),
    ([["a"]], "got a list"),
    ([":ansible"], "non-empty"),
    ([" : x"], "non-empty"),
    ({"managed-by": ["ansible"]}, "a list"),
    ({"managed-by": None}, "any value"),
    ({"a/b": "x"}, "must not contain"),
    (["a:1", "A:2"], "twice with different values"),
])
def test_other_purge_tags_are_refused_naming_the_option_as_the_caller_knows_it(value, words):
    filters, problem = fs.parse_purge_tags(value, "accounts_purge_tags")
    assert filters is None
    assert problem.startswith("accounts_purge_tags") and words in problem, problem


TAG_TEXT = st.text(alphabet=string.ascii_letters + string.digits + "-_. ", min_size=0, max_size=12)


@SETTINGS
@given(name=TAG_TEXT.filter(lambda n: n.strip() and ":" not in n), value=TAG_TEXT)
def test_the_dict_and_the_string_form_mean_the_same(name, value):
    from_dict, problem_dict = fs.parse_purge_tags({name: value})
    from_list, problem_list = fs.parse_purge_tags(["%s:%s" % (name, value)])
    assert problem_dict is None and problem_list is None
    assert from_dict == from_list == [fs.TagFilter(name.strip(), value.strip())]


@pytest.mark.parametrize("filters, tags, expected", [
    ([], {}, True),
    ([("managed-by", "ansible")], {"Managed-By": "ansible"}, True),  # names ignore case
    ([("managed-by", "ansible")], {"managed-by": "Ansible"}, False),  # values do not
    ([("archived", None)], {"archived": ""}, True),
    ([("env", "")], {"env": ""}, True),
    ([("env", "")], {}, False),
    ([("a", "1"), ("b", None)], {"a": "1"}, False),
])
def test_tags_match_every_filter(filters, tags, expected):
    assert fs.tags_match({"tags": tags}, [fs.TagFilter(*f) for f in filters]) is expected


# -- the scope and its re-check ----------------------------------------------------------------------------------------

def scope(groups=("rg",), tags=(("managed-by", "ansible"),), declared=()):
    return fs.PurgeScope(SUB, list(groups), [fs.TagFilter(*t) for t in tags], declared)


def test_an_account_of_the_scope_with_the_tags_may_be_purged():
    assert scope(groups=["RG"]).reason_out(account(group="rg", sub=SUB.upper())) is None


@pytest.mark.parametrize("body, words", [
    (account(group="other"), "outside the purge scope"),
    (account(sub=OTHER_SUB), "outside the purge scope"),
    (account(tags={}), "no longer has the purge tags"),
    (account(tags={"managed-by": "someone-else"}), "no longer has the purge tags"),
    (account(name="Kept"), "it is declared"),
    (account(id="/subscriptions/x"), "is not the id of"),
    (account(sku="S1"), "unusable"),
])
def test_why_an_account_is_not_purged(body, words):
    assert words in scope(declared=[("rg", "kept")]).reason_out(body)


def test_the_recheck_refuses_an_account_that_is_not_the_one_planned():
    recheck = scope().recheck(m.AccountId(SUB, "rg", "a1"))
    assert recheck(account("a1")) is None
    assert recheck(account("A1", group="RG")) is None
    assert "is not" in recheck(account("a2"))
    assert "no longer has the purge tags" in recheck(account("a1", tags={"managed-by": "me"}))


def test_option_names_map_the_module_options_to_the_callers_names():
    names = fs.OptionNames({"accounts": "accounts_list"})
    assert names("accounts") == "accounts_list" and names("purge") == "purge"
    assert names.entry("accounts", 3) == "accounts_list[3]"


def test_a_subscription_wide_list_takes_any_group_and_one_account_only_its_name():
    body = account("a1", "rg")
    assert account_scope.listed_account_problem(body, SUB) is None
    assert "not in the listed scope (subscription %s)" % OTHER_SUB in account_scope.listed_account_problem(body, OTHER_SUB)
    assert account_scope.listed_account_problem(body, SUB, "RG", "A1") is None
    assert "account other" in account_scope.listed_account_problem(body, SUB, "rg", "other")


def test_an_account_as_an_entry_declares_what_azure_sent_and_nothing_else():
    body = account("a1", "ML-Prod", tags={"env": "prod"})
    body.update(location="eastus", sku={"name": "S1", "capacity": 2, "tier": "x"}, properties={"description": "d", "createdOn": "t"})
    expected = dict(name="a1", resource_group="ML-Prod", location="eastus", sku={"name": "S1", "capacity": 2}, description="d",
                    tags={"env": "prod"})
    assert account_scope.as_entry(body) == expected
    bare = account("a2", "rg")
    for field in ("location", "sku", "properties", "tags"):
        bare.pop(field, None)
    assert account_scope.as_entry(bare) == dict(name="a2", resource_group="rg", tags={})


# -- subscriptions: of an entry, of a purge group ---------------------------------------------------------------------

TASK = "00000000-0000-0000-0000-00000000000a"
OTHER = "00000000-0000-0000-0000-00000000000b"


@pytest.mark.parametrize("value, expected", [
    ("ml-prod", (TASK, "ml-prod")),
    ("/subscriptions/%s/resourceGroups/ml-prod" % OTHER, (OTHER, "ml-prod")),
    ("/SUBSCRIPTIONS/%s/resourcegroups/ml.prod(1)" % OTHER.upper(), (OTHER.upper(), "ml.prod(1)")),
])
def test_a_purge_group_is_a_name_in_the_tasks_subscription_or_a_resource_group_id(value, expected):
    assert fs.parse_purge_group(value, TASK, "purge_resource_groups[0]") == (expected, None)


@pytest.mark.parametrize("value, words", [
    ("/subscriptions/%s/resourceGroups/ml-prod/" % OTHER, "is neither a resource group name nor a resource group id"),
    ("/subscriptions/%s/resourceGroups/ml-prod/providers/x" % OTHER, "is neither a resource group name nor"),
    ("/subscriptions/%s/resourceGroups/" % OTHER, "purge_resource_groups[0]: '/subscriptions/%s/resourceGroups/': its resource group must"
                                                  " be a non-empty string" % OTHER),
    ("/subscriptions/not-a-guid/resourceGroups/ml-prod", "purge_resource_groups[0]: '/subscriptions/not-a-guid/resourceGroups/ml-prod': its"
                                                         " subscription must be a subscription id, a GUID like"),
    ("/subscriptions/%s\n/resourceGroups/ml-prod" % OTHER, "its subscription must be a subscription id"),
    (" /subscriptions/%s/resourceGroups/ml-prod" % OTHER, "purge_resource_groups[0] may contain only letters"),
    ("/resourceGroups/ml-prod", "is neither a resource group name nor a resource group id"),
    ("ml prod", "purge_resource_groups[0] may contain only letters"),
    ("", "purge_resource_groups[0] must be a non-empty string"),
])
def test_anything_else_is_refused_naming_the_entry(value, words):
    parsed, problem = fs.parse_purge_group(value, TASK, "purge_resource_groups[0]")
    assert parsed is None and words in problem, problem


@pytest.mark.parametrize("value, ok", [(OTHER, True), (OTHER.upper(), True), (OTHER + "\n", False), ("x", False), (["a"], False), (None, False)])
def test_a_subscription_id_is_a_guid(value, ok):
    problem = fs.subscription_id_problem(value, "accounts[2].subscription_id")
    assert (problem is None) is ok
    if not ok:
        assert problem.startswith("accounts[2].subscription_id must be a subscription id")
