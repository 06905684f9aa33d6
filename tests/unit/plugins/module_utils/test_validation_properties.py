# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Property-based: whatever a task gives (any Unicode incl. control characters and lone surrogates, lists, dicts,
numbers, booleans, None), the validators return messages and never raise; what they accept can be sent (UTF-8,
no control characters, a clean api-version); plan() always returns a Plan, never writes more than 50 tags, and an
update it plans is idempotent (planning again on the predicted account gives "none").

Deterministic (derandomize=True) and small (a few seconds in total) so that `make test` is reproducible.
"""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.azureml.model_management.plugins.module_utils import account_model as m
from ansible_collections.azureml.model_management.plugins.module_utils.base import AUTH_ARGUMENT_SPEC, string_option_problems
from ansible_collections.azureml.model_management.plugins.module_utils.tagging import TAGS_MAX
from ansible_collections.azureml.model_management.plugins.modules.account import ARGUMENT_SPEC as ACCOUNT_SPEC
from ansible_collections.azureml.model_management.plugins.modules.account_info import ARGUMENT_SPEC as INFO_SPEC

SUB = "00000000-0000-0000-0000-000000000001"
PROPERTIES = settings(max_examples=100, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
ACTIONS = ("none", "create", "update", "delete", "error")

# Text biased towards what breaks validators: control characters (C0, DEL, C1), the forbidden ASCII, surrogates.
TRICKY = "\x00\x01\t\n\x1f\x7f\x80\x85\x9f\xa0\ud800\udfff<>%&:\\?/.() -_aZ09\u00e9\u2603"
texts = st.one_of(
    st.text(max_size=12),
    st.text(alphabet=st.characters(codec=None, exclude_categories=[]), max_size=12),  # any code point, surrogates included
    st.text(alphabet=st.sampled_from(TRICKY), max_size=12),
)
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), texts)
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(texts, inner, max_size=3)),
                      max_leaves=8)
plausible = st.one_of(texts, st.sampled_from(["mma", "eastus2", "East US 2", "S1", "devtest", "rg", ""]))
sku_fields = {"name": st.one_of(values, st.sampled_from(m.SKU_NAMES)), "capacity": st.one_of(values, st.integers(-2, 20))}
sku_values = st.one_of(values, st.fixed_dictionaries({}, optional=sku_fields))
tag_values = st.one_of(values, st.dictionaries(st.one_of(texts, st.integers()), st.one_of(values, texts), max_size=6))
account_params = st.fixed_dictionaries(
    {"name": st.one_of(plausible, values), "resource_group": st.one_of(plausible, values)},
    optional={"location": st.one_of(plausible, values), "sku": sku_values, "description": st.one_of(plausible, values),
              "tags": tag_values, "append_tags": st.booleans()},
)


def well_formed_tags(max_size, names=texts):
    """Tags as Azure holds them: string names unique ignoring case, string values."""
    return st.dictionaries(names, texts, max_size=max_size).map(
        lambda tags: dict((k, v) for k, v in dict((k.lower(), (k, v)) for k, v in tags.items()).values()))


# Mostly valid tasks, so that plan() is reached often (the anything-goes strategy above is refused ~90% of the time).
safe_names = st.text(alphabet=st.sampled_from("abcXYZ-_.() 09\u00e9\u2603"), min_size=1, max_size=8)
valid_params = st.fixed_dictionaries(
    {"name": st.sampled_from(["mma", "mma-2", "M\u00e9"]), "resource_group": st.just("rg")},
    optional={"location": st.sampled_from(["eastus2", "East US 2", "westeurope"]),
              "sku": st.fixed_dictionaries({}, optional={"name": st.sampled_from(m.SKU_NAMES + ("s2", "DEVTEST")),
                                                         "capacity": st.integers(1, 16)}),
              "description": st.one_of(st.integers(), st.text(max_size=8)),
              "tags": well_formed_tags(8, safe_names),
              "append_tags": st.booleans()},
)


current_accounts = st.one_of(
    st.none(),
    st.fixed_dictionaries({"name": st.just("mma"), "location": st.sampled_from(["eastus2", "East US 2", "westeurope"])}, optional={
        "tags": st.one_of(st.none(), well_formed_tags(55), well_formed_tags(8, safe_names)),
        "sku": st.one_of(st.none(), st.fixed_dictionaries({}, optional={
            "name": st.sampled_from(m.SKU_NAMES + ("s1", "Basic")), "capacity": st.integers(1, 16)})),
        "properties": st.fixed_dictionaries({}, optional={"description": texts,
                                                          "provisioningState": st.sampled_from(["Succeeded", "Creating"])}),
        "etag": st.just('W/"1"'),
    }),
    st.dictionaries(st.sampled_from(["name", "location", "tags", "sku", "properties", "etag"]), values),  # malformed answers
)


def sendable(value):
    """What may go into a URL path or a JSON body: UTF-8 encodable, no C0/DEL/C1 control character."""
    value.encode("utf-8")
    return not any(ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F for ch in value)


@PROPERTIES
@given(value=values)
def test_single_validators_return_a_message_or_none(value):
    for check in (m.check_name, m.check_resource_group, m.check_location, m.check_sku, m.check_tags, m.check_tag_filters,
                  m.check_api_version, lambda v: m.check_string_option(v, "description")):
        message = check(value)
        assert message is None or isinstance(message, str)


@PROPERTIES
@given(name=texts)
def test_an_accepted_name_can_be_sent(name):
    if m.check_name(name) is None:
        assert sendable(name)
        m.account_path(SUB, "rg", name).encode("ascii")


@PROPERTIES
@given(tags=tag_values)
def test_accepted_tags_can_be_sent(tags):
    if m.check_tags(m.coerce_tags(tags)) is None:
        coerced = m.coerce_tags(tags)
        assert len(coerced) <= TAGS_MAX
        assert all(sendable(name) for name in coerced)
        json.dumps(coerced).encode("utf-8")


@PROPERTIES
@given(value=st.one_of(values, st.from_regex(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}(-[a-z]{0,8})?.?\Z")))
def test_an_accepted_api_version_is_a_clean_query_value(value):
    if m.check_api_version(value) is None:
        assert isinstance(value, str) and len(value) <= 16 and all(ch in "0123456789-abehilprtvw" for ch in value)


@PROPERTIES
@given(raw=st.dictionaries(st.sampled_from(sorted(ACCOUNT_SPEC) + sorted(AUTH_ARGUMENT_SPEC)), st.one_of(values, sku_values)))
def test_string_options_refuse_exactly_lists_dicts_and_booleans(raw):
    spec = dict(AUTH_ARGUMENT_SPEC, **ACCOUNT_SPEC)
    problems = string_option_problems(spec, raw)
    for option, value in raw.items():
        refused = any(problem.startswith(option + " must be a string") for problem in problems)
        if spec[option].get("type", "str") in ("str", "path"):
            assert refused == isinstance(value, (bool, list, dict)), (option, value, problems)
        else:
            assert not refused


@PROPERTIES
@given(raw=st.fixed_dictionaries({}, optional={"name": values, "resource_group": values, "tags": values}))
def test_info_string_options_never_raise(raw):
    problems = string_option_problems(INFO_SPEC, raw)
    assert all(problem.split(" ", 1)[0] in ("name", "resource_group", "each") for problem in problems), problems


@PROPERTIES
@given(params=st.one_of(account_params, valid_params), current=current_accounts, state=st.sampled_from(["present", "absent"]))
def test_plan_after_validation_returns_a_plan_and_never_more_than_50_tags(params, current, state):
    errors = m.validate_account_params(params)
    assert all(isinstance(error, str) for error in errors)
    if errors:
        return
    the_plan = m.plan(m.desired_from_params(params) if state == "present" else None, current, state, params["name"])
    assert isinstance(the_plan, m.Plan) and the_plan.action in ACTIONS
    if the_plan.action == "error":
        assert isinstance(the_plan.message, str) and the_plan.body is None
    if the_plan.action in ("create", "update"):
        json.dumps(the_plan.body).encode("utf-8")
        assert len(the_plan.body.get("tags") or {}) <= TAGS_MAX


@PROPERTIES
@given(params=valid_params, current=current_accounts.filter(lambda c: c is not None and m.account_problem(c) is None))
def test_a_planned_update_is_idempotent(params, current):
    """Apply the planned PATCH to the account; planning the same task again finds nothing to do."""
    if m.validate_account_params(params):
        return
    wanted = m.desired_from_params(params)
    the_plan = m.plan(wanted, current, "present", "mma")
    if the_plan.action != "update":
        return
    after = m.apply_patch(current, the_plan.body)
    assert m.diff(wanted, after) == {}
    assert m.plan(wanted, after, "present", "mma").action == "none"
