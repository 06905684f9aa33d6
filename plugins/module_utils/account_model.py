# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The Model Management Account resource: validation, normalization, diff, plan, request bodies.

Pure logic, no I/O. Everything here is a function of plain dicts so that it can be tested table-driven.

Shapes used throughout:

- ``desired``: ``{"location": str|None, "sku": {"name": str|None, "capacity": int|None}|None,
  "description": str|None, "tags": dict|None, "append_tags": bool}``; ``None`` means "not managed".
- ``current``: the account as Resource Manager returned it (``None`` when absent).
- ``Plan``: ``action`` is one of ``none``, ``create``, ``update``, ``delete``, ``error``;
  ``body`` is the PUT (create) or PATCH (update) body; ``message`` explains an error.
"""

from __future__ import annotations

import copy
import re
from collections import namedtuple

from urllib.parse import quote

from ansible_collections.azureml.model_management.plugins.module_utils.errors import AzureMLError
from ansible_collections.azureml.model_management.plugins.module_utils.tagging import (  # tags are their own concern
    check_merged_tags,
    check_tag_filters,
    check_tags,
    coerce_tags,
    merge_tags,
    same_tags,
)
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
# Resource Manager's api-version: a date, optionally -preview/-alpha/-beta. ASCII digits only, nothing after it
# (the value goes into every URL's query: '2017-09-01-preview&x=y' must never get there).
API_VERSION_RE = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])(-(preview|alpha|beta))?")
API_VERSION_RULE = "a date YYYY-MM-DD, optionally followed by -preview, -alpha or -beta, and nothing else"
TERMINAL_STATES = ("succeeded", "failed", "canceled", "cancelled")

# 404 codes that mean "the account is not there" (as opposed to ResourceGroupNotFound).
ACCOUNT_MISSING_CODES = ("ResourceNotFound", "NotFound")
RESOURCE_GROUP_MISSING_CODE = "ResourceGroupNotFound"

Plan = namedtuple("Plan", ["action", "body", "message"])

# The options that describe one account: the account module's, and each entry of the fleet module's ``accounts``
# (which differ only in resource_group, append_tags and waiting; each module adds those).
ACCOUNT_OPTIONS = dict(
    name=dict(type="str", required=True),
    location=dict(type="str"),
    sku=dict(type="dict", options=dict(name=dict(type="str"), capacity=dict(type="int"))),
    description=dict(type="str"),
    tags=dict(type="dict"),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)


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


def check_api_version(value, option="api_version"):
    """The api-version's format; whether Resource Manager knows that version is for Resource Manager to say."""
    if not isinstance(value, str) or not API_VERSION_RE.fullmatch(value):
        return "%s must be %s, for example 2017-09-01-preview" % (option, API_VERSION_RULE)
    return None


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


def check_sku(sku, option="sku"):
    if not isinstance(sku, dict):
        return "%s must be a dictionary with name and capacity" % option
    name = sku.get("name")
    if name is not None and not isinstance(name, str):
        return check_string_option(name, option + ".name")
    if name is not None and canonical_sku_name(name) is None:
        return "%s.name must be one of %s (case-insensitive), got %r" % (option, ", ".join(SKU_NAMES), name)
    capacity = sku.get("capacity")
    if capacity is not None:
        if isinstance(capacity, bool) or not isinstance(capacity, int):
            return "%s.capacity must be an integer from %d to %d" % (option, SKU_CAPACITY_MIN, SKU_CAPACITY_MAX)
        if not SKU_CAPACITY_MIN <= capacity <= SKU_CAPACITY_MAX:
            return "%s.capacity must be from %d to %d, got %d" % (option, SKU_CAPACITY_MIN, SKU_CAPACITY_MAX, capacity)
    return None


def validate_account_params(params):
    """Return the error messages for the account module's options (empty when all are valid)."""
    checks = [check_name(params.get("name")), check_resource_group(params.get("resource_group"))]
    if params.get("location") is not None:
        checks.append(check_location(params["location"]))
    if params.get("sku") is not None:
        checks.append(check_sku(params["sku"]))
    if params.get("description") is not None:
        checks.append(check_string_option(params["description"], "description"))
    if params.get("tags") is not None:
        checks.append(check_tags(coerce_tags(params["tags"])))
    return [msg for msg in checks if msg]


def validate_info_params(params):
    """Return the error messages for the account_info module's options."""
    checks = []
    if params.get("name") is not None:
        checks.append(check_name(params["name"]))
    if params.get("resource_group") is not None:
        checks.append(check_resource_group(params["resource_group"]))
    checks.append(check_tag_filters(params.get("tags")))
    return [msg for msg in checks if msg]


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


def same_sku_name(a, b):
    return (a or "").lower() == (b or "").lower()


def desired_from_params(params):
    """The desired state from module params (validated first). None means "not managed"."""
    sku = params.get("sku")
    if sku is not None:
        sku = {
            "name": canonical_sku_name(sku["name"]) if sku.get("name") is not None else None,
            "capacity": sku.get("capacity"),
        }
        if sku["name"] is None and sku["capacity"] is None:
            sku = None
    tags = params.get("tags")
    return {
        "location": normalize_location(params.get("location")) if params.get("location") is not None else None,
        "sku": sku,
        "description": coerce_text(params.get("description")),
        "tags": coerce_tags(tags) if tags is not None else None,
        "append_tags": params.get("append_tags", True) is not False,
    }


# ---------------------------------------------------------------------------------------------------------------------
# comparison


def current_description(current):
    return ((current or {}).get("properties") or {}).get("description") or ""


def merge_sku(current_sku, desired_sku):
    """The whole sku after applying the given fields; None when nothing changes."""
    current_sku = current_sku or {}
    merged = dict((k, current_sku[k]) for k in ("name", "capacity") if k in current_sku)
    changed = False
    if desired_sku.get("name") is not None and not same_sku_name(desired_sku["name"], current_sku.get("name")):
        merged["name"] = desired_sku["name"]
        changed = True
    if desired_sku.get("capacity") is not None and desired_sku["capacity"] != current_sku.get("capacity"):
        merged["capacity"] = desired_sku["capacity"]
        changed = True
    return merged if changed else None


def location_conflict(desired, current):
    """The error message when the task asks for a different location than the account has, else None."""
    wanted = desired.get("location")
    have = normalize_location(current.get("location"))
    if wanted is None or wanted == have:
        return None
    return ("location cannot be changed (current %r, requested %r); Azure cannot move a Model Management Account"
            " — delete it and create it again" % (have, wanted))


def diff(desired, current):
    """The managed fields that differ on an existing account: ``{"sku"?, "tags"?, "description"?}``.

    Each value is what the field becomes (sku and tags as the whole resulting value). Location is
    not part of it: see location_conflict.
    """
    changes = {}
    if desired.get("sku") is not None:
        merged = merge_sku(current.get("sku"), desired["sku"])
        if merged is not None:
            changes["sku"] = merged
    if desired.get("tags") is not None:
        merged_tags = merge_tags(current.get("tags"), desired["tags"], desired.get("append_tags", True))
        if not same_tags(merged_tags, current.get("tags")):
            changes["tags"] = merged_tags
    if desired.get("description") is not None and desired["description"] != current_description(current):
        changes["description"] = desired["description"]
    return changes


def missing_for_create(desired):
    missing = []
    if desired.get("location") is None:
        missing.append("location")
    sku = desired.get("sku") or {}
    if sku.get("name") is None:
        missing.append("sku.name")
    if sku.get("capacity") is None:
        missing.append("sku.capacity")
    return missing


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
    conflict = location_conflict(desired, current)
    if conflict:
        return Plan("error", None, conflict)
    changes = diff(desired, current)
    if not changes:
        return Plan("none", None, None)
    too_many = check_merged_tags(changes["tags"]) if "tags" in changes else None
    if too_many:
        return Plan("error", None, too_many)
    return Plan("update", patch_body(changes), None)


# ---------------------------------------------------------------------------------------------------------------------
# request bodies and predictions


def put_body(desired):
    """The create body. Only sent after a GET answered 404 (PUT overwrites the whole resource)."""
    body = {
        "location": desired["location"],
        "sku": {"name": desired["sku"]["name"], "capacity": desired["sku"]["capacity"]},
    }
    if desired.get("tags") is not None:
        body["tags"] = dict(desired["tags"])
    body["properties"] = {"description": desired["description"]} if desired.get("description") is not None else {}
    return body


def patch_body(changes):
    """The PATCH body: properties always; sku and tags whole, and only when they change."""
    body = {}
    if "tags" in changes:
        body["tags"] = dict(changes["tags"])
    if "sku" in changes:
        body["sku"] = dict(changes["sku"])
    body["properties"] = {"description": changes["description"]} if "description" in changes else {}
    return body


def apply_patch(current, body):
    """The account after a PATCH: tags replaced, sku replaced by the merged sku, properties merged."""
    result = copy.deepcopy(current)
    if "tags" in body:
        result["tags"] = dict(body["tags"])
    if "sku" in body:
        result["sku"] = dict(body["sku"])
    properties = dict(result.get("properties") or {})
    properties.update(body.get("properties") or {})
    result["properties"] = properties
    return result


def predicted_create(subscription_id, resource_group, name, body):
    """The account Azure would return for a create with this PUT body (read-only timestamps left out)."""
    return {
        "id": "/subscriptions/%s/resourceGroups/%s/providers/%s/%s" % (subscription_id, resource_group, RESOURCE_TYPE, name),
        "name": name,
        "type": RESOURCE_TYPE,
        "location": body["location"],
        "tags": dict(body.get("tags") or {}),
        "sku": dict(body["sku"]),
        "properties": dict(body.get("properties") or {}),
    }


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
    """Only the fields this collection manages, in a stable order, for --diff output."""
    if not account:
        return {}
    sku = account.get("sku") or {}
    tags = account.get("tags") or {}
    return {
        "name": account.get("name"),
        "location": normalize_location(account.get("location")),
        "sku": {"name": sku.get("name"), "capacity": sku.get("capacity")},
        "tags": dict((k, tags[k]) for k in sorted(tags, key=lambda k: (k.lower(), k))),
        "description": current_description(account),
    }


def diff_output(before, after):
    return {"before": managed_view(before), "after": managed_view(after)}


def is_running(account):
    """True when the body carries a provisioningState that is not terminal."""
    state = ((account or {}).get("properties") or {}).get("provisioningState")
    return state is not None and str(state).lower() not in TERMINAL_STATES


# ---------------------------------------------------------------------------------------------------------------------
# shared accounts: answers checked, failed accounts repaired, tags merged on the server


FAILED_STATES = ("failed", "canceled", "cancelled")


def provisioning_state_of(account):
    """The account's provisioningState as sent (None when absent: ARM's contract says that means Succeeded)."""
    state = ((account or {}).get("properties") or {}).get("provisioningState")
    return state if isinstance(state, str) and state else None


def needs_repair(account):
    """True for an account left Failed or Canceled: present, but not as desired whatever its fields say."""
    state = provisioning_state_of(account)
    return state is not None and state.lower() in FAILED_STATES


def account_problem(account):
    """Why an answer cannot be an account (a message naming the field), or None. Checked before any use."""
    if not isinstance(account, dict):
        return "the account is not a JSON object"
    for field, kinds in (("location", str), ("etag", str), ("name", str), ("id", str)):
        if account.get(field) is not None and not isinstance(account[field], kinds):
            return "the account's %s is not a string" % field
    problem = header_value_problem(account["etag"]) if account.get("etag") is not None else None
    if problem:  # it goes back in If-Match: a value that cannot be sent is refused before any write
        return "the account's etag cannot be sent in an If-Match header (%s)" % problem
    tags = account.get("tags")
    if tags is not None and (not isinstance(tags, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in tags.items())):
        return "the account's tags are not an object of string values"
    sku = account.get("sku")
    if sku is not None:
        if not isinstance(sku, dict):
            return "the account's sku is not an object"
        if sku.get("name") is not None and not isinstance(sku["name"], str):
            return "the account's sku.name is not a string"
        capacity = sku.get("capacity")
        if capacity is not None and (isinstance(capacity, bool) or not isinstance(capacity, int)):
            return "the account's sku.capacity is not an integer"
    properties = account.get("properties")
    if properties is not None:
        if not isinstance(properties, dict):
            return "the account's properties are not an object"
        for field in ("description", "provisioningState"):
            if properties.get(field) is not None and not isinstance(properties[field], str):
                return "the account's properties.%s is not a string" % field
    return None


def repair_plan(desired, current, name="account"):
    """The PUT that re-provisions a Failed or Canceled account: the current account merged with the task.

    PUT replaces the whole resource, so the body carries every field the account has (location, sku, tags,
    description), with the task's values applied on top. A location change is refused as for an update.
    """
    state = provisioning_state_of(current)
    conflict = location_conflict(desired, current)
    if conflict:
        return Plan("error", None, "account %r is %s and cannot be repaired as asked: %s" % (name, state, conflict))
    sku = dict(current.get("sku") or {})
    if desired.get("sku") is not None:
        sku = merge_sku(sku, desired["sku"]) or sku
    tags = current.get("tags") or {}
    if desired.get("tags") is not None:
        tags = merge_tags(tags, desired["tags"], desired.get("append_tags", True))
    too_many = check_merged_tags(tags)
    if too_many:
        return Plan("error", None, too_many)
    description = desired["description"] if desired.get("description") is not None else current_description(current)
    missing = [field for field, value in (("location", current.get("location")), ("sku.name", sku.get("name")),
                                          ("sku.capacity", sku.get("capacity"))) if value in (None, "")]
    if missing:
        return Plan("error", None, "account %r is %s and cannot be repaired: it has no %s (give them in the task)"
                    % (name, state, " and ".join(missing)))
    body = {"location": normalize_location(current["location"]), "sku": {"name": sku["name"], "capacity": sku["capacity"]},
            "tags": dict(tags), "properties": {"description": description} if description else {}}
    return Plan("repair", body, None)


def predicted_repair(current, body):
    """The account after a repair PUT: the body's fields, read-only fields kept, provisioningState Succeeded."""
    result = copy.deepcopy(current)
    result["sku"] = dict(body["sku"])
    result["tags"] = dict(body["tags"])
    properties = dict(result.get("properties") or {})
    properties.pop("description", None)
    properties.update(body["properties"])
    properties["provisioningState"] = "Succeeded"
    result["properties"] = properties
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


def same_account(a, b):
    """True when two answers describe the same account state (existence, managed fields, provisioningState)."""
    if not a or not b:
        return not a and not b
    return managed_view(a) == managed_view(b) and same_tags(a.get("tags"), b.get("tags")) \
        and (provisioning_state_of(a) or "Succeeded").lower() == (provisioning_state_of(b) or "Succeeded").lower()
