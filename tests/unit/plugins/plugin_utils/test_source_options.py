# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The source file as written: unknown keys, booleans that are not, secrets of the wrong type, azure_rm's options."""

from __future__ import annotations

import pytest

from ansible_collections.azureml.model_management.plugins.plugin_utils import source_options

DEFINITIONS = {"plugin": {}, "resource_groups": {"type": "list"}, "fail_on_list_errors": {"type": "bool"},
               "strict": {"type": "boolean"}, "secret": {"type": "str"}, "password": {"type": "str"}, "groups": {"type": "dict"},
               "conditional_groups": {"type": "dict"}, "compose": {"type": "dict"}, "hostvar_expressions": {"type": "dict"}}


def problems(**config):
    return source_options.source_problems(dict(plugin="azureml.model_management.accounts", **config), DEFINITIONS)


def test_a_good_source_has_none():
    assert problems(resource_groups=["rg"], fail_on_list_errors=False, strict="yes", secret="s", groups={"a": "true"}) == []


@pytest.mark.parametrize("value", [True, False, "true", "False", "yes", "no", "on", "off", "1", "0", 1, 0, None])
def test_booleans_ansible_accepts(value):
    assert problems(fail_on_list_errors=value) == []


@pytest.mark.parametrize("value, shown", [("ture", "'ture'"), ("maybe", "'maybe'"), (2, "2"), ([True], "a list"), ({}, "a dictionary")])
def test_anything_else_is_not_a_boolean(value, shown):
    assert problems(fail_on_list_errors=value) == ["fail_on_list_errors must be a boolean (true or false), got %s" % shown]


def test_an_unknown_key_is_named_with_the_closest_option():
    assert problems(resource_group=["rg"]) == ["resource_group is not an option of this plugin (did you mean resource_groups?)"]
    assert problems(zzz=1) == ["zzz is not an option of this plugin"]


@pytest.mark.parametrize("key, why", [("include_vm_resource_groups", "not virtual machines"), ("hostnames", "hostname_format"),
                                      ("default_host_filters", "exclude_host_filters"), ("batch_fetch", "nothing to batch"),
                                      ("fail_on_template_errors", "strict"), ("cert_validation_mode", "validate_certs")])
def test_azure_rm_options_without_a_meaning_here_say_why(key, why):
    (found,) = problems(**{key: ["*"]})
    assert found.startswith("%s is an option of azure.azcollection.azure_rm" % key) and why in found


@pytest.mark.parametrize("secret", [["s3cret"], {"k": "s3cret"}, ("s3cret",), True])
def test_a_secret_of_the_wrong_type_is_refused_without_its_value(secret):
    (found,) = problems(secret=secret)
    assert found.startswith("secret must be a string, got a") and "s3cret" not in found
    assert "s3cret" in source_options.secret_values({"secret": secret}) or secret is True


def test_secret_values_at_any_depth():
    config = {"secret": {"a": ["x", {"b": "y"}]}, "password": "p", "client_id": "not-a-secret"}
    assert sorted(source_options.secret_values(config)) == ["a", "b", "p", "x", "y"]


def test_an_azure_rm_alias_and_its_option_are_not_both_given():
    assert problems(conditional_groups={"a": "true"}) == [] and problems(hostvar_expressions={"v": "1"}) == []
    assert problems(groups={"a": "true"}, conditional_groups={"b": "true"}) == ["give groups or conditional_groups (azure_rm's name for it), not both"]
    assert source_options.merged_alias({}, {"b": "true"}) == {"b": "true"}
    assert source_options.merged_alias({"a": "1"}, None) == {"a": "1"} and source_options.merged_alias(None, None) == {}
