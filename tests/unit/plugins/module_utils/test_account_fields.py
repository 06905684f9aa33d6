# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The field table: the machinery (account_fields), every field of account_model.FIELDS going through every rule
derived from the table, and properties that the derived rules agree with each other (diff, bodies, predictions,
repair, shows_write).

The properties are deterministic (derandomize=True) and small (about ten seconds in all).
"""

from __future__ import annotations

import copy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.azureml.model_management.plugins.module_utils import account_model as m
from ansible_collections.azureml.model_management.plugins.module_utils.account_fields import Field, FieldTable, TagsField, drop_in, get_in, has_in, set_in
from ansible_collections.azureml.model_management.plugins.module_utils.account_service import shows_write
from ansible_collections.azureml.model_management.tests.unit.fakes import SUB

PROPERTIES = settings(max_examples=100, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])

# For each field of the table: a value of an account, another value the task can set, and the option value that
# asks for that other value (as a task would spell it). A field added to the table needs its row here.
EXAMPLES = {
    "location": ("eastus2", "westeurope", "West Europe"),
    "sku.name": ("S1", "S2", "s2"),
    "sku.capacity": (1, 4, 4),
    "tags": ({"env": "prod"}, {"env": "prod", "owner": "me"}, {"owner": "me"}),
    "description": ("models", "other models", "other models"),
}


def account(**over):
    base = {"id": m.account_path(SUB, "rg", "mma"), "name": "mma", "type": m.RESOURCE_TYPE,
            "etag": 'W/"1"', "properties": {"createdOn": "2018-03-11T12:39:09Z"}}
    for field in m.FIELDS:
        set_in(base, field.path, copy.deepcopy(EXAMPLES[field.option][0]))
    base.update(over)
    return base


def params_for(field, value):
    params = {"name": "mma", "resource_group": "rg"}
    set_in(params, field.option_path, value)
    return params


# ---------------------------------------------------------------------------------------------------------------------
# paths


def test_get_and_has_in_tolerate_missing_and_non_objects():
    obj = {"a": {"b": 1, "n": None}, "s": "text"}
    assert get_in(obj, ("a", "b")) == 1 and get_in(obj, ("a", "x")) is None and get_in(obj, ("s", "x")) is None
    assert get_in(None, ("a",)) is None
    assert has_in(obj, ("a", "n")) and not has_in(obj, ("a", "x")) and not has_in(obj, ("s", "x")) and not has_in(None, ("a",))


def test_set_and_drop_in_copy_the_objects_on_the_way():
    inner = {"b": 1, "c": 2}
    obj = {"a": inner, "s": "text"}
    set_in(obj, ("a", "b"), 5)
    set_in(obj, ("s", "x"), 1)  # a non-object on the way is replaced
    set_in(obj, ("n", "m"), 2)
    assert obj == {"a": {"b": 5, "c": 2}, "s": {"x": 1}, "n": {"m": 2}} and inner == {"b": 1, "c": 2}
    drop_in(obj, ("a", "c"))
    drop_in(obj, ("a", "missing"))
    assert obj["a"] == {"b": 5} and obj["a"] is not inner


# ---------------------------------------------------------------------------------------------------------------------
# the machinery on a made-up table (nothing here knows the account's fields)


def always_fine(value, option):
    return None


PLAIN = Field("size", ("properties", "size"), always_fine, kind=int, required=True)
SHAPE = Field("shape.kind", ("shape", "kind"), always_fine, compare=str.lower, empty="")


def test_a_field_knows_its_write_unit_and_where_it_lives():
    assert (PLAIN.unit, PLAIN.unit_path) == ("size", ("properties", "size"))
    assert (SHAPE.unit, SHAPE.unit_path, SHAPE.option_path) == ("shape", ("shape",), ("shape", "kind"))


def test_a_field_compares_in_its_compared_form_and_absent_reads_as_empty():
    assert SHAPE.same("Round", "round") and SHAPE.same(None, "") and not SHAPE.same("round", "square")
    assert SHAPE.view(None) == "" and SHAPE.view("Round") == "round"
    assert PLAIN.after(3, None, {}) == 3 and PLAIN.after(3, 4, {}) == 4


def test_a_field_checks_the_type_of_an_answer():
    assert PLAIN.answer_problem(None) is None and PLAIN.answer_problem(3) is None
    assert PLAIN.answer_problem(True) == "the account's properties.size is not an integer"
    assert SHAPE.answer_problem(3) == "the account's shape.kind is not a string"


@pytest.mark.parametrize("before, expected, now, shown", [
    ("a", "b", "b", True), ("a", "b", "B", True), ("a", "b", "a", False), ("a", "b", "c", False), ("a", "a", "a", False),
])
def test_a_field_shows_a_write_when_now_has_the_value_it_was_to_write(before, expected, now, shown):
    assert SHAPE.shows(before, expected, now) is shown


def test_a_table_derives_the_argument_spec_and_the_option_checks():
    def positive(value, option):
        return None if value > 0 else "%s must be positive" % option

    table = FieldTable(Field("size", ("size",), positive, kind=int),
                       Field("shape.kind", ("shape", "kind"), always_fine),
                       Field("shape.sides", ("shape", "sides"), positive, kind=int))
    assert table.options() == {"size": dict(type="int"),
                               "shape": dict(type="dict", options={"kind": dict(type="str"), "sides": dict(type="int")})}
    assert table.option_problems({"size": 0, "shape": {"sides": -1}}) == ["size must be positive", "shape.sides must be positive"]
    assert table.option_problems({"shape": "round"}) == ["shape must be a dictionary with kind and sides"]
    assert table.option_problems({"size": None, "shape": None}) == []
    assert table.units == (("size", ("size",)), ("shape", ("shape",)))
    assert table.containers((("properties", "x"),)) == (("shape",), ("properties",))


# ---------------------------------------------------------------------------------------------------------------------
# every field of the account, through every rule derived from the table


def test_every_field_has_examples():
    assert sorted(EXAMPLES) == sorted(field.option for field in m.FIELDS)


def test_the_argument_spec_is_the_table_s():
    spec = dict(m.ACCOUNT_OPTIONS)
    assert spec.pop("name") == dict(type="str", required=True) and spec.pop("state")["choices"] == ["present", "absent"]
    assert spec == m.FIELDS.options()
    for field in m.FIELDS:
        rules = spec[field.unit] if field.unit == field.option else spec[field.unit]["options"][field.option_path[-1]]
        assert rules == field.spec


@pytest.mark.parametrize("field", m.FIELDS.mutable, ids=lambda field: field.option)
def test_a_change_of_one_field_is_written_predicted_shown_and_seen(field):
    current, (_had, target, spelled) = account(), EXAMPLES[field.option]
    wanted = m.desired_from_params(params_for(field, spelled))
    the_plan = m.plan(wanted, current, "present", "mma")
    assert the_plan.action == "update" and m.written_units(the_plan.body) == [field.unit]
    after = m.predicted_after(the_plan, current, SUB, "rg", "mma")
    assert field.same(field.read(after), target) and m.diff(wanted, after) == {}
    assert m.plan(wanted, after, "present", "mma").action == "none"
    others = [f for f in m.FIELDS if f.unit != field.unit]
    assert all(f.read(after) == f.read(current) for f in others)  # nothing else is written
    view = m.diff_view(current, after)
    assert get_in(view["before"], field.option_path) != get_in(view["after"], field.option_path)
    assert all(get_in(view["before"], f.option_path) == get_in(view["after"], f.option_path) for f in others)
    assert shows_write(current, after, after) and not shows_write(current, after, current)


@pytest.mark.parametrize("field", m.FIELDS.mutable, ids=lambda field: field.option)
def test_a_repair_keeps_every_field_and_applies_the_task(field):
    failed = account()
    set_in(failed, ("properties", "provisioningState"), "Failed")
    _had, target, spelled = EXAMPLES[field.option]
    wanted = m.desired_from_params(params_for(field, spelled))
    the_plan = m.plan_present(wanted, failed, "mma")
    assert the_plan.action == "repair"
    for f in m.FIELDS:
        expected = target if f is field else EXAMPLES[f.option][0]
        assert f.same(f.read(the_plan.body), expected), f.option
    repaired = m.predicted(the_plan, failed, (SUB, "rg", "mma"))
    assert m.plan_present(wanted, repaired, "mma").action == "none" and not m.needs_repair(repaired)


@pytest.mark.parametrize("field", [f for f in m.FIELDS if not f.required], ids=lambda field: field.option)
def test_a_repair_writes_no_field_the_account_lacks_and_the_task_does_not_give(field):
    """PUT replaces the whole account: a field it has not got stays absent (the tag set: empty, as a resource has one)."""
    failed = account()
    drop_in(failed, field.path)
    set_in(failed, ("properties", "provisioningState"), "Failed")
    the_plan = m.plan_present(m.desired_from_params({}), failed, "mma")
    assert the_plan.action == "repair"
    repaired = m.predicted(the_plan, failed, (SUB, "rg", "mma"))
    if isinstance(field, TagsField):
        assert field.read(the_plan.body) == {} and field.read(repaired) == {}
    else:
        assert not has_in(the_plan.body, field.path) and not has_in(repaired, field.path)
    assert all(f.read(the_plan.body) == f.read(failed) for f in m.FIELDS if f is not field and f.mutable)


@pytest.mark.parametrize("field", m.FIELDS, ids=lambda field: field.option)
def test_a_create_writes_each_field_given(field):
    base = dict((f.option, EXAMPLES[f.option][0]) for f in m.FIELDS if f.required)
    params = {"name": "mma", "resource_group": "rg"}
    for option, value in dict(base, **{field.option: EXAMPLES[field.option][2]}).items():
        set_in(params, tuple(option.split(".")), value)
    wanted = m.desired_from_params(params)
    the_plan = m.plan(wanted, None, "present", "mma")
    assert the_plan.action == "create" and field.same(field.read(the_plan.body), field.normalize(EXAMPLES[field.option][2]))
    created = m.predicted_after(the_plan, None, SUB, "rg", "mma")
    assert m.plan(wanted, created, "present", "mma").action == "none"


@pytest.mark.parametrize("field", [f for f in m.FIELDS if f.required], ids=lambda field: field.option)
def test_a_create_without_a_required_field_names_it(field):
    params = {"name": "mma", "resource_group": "rg"}
    for f in m.FIELDS:
        if f.required and f is not field:
            set_in(params, f.option_path, EXAMPLES[f.option][0])
    the_plan = m.plan(m.desired_from_params(params), None, "present", "mma")
    assert the_plan.action == "error" and the_plan.message == "creating account 'mma' needs %s" % field.option


@pytest.mark.parametrize("field", [f for f in m.FIELDS if not f.mutable], ids=lambda field: field.option)
def test_a_field_azure_cannot_change_is_refused_naming_it(field):
    the_plan = m.plan(m.desired_from_params(params_for(field, EXAMPLES[field.option][2])), account(), "present", "mma")
    assert the_plan.action == "error" and the_plan.message.startswith(field.option + " cannot be changed")
    assert field.fixed_because in the_plan.message


@pytest.mark.parametrize("field", m.FIELDS, ids=lambda field: field.option)
def test_an_answer_with_a_field_of_the_wrong_type_is_unusable(field):
    bad = account()
    set_in(bad, field.path, [1])
    assert m.account_problem(bad) is not None and ".".join(field.path) in m.account_problem(bad)
    assert m.plan(m.desired_from_params({}), bad, "present", "mma").action == "error"


# ---------------------------------------------------------------------------------------------------------------------
# properties: the rules derived from the table agree with each other


def well_formed_tags(max_size):
    names = st.text(alphabet=st.sampled_from("abAB-_. 0\u00e9"), min_size=1, max_size=4).map(str.strip).filter(bool)
    return st.dictionaries(names, st.text(max_size=4), max_size=max_size).map(
        lambda tags: dict(dict((k.lower(), (k, v)) for k, v in tags.items()).values()))


LOCATIONS = ["eastus2", "East US 2", "westeurope"]
task_params = st.fixed_dictionaries({"name": st.just("mma"), "resource_group": st.just("rg")}, optional={
    "location": st.sampled_from(LOCATIONS),
    "sku": st.fixed_dictionaries({}, optional={"name": st.sampled_from(m.SKU_NAMES + ("s2", "DEVTEST")), "capacity": st.integers(1, 16)}),
    "description": st.one_of(st.integers(-3, 3), st.text(max_size=6)),
    "tags": well_formed_tags(6),
    "append_tags": st.booleans(),
})
accounts = st.fixed_dictionaries({"name": st.just("mma"), "location": st.sampled_from(LOCATIONS)}, optional={
    "etag": st.just('W/"1"'),
    "tags": st.one_of(st.none(), well_formed_tags(6), st.just({"hidden-link:/x": "Resource", "env": "prod"})),
    "sku": st.fixed_dictionaries({}, optional={"name": st.sampled_from(m.SKU_NAMES + ("s1", "Basic")), "capacity": st.integers(1, 16)}),
    "properties": st.fixed_dictionaries({}, optional={"description": st.text(max_size=6), "createdOn": st.just("2018")}),
})


def wanted_of(params):
    assert m.validate_account_params(params) == []
    return m.desired_from_params(params)


@PROPERTIES
@given(params=task_params, current=accounts)
def test_an_update_patched_onto_the_account_leaves_nothing_to_do(params, current):
    """apply_patch(current, patch_body(diff(desired, current))) has no diff against desired; nothing the task does not
    manage moves; what the PATCH writes is what the diff found; the prediction shows as this task's write."""
    wanted = wanted_of(params)
    if m.fixed_field_conflict(wanted, current):
        return
    changes = m.diff(wanted, current)
    body = m.patch_body(changes)
    assert m.written_units(body) == [unit for unit, _path in m.FIELDS.mutable_units if unit in changes]
    after = m.apply_patch(current, body)
    assert m.diff(wanted, after) == {}
    for field in m.FIELDS:
        if field.wanted(wanted) is None:
            assert field.same(field.read(after), field.read(current)), field.option
    assert shows_write(current, after, after) == bool(changes)
    assert not shows_write(current, after, current)
    assert (m.managed_view(after) == m.managed_view(current)) == (not changes)


@PROPERTIES
@given(params=task_params)
def test_a_created_account_is_as_desired(params):
    wanted = wanted_of(params)
    if m.missing_for_create(wanted):
        assert m.plan(wanted, None, "present", "mma").action == "error"
        return
    created = m.predicted_create(SUB, "rg", "mma", m.put_body(wanted))
    assert m.diff(wanted, created) == {} and m.fixed_field_conflict(wanted, created) is None
    assert m.account_problem(created) is None


@PROPERTIES
@given(params=task_params, current=accounts)
def test_a_repaired_account_is_as_desired_and_keeps_what_the_task_does_not_manage(params, current):
    wanted = wanted_of(params)
    failed = copy.deepcopy(current)
    set_in(failed, ("properties", "provisioningState"), "Failed")
    the_plan = m.repair_plan(wanted, failed, "mma")
    if the_plan.action == "error":
        return
    repaired = m.predicted_repair(failed, the_plan.body)
    assert not m.needs_repair(repaired) and m.diff(wanted, repaired) == {} and m.fixed_field_conflict(wanted, repaired) is None
    for field in m.FIELDS:
        if field.wanted(wanted) is None:
            assert field.same(field.read(repaired), field.read(current)), field.option
    assert shows_write(failed, repaired, repaired)
