# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One change to one Model Management Account, safe when other writers act on it at the same moment.

Request sequences (asserted by the integration tests):

=====================  ===========================================  ==============
transition             real run                                     check mode
=====================  ===========================================  ==============
present, unchanged     GET                                          GET
absent -> present      GET, PUT (If-None-Match: *)                  GET
present, changed       GET, PATCH (If-Match: etag)                  GET
  ... without an etag  GET, [PATCH sku/description], PATCH tags     GET
                       (Tags API Merge) when tags are only added
Failed / Canceled      GET, PUT of the whole account (If-Match)     GET
present -> absent      GET, DELETE                                  GET
absent, absent         GET                                          GET
=====================  ===========================================  ==============

Plus the polling requests of ``client.wait`` when a write answers asynchronously and ``wait`` is true, and
GETs while an account is still Creating / Updating / Deleting. A write computed from a GET is a bet that
nobody wrote in between: it is conditional (``If-Match`` / ``If-None-Match``) or merges on the server (the
Tags API), and a 412 re-reads, re-plans and tries again (at most ``MAX_ROUNDS`` times, with jitter).

``changed`` is true when this task's write was acknowledged, or when the account differs between the task's
first GET and its end: an answer lost after the write was applied (the retry then sees 412, or 204 for a
DELETE) still counts as a change.
"""

from __future__ import annotations

import random

from ansible_collections.azureml.model_management.plugins.module_utils.arm import ArmError, invalid_response
from ansible_collections.azureml.model_management.plugins.module_utils.errors import AzureMLError
from ansible_collections.azureml.model_management.plugins.module_utils.account_model import (
    ACCOUNT_MISSING_CODES,
    RESOURCE_GROUP_MISSING_CODE,
    AccountError,
    account_path,
    account_problem,
    accounts_path,
    diff_view,
    is_running,
    matches_tag_filters,
    plan_present,
    predicted,
    provisioning_state_of,
    same_account,
    tags_to_merge,
)
from ansible_collections.azureml.model_management.plugins.module_utils.tagging import tags_path

MAX_ROUNDS = 5
NOT_READ = object()  # ``listed`` default: no list answer, the task reads the account itself
CONFLICT_BACKOFF = 1.0  # seconds: the upper bound of the first jittered pause after a 412; doubles each round


def _checked(account, where):
    problem = account_problem(account) if account is not None else None
    if problem:
        raise invalid_response("%s: %s" % (where, problem))
    return account


def _read(client, path, missing_codes=None):
    return _checked(client.get_or_none(path, missing_codes=missing_codes), "GET %s" % path)


def _settle(client, path, current, wait, wait_timeout, name):
    """The account once it is no longer Creating / Updating / Deleting (None if it went away)."""
    if not is_running(current):
        return current
    if not wait:
        raise AccountError("account %r is %s (provisioningState): it cannot be changed until that finishes; run again later "
                           "or with wait: true to wait for it" % (name, provisioning_state_of(current)))
    from ansible_collections.azureml.model_management.plugins.module_utils import arm_wait

    return _checked(arm_wait.settle(client, path, wait_timeout), "GET %s" % path)


def _conflict_pause(client, attempt):
    client.pause(random.random() * CONFLICT_BACKOFF * (2 ** attempt))


def _first(client, path, listed, missing_codes=None):
    """The account the task starts from: ``listed`` (a fleet plans from list answers) or one GET."""
    if listed is NOT_READ:
        return _read(client, path, missing_codes)
    return _checked(listed, "the list answer for %s" % path)


def ensure_present(client, subscription_id, resource_group, name, desired, check_mode, wait, wait_timeout, listed=NOT_READ):
    """Make the account match ``desired``. Returns ``(changed, account, diff)``.

    A missing resource group fails (404 ResourceGroupNotFound), in check mode too. An impossible change
    (location, missing create options, a Failed account that cannot be repaired) raises AccountError before
    any write. ``listed`` is the account as a list answer showed it (None: not in the list), used instead of the
    first GET; its etag guards the write as a GET's would.
    """
    path = account_path(subscription_id, resource_group, name)
    ids = (subscription_id, resource_group, name)
    first = _first(client, path, listed, list(ACCOUNT_MISSING_CODES))
    current = first
    for attempt in range(MAX_ROUNDS):
        current = _settle(client, path, current, wait, wait_timeout, name)
        the_plan = plan_present(desired, current, name)
        if the_plan.action == "error":
            raise AccountError(the_plan.message)
        if the_plan.action == "none":
            return not same_account(first, current), current, diff_view(first, current)
        expected = predicted(the_plan, current, ids)
        if check_mode:
            return True, expected, diff_view(first, expected)
        try:
            account = _apply(client, path, the_plan, current, desired, wait, wait_timeout, expected)
        except ArmError as err:
            if err.status != 412:
                raise _with_changed(err, client, path, first)
            _conflict_pause(client, attempt)
            current = _read(client, path, list(ACCOUNT_MISSING_CODES))
            continue
        if wait:
            _verify_applied(the_plan, desired, account, name)
        return True, account, diff_view(first, account)
    raise ArmError(412, "PreconditionFailed", "account %r changed under this task %d times in a row (other writers); "
                                              "nothing more was written, run the task again" % (name, MAX_ROUNDS))


def _apply(client, path, the_plan, current, desired, wait, wait_timeout, predicted):
    """Send the plan's write(s); return the account as Azure has it afterwards (or the prediction when not waiting)."""
    if the_plan.action == "create":
        response = client.request("PUT", path, body=the_plan.body, headers={"If-None-Match": "*"})
        return _finish(client, path, response, wait, wait_timeout, predicted)
    etag = current.get("etag")
    guard = {"If-Match": etag} if etag else None
    if the_plan.action == "repair":
        response = client.request("PUT", path, body=the_plan.body, headers=guard)
        return _finish(client, path, response, wait, wait_timeout, predicted)
    body = the_plan.body
    if etag or "tags" not in body or not desired.get("append_tags", True):
        response = client.request("PATCH", path, body=body, headers=guard)
        return _finish(client, path, response, wait, wait_timeout, predicted)
    # No etag to guard a PATCH of the whole tag set: fields by PATCH, tags merged on the server.
    account = current
    rest = dict((key, value) for key, value in body.items() if key != "tags")
    if "sku" in rest or rest.get("properties"):
        response = client.request("PATCH", path, body=rest)
        account = _finish(client, path, response, wait, wait_timeout, predicted)
    merged = client.request("PATCH", tags_path(path), body={"operation": "Merge",
                                                            "properties": {"tags": tags_to_merge(current.get("tags"), body["tags"])}})
    tags = (merged.body.get("properties") or {}).get("tags") if isinstance(merged.body.get("properties"), dict) else None
    if not isinstance(tags, dict):
        raise invalid_response("PATCH %s answered without properties.tags" % tags_path(path))
    account = dict(account, tags=tags)
    return _checked(account, "PATCH %s" % tags_path(path))


def _with_changed(err, client, path, first):
    """``err`` with ``changed``: did the account change although the task failed after sending a write?

    A failure after a write was sent (a lost or bad answer, a failed or timed-out wait) does not prove that nothing
    changed: one more GET tells. When that GET fails too, a change cannot be ruled out.
    """
    try:
        now = client.get_or_none(path)
    except ArmError:
        err.changed = True
        return err
    err.changed = True if now is not None and account_problem(now) else not same_account(first, now)
    return err


def _verify_applied(the_plan, desired, account, name):
    """A write that was accepted must show in the account Azure returns at the end; an answer is not taken on trust."""
    left = plan_present(desired, account, name)
    if left.action != "none":
        method = "PUT" if the_plan.action in ("create", "repair") else "PATCH"
        still = left.message if left.action == "error" else _what(left)
        raise ArmError(0, "WriteNotApplied", "the %s of account %r was accepted, but the account Azure returned afterwards "
                                             "does not show the change (still to do: %s); nothing more was sent" % (method, name, still))


def _what(the_plan):
    body = the_plan.body or {}
    fields = [key for key in ("location", "sku", "tags") if key in body] + \
        [key for key in ("description",) if key in (body.get("properties") or {})]
    return "%s of %s" % (the_plan.action, ", ".join(fields) or "the account")


def _finish(client, path, response, wait, wait_timeout, predicted):
    """The account as Azure returned it, after waiting for an asynchronous operation when asked to."""
    if wait:
        body = client.wait(response, wait_timeout, resource_path=path)
    else:
        body = response.body
    # A body-less asynchronous answer (wait=false) has nothing to show: fall back to the prediction.
    return _checked(body, "%s %s" % (getattr(response, "method", None) or "write", path)) if body else predicted


class DeleteSkipped(AzureMLError):
    """A purge re-checked the account right before deleting it and found it no longer in scope: nothing was sent."""

    default_code = "DeleteSkipped"


def _still(recheck, account):
    reason = recheck(account) if recheck is not None and account is not None else None
    if reason:
        raise DeleteSkipped(reason)
    return account


def ensure_absent(client, subscription_id, resource_group, name, check_mode, wait, wait_timeout, listed=NOT_READ, recheck=None):
    """Delete the account when it exists. Returns ``(changed, {}, diff)``.

    A missing resource group means the account is not there: no failure. An account that existed at the first
    GET and is gone at the end was changed, even when the DELETE's own answer was lost (the retry sees 204).

    A purge passes ``listed`` (the account as its list answer showed it, instead of the first GET) and
    ``recheck(account)``, the reason the account must no longer be deleted, or None. Then the DELETE is
    conditional: ``If-Match`` with the etag it was planned from, and a 412 re-reads the account and re-checks it;
    without an etag the account is read again right before the DELETE. A failed re-check raises DeleteSkipped.
    """
    path = account_path(subscription_id, resource_group, name)
    first = _still(recheck, _first(client, path, listed))
    if first is None:
        return False, {}, diff_view(None, None)
    current = first
    if is_running(current):
        if not wait and (provisioning_state_of(current) or "").lower() == "deleting":
            return False, first, diff_view(first, first)  # someone else's DELETE is under way; not waiting for it
        current = _still(recheck, _settle(client, path, current, wait, wait_timeout, name))
        if current is None:
            return True, {}, diff_view(first, None)
    if check_mode:
        return True, {}, diff_view(first, None)
    for attempt in range(MAX_ROUNDS):
        guard = None
        if recheck is not None:
            if current.get("etag"):
                guard = {"If-Match": current["etag"]}
            else:  # nothing makes the DELETE conditional: the freshest read decides
                current = _still(recheck, _read(client, path))
                if current is None:
                    return False, {}, diff_view(first, None)  # someone else deleted it before this task sent anything
        try:
            response = client.request("DELETE", path, headers=guard)
            if wait:
                client.wait(response, wait_timeout, resource_path=path, deleting=True)
        except ArmError as err:
            if err.status == 412 and guard is not None:  # changed since it was planned: read, re-check, try again
                _conflict_pause(client, attempt)
                current = _still(recheck, _read(client, path))
                if current is None:
                    return False, {}, diff_view(first, None)
                continue
            if err.status != 404:
                raise _with_changed(err, client, path, first)
            return True, {}, diff_view(first, None)  # gone since our GET (our own lost DELETE, or someone else's)
        return True, {}, diff_view(first, None)
    raise ArmError(412, "PreconditionFailed", "account %r changed under this task %d times in a row (other writers); "
                                              "it was not deleted" % (name, MAX_ROUNDS))


def get_accounts(client, subscription_id, resource_group=None, name=None, tag_filters=None):
    """The accounts for account_info: one account, a resource group's, or the subscription's.

    A missing account or resource group gives an empty list.
    """
    if name is not None:
        account = _read(client, account_path(subscription_id, resource_group, name))
        accounts = [account] if account is not None else []
    else:
        where = "the list %s" % accounts_path(subscription_id, resource_group)
        try:
            accounts = [_checked(item, where) for item in client.list_all(accounts_path(subscription_id, resource_group))]
        except ArmError as err:
            if err.status == 404 and err.code == RESOURCE_GROUP_MISSING_CODE:
                accounts = []
            else:
                raise
    return [a for a in accounts if matches_tag_filters(a, tag_filters)]
