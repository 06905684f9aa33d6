# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tags of any resource (tagging.py): Azure's limits counted as Azure counts them, the checks, compare and merge,
reserved names under append_tags: false, filters and the Tags API path. Pure, table-driven."""

from __future__ import annotations

import pytest

from ansible_collections.azureml.model_management.plugins.module_utils import tagging as t

EMOJI = "\U0001F600"  # outside the Basic Multilingual Plane: 1 code point, 2 UTF-16 code units (what Azure counts)
FIFTY = dict(("t%02d" % i, "v") for i in range(50))
CONTROL_SAMPLES = ["\x00", "\x1f", "\t", "\n", "\x7f", "\x80", "\x85", "\x9f"]

# ---------------------------------------------------------------------------------------------------------------------
# checks


@pytest.mark.parametrize("tags, fragment", [
    (dict(("t%d" % i, "v") for i in range(51)), "at most 50 tags"),
    ({"": "v"}, "non-empty"),
    ({"n" * 513: "v"}, "longer than 512"),
    ({"a<b": "v"}, "must not contain"),
    ({"a>b": "v"}, "must not contain"),
    ({"a%b": "v"}, "must not contain"),
    ({"a&b": "v"}, "must not contain"),
    ({"a\\b": "v"}, "must not contain"),
    ({"a?b": "v"}, "must not contain"),
    ({"a/b": "v"}, "must not contain"),
    ({"env": "v" * 257}, "longer than 256"),
    ({"env": None}, "must be a string"),
    ({"env": True}, "must be a string"),
    ({"env": ["x"]}, "must be a string"),
    ({"Env": "a", "ENV": "b"}, "differ only by case"),
    (["env"], "must be a dictionary"),
])
def test_check_tags_rejects(tags, fragment):
    msg = t.check_tags(tags)
    assert msg and msg.startswith("tags") and fragment in msg


@pytest.mark.parametrize("tags", [
    {}, {"env": ""}, {"a:b": "colon is fine in tag names"}, {"n" * 512: "v" * 256},
    dict(("t%d" % i, "v") for i in range(50)),
])
def test_check_tags_accepts(tags):
    assert t.check_tags(tags) is None


@pytest.mark.parametrize("char", CONTROL_SAMPLES, ids=[hex(ord(c)) for c in CONTROL_SAMPLES])
def test_check_tags_refuses_control_characters_in_tag_names(char):
    msg = t.check_tags({"env" + char: "prod"})
    assert msg and msg.startswith("tags") and "control characters" in msg
    assert char not in msg  # the message shows the name escaped, never the raw control character


def test_coerce_tags_turns_numbers_into_strings():
    assert t.coerce_tags({"a": 1, "b": 1.5, "c": "x", "d": True, "e": None}) == {"a": "1", "b": "1.5", "c": "x", "d": True, "e": None}


@pytest.mark.parametrize("a, b, same", [
    ({"Env": "prod"}, {"env": "prod"}, True),
    ({"env": "Prod"}, {"env": "prod"}, False),
    ({"env": ""}, {}, False),
    ({}, None, True),
    ({"env": ""}, {"ENV": ""}, True),
])
def test_same_tags(a, b, same):
    assert t.same_tags(a, b) == same


@pytest.mark.parametrize("current, wanted, append, expected", [
    ({"a": "1"}, {"b": "2"}, True, {"a": "1", "b": "2"}),
    ({"a": "1"}, {"b": "2"}, False, {"b": "2"}),
    ({"a": "1"}, {"a": "2"}, True, {"a": "2"}),
    ({"Env": "prod"}, {"env": "prod"}, True, {"Env": "prod"}),  # same value: keeps current casing
    ({"Env": "prod"}, {"env": "test"}, True, {"env": "test"}),  # changed value: task's casing
    ({"Env": "prod", "x": "1"}, {"ENV": "prod"}, False, {"Env": "prod"}),
    ({"a": "1"}, {}, False, {}),
    ({"a": "1"}, {}, True, {"a": "1"}),
    (None, {"a": ""}, True, {"a": ""}),
])
def test_merge_tags(current, wanted, append, expected):
    assert t.merge_tags(current, wanted, append) == expected


def test_check_merged_tags():
    assert t.check_merged_tags(FIFTY) is None
    assert "51" in t.check_merged_tags(dict(FIFTY, x="y"))


@pytest.mark.parametrize("item, expected", [
    ("env", ("env", None)), ("env:prod", ("env", "prod")), ("env:", ("env", "")), ("url:http://x:1", ("url", "http://x:1")),
    ("env: prod", ("env", "prod")), (" env :prod ", ("env", "prod")),  # one syntax everywhere: purge_tags trimmed already
])
def test_split_tag_filter(item, expected):
    assert t.split_tag_filter(item) == expected


@pytest.mark.parametrize("tags, filters, match", [
    ({"Env": "prod"}, None, True),
    ({"Env": "prod"}, [], True),
    ({"Env": "prod"}, ["env"], True),
    ({"Env": "prod"}, ["ENV:prod"], True),
    ({"Env": "prod"}, ["env:Prod"], False),
    ({"Env": "prod"}, ["env:"], False),
    ({"Env": ""}, ["env:"], True),
    ({"Env": "prod"}, ["env", "owner"], False),
    ({"Env": "prod", "owner": "me"}, ["env:prod", "owner"], True),
    ({"url": "http://x:1"}, ["url:http://x:1"], True),
    ({"Env": "prod"}, ["env: prod"], True),  # account_info matched nothing here: it kept the space
    (None, ["env"], False),
])
def test_matches_tag_filters(tags, filters, match):
    assert t.matches_tag_filters({"tags": tags}, filters) == match


# issue 15, item 2: a tag name is refused when it starts or ends with whitespace or holds a line break of any kind;
# a value is free text and is kept as given.
@pytest.mark.parametrize("tag_name, fragment", [
    ("env ", "whitespace"), (" env", "whitespace"), ("env\xa0", "whitespace"), ("\u3000env", "whitespace"),
    ("env\n", "line breaks"), ("env\r\n", "line breaks"), ("e\u2028nv", "line breaks"), ("env\u2029", "line breaks"),
])
def test_tag_names_with_surrounding_whitespace_or_line_breaks_are_refused(tag_name, fragment):
    msg = t.check_tags({tag_name: "x"})
    assert msg and msg.startswith("tags: tag name ") and fragment in msg


@pytest.mark.parametrize("value", [" prod", "prod ", "line one\nline two\n", "\u2028", " "])
def test_tag_values_are_kept_as_given(value):
    assert t.check_tags({"env": value}) is None
    assert t.merge_tags({}, {"env": value}, True) == {"env": value}


# issue 15, item 9: Azure counts .NET string length (UTF-16 code units); an emoji counts 2.
@pytest.mark.parametrize("tags, fragment", [
    ({"k": EMOJI * 129}, "longer than 256 characters (got 258 UTF-16 code units"),
    ({"k": "v" * 255 + EMOJI}, "longer than 256 characters (got 257 UTF-16 code units"),
    ({EMOJI * 257: "v"}, "longer than 512 characters (got 514 UTF-16 code units"),
    ({"n" * 511 + EMOJI: "v"}, "longer than 512 characters (got 513 UTF-16 code units"),
    ({"k": "v" * 257}, "longer than 256 characters (got 257)"),
])
def test_tag_lengths_are_counted_in_utf16_code_units(tags, fragment):
    msg = t.check_tags(tags)
    assert msg and fragment in msg


@pytest.mark.parametrize("tags", [{"k": EMOJI * 128}, {"k": "v" * 254 + EMOJI}, {EMOJI * 256: "v"}, {"\u00e9" * 512: "\u2603" * 256}])
def test_tag_lengths_at_the_limit_are_accepted(tags):
    assert t.check_tags(tags) is None


def test_tags_api_path():
    assert t.tags_path("/subscriptions/s/resourceGroups/rg/providers/P/accounts/a") == (
        "/subscriptions/s/resourceGroups/rg/providers/P/accounts/a/providers/Microsoft.Resources/tags/default?api-version=2021-04-01")
    assert t.TAGS_API_VERSION == "2021-04-01"


# ---------------------------------------------------------------------------------------------------------------------
# issue 17, item 5: tags whose names Azure reserves are never removed by append_tags: false


HIDDEN = {"hidden-link:/subscriptions/s/resourceGroups/rg/providers/microsoft.insights/components/ai": "Resource", "hidden-title": "Web"}


@pytest.mark.parametrize("current, wanted, expected", [
    (dict(HIDDEN, env="prod"), {"owner": "me"}, dict(HIDDEN, owner="me")),
    (dict(HIDDEN, env="prod"), {}, HIDDEN),
    ({"Hidden-Title": "a", "MicrosoftDataCollection": "x", "azure-managed": "y", "WindowsUpdate": "z", "env": "1"}, {},
     {"Hidden-Title": "a", "MicrosoftDataCollection": "x", "azure-managed": "y", "WindowsUpdate": "z"}),
    ({"hidden-title": "a"}, {"HIDDEN-TITLE": "b"}, {"HIDDEN-TITLE": "b"}),  # listed: the task sets it
    ({"hidden-title": "a"}, {"hidden-title": "a"}, {"hidden-title": "a"}),
    ({"hidden": "x", "link:docs": "y", "hiddenx": "z", "my-azure": "w"}, {}, {}),  # only the prefixes themselves
])
def test_append_tags_false_keeps_reserved_tags_that_the_task_does_not_list(current, wanted, expected):
    assert t.merge_tags(current, wanted, False) == expected


def test_append_tags_true_is_unchanged_by_reserved_names():
    assert t.merge_tags(dict(HIDDEN, env="prod"), {"env": "test"}, True) == dict(HIDDEN, env="test")


def test_kept_reserved_tags_count_towards_the_limit():
    merged = t.merge_tags(dict(("hidden-%02d" % i, "v") for i in range(45)), dict(("t%d" % i, "v") for i in range(6)), False)
    assert len(merged) == 51 and "51" in t.check_merged_tags(merged)


def test_tags_to_merge_sends_only_what_changes():
    assert t.tags_to_merge({"Env": "prod", "a": "1"}, {"Env": "prod", "a": "2", "b": ""}) == {"a": "2", "b": ""}


@pytest.mark.parametrize("filters, fragment", [
    (["env\n"], "line breaks"), (["\tenv:prod"], "control characters"), (["\u00a0env:prod"], "whitespace"), (["e\u2028nv"], "line breaks"),
])
def test_tag_filter_names_follow_the_rules_of_tag_names(filters, fragment):
    msg = t.check_tag_filters(filters)
    assert msg and msg.startswith("tags: the tag name of entry ") and fragment in msg


def test_spaces_around_a_filters_name_and_value_are_dropped_as_for_purge_tags():
    assert t.check_tag_filters([" env : prod "]) is None and t.split_tag_filter(" env : prod ") == ("env", "prod")


@pytest.mark.parametrize("filters", [["env:prod "], ["env: prod"], ["env:line\nbreak"], ["a:b:c"]])
def test_tag_filter_values_are_exact_text(filters):
    assert t.check_tag_filters(filters) is None
