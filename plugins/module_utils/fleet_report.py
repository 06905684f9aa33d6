# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What a fleet run reports: one result per account, counts, the summary lines, diffs, the failure message. No I/O.

Each result comes from the plan, and for the accounts handed to the service (``fleet_apply``) from what the service
did, or in check mode would do: the ``account`` module's own predictions. One line per account, named by resource
group and name within the subscription that the first line names; nothing is de-duplicated.
"""

from __future__ import annotations

from ansible_collections.azureml.model_management.plugins.module_utils.fleet_plan import WRITE_ACTIONS

COUNTED = ("create", "update", "repair", "delete", "purge", "unchanged", "absent", "skipped", "withheld", "failed")


def account_result(item, applied):
    """One account's result: name, resource_group, action, changed, busy, error (and why nothing was done, when told)."""
    result = dict(name=item.name, resource_group=item.resource_group, action=item.action, changed=False, busy=item.busy,
                  error=None)
    if item.error is not None:
        result["error"] = dict(status=0, code="NotPlanned", message=item.error)
    elif applied is not None:
        result.update(action=applied.action, changed=bool(applied.changed), error=applied.error)
        if applied.skipped:
            result["skipped"] = applied.skipped
    elif item.withheld:
        result["withheld"] = True  # the run's rules withheld its write; the run-level message says why, once
    if item.busy:
        result["provisioning_state"] = item.busy_state
    if item.note:
        result["note"] = item.note
    return result


def category(item, result):
    """The count and summary line a result falls in."""
    if result["error"]:
        return "failed"
    if result.get("skipped"):
        return "skipped"
    if result.get("withheld") and result["action"] in WRITE_ACTIONS:
        return "withheld"
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


LINE_ORDER = ("create", "update", "repair", "delete", "purge", "skipped", "withheld", "failed", "busy")


def summary_lines(subscription_id, items, results, check_mode, outside=0, run_lines=()):
    """The first line: what happened, with counts; then ``run_lines`` (what the whole run withheld and why, each once);
    then one line per account that was (or would be) written, failed, was skipped, withheld or is busy, grouped in
    ``LINE_ORDER`` and sorted by resource group and name."""
    counts = counts_of(items, results)
    head = "Plan (check mode, nothing was written)" if check_mode else "Done"
    shown = [name for name in COUNTED if name != "withheld" or counts[name]]  # "withheld N" only in a run that withheld
    others = list(dict((item.subscription_id.lower(), item.subscription_id) for item in items if _elsewhere(item, subscription_id)).values())
    where = "subscriptions %s" % ", ".join([subscription_id] + others) if others else "subscription %s" % subscription_id
    first = "%s for %s: %s" % (head, where, ", ".join("%s %d" % (name, counts[name]) for name in shown))
    if outside:
        first += "; %d host(s) of other subscriptions left alone" % outside
    lines = []
    for item, result in zip(items, results):
        where = "%s (%s%s)" % (item.name, item.resource_group,
                               ", subscription %s" % item.subscription_id if _elsewhere(item, subscription_id) else "")
        order = (item.resource_group.lower(), item.name.lower())
        kind = category(item, result)
        if kind == "failed":
            lines.append(("failed", order, "failed: %s %s: %s" % (result["action"], where, result["error"].get("message"))))
        elif kind == "skipped":
            lines.append(("skipped", order, "skipped: %s: %s" % (where, result["skipped"])))
        elif kind == "withheld":
            lines.append(("withheld", order, "withheld: %s %s" % (result["action"], where)))
        elif kind not in ("unchanged", "absent"):
            lines.append((kind, order, "%s: %s" % (kind, where)))
        if result["busy"]:
            lines.append(("busy", order, "busy: %s is %s" % (where, result.get("provisioning_state"))))
    lines.sort(key=lambda line: (LINE_ORDER.index(line[0]), line[1]))
    return [first] + list(run_lines) + [line[2] for line in lines]


def _elsewhere(item, subscription_id):
    """True when ``item`` is in another subscription than the first line's (the task's): its lines name it."""
    return bool(getattr(item, "subscription_id", None)) and item.subscription_id.lower() != (subscription_id or "").lower()


def counts_of(items, results):
    counts = dict((name, 0) for name in COUNTED)
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
