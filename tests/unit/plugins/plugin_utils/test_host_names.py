# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Host names of accounts: a function of one account and the source's options; never shared; Ansible's words kept."""

from __future__ import annotations

import pytest

from ansible_collections.azureml.model_management.plugins.plugin_utils import host_names
from ansible_collections.azureml.model_management.tests.unit.fakes import OTHER_SUB_WITH_LETTERS as OTHER_SUB, SUB_WITH_LETTERS as SUB


def account(name, group="ml-prod", subscription=SUB, location="westeurope"):
    return {"id": "/subscriptions/%s/resourceGroups/%s/providers/x/accounts/%s" % (subscription, group, name),
            "name": name, "resource_group": group, "subscription_id": subscription, "location": location}


@pytest.mark.parametrize("count, expected", [(1, "{name}@{resource_group}"), (2, "{name}@{resource_group}@{subscription_id}")])
def test_default_format_depends_on_the_number_of_subscriptions_only(count, expected):
    assert host_names.default_format(count) == expected
    assert host_names.default_format(count, plain=True) == "{name}"


@pytest.mark.parametrize("hostname_format, problem", [
    ("{name}.{resource_group}", None),
    ("{location}-{subscription_id}", None),
    ("{name}-{sku}", "may use only the fields"),
    ("{name.__class__}", "may use only the fields"),
    ("{name[0]}", "may use only the fields"),
    ("fixed", "may use only the fields"),
    ("{name", "is not a valid format string"),
    ("{name:d}", "without a conversion"),
    ("{name!r}", "without a conversion"),
    ("{name:>{location}}", "without a conversion"),
])
def test_format_problem(hostname_format, problem):
    found = host_names.format_problem(hostname_format)
    assert (found is None) if problem is None else (problem in found and "hostname_format" in found)


def test_host_name_is_lower_case_and_uses_only_the_account():
    assert host_names.host_name(account("Scoring", "ML-Prod"), "{name}.{resource_group}") == "scoring.ml-prod"
    assert host_names.host_name(account("Scoring", "ML-Prod"), "{location}/{name}") == "westeurope/scoring"


@pytest.mark.parametrize("name, expected", [("all", "all"), ("ungrouped", "ungrouped"), ("localhost", "localhost"),
                                            ("LocalHost", "localhost"), ("127.0.0.1", "127.0.0.1"), ("::1", "%3a%3a1")])
def test_ansible_words_are_qualified(name, expected):
    assert host_names.host_name(account(name), "{name}") == "%s@ml-prod@%s" % (expected, SUB)


def test_reserved_group_names_are_qualified():
    assert host_names.host_name(account("azureml_accounts"), "{name}", frozenset(["azureml_accounts"])) == "azureml_accounts@ml-prod@" + SUB
    assert host_names.host_name(account("127", "0.0.1"), "{name}.{resource_group}") == "127.0.0.1@0.0.1@" + SUB


def test_names_do_not_depend_on_the_other_accounts_or_their_order():
    """Issue 14 item 2: a (hc1), a (hc2) and a@hc1 (hc3) are three hosts, each named as when it is alone."""
    accounts = [account("a", "hc1"), account("a", "hc2"), account("a@hc1", "hc3")]
    default = host_names.default_format(1)
    alone = [host_names.assign([one], default)[0][0] for one in accounts]
    assert alone == ["a@hc1", "a@hc2", "a@hc1@hc3"]
    together = dict((name, one["id"]) for name, one in host_names.assign(accounts, default))
    assert together == dict(zip(alone, (one["id"] for one in accounts)))
    assert dict(host_names.assign(list(reversed(accounts)), default)) == dict(host_names.assign(accounts, default))


@pytest.mark.parametrize("subscriptions", [1, 2])
def test_the_default_is_unique_where_dots_are_in_names_and_groups(subscriptions):
    """Issue 22 item 3: x.B in group A and x in group B.A were both x.b.a."""
    accounts = [account("x.B", "A"), account("x", "B.A"), account("x.b.a", "rg"), account("x", "b.a.rg")]
    names = [name for name, _one in host_names.assign(accounts, host_names.default_format(subscriptions))]
    assert len(set(names)) == 4
    assert names[:2] == (["x.b@a", "x@b.a"] if subscriptions == 1 else ["x.b@a@" + SUB, "x@b.a@" + SUB])


@pytest.mark.parametrize("name, expected", [
    ("!bang", "%21bang"), ("x,y", "x%2cy"), ("&and", "%26and"), ("~tilde", "%7etilde"), ("@at", "%40at"),
    ("mid!&~@", "mid!&~@"), ("a:b", "a%3ab"), ("a*b?[c]", "a%2ab%3f%5bc%5d"), ("two words", "two%20words"),
    ("{{ 7*7 }}", "%7b%7b%207%2a7%20%7d%7d"), ("100%", "100%25"), ("tab\there", "tab%09here"), ("a\u2028b", "a%e2%80%a8b"),
    ("nb\u00a0sp", "nb%c2%a0sp"), ("plain.name-1_(x)", "plain.name-1_(x)"),
])
def test_pattern_and_template_characters_are_escaped(name, expected):
    assert host_names.escape(name) == expected


def test_a_host_name_can_never_be_a_template_or_split_by_a_pattern():
    """Whatever a format adds around the fields: no Jinja delimiter, no #jinja2: header, no pattern separator."""
    hostile = "#jinja2:variable_start_string:'[[', variable_end_string:']]'\n[[ x ]]{{ y }}{% z %}{# c #}, a:b"
    name = host_names.host_name(account("n"), hostile.replace("{", "{{").replace("}", "}}") + "{name}")
    assert not any(character in name for character in "{}:,\n ")
    assert not name.startswith("#jinja2:")


@pytest.mark.parametrize("field, value, problem", [
    ("name", "x.", "must not end with '.'"),
    ("name", " x", "whitespace"),
    ("name", "x ", "whitespace"),
    ("name", "a\u00a0", "whitespace"),
    ("name", "a\u2028b", "control characters or line breaks"),
    ("name", "a\x85b", "control characters or line breaks"),
    ("name", "a/b", "must not contain"),
    ("resource_group", "rg.", "must not end with '.'"),
    ("resource_group", "r g", "may contain only"),
    ("location", "#jinja2:variable_start_string:'[['\n[[ 1 ]]", "not a region name"),
    ("location", "east-us", "not a region name"),
    ("location", None, "not a region name"),
    ("location", "", "not a region name"),
])
def test_fields_that_break_azures_rules_are_named(field, value, problem):
    found = host_names.field_problem(dict(account("ok"), **{field: value}))
    assert found is not None and problem in found


@pytest.mark.parametrize("location", ["eastus", "East US 2", "westeurope"])
def test_good_fields_pass(location):
    assert host_names.field_problem(account("x.y_(1) two", "ml-prod", location=location)) is None
    assert host_names.host_name(account("n", location=location), "{location}-{name}") == location.replace(" ", "").lower() + "-n"


@pytest.mark.parametrize("hostname_format, accounts", [
    ("{location}", [account("one", "hc1"), account("two", "hc2")]),
    ("{name}", [account("twin", "hc1"), account("TWIN", "hc2")]),  # Azure ignores case: so does the comparison
    ("{name}.{resource_group}", [account("a", "b.c"), account("a.b", "c")]),  # dots in both parts
    ("{name}.{resource_group}", [account("x", "rg", SUB), account("x", "rg", OTHER_SUB)]),
])
def test_two_accounts_never_share_a_host_the_error_names_both(hostname_format, accounts):
    with pytest.raises(host_names.HostNameCollision) as caught:
        host_names.assign(accounts, hostname_format)
    message = str(caught.value)
    assert "hostname_format" in message and accounts[0]["id"] in message and accounts[1]["id"] in message


def test_several_subscriptions_default_keeps_same_names_apart():
    accounts = [account("x", "rg", SUB), account("x", "rg", OTHER_SUB)]
    names = [name for name, _one in host_names.assign(accounts, host_names.default_format(2))]
    assert names == ["x@rg@" + SUB, "x@rg@" + OTHER_SUB]
