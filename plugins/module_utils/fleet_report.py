# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What a fleet run reports: one result per account, counts, the summary lines, diffs, the failure message. No I/O.

Each result comes from the plan, and for the accounts handed to the service (``fleet_apply``) from what the service
did, or in check mode would do: the ``account`` module's own predictions. The summary reads like Terraform's plan:
the counts first (``Plan for subscription S: 3 to add, 2 to change, 1 to destroy``), then one line per account that
is (or would be) written, naming the fields that change (``~ acct-000 (fleet20): sku.capacity 1 → 2, tags.owner
added``). Declared accounts that are not this run's (``restrict_to``: another job slice's hosts, or hosts left out by
``--limit``) are counted apart as ``outside``, never as unchanged. Nothing is de-duplicated.
"""

from __future__ import annotations

from ansible_collections.azureml.model_management.plugins.module_utils.account_model import PROVIDER, parse_account_id
from ansible_collections.azureml.model_management.plugins.module_utils.fleet_plan import WRITE_ACTIONS
from ansible_collections.azureml.model_management.plugins.module_utils.fleet_scope import key_of
from ansible_collections.azureml.model_management.plugins.module_utils.text import shown

COUNTED = ("create", "update", "repair", "delete", "purge", "unchanged", "absent", "skipped", "withheld", "failed")
# Terraform's three words: what is (or would be) added, changed and destroyed.
ADDED, CHANGED, DESTROYED = ("create",), ("update", "repair"), ("delete", "purge")
SYMBOLS = {"create": "+", "update": "~", "repair": "~", "delete": "-", "purge": "-"}
VALUE_LIMIT = 40  # characters of a tag value or a description shown in a summary line


def account_id(subscription_id, resource_group, name):
    return "/subscriptions/%s/resourceGroups/%s/providers/%s/accounts/%s" % (subscription_id, resource_group, PROVIDER, name)


def account_result(item, applied, subscription_id, restrict=None):
    """One account's result: name, resource_group, subscription_id, id, action, changed, busy, error; the fields that
    change and the diff when it changes; why nothing was done, when told; ``in_restrict_to`` when the run was
    restricted (``restrict``: ``fleet_plan.restricted_keys``' {lower subscription id: keys}). The account is in its
    item's subscription, or else in ``subscription_id`` (the task's)."""
    subscription_id = getattr(item, "subscription_id", None) or subscription_id
    result = dict(name=item.name, resource_group=item.resource_group, subscription_id=subscription_id,
                  id=account_id(subscription_id, item.resource_group, item.name),
                  action=item.action, changed=False, busy=item.busy, error=None)
    if item.error is not None:
        result["error"] = dict(status=0, code="NotPlanned", message=item.error)
    elif applied is not None:
        result.update(action=applied.action, changed=bool(applied.changed), error=applied.error)
        if applied.skipped:
            result["skipped"] = applied.skipped
    elif item.withheld:
        result["withheld"] = True  # the run's rules withheld its write; the run-level message says why, once
    diff = diff_of(item, applied) if result["changed"] else None
    if diff is not None:
        result.update(diff=diff, changes=field_changes(diff["before"], diff["after"]))
    if item.busy:
        result["provisioning_state"] = item.busy_state
    if item.note:
        result["note"] = item.note
    if restrict is not None:
        result["in_restrict_to"] = key_of(item.resource_group, item.name) in restrict.get(subscription_id.lower(), ())
    return result


def category(item, result):
    """The count and summary line a result falls in."""
    if result["error"]:
        return "failed"
    if result.get("skipped"):
        return "skipped"
    if result.get("withheld") and result["action"] in WRITE_ACTIONS:
        return "withheld"
    if result.get("note"):
        return "outside"
    if result["changed"]:
        return result["action"] if result["action"] in WRITE_ACTIONS else "update"
    if item.declared_absent and item.current is None:
        return "absent"
    return "unchanged"


def diff_of(item, applied):
    """The ``{before, after}`` of one account with headers naming it; None when it does not change."""
    view = applied.diff if applied is not None else None
    if not view or view.get("before") == view.get("after"):
        return None
    where = "account %s (resource group %s)" % (item.name, item.resource_group)
    return dict(view, before_header=where, after_header=where)


def field_changes(before, after):
    """What changes between two managed views, one phrase per field: ``sku.capacity 1 → 2``, ``tags.owner added``.
    Empty for a create or a delete (one side empty): the line's symbol says it all."""
    if not before or not after:
        return []
    changes = []
    for field in ("location", "provisioning_state"):
        if before.get(field) != after.get(field) and (before.get(field) or after.get(field)):
            changes.append("%s %s → %s" % (field, _value(before.get(field)), _value(after.get(field))))
    for field in ("name", "capacity"):
        old, new = (before.get("sku") or {}).get(field), (after.get("sku") or {}).get(field)
        if old != new:
            changes.append("sku.%s %s → %s" % (field, _value(old), _value(new)))
    changes.extend(_tag_changes(before.get("tags") or {}, after.get("tags") or {}))
    if before.get("description") != after.get("description"):
        changes.append("description %s → %s" % (_value(before.get("description")), _value(after.get("description"))))
    return changes


def _tag_changes(old, new):
    old_names, new_names = dict((k.lower(), k) for k in old), dict((k.lower(), k) for k in new)
    changes = []
    for lower in sorted(set(old_names) | set(new_names)):
        if lower not in old_names:
            changes.append("tags.%s added" % _name(new_names[lower]))
        elif lower not in new_names:
            changes.append("tags.%s removed" % _name(old_names[lower]))
        elif old[old_names[lower]] != new[new_names[lower]]:
            changes.append("tags.%s %s → %s" % (_name(new_names[lower]), _value(old[old_names[lower]]), _value(new[new_names[lower]])))
    return changes


def _name(text):
    return text if text.isprintable() and len(text) <= VALUE_LIMIT else shown(text, VALUE_LIMIT)


def _value(value):
    if value is None:
        return "(none)"
    if not isinstance(value, str):
        return str(value)
    return value if value and value.isprintable() and value.strip() == value and len(value) <= VALUE_LIMIT else shown(value, VALUE_LIMIT)


LINE_ORDER = ("create", "update", "repair", "delete", "purge", "skipped", "withheld", "failed", "busy")


def summary_lines(subscription_id, items, results, check_mode, outside=0, run_lines=()):
    """The counts first (Terraform's three, then every class), then ``run_lines`` (what the whole run withheld and
    why, each once), then one line per account that was (or would be) written, failed, was skipped, withheld or is
    busy, grouped in ``LINE_ORDER`` and sorted by resource group and name."""
    counts = counts_of(items, results)
    others = list(dict((item.subscription_id.lower(), item.subscription_id) for item in items if _elsewhere(item, subscription_id)).values())
    where = "subscriptions %s" % ", ".join([subscription_id] + others) if others else "subscription %s" % subscription_id
    lines = [_headline(where, counts, check_mode), _counts_line(counts, outside)] + list(run_lines)
    body = []
    for item, result in zip(items, results):
        where = "%s (%s%s)" % (item.name, item.resource_group,
                               ", subscription %s" % item.subscription_id if _elsewhere(item, subscription_id) else "")
        order = (item.resource_group.lower(), item.name.lower())
        kind = category(item, result)
        if kind == "failed":
            body.append(("failed", order, "failed: %s %s: %s" % (result["action"], where, result["error"].get("message"))))
        elif kind == "skipped":
            body.append(("skipped", order, "skipped: %s: %s" % (where, result["skipped"])))
        elif kind == "withheld":
            body.append(("withheld", order, "withheld: %s %s" % (result["action"], where)))
        elif kind in SYMBOLS:
            body.append((kind, order, _write_line(kind, where, result.get("changes") or [])))
        if result["busy"]:
            body.append(("busy", order, "busy: %s is %s" % (where, result.get("provisioning_state"))))
    body.sort(key=lambda line: (LINE_ORDER.index(line[0]), line[1]))
    return lines + [line[2] for line in body] + unmanaged_lines(getattr(items, "unmanaged", ()))


UNMANAGED_SHOWN = 20  # names in the summary line; the result's ``unmanaged`` has them all


def unmanaged_lines(accounts):
    """[] or the one line naming the accounts of the groups read that the run neither declares nor may purge."""
    if not accounts:
        return []
    names = ["%s (%s)" % (account_id.name, account_id.resource_group) for account_id in map(parse_account_id, (a["id"] for a in accounts))]
    more = " and %d more" % (len(names) - UNMANAGED_SHOWN) if len(names) > UNMANAGED_SHOWN else ""
    return ["not managed: %d account(s) of the groups read are not declared and not in the purge scope: %s%s"
            % (len(names), ", ".join(names[:UNMANAGED_SHOWN]), more)]


def _headline(where, counts, check_mode):
    """``where``: "subscription S", or "subscriptions S, T" when the plan has accounts in several."""
    added, changed, destroyed = (sum(counts[kind] for kind in kinds) for kinds in (ADDED, CHANGED, DESTROYED))
    if check_mode:
        return "Plan for %s: %d to add, %d to change, %d to destroy (check mode: nothing was written)" % (
            where, added, changed, destroyed)
    return "Done for %s: %d added, %d changed, %d destroyed" % (where, added, changed, destroyed)


def _counts_line(counts, outside_hosts):
    shown_counts = [name for name in COUNTED if name != "withheld" or counts[name]]  # "withheld N" only when it withheld
    line = ", ".join("%s %d" % (name, counts[name]) for name in shown_counts)
    if counts["busy"]:
        line += ", busy %d" % counts["busy"]
    if counts["outside"]:
        line += "; %d declared account(s) outside this run (not its hosts: --limit, or another job slice)" % counts["outside"]
    if outside_hosts:
        line += "; %d host(s) of other subscriptions left alone" % outside_hosts
    return line


def _write_line(kind, where, changes):
    words = "" if kind in ("create", "update") else " " + kind
    return "%s %s%s%s" % (SYMBOLS[kind], where, words, ": " + ", ".join(changes) if changes else "")


def _elsewhere(item, subscription_id):
    """True when ``item`` is in another subscription than the first line's (the task's): its lines name it."""
    return bool(getattr(item, "subscription_id", None)) and item.subscription_id.lower() != (subscription_id or "").lower()


def counts_of(items, results):
    counts = dict((name, 0) for name in COUNTED + ("outside",))
    for item, result in zip(items, results):
        counts[category(item, result)] += 1
    counts["busy"] = sum(1 for result in results if result["busy"])
    return counts


def failure_message(items, results, problems=()):
    """None, or the message that fails the task: the run-level ``problems`` (each once), then every failed account by name."""
    failed = [(item, result) for item, result in zip(items, results) if result["error"]]
    parts = list(problems)
    if failed:
        parts.append("%d of %d accounts failed: %s" % (len(failed), len(results), "; ".join(
            "%s (%s): %s" % (item.name, item.resource_group, result["error"].get("message")) for item, result in failed)))
    return "; ".join(parts) or None
