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

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.azureml.model_management.plugins.module_utils import account_model as m
from ansible_collections.azureml.model_management.plugins.module_utils.base import AUTH_ARGUMENT_SPEC, string_option_problems
from ansible_collections.azureml.model_management.plugins.module_utils import credentials
from ansible_collections.azureml.model_management.plugins.module_utils import token_cache as token_cache_rules
from ansible_collections.azureml.model_management.plugins.module_utils.cloud import resolve_cloud
from ansible_collections.azureml.model_management.plugins.module_utils.connection import default_subscription, subscription_problem
from ansible_collections.azureml.model_management.plugins.module_utils.errors import AuthError
from ansible_collections.azureml.model_management.plugins.module_utils.option_rules import check_api_version
from ansible_collections.azureml.model_management.plugins.module_utils.tagging import TAGS_MAX, check_tag_filters, check_tags, coerce_tags
from ansible_collections.azureml.model_management.plugins.module_utils.text import dotnet_length, has_control
from ansible_collections.azureml.model_management.plugins.modules.account import ARGUMENT_SPEC as ACCOUNT_SPEC
from ansible_collections.azureml.model_management.plugins.modules.account_info import ARGUMENT_SPEC as INFO_SPEC
from ansible_collections.azureml.model_management.tests.unit.fakes import SUB

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


def every_field_problem(value):
    """The same value for every field's option (sku, tags, description...): their messages, or None."""
    return "; ".join(m.FIELDS.option_problems(dict((field.unit, value) for field in m.FIELDS))) or None


@PROPERTIES
@given(value=values)
def test_single_validators_return_a_message_or_none(value):
    for check in (m.check_name, m.check_resource_group, m.check_location, every_field_problem, check_tags, check_tag_filters,
                  check_api_version, lambda v: m.check_string_option(v, "description")):
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
    if check_tags(coerce_tags(tags)) is None:
        coerced = coerce_tags(tags)
        assert len(coerced) <= TAGS_MAX
        assert all(sendable(name) for name in coerced)
        json.dumps(coerced).encode("utf-8")


@PROPERTIES
@given(value=st.one_of(values, st.from_regex(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}(-[a-z]{0,8})?.?\Z")))
def test_an_accepted_api_version_is_a_clean_query_value(value):
    if check_api_version(value) is None:
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


# ---------------------------------------------------------------------------------------------------------------------
# issue 15, item 2: whitespace and line breaks around and inside every text option. Each option has one rule:
#   refused   the task fails before any request, naming the option (names, which a delete is aimed at; formats; paths)
#   trimmed   surrounding whitespace is removed (IDs, a user name, profile and cloud names: none can hold any)
#   ignored   spaces anywhere are ignored (location: "East US 2" is eastus2); a control character or line break is refused
#   as given  free text, used exactly (description, tag values, the value of a tag filter)
#   secret    used exactly (a password may start or end with a space), but a control character or line break is refused
#   choices   Ansible's choices refuse anything else (state, auth_source, token_cache)
# test_every_text_option_has_a_rule makes sure no text option of any module or of the connection arrives without a
# rule; docs/decisions.md (issue 15) says why each has the one it has.

LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
SPACES = " \t\xa0\u1680\u2000\u3000"
around = st.text(alphabet=st.sampled_from(LINE_BREAKS + SPACES), min_size=1, max_size=3)
GOOD_ACCOUNT = {"name": "mma", "resource_group": "rg", "location": "eastus2", "sku": {"name": "S1", "capacity": 1},
                "description": "models", "tags": {"env": "prod"}}
PROFILE_FILE = "[work]\nclient_id = c\ntenant = t\nsecret = s\n"


def refused_or_used(function):
    """Wrap a use of a value: ("refused", message) for an AuthError, else what the function returns."""
    def use(value):
        try:
            return function(value)
        except AuthError as err:
            return "refused", str(err)
    return use


def account_option(field):
    def use(value):
        params = dict(GOOD_ACCOUNT)
        if field == "sku.name":
            params["sku"] = {"name": value, "capacity": 1}
        elif field in ("tag name", "tag value"):
            params["tags"] = {value: "prod"} if field == "tag name" else {"env": value}
        else:
            params[field] = value
        errors = m.validate_account_params(params)
        if errors:
            return "refused", errors[0]
        wanted = m.desired_from_params(params)
        return "used", {"name": params["name"], "resource_group": params["resource_group"], "location": wanted["location"],
                        "sku.name": (wanted["sku"] or {}).get("name"), "description": wanted["description"],
                        "tag name": next(iter(wanted["tags"])), "tag value": wanted["tags"].get("env")}[field]
    return use


def info_option(field):
    def use(value):
        params = {"name": "mma", "resource_group": "rg", "tags": ["env:prod"]}
        if field == "filter name":
            params["tags"] = [value + ":prod"]
        elif field == "filter value":
            params["tags"] = ["env:" + value]
        else:
            params[field] = value
        errors = m.validate_info_params(params)
        if errors:
            return "refused", errors[0]
        name, filtered = params["tags"][0].split(":", 1)
        return "used", {"filter name": name, "filter value": filtered}.get(field, params.get(field))
    return use


def source_value(option, base=None):
    base = {"client_id": "client-id", "tenant": "tenant-id", "secret": "env-secret"} if base is None else base

    def select(value):
        source = credentials.select_source(dict(base, **{option: value}), {}, PROFILE_FILE, cli_available=False)
        return "used", source.origin if option == "profile" else source.values[option]
    return refused_or_used(select)


def env_value(name, field):
    def select(value):
        env = dict({"AZURE_CLIENT_ID": "client-id", "AZURE_SECRET": "env-secret", "AZURE_TENANT": "tenant-id"}, **{name: value})
        return "used", credentials.select_source({}, env, None, cli_available=False).values[field]
    return refused_or_used(select)


def subscription(value):
    value = default_subscription(None, {"subscription_id": value}, {})
    problem = subscription_problem(value)
    return ("refused", problem) if problem else ("used", value)


def check_with(check):
    def use(value):
        problem = check(value)
        return ("refused", problem) if problem else ("used", value)
    return use


# (the option of the argument spec it covers, rule, a valid value, how the collection takes a value, the name its message uses)
RULES = {
    "account name": ("name", "refused", "mma-prod", account_option("name"), "name"),
    "account resource_group": ("resource_group", "refused", "rg-prod", account_option("resource_group"), "resource_group"),
    "account location": ("location", "ignored", "eastus2", account_option("location"), "location"),
    "account sku.name": ("sku.name", "refused", "S1", account_option("sku.name"), "sku.name"),
    "account description": ("description", "as given", "my models", account_option("description"), "description"),
    "account tag name": ("tags", "refused", "env", account_option("tag name"), "tags"),
    "account tag value": ("tags", "as given", "prod", account_option("tag value"), "tags"),
    "account_info name": ("name", "refused", "mma-prod", info_option("name"), "name"),
    "account_info resource_group": ("resource_group", "refused", "rg-prod", info_option("resource_group"), "resource_group"),
    "account_info filter name": ("tags", "refused", "env", info_option("filter name"), "tags"),
    "account_info filter value": ("tags", "as given", "prod", info_option("filter value"), "tags"),
    "subscription_id": ("subscription_id", "trimmed", SUB, subscription, "subscription_id"),
    "tenant": ("tenant", "trimmed", "tenant-id", source_value("tenant"), "tenant"),
    "client_id": ("client_id", "trimmed", "client-id", source_value("client_id"), "client_id"),
    "ad_user": ("ad_user", "trimmed", "u@example.com", source_value("ad_user", {"password": "p"}), "ad_user"),
    "profile": ("profile", "trimmed", "work", source_value("profile", {}), "profile"),
    "cloud_environment": ("cloud_environment", "trimmed", "AzureChinaCloud", refused_or_used(
        lambda value: ("used", resolve_cloud(credentials.setting("cloud_environment", {"cloud_environment": value}, {}), session=object()).name)),
        "cloud_environment"),
    "secret": ("secret", "secret", "s e c r e t", source_value("secret"), "secret"),
    "password": ("password", "secret", "pass word", source_value("password", {"ad_user": "u"}), "password"),
    "AZURE_SECRET": ("secret", "secret", "env-secret", env_value("AZURE_SECRET", "secret"), "secret"),
    "AZURE_CLIENT_ID": ("client_id", "trimmed", "client-id", env_value("AZURE_CLIENT_ID", "client_id"), "client_id"),
    "AZURE_TENANT": ("tenant", "trimmed", "tenant-id", env_value("AZURE_TENANT", "tenant"), "tenant"),
    "api_version": ("api_version", "refused", "2017-09-01-preview", check_with(check_api_version), "api_version"),
    "token_cache_dir": ("token_cache_dir", "refused", "/run/job", refused_or_used(
        lambda value: ("used", token_cache_rules.cache_settings({"token_cache": "allow_unencrypted", "token_cache_dir": value}, {}).directory)),
        "token_cache_dir"),
}
CHOICES = ("state", "auth_source", "token_cache")
SECRET_VALUES = ("s e c r e t", "pass word", "env-secret")


def test_every_text_option_has_a_rule():
    """Every type str/path option, str suboption and list of str of every module and of the connection is in RULES."""
    def text_options(spec, prefix=""):
        for option, rules in spec.items():
            if rules.get("type", "str") in ("str", "path") or rules.get("elements") == "str" or option == "tags":
                yield prefix + option, rules
            yield from text_options(rules.get("options") or {}, prefix + option + ".")

    covered = set(rule[0] for rule in RULES.values())
    for spec in (ACCOUNT_SPEC, INFO_SPEC, AUTH_ARGUMENT_SPEC):  # operations_info has only the connection options
        for option, rules in text_options(spec):
            if option in CHOICES:
                assert rules.get("choices"), option
            else:
                assert option in covered, "no whitespace rule for %s: add it to RULES and to docs/decisions.md" % option


@pytest.mark.parametrize("key", sorted(RULES))
def test_the_valid_value_of_each_rule_is_used(key):
    _option, _rule, good, use, _name = RULES[key]
    assert use(good) == ("used", good if key != "profile" else "profile 'work' in ~/.azure/credentials")


def assert_refused(key, outcome, detail, name):
    assert outcome == "refused" and name in detail, (key, outcome, detail)
    assert not any(secret in detail for secret in SECRET_VALUES), detail


@PROPERTIES
@given(key=st.sampled_from(sorted(RULES)), before=st.one_of(st.just(""), around), after=around)
def test_whitespace_and_line_breaks_around_a_value(key, before, after):
    _option, rule, good, use, name = RULES[key]
    outcome, detail = use(before + good + after)
    if rule == "refused" or (rule in ("ignored", "secret") and has_control(before + after)):
        assert_refused(key, outcome, detail, name)
    elif rule in ("trimmed", "ignored"):
        assert (outcome, detail) == use(good), key
    else:  # as given, and a secret with spaces around it
        assert (outcome, detail) == ("used", before + good + after), key


@PROPERTIES
@given(key=st.sampled_from(sorted(RULES)), line_break=st.sampled_from(LINE_BREAKS), where=st.integers(0, 1000))
def test_a_line_break_inside_a_value(key, line_break, where):
    _option, rule, good, use, name = RULES[key]
    cut = 1 + where % (len(good) - 1)
    value = good[:cut] + line_break + good[cut:]
    outcome, detail = use(value)
    if rule == "as given":
        assert (outcome, detail) == ("used", value), key
    else:
        assert_refused(key, outcome, detail, name)


# issue 15, item 9: lengths are counted as Azure counts them (UTF-16 code units): a character above U+FFFF counts 2
astral = st.characters(min_codepoint=0x10000, max_codepoint=0x10FFFF, exclude_categories=["Cs", "Cc", "Zs"])
mixed = st.text(alphabet=st.one_of(st.sampled_from("abc-_"), astral), min_size=1, max_size=40)


@PROPERTIES
@given(piece=mixed, repeat=st.integers(1, 20))
def test_limits_are_checked_in_utf16_code_units(piece, repeat):
    value = piece * repeat
    units = dotnet_length(value)
    assert units == len(value.encode("utf-16-le")) // 2
    assert (check_tags({"k": value}) is not None) == (units > 256), (len(value), units)
    assert (check_tags({value: "v"}) is not None) == (units > 512), (len(value), units)
    name_problem = m.check_name(value)
    assert (name_problem is not None and "at most 260" in name_problem) == (units > 260), (len(value), units, name_problem)
