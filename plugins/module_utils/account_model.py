# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The Model Management Account resource: validation, normalization, diff, plan, request bodies.

Pure logic, no I/O. Everything here is a function of plain dicts so that it can be tested table-driven. The fields
the collection manages are described once, in ``FIELDS``; everything that handles a field is derived from it.

Shapes used throughout:

- ``desired``: each field's option as the task gave it, normalized (``{"location": str|None, "sku": {"name":
  str|None, "capacity": int|None}|None, "tags": dict|None, "description": str|None}``) plus ``append_tags``;
  ``None`` means "not managed".
- ``current``: the account as Resource Manager returned it (``None`` when absent).
- ``changes`` (``diff``): what each changed write unit becomes (``sku`` and ``tags`` whole, ``description``).
- ``Plan``: ``action`` is one of ``none``, ``create``, ``update``, ``delete``, ``error`` (``repair``: see
  ``plan_present``); ``body`` is the PUT (create, repair) or PATCH (update) body; ``message`` explains an error.
"""

from __future__ import annotations

import copy
import re
from collections import namedtuple

from urllib.parse import quote

from ansible_collections.azureml.model_management.plugins.module_utils.account_fields import (
    Field,
    FieldTable,
    TagsField,
    as_is,
    drop_in,
    get_in,
    has_in,
    set_in,
)
from ansible_collections.azureml.model_management.plugins.module_utils.arm_errors import CANCELED, FAILED, provisioning_state
from ansible_collections.azureml.model_management.plugins.module_utils.errors import AzureMLError
from ansible_collections.azureml.model_management.plugins.module_utils.tagging import check_tag_filters
from ansible_collections.azureml.model_management.plugins.module_utils.text import (
    CONTROL_RULE,
    coerce_text,
    has_control,
    has_surrounding_space,
    header_value_problem,
    kind,
    too_long,
    utf8_problem,
)

PROVIDER = "Microsoft.MachineLearningModelManagement"
RESOURCE_TYPE = PROVIDER + "/accounts"
OPERATIONS_PATH = "/providers/" + PROVIDER + "/operations"

SKU_NAMES = ("S1", "S2", "S3", "DevTest")
SKU_CAPACITY_MIN = 1
SKU_CAPACITY_MAX = 16
NAME_MAX = 260  # lengths as Azure counts them: UTF-16 code units (text.dotnet_length)
RESOURCE_GROUP_MAX = 90

NAME_FORBIDDEN = '<>%&:\\?/'
# Resource Manager's pattern for resource group names. Always used with fullmatch: with match() and "$", the
# pattern also matched "rg\n" ("$" matches before a final newline), and a task for "rg\n" found nothing (issue 15).
RESOURCE_GROUP_RE = re.compile(r"[-\w._()]+")

# 404 codes that mean "the account is not there" (as opposed to ResourceGroupNotFound).
ACCOUNT_MISSING_CODES = ("ResourceNotFound", "NotFound")
RESOURCE_GROUP_MISSING_CODE = "ResourceGroupNotFound"

Plan = namedtuple("Plan", ["action", "body", "message"])


class AccountError(AzureMLError):
    """Invalid options or an impossible change. Raised before (or instead of) any write."""

    default_code = "ChangeNotPossible"


# ---------------------------------------------------------------------------------------------------------------------
# paths


def _q(value):
    return quote(str(value), safe="")


def account_path(subscription_id, resource_group, name):
    return "%s/%s" % (accounts_path(subscription_id, resource_group), _q(name))


def accounts_path(subscription_id, resource_group=None):
    """The list path: in a resource group when one is given, else in the subscription."""
    if resource_group is None:
        return "/subscriptions/%s/providers/%s" % (_q(subscription_id), RESOURCE_TYPE)
    return "/subscriptions/%s/resourceGroups/%s/providers/%s" % (_q(subscription_id), _q(resource_group), RESOURCE_TYPE)


AccountId = namedtuple("AccountId", ["subscription_id", "resource_group", "name"])
ACCOUNT_ID_RE = re.compile(
    r"/subscriptions/(?P<sub>[^/]+)/resourceGroups/(?P<rg>[^/]+)/providers/%s/accounts/(?P<name>[^/]+)" % re.escape(PROVIDER),
    re.IGNORECASE)


def parse_account_id(value):
    """An ``AccountId`` when ``value`` is exactly the id of a Model Management Account, else None: the one parser of
    ids for everything that trusts an id from a list answer (the fleet's purge scope, the inventory's hosts).

    Exactly: ``/subscriptions/S/resourceGroups/G/providers/Microsoft.MachineLearningModelManagement/accounts/N`` with
    the fixed segments in any case, a valid group and account name, and nothing before, after or in between.
    """
    if not isinstance(value, str):
        return None
    match = ACCOUNT_ID_RE.fullmatch(value)
    if not match:
        return None
    sub, group, name = match.group("sub"), match.group("rg"), match.group("name")
    if not sub.strip() or check_resource_group(group) or check_name(name):
        return None
    return AccountId(sub, group, name)


# ---------------------------------------------------------------------------------------------------------------------
# validation: each check_* returns an error message or None


def check_string_option(value, option):
    """For a ``type: str`` option, before Ansible converts it: text or a number, never a list, dict or boolean.

    Ansible's ``type: str`` silently turns ``[eastus]`` into ``"['eastus']"``. Numbers stay accepted
    (``description: 123`` is written as ``"123"``, as Ansible users expect); booleans are refused because
    YAML turns ``yes``/``no``/``on``/``off`` into them behind the user's back. The value itself is never shown
    (string options include secret and password).
    """
    if value is None or isinstance(value, str):
        return utf8_problem(value, option) if isinstance(value, str) else None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return None
    return "%s must be a string, got %s (quote it in YAML if it is meant as text)" % (option, kind(value))


def _forbidden_in(value, forbidden):
    return sorted(set(ch for ch in value if ch in forbidden))


def check_name(name, option="name"):
    """A resource name: refused, never trimmed, when it starts or ends with whitespace (Azure refuses a trailing space,
    and a name is what a delete is aimed at: "mma " must not quietly become "mma")."""
    if not isinstance(name, str) or not name:
        return "%s must be a non-empty string" % option
    length = too_long(name, NAME_MAX)
    if length:
        return "%s must be at most %d characters (got %s)" % (option, NAME_MAX, length)
    bad = _forbidden_in(name, NAME_FORBIDDEN)
    if bad:
        return "%s must not contain any of %s (found %s)" % (option, " ".join(NAME_FORBIDDEN), " ".join(bad))
    if has_control(name):
        return "%s must not contain %s" % (option, CONTROL_RULE)
    if utf8_problem(name, option):
        return utf8_problem(name, option)
    if has_surrounding_space(name):
        return "%s must not start or end with whitespace" % option
    if name.endswith("."):
        return "%s must not end with '.'" % option
    return None


def check_resource_group(resource_group, option="resource_group"):
    if not isinstance(resource_group, str) or not resource_group:
        return "%s must be a non-empty string" % option
    length = too_long(resource_group, RESOURCE_GROUP_MAX)
    if length:
        return "%s must be at most %d characters (got %s)" % (option, RESOURCE_GROUP_MAX, length)
    if not RESOURCE_GROUP_RE.fullmatch(resource_group):
        return "%s may contain only letters, digits, '-', '_', '.', '(' and ')' (no whitespace or line break)" % option
    if resource_group.endswith("."):
        return "%s must not end with '.'" % option
    return None


def check_location(location, option="location"):
    """Spaces anywhere are ignored (``East US 2`` is ``eastus2``); a control character or line break is refused."""
    if not isinstance(location, str) or not normalize_location(location):
        return "%s must be a non-empty string" % option
    if has_control(location):
        return "%s must not contain %s" % (option, CONTROL_RULE)
    return utf8_problem(location, option)


def check_sku_name(name, option="sku.name"):
    if not isinstance(name, str) and check_string_option(name, option):
        return check_string_option(name, option)
    if canonical_sku_name(name) is None:
        return "%s must be one of %s (case-insensitive), got %r" % (option, ", ".join(SKU_NAMES), name)
    return None


def check_sku_capacity(capacity, option="sku.capacity"):
    if isinstance(capacity, bool) or not isinstance(capacity, int):
        return "%s must be an integer from %d to %d" % (option, SKU_CAPACITY_MIN, SKU_CAPACITY_MAX)
    if not SKU_CAPACITY_MIN <= capacity <= SKU_CAPACITY_MAX:
        return "%s must be from %d to %d, got %d" % (option, SKU_CAPACITY_MIN, SKU_CAPACITY_MAX, capacity)
    return None


# ---------------------------------------------------------------------------------------------------------------------
# normalization


def normalize_location(location):
    """'East US 2' → 'eastus2' (Resource Manager ignores case and spaces)."""
    if location is None:
        return None
    return "".join(str(location).split()).lower()


def canonical_sku_name(name):
    """'devtest' → 'DevTest'; None when the name is not a known SKU."""
    if not isinstance(name, str):
        return None
    for known in SKU_NAMES:
        if known.lower() == name.lower():
            return known
    return None


def _lower(text):
    return (text or "").lower()


# ---------------------------------------------------------------------------------------------------------------------
# the fields this collection manages: the one place that knows them (account_fields.Field says what each part means)


FIELDS = FieldTable(
    # the option, where Resource Manager keeps it, how a task's value is checked; then what differs from a plain text field
    Field("location", ("location",), check_location, normalize=normalize_location, compare=normalize_location, required=True,
          mutable=False, fixed_because="Azure cannot move a Model Management Account"),
    Field("sku.name", ("sku", "name"), check_sku_name, normalize=canonical_sku_name, compare=_lower, show=as_is, required=True),
    Field("sku.capacity", ("sku", "capacity"), check_sku_capacity, kind=int, required=True),
    TagsField(),
    Field("description", ("properties", "description"), check_string_option, normalize=coerce_text, empty=""),
)
REQUIRED_OBJECTS = ("properties",)  # in every PUT and PATCH body, {} when nothing of it is written (the API marks it required)
READ_TEXT = (("etag",), ("name",), ("id",), ("properties", "provisioningState"))  # read, never written: checked as text

# The options that describe one account: the account module's, and each entry of the fleet module's ``accounts``
# (which differ only in resource_group, append_tags and waiting; each module adds those).
ACCOUNT_OPTIONS = dict(
    dict(name=dict(type="str", required=True), **FIELDS.options()),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)


def validate_account_params(params):
    """Return the error messages for the account module's options (empty when all are valid)."""
    checks = [check_name(params.get("name")), check_resource_group(params.get("resource_group"))]
    return [msg for msg in checks if msg] + FIELDS.option_problems(params)


def validate_info_params(params):
    """Return the error messages for the account_info module's options."""
    checks = []
    if params.get("name") is not None:
        checks.append(check_name(params["name"]))
    if params.get("resource_group") is not None:
        checks.append(check_resource_group(params["resource_group"]))
    checks.append(check_tag_filters(params.get("tags")))
    return [msg for msg in checks if msg]


def desired_from_params(params):
    """The desired state from module params (validated first). None means "not managed"."""
    desired = {}
    for field in FIELDS:
        value = field.wanted(params)
        set_in(desired, field.option_path, field.normalize(value) if value is not None else None)
    for unit, fields in FIELDS.objects.items():
        if all(field.wanted(desired) is None for field in fields):
            desired[unit] = None
    desired["append_tags"] = params.get("append_tags", True) is not False
    return desired


# ---------------------------------------------------------------------------------------------------------------------
# comparison


def fixed_field_conflict(desired, current):
    """The error message when the task asks to change a field Azure cannot change (location), else None."""
    for field in FIELDS:
        wanted, have = field.wanted(desired), field.read(current)
        if not field.mutable and wanted is not None and not field.same(wanted, have):
            return "%s cannot be changed (current %r, requested %r); %s — delete it and create it again" % (
                field.option, field.key(have), field.key(wanted), field.fixed_because)
    return None


def diff(desired, current):
    """The write units that differ on an existing account: ``{"sku"?, "tags"?, "description"?}``.

    Each value is what the unit becomes: an object of suboptions (sku) whole, merged from the current account; tags
    as the whole resulting set. Fields that cannot change are not part of it: see fixed_field_conflict.
    """
    changes = {}
    for field in FIELDS.mutable:
        wanted, have = field.wanted(desired), field.read(current)
        if wanted is None:
            continue
        after = field.after(have, wanted, desired)
        if field.same(after, have):
            continue
        if field.unit == field.option:
            changes[field.unit] = after
        else:
            changes.setdefault(field.unit, _present_parts(current, field.unit))[field.path[-1]] = after
    return changes


def _present_parts(account, unit):
    """The fields of an object of suboptions as the account has them (only those it has)."""
    return dict((field.path[-1], field.read(account)) for field in FIELDS.objects[unit] if has_in(account, field.path))


def missing_for_create(desired):
    return [field.option for field in FIELDS if field.required and field.wanted(desired) is None]


def _result_problem(values):
    """Why the values a write would leave (one per write unit) cannot be written (tags over Azure's limit), or None."""
    for field in FIELDS:
        problem = field.result_problem(values[field.unit]) if field.unit == field.option and values.get(field.unit) is not None else None
        if problem:
            return problem
    return None


def plan(desired, current, state, name="account"):
    """Decide the one request to send. ``desired`` may be None for state=absent."""
    if state == "absent":
        if current is None:
            return Plan("none", None, None)
        return Plan("delete", None, None)
    if current is None:
        missing = missing_for_create(desired)
        if missing:
            return Plan("error", None, "creating account %r needs %s" % (name, " and ".join(missing)))
        return Plan("create", put_body(desired), None)
    problem = account_problem(current)
    if problem:
        return Plan("error", None, "Resource Manager's answer for account %r is unusable: %s" % (name, problem))
    conflict = fixed_field_conflict(desired, current)
    if conflict:
        return Plan("error", None, conflict)
    changes = diff(desired, current)
    if not changes:
        return Plan("none", None, None)
    too_many = _result_problem(changes)
    if too_many:
        return Plan("error", None, too_many)
    return Plan("update", patch_body(changes), None)


# ---------------------------------------------------------------------------------------------------------------------
# request bodies and predictions


def _with_required_objects(body):
    for name in REQUIRED_OBJECTS:
        body.setdefault(name, {})
    return body


def put_body(desired):
    """The create body: every field the desired state gives. Only sent after a GET answered 404 (PUT overwrites the
    whole resource), and for a repair (``repair_plan``)."""
    body = {}
    for field in FIELDS:
        value = field.wanted(desired)
        if value is not None:
            set_in(body, field.path, copy.deepcopy(value))
    return _with_required_objects(body)


def patch_body(changes):
    """The PATCH body: each changed write unit (sku and tags whole), and properties always."""
    body = {}
    for unit, path in FIELDS.mutable_units:
        if unit in changes:
            set_in(body, path, copy.deepcopy(changes[unit]))
    return _with_required_objects(body)


def written_units(body):
    """The write units a PATCH or PUT body writes that a task can change (``sku``, ``tags``, ``description``)."""
    return [unit for unit, path in FIELDS.mutable_units if has_in(body, path)]


def apply_patch(current, body):
    """The account after a PATCH: each write unit in the body replaced (properties merged, as Resource Manager does)."""
    result = copy.deepcopy(current)
    for name in REQUIRED_OBJECTS:
        result[name] = dict(result.get(name) or {})
    for _unit, path in FIELDS.mutable_units:
        if has_in(body, path):
            set_in(result, path, copy.deepcopy(get_in(body, path)))
    return result


def predicted_create(subscription_id, resource_group, name, body):
    """The account Azure would return for a create with this PUT body (read-only timestamps left out): the body,
    with tags and properties ({} when the body has none)."""
    result = {
        "id": "/subscriptions/%s/resourceGroups/%s/providers/%s/%s" % (subscription_id, resource_group, RESOURCE_TYPE, name),
        "name": name,
        "type": RESOURCE_TYPE,
    }
    result.update(copy.deepcopy(body))
    result.setdefault("tags", {})
    return _with_required_objects(result)


def predicted_after(the_plan, current, subscription_id, resource_group, name):
    """What the account looks like after the plan ({} when it will not exist)."""
    if the_plan.action == "create":
        return predicted_create(subscription_id, resource_group, name, the_plan.body)
    if the_plan.action == "update":
        return apply_patch(current, the_plan.body)
    if the_plan.action == "delete" or current is None:
        return {}
    return copy.deepcopy(current)


def managed_view(account):
    """Only the fields this collection manages (and the name), in a stable order, for --diff output."""
    if not account:
        return {}
    view = {"name": account.get("name")}
    for field in FIELDS:
        set_in(view, field.option_path, field.view(field.read(account)))
    return view


def diff_output(before, after):
    return {"before": managed_view(before), "after": managed_view(after)}


# ---------------------------------------------------------------------------------------------------------------------
# shared accounts: answers checked, failed accounts repaired, tags merged on the server


def provisioning_state_of(account):
    """The account's provisioningState as sent (None when absent: ARM's contract says that means Succeeded)."""
    state = ((account or {}).get("properties") or {}).get("provisioningState")
    return state if isinstance(state, str) and state else None


def needs_repair(account):
    """True for an account left Failed or Canceled: present, but not as desired whatever its fields say."""
    return provisioning_state(account) in (FAILED, CANCELED)


def account_problem(account):
    """Why an answer cannot be an account (a message naming the field), or None. Checked before any use."""
    if not isinstance(account, dict):
        return "the account is not a JSON object"
    for path in FIELDS.containers(READ_TEXT):
        if get_in(account, path) is not None and not isinstance(get_in(account, path), dict):
            where = ".".join(path)
            return "the account's %s %s not an object" % (where, "are" if where.endswith("s") else "is")
    for path in READ_TEXT:
        if get_in(account, path) is not None and not isinstance(get_in(account, path), str):
            return "the account's %s is not a string" % ".".join(path)
    problem = header_value_problem(account["etag"]) if account.get("etag") is not None else None
    if problem:  # it goes back in If-Match: a value that cannot be sent is refused before any write
        return "the account's etag cannot be sent in an If-Match header (%s)" % problem
    for field in FIELDS:
        problem = field.answer_problem(field.read(account))
        if problem:
            return problem
    return None


def state_after(desired, current):
    """The whole account after the task, shaped as a desired state: each field the task gives applied to the current
    account (tags merged as ``append_tags`` says), a field it does not give as the account has it (absent when it has
    none); a field Azure cannot change as the current one, as compared."""
    after = {}
    for field in FIELDS:
        have = field.read(current)
        value = field.after(have, field.wanted(desired), desired) if field.mutable else field.key(have)
        set_in(after, field.option_path, value)
    return after


def repair_plan(desired, current, name="account"):
    """The PUT that re-provisions a Failed or Canceled account: the current account merged with the task.

    PUT replaces the whole resource, so the body carries every field the account has (``state_after``), with the
    task's values applied on top. A location change is refused as for an update.
    """
    state = provisioning_state_of(current)
    conflict = fixed_field_conflict(desired, current)
    if conflict:
        return Plan("error", None, "account %r is %s and cannot be repaired as asked: %s" % (name, state, conflict))
    after = state_after(desired, current)
    too_many = _result_problem(after)
    if too_many:
        return Plan("error", None, too_many)
    missing = [field.option for field in FIELDS if field.required and field.wanted(after) in (None, "")]
    if missing:
        return Plan("error", None, "account %r is %s and cannot be repaired: it has no %s (give them in the task)"
                    % (name, state, " and ".join(missing)))
    return Plan("repair", put_body(after), None)


def predicted_repair(current, body):
    """The account after a repair PUT: the body's fields, read-only fields kept, provisioningState Succeeded."""
    result = copy.deepcopy(current)
    for _unit, path in FIELDS.mutable_units:
        if has_in(body, path):
            set_in(result, path, copy.deepcopy(get_in(body, path)))
        else:
            drop_in(result, path)
    set_in(result, ("properties", "provisioningState"), "Succeeded")
    return result


def plan_present(desired, current, name="account"):
    """The plan for ``state: present``: a repair for a Failed or Canceled account, else ``plan`` (one copy of the rules
    for the account module and the fleet module)."""
    if current is not None and needs_repair(current):
        return repair_plan(desired, current, name)
    return plan(desired, current, "present", name)


def predicted(the_plan, current, ids):
    """The account after ``the_plan`` ({} when it will not exist); ``ids`` is (subscription_id, resource_group, name)."""
    if the_plan.action == "repair":
        return predicted_repair(current, the_plan.body)
    return predicted_after(the_plan, current, *ids)


def diff_view(before, after):
    """``diff_output`` plus the provisioning state when either side is not Succeeded (a repair shows as such).

    Azure compares resource names ignoring case and keeps the one the account was created with, so a name that
    differs only by case (an answer that echoes the task's spelling) is shown as the account's own on both sides.
    """
    result = diff_output(before, after)
    names = [result[side].get("name") for side in ("before", "after")]
    if all(isinstance(n, str) for n in names) and names[0] != names[1] and names[0].lower() == names[1].lower():
        result["after"]["name"] = names[0]
    states = [provisioning_state_of(x) if x else None for x in (before, after)]
    if any(s is not None and s.lower() != "succeeded" for s in states):
        for side, account, state in zip(("before", "after"), (before, after), states):
            if account:
                result[side]["provisioning_state"] = state or "Succeeded"
    return result
