# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Table-driven tests of the pure account logic: validation, normalization, diff, plan, bodies, predictions."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.azureml.model_management.plugins.module_utils import account_model as m
from ansible_collections.azureml.model_management.plugins.module_utils.arm_errors import is_running
from ansible_collections.azureml.model_management.plugins.module_utils.option_rules import check_api_version
from ansible_collections.azureml.model_management.plugins.module_utils.tagging import check_tags
from ansible_collections.azureml.model_management.tests.unit.fakes import SUB

EMOJI = "\U0001F600"  # outside the Basic Multilingual Plane: Azure (.NET) counts it as 2
TYPE = "Microsoft.MachineLearningModelManagement/accounts"


def account(**over):
    """An account as Azure returns it."""
    base = {
        "id": "/subscriptions/%s/resourceGroups/rg/providers/%s/mma" % (SUB, TYPE),
        "name": "mma",
        "type": TYPE,
        "location": "eastus2",
        "tags": {"env": "prod"},
        "sku": {"name": "S1", "capacity": 1},
        "etag": "W/\"1\"",
        "properties": {
            "description": "models",
            "createdOn": "2018-03-11T12:39:09.060982Z",
            "modifiedOn": "2018-03-11T12:39:09.060982Z",
            "modelManagementSwaggerLocation": "https://eastus2.modelmanagement.azureml.net/swagger.json",
        },
    }
    base.update(over)
    return base


def desired(**params):
    return m.desired_from_params(params)


# ---------------------------------------------------------------------------------------------------------------------
# paths


@pytest.mark.parametrize("args, expected", [
    ((SUB, "rg", "mma"), "/subscriptions/%s/resourceGroups/rg/providers/%s/mma" % (SUB, TYPE)),
    ((SUB, "rg (x)", "a b#c"), "/subscriptions/%s/resourceGroups/rg%%20%%28x%%29/providers/%s/a%%20b%%23c" % (SUB, TYPE)),
])
def test_account_path(args, expected):
    assert m.account_path(*args) == expected


def test_accounts_paths():
    assert m.accounts_path(SUB, "rg") == "/subscriptions/%s/resourceGroups/rg/providers/%s" % (SUB, TYPE)
    assert m.accounts_path(SUB) == "/subscriptions/%s/providers/%s" % (SUB, TYPE)
    assert m.OPERATIONS_PATH == "/providers/Microsoft.MachineLearningModelManagement/operations"


# ---------------------------------------------------------------------------------------------------------------------
# validation


@pytest.mark.parametrize("value, fragment", [
    ("", "non-empty"),
    ("a" * 261, "at most 260"),
    ("a<b", "must not contain"),
    ("a>b", "must not contain"),
    ("a%b", "must not contain"),
    ("a&b", "must not contain"),
    ("a:b", "must not contain"),
    ("a\\b", "must not contain"),
    ("a?b", "must not contain"),
    ("a/b", "must not contain"),
    ("a\tb", "control characters"),
    ("a\x7fb", "control characters"),
    ("abc.", "must not end"),
    ("abc ", "must not start or end with whitespace"),
    (None, "non-empty"),
    # issue 15, item 2: refused, not trimmed: a name is what a delete is aimed at
    (" mma", "must not start or end with whitespace"),
    ("mma\xa0", "must not start or end with whitespace"),
    ("\u3000mma", "must not start or end with whitespace"),
    ("mma\n", "line breaks"),
    ("mma\u2028x", "line breaks"),
    ("mma\u2029", "line breaks"),
    # issue 15, item 9: 260 as Azure counts, in UTF-16 code units
    (EMOJI * 131, "at most 260 characters (got 262 UTF-16 code units"),
    ("a" * 259 + EMOJI, "at most 260 characters (got 261 UTF-16 code units"),
])
def test_check_name_rejects(value, fragment):
    msg = m.check_name(value)
    assert msg and msg.startswith("name ") and fragment in msg


@pytest.mark.parametrize("value", ["a", "a" * 260, "mma-prod_1.x", "a.b", "Ünïcode name", "(x)", EMOJI * 130, "a" * 258 + EMOJI, "a b"])
def test_check_name_accepts(value):
    assert m.check_name(value) is None


@pytest.mark.parametrize("value, fragment", [
    ("", "non-empty"),
    ("a" * 91, "at most 90"),
    ("rg/x", "may contain only"),
    ("rg x", "may contain only"),
    ("rg!", "may contain only"),
    ("rg.", "must not end"),
    # issue 15, item 2: the pattern is matched whole ("$" alone let a final newline through)
    ("rg\n", "may contain only"),
    ("rg\r\n", "may contain only"),
    (" rg", "may contain only"),
    ("rg\u2028", "may contain only"),
    ("rg\n\n", "may contain only"),
    # issue 15, item 9: 90 as Azure counts (U+1D49C is a letter: \w allows it, and it counts 2)
    ("\U0001D49C" * 46, "at most 90 characters (got 92 UTF-16 code units"),
])
def test_check_resource_group_rejects(value, fragment):
    msg = m.check_resource_group(value)
    assert msg and msg.startswith("resource_group ") and fragment in msg


@pytest.mark.parametrize("value", ["rg", "a" * 90, "my-rg_1.(test)", ".rg", "grüppe", "\U0001D49C" * 45])
def test_check_resource_group_accepts(value):
    assert m.check_resource_group(value) is None


@pytest.mark.parametrize("value, ok", [("eastus2", True), ("East US 2", True), ("", False), ("   ", False), (None, False),
                                       (" eastus2\xa0", True), ("eastus2\n", False), ("east\u2028us", False)])
def test_check_location(value, ok):
    msg = m.check_location(value)
    assert (msg is None) == ok
    if not ok:
        assert msg.startswith("location ")


@pytest.mark.parametrize("sku, fragment", [
    ({"name": "S4"}, "sku.name must be one of S1, S2, S3, DevTest"),
    ({"name": ""}, "sku.name"),
    ({"capacity": 0}, "sku.capacity must be from 1 to 16"),
    ({"capacity": 17}, "sku.capacity must be from 1 to 16"),
    ({"capacity": -1}, "sku.capacity"),
    ({"capacity": True}, "sku.capacity must be an integer"),
    ({"capacity": "2"}, "sku.capacity must be an integer"),
    ("S1", "sku must be a dictionary"),
])
def test_check_sku_rejects(sku, fragment):
    problems = m.FIELDS.option_problems({"sku": sku})
    assert len(problems) == 1 and fragment in problems[0]


@pytest.mark.parametrize("sku", [
    {"name": "S1", "capacity": 1}, {"name": "s2", "capacity": 16}, {"name": "DEVTEST"}, {"capacity": 8}, {},
    {"name": None, "capacity": None},
])
def test_check_sku_accepts(sku):
    assert m.FIELDS.option_problems({"sku": sku}) == []


CONTROL_SAMPLES = ["\x00", "\x1f", "\t", "\n", "\x7f", "\x80", "\x85", "\x9f"]


@pytest.mark.parametrize("char", CONTROL_SAMPLES, ids=[hex(ord(c)) for c in CONTROL_SAMPLES])
def test_check_name_refuses_c0_del_and_c1_controls(char):
    msg = m.check_name("mma" + char + "x")
    assert msg and msg.startswith("name ") and "control characters" in msg


@pytest.mark.parametrize("value", ["a\xa0b", "\u00e9t\u00e9", "\u2603", "x\u0100"])
def test_check_name_and_tags_accept_printable_unicode_next_to_the_control_ranges(value):
    assert m.check_name(value) is None
    assert check_tags({value: value}) is None


@pytest.mark.parametrize("check, value", [
    (m.check_name, "a\ud800b"),
    (m.check_location, "east\udfffus"),
    (lambda v: check_tags({v: "x"}), "a\ud800"),
    (lambda v: check_tags({"a": v}), "a\ud800"),
    (lambda v: m.check_string_option(v, "description"), "a\ud800"),
])
def test_text_that_cannot_be_sent_as_utf8_is_refused(check, value):
    assert "UTF-8" in check(value)


@pytest.mark.parametrize("value", ["2017-09-01-preview", "2021-04-01", "2020-02-29-alpha", "1999-12-31-beta"])
def test_check_api_version_accepts(value):
    assert check_api_version(value) is None


@pytest.mark.parametrize("value", [
    "", " ", "2017-09-01-preview&x=y", "2017-09-01-preview?x", "2017-09-01-preview#f", "2017-09-01-preview\n",
    "2017-09-01-preview ", "2017-09-01-Preview", "2017-09-01-rc", "2017-9-01", "2017-13-01", "2017-00-10", "2017-09-32",
    "20170901", "latest", "\uff12017-09-01", "2017-09-01%26x=y", 20170901, ["2017-09-01"], None,
])
def test_check_api_version_refuses(value):
    msg = check_api_version(value)
    assert msg and msg.startswith("api_version must be") and "YYYY-MM-DD" in msg and "-preview" in msg


@pytest.mark.parametrize("value", ["eastus", "", "x" * 1000, 0, 123, 1.5, -7, None])
def test_check_string_option_accepts_text_numbers_and_null(value):
    assert m.check_string_option(value, "location") is None


@pytest.mark.parametrize("value, kind", [
    (["eastus"], "a list"), ({"a": "b"}, "a dictionary"), (True, "a boolean"), (False, "a boolean"), ((1,), "a list"),
    ({1, 2}, "a set"), (b"x", "bytes"),
])
def test_check_string_option_refuses_containers_and_booleans(value, kind):
    msg = m.check_string_option(value, "sku.name")
    assert msg.startswith("sku.name must be a string") and kind in msg


def test_check_string_option_never_shows_the_value():
    """String options include secret and password: the message names the option and the kind of value only."""
    assert "hunter2" not in m.check_string_option(["hunter2"], "secret")
    assert "hunter2" not in m.check_string_option({"hunter2": "hunter2"}, "secret")


@pytest.mark.parametrize("params, fragments", [
    ({"name": "ok", "resource_group": "rg"}, []),
    ({"name": "a/b", "resource_group": "rg"}, ["name "]),
    ({"name": "ok", "resource_group": "rg."}, ["resource_group "]),
    ({"name": "ok", "resource_group": "rg", "location": " "}, ["location "]),
    ({"name": "ok", "resource_group": "rg", "sku": {"name": "X1", "capacity": None}}, ["sku.name"]),
    ({"name": "ok", "resource_group": "rg", "sku": {"name": None, "capacity": 99}}, ["sku.capacity"]),
    ({"name": "ok", "resource_group": "rg", "tags": {"a?": "x"}}, ["tags"]),
    ({"name": "ok", "resource_group": "rg", "tags": {"version": 2}}, []),
    ({"name": "a:b", "resource_group": "rg!", "sku": {"capacity": 0}}, ["name ", "resource_group ", "sku.capacity"]),
    ({"name": "ok", "resource_group": "rg", "location": ["eastus"]}, ["location "]),
    ({"name": "ok", "resource_group": "rg", "description": {"a": "b"}}, ["description "]),
    ({"name": "ok", "resource_group": "rg", "description": 123}, []),
    ({"name": "ok", "resource_group": "rg", "sku": {"name": ["S1"], "capacity": 1}}, ["sku.name"]),
    ({"name": "ok", "resource_group": "rg", "tags": {"env": ["prod"]}}, ["tags"]),
    ({"name": "ok\x85", "resource_group": "rg", "tags": {"a\x00": "x"}}, ["name ", "tags"]),
])
def test_validate_account_params(params, fragments):
    errors = m.validate_account_params(params)
    assert len(errors) == len(fragments)
    for error, fragment in zip(errors, fragments):
        assert error.startswith(fragment)


@pytest.mark.parametrize("params, count", [
    ({}, 0),
    ({"name": "x", "resource_group": "rg", "tags": ["env", "env:prod", "a:b:c", "e:"]}, 0),
    ({"tags": [":prod"]}, 1),
    ({"tags": [""]}, 1),
    ({"tags": True}, 1),
    ({"tags": "env"}, 1),
    ({"name": "a/b"}, 1),
    ({"resource_group": "a b"}, 1),
])
def test_validate_info_params(params, count):
    assert len(m.validate_info_params(params)) == count


# ---------------------------------------------------------------------------------------------------------------------
# normalization


@pytest.mark.parametrize("value, expected", [
    ("East US 2", "eastus2"), ("eastus2", "eastus2"), ("WestEurope", "westeurope"), (" west\teurope ", "westeurope"), (None, None),
])
def test_normalize_location(value, expected):
    assert m.normalize_location(value) == expected


@pytest.mark.parametrize("value, expected", [
    ("s1", "S1"), ("S2", "S2"), ("s3", "S3"), ("devtest", "DevTest"), ("DEVTEST", "DevTest"), ("S4", None), (None, None), (1, None),
])
def test_canonical_sku_name(value, expected):
    assert m.canonical_sku_name(value) == expected


def test_desired_from_params():
    assert desired(location="East US 2", sku={"name": "devtest", "capacity": 2}, description="d", tags={"v": 1}, append_tags=False) == {
        "location": "eastus2", "sku": {"name": "DevTest", "capacity": 2}, "description": "d", "tags": {"v": "1"}, "append_tags": False,
    }
    assert desired() == {"location": None, "sku": None, "description": None, "tags": None, "append_tags": True}
    assert desired(sku={"name": None, "capacity": None})["sku"] is None
    assert desired(sku={"name": None, "capacity": 3})["sku"] == {"name": None, "capacity": 3}
    assert desired(description=0)["description"] == "0"  # found by test_validation_properties: int 0 was kept as 0


# ---------------------------------------------------------------------------------------------------------------------
# sku merging (tags: test_tagging.py): the sku is written whole, merged from the current account


@pytest.mark.parametrize("current, wanted, expected", [
    ({"name": "S1", "capacity": 1}, {"name": "S1", "capacity": 1}, None),
    ({"name": "s1", "capacity": 1}, {"name": "S1", "capacity": None}, None),
    ({"name": "S1", "capacity": 1}, {"name": "S2", "capacity": None}, {"name": "S2", "capacity": 1}),
    ({"name": "S1", "capacity": 1}, {"name": None, "capacity": 3}, {"name": "S1", "capacity": 3}),
    ({"name": "S1", "capacity": 1}, {"name": "S3", "capacity": 4}, {"name": "S3", "capacity": 4}),
    ({"name": "s1", "capacity": 1}, {"name": None, "capacity": 2}, {"name": "s1", "capacity": 2}),
    (None, {"name": "S1", "capacity": 1}, {"name": "S1", "capacity": 1}),
    ({"capacity": 1}, {"name": None, "capacity": 2}, {"capacity": 2}),
])
def test_the_sku_is_merged_whole(current, wanted, expected):
    assert m.diff(desired(sku=wanted), account(sku=current)) == ({"sku": expected} if expected else {})


# ---------------------------------------------------------------------------------------------------------------------
# diff


DIFF_CASES = [
    # (id, desired params, current overrides, expected changes)
    ("nothing managed", {}, {}, {}),
    ("same everything", dict(location="eastus2", sku={"name": "S1", "capacity": 1}, description="models", tags={"env": "prod"}), {}, {}),
    ("location spelled differently", dict(location="East US 2"), {}, {}),
    ("sku name case", dict(sku={"name": "s1", "capacity": None}), {}, {}),
    ("sku name", dict(sku={"name": "S2", "capacity": None}), {}, {"sku": {"name": "S2", "capacity": 1}}),
    ("sku capacity", dict(sku={"name": None, "capacity": 5}), {}, {"sku": {"name": "S1", "capacity": 5}}),
    ("description", dict(description="new"), {}, {"description": "new"}),
    ("description cleared", dict(description=""), {}, {"description": ""}),
    ("description empty vs missing", dict(description=""), {"properties": {}}, {}),
    ("description set when missing", dict(description="x"), {"properties": {}}, {"description": "x"}),
    ("tag added (append)", dict(tags={"owner": "me"}), {}, {"tags": {"env": "prod", "owner": "me"}}),
    ("tag kept (append)", dict(tags={}), {}, {}),
    ("tag removed (no append)", dict(tags={}, append_tags=False), {}, {"tags": {}}),
    ("tag replaced (no append)", dict(tags={"owner": "me"}, append_tags=False), {}, {"tags": {"owner": "me"}}),
    ("tag same (no append)", dict(tags={"env": "prod"}, append_tags=False), {}, {}),
    ("tag name case only", dict(tags={"ENV": "prod"}, append_tags=False), {}, {}),
    ("tag value case", dict(tags={"env": "Prod"}), {}, {"tags": {"env": "Prod"}}),
    ("tag value to empty", dict(tags={"env": ""}), {}, {"tags": {"env": ""}}),
    ("tag value from empty", dict(tags={"env": "prod"}), {"tags": {"env": ""}}, {"tags": {"env": "prod"}}),
    ("empty tag value added", dict(tags={"flag": ""}), {}, {"tags": {"env": "prod", "flag": ""}}),
    ("empty tag value same", dict(tags={"flag": ""}), {"tags": {"flag": ""}}, {}),
    ("no tags on account", dict(tags={"a": "1"}), {"tags": None}, {"tags": {"a": "1"}}),
    ("read-only fields ignored", dict(sku={"name": "S1", "capacity": 1}),
     {"id": "other", "name": "MMA", "etag": "x", "properties": {"description": "models", "provisioningState": "Succeeded",
                                                                "createdOn": "later", "modifiedOn": "later",
                                                                "modelManagementSwaggerLocation": "elsewhere"}}, {}),
    ("everything", dict(sku={"name": "S3", "capacity": 2}, description="d", tags={"x": "y"}, append_tags=False), {},
     {"sku": {"name": "S3", "capacity": 2}, "description": "d", "tags": {"x": "y"}}),
]


@pytest.mark.parametrize("params, current_over, expected", [c[1:] for c in DIFF_CASES], ids=[c[0] for c in DIFF_CASES])
def test_diff(params, current_over, expected):
    assert m.diff(desired(**params), account(**current_over)) == expected


# ---------------------------------------------------------------------------------------------------------------------
# plan


FULL = dict(location="East US 2", sku={"name": "s1", "capacity": 1})


PLAN_CASES = [
    # (id, state, desired params, current, action, body or message fragment)
    ("absent -> present", "present", FULL, None, "create",
     {"location": "eastus2", "sku": {"name": "S1", "capacity": 1}, "properties": {}}),
    ("create with everything", "present", dict(FULL, description="d", tags={"a": ""}), None, "create",
     {"location": "eastus2", "sku": {"name": "S1", "capacity": 1}, "tags": {"a": ""}, "properties": {"description": "d"}}),
    ("create with empty tags", "present", dict(FULL, tags={}), None, "create",
     {"location": "eastus2", "sku": {"name": "S1", "capacity": 1}, "tags": {}, "properties": {}}),
    ("create without location", "present", dict(sku={"name": "S1", "capacity": 1}), None, "error", "creating account 'mma' needs location"),
    ("create without sku", "present", dict(location="eastus2"), None, "error", "creating account 'mma' needs sku.name and sku.capacity"),
    ("create without sku.capacity", "present", dict(location="eastus2", sku={"name": "S1"}), None, "error",
     "creating account 'mma' needs sku.capacity"),
    ("create without sku.name", "present", dict(location="eastus2", sku={"capacity": 1}), None, "error", "creating account 'mma' needs sku.name"),
    ("create with nothing", "present", {}, None, "error", "needs location and sku.name and sku.capacity"),
    ("unchanged", "present", dict(FULL, description="models", tags={"env": "prod"}), account(), "none", None),
    ("location changed", "present", dict(location="West Europe"), account(), "error",
     "location cannot be changed (current 'eastus2', requested 'westeurope'); Azure cannot move a Model Management Account"
     " — delete it and create it again"),
    ("location changed with other changes", "present", dict(location="westeurope", description="x"), account(), "error", "location cannot be changed"),
    ("location of account spelled differently", "present", dict(location="eastus2"), account(location="East US 2"), "none", None),
    ("sku changed", "present", dict(sku={"capacity": 2}), account(), "update", {"sku": {"name": "S1", "capacity": 2}, "properties": {}}),
    ("description changed", "present", dict(description="x"), account(), "update", {"properties": {"description": "x"}}),
    ("tags changed", "present", dict(tags={"a": "b"}), account(), "update", {"tags": {"env": "prod", "a": "b"}, "properties": {}}),
    ("tags purged", "present", dict(tags={}, append_tags=False), account(), "update", {"tags": {}, "properties": {}}),
    ("present -> absent", "absent", None, account(), "delete", None),
    ("absent -> absent", "absent", None, None, "none", None),
]


@pytest.mark.parametrize("state, params, current, action, expected", [c[1:] for c in PLAN_CASES], ids=[c[0] for c in PLAN_CASES])
def test_plan(state, params, current, action, expected):
    the_plan = m.plan(desired(**params) if params is not None else None, current, state, "mma")
    assert the_plan.action == action
    if action == "error":
        assert expected in the_plan.message
        assert the_plan.body is None
    elif action in ("create", "update"):
        assert the_plan.body == expected
    else:
        assert the_plan.body is None and the_plan.message is None


@pytest.mark.parametrize("params, action, tags", [
    (dict(tags={"env": "prod"}, append_tags=False), "none", None),
    (dict(tags={}, append_tags=False), "update", {"hidden-link:/x": "Resource"}),
    (dict(tags={"hidden-link:/x": "Other"}, append_tags=False), "update", {"hidden-link:/x": "Other"}),
])
def test_append_tags_false_never_plans_to_remove_a_reserved_tag(params, action, tags):
    """issue 17, item 5: "exactly these tags" means the user's tags; hidden-* and Azure's own stay (tagging.RESERVED_PREFIXES)."""
    the_plan = m.plan(desired(**params), account(tags={"env": "prod", "hidden-link:/x": "Resource"}), "present", "mma")
    assert the_plan.action == action
    if tags is not None:
        assert the_plan.body["tags"] == tags


def fifty_tags():
    return dict(("t%02d" % i, "v") for i in range(50))


@pytest.mark.parametrize("params, current_tags, action", [
    (dict(tags={"new": "x"}), fifty_tags(), "error"),
    (dict(tags={"new": "x", "another": "y"}), dict(("t%02d" % i, "v") for i in range(49)), "error"),
    (dict(tags={"T00": "changed"}), fifty_tags(), "update"),  # same name, other case: still 50 tags
    (dict(tags={"new": "x"}, append_tags=False), fifty_tags(), "update"),
    (dict(tags={"t00": "v"}), dict(fifty_tags(), extra="x"), "none"),  # nothing to write: no refusal
])
def test_plan_refuses_a_merged_tag_set_over_50_before_any_write(params, current_tags, action):
    the_plan = m.plan(desired(**params), account(tags=current_tags), "present", "mma")
    assert the_plan.action == action
    if action == "error":
        assert the_plan.body is None
        assert "50" in the_plan.message and "tags" in the_plan.message and "51" in the_plan.message


@pytest.mark.parametrize("current_over, field", [
    ({"tags": "env=prod"}, "tags"),
    ({"tags": {"env": 1}}, "tags"),
    ({"tags": {"env": None}}, "tags"),
    ({"sku": ["S1"]}, "sku"),
    ({"properties": "x"}, "properties"),
    ({"location": 5}, "location"),
])
def test_plan_on_a_malformed_account_is_an_error_not_a_crash(current_over, field):
    the_plan = m.plan(desired(tags={"a": "b"}, sku={"capacity": 2}, description="d", location="eastus2"), account(**current_over),
                      "present", "mma")
    assert the_plan.action == "error" and field in the_plan.message and the_plan.body is None


def test_plan_does_not_modify_inputs():
    current = account()
    wanted = desired(tags={"a": "b"}, sku={"capacity": 3}, description="x")
    before = (copy.deepcopy(current), copy.deepcopy(wanted))
    m.plan(wanted, current, "present", "mma")
    assert (current, wanted) == before


# ---------------------------------------------------------------------------------------------------------------------
# bodies


@pytest.mark.parametrize("changes, expected", [
    ({}, {"properties": {}}),
    ({"description": ""}, {"properties": {"description": ""}}),
    ({"sku": {"name": "S2", "capacity": 1}}, {"sku": {"name": "S2", "capacity": 1}, "properties": {}}),
    ({"tags": {}}, {"tags": {}, "properties": {}}),
    ({"tags": {"a": "1"}, "sku": {"name": "S1", "capacity": 3}, "description": "d"},
     {"tags": {"a": "1"}, "sku": {"name": "S1", "capacity": 3}, "properties": {"description": "d"}}),
])
def test_patch_body(changes, expected):
    assert m.patch_body(changes) == expected


def test_put_body():
    assert m.put_body(desired(**FULL)) == {"location": "eastus2", "sku": {"name": "S1", "capacity": 1}, "properties": {}}
    assert m.put_body(desired(description="", **FULL))["properties"] == {"description": ""}
    assert "tags" not in m.put_body(desired(**FULL))


@pytest.mark.parametrize("body, expected_changes", [
    ({"properties": {}}, {}),
    ({"tags": {"x": "1"}, "properties": {}}, {"tags": {"x": "1"}}),
    ({"sku": {"name": "S2", "capacity": 4}, "properties": {}}, {"sku": {"name": "S2", "capacity": 4}}),
    ({"properties": {"description": "new"}}, {"properties": dict(account()["properties"], description="new")}),
])
def test_apply_patch(body, expected_changes):
    current = account()
    assert m.apply_patch(current, body) == dict(account(), **expected_changes)
    assert current == account()


# ---------------------------------------------------------------------------------------------------------------------
# predictions and diff output


def test_predicted_after_create():
    the_plan = m.plan(desired(description="d", **FULL), None, "present", "mma")
    assert m.predicted_after(the_plan, None, SUB, "rg", "mma") == {
        "id": "/subscriptions/%s/resourceGroups/rg/providers/%s/mma" % (SUB, TYPE),
        "name": "mma",
        "type": TYPE,
        "location": "eastus2",
        "tags": {},
        "sku": {"name": "S1", "capacity": 1},
        "properties": {"description": "d"},
    }


def test_predicted_after_create_with_tags_no_description():
    the_plan = m.plan(desired(tags={"a": ""}, **FULL), None, "present", "mma")
    predicted = m.predicted_after(the_plan, None, SUB, "rg", "mma")
    assert predicted["tags"] == {"a": ""} and predicted["properties"] == {}


def test_predicted_after_update():
    current = account()
    the_plan = m.plan(desired(sku={"name": "S2"}, tags={"x": "y"}, append_tags=False, description="new"), current, "present", "mma")
    predicted = m.predicted_after(the_plan, current, SUB, "rg", "mma")
    expected = account(tags={"x": "y"}, sku={"name": "S2", "capacity": 1})
    expected["properties"]["description"] = "new"
    assert predicted == expected
    assert current == account()


@pytest.mark.parametrize("action, current, expected", [
    ("delete", account(), {}),
    ("none", None, {}),
    ("none", account(), account()),
])
def test_predicted_after_others(action, current, expected):
    assert m.predicted_after(m.Plan(action, None, None), current, SUB, "rg", "mma") == expected


def test_managed_view():
    view = m.managed_view(account(location="East US 2", tags={"b": "2", "A": "1", "a2": ""}))
    assert view == {"name": "mma", "location": "eastus2", "sku": {"name": "S1", "capacity": 1},
                    "tags": {"A": "1", "a2": "", "b": "2"}, "description": "models"}
    assert list(view) == ["name", "location", "sku", "tags", "description"]
    assert list(view["tags"]) == ["A", "a2", "b"]
    assert m.managed_view(None) == {} and m.managed_view({}) == {}
    assert m.managed_view(account(properties={}, tags=None))["description"] == ""
    assert m.managed_view(account(properties={}, tags=None))["tags"] == {}


def test_diff_output():
    before = account()
    after = account(sku={"name": "S2", "capacity": 1})
    out = m.diff_output(before, after)
    assert out["before"]["sku"] == {"name": "S1", "capacity": 1}
    assert out["after"]["sku"] == {"name": "S2", "capacity": 1}
    assert m.diff_output(None, after)["before"] == {}
    assert m.diff_output(before, {})["after"] == {}


@pytest.mark.parametrize("body, running", [
    (None, False), ({}, False), ({"properties": {}}, False),
    ({"properties": {"provisioningState": "Succeeded"}}, False),
    ({"properties": {"provisioningState": "Failed"}}, False),
    ({"properties": {"provisioningState": "Canceled"}}, False),
    ({"properties": {"provisioningState": "Creating"}}, True),
    ({"properties": {"provisioningState": "Accepted"}}, True),
    # one vocabulary with the waits (arm_wait): a state that is empty or not text is no state (Succeeded), and the
    # British spelling is Canceled; the account's rules read "" and 5 as running before
    ({"properties": {"provisioningState": ""}}, False), ({"properties": {"provisioningState": 5}}, False),
    ({"properties": {"provisioningState": "CANCELLED"}}, False), ({"properties": {"provisioningState": "Deleting"}}, True),
])
def test_is_running(body, running):
    assert is_running(body) == running
