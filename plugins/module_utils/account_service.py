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

Plus the polling requests of ``client.wait`` when a write answers asynchronously and ``wait`` is true, and GETs
while someone else's operation runs on the account (a Creating / Updating / Deleting account, or a write refused
with 409 AnotherOperationInProgress); check mode never waits for those. A write computed from a GET is a bet that
nobody wrote in between: it is conditional (``If-Match`` / ``If-None-Match``) or merges on the server (the Tags
API), and a 412 re-reads, re-plans and tries again (at most ``MAX_ROUNDS`` times, with jitter).

``changed`` means "this task wrote, or may have written" (``_Writes``): true once a write of this task was
applied; a definite refusal (a 4xx with no lost answer before it) applied nothing; a write whose answer was lost
(a transport failure after sending, a 5xx, an unusable answer, a failed or timed-out wait) counts when the account
read afterwards shows any part of what the task meant to write. Other writers' changes never count.
"""

from __future__ import annotations

import random

from ansible_collections.azureml.model_management.plugins.module_utils.arm import ArmError, invalid_response, printable
from ansible_collections.azureml.model_management.plugins.module_utils.account_scope import listed_account_problem
from ansible_collections.azureml.model_management.plugins.module_utils.errors import AzureMLError
from ansible_collections.azureml.model_management.plugins.module_utils.account_model import (
    ACCOUNT_MISSING_CODES,
    RESOURCE_GROUP_MISSING_CODE,
    AccountError,
    account_path,
    account_problem,
    accounts_path,
    current_description,
    diff_view,
    is_running,
    needs_repair,
    plan_present,
    predicted,
    provisioning_state_of,
    same_sku_name,
)
from ansible_collections.azureml.model_management.plugins.module_utils.tagging import lower_tags, matches_tag_filters, tags_path, tags_to_merge

MAX_ROUNDS = 5
NOT_READ = object()  # ``listed`` default: no list answer, the task reads the account itself
CONFLICT_BACKOFF = 1.0  # seconds: the upper bound of the first jittered pause after a 412; doubles each round
BUSY_CODE = "AnotherOperationInProgress"  # a 409 with this code: an operation runs on the account (wait, then re-plan)


class Outcome(tuple):
    """What ``ensure_present`` / ``ensure_absent`` did. Unpacks as ``(changed, account, diff)``; also names the
    ``action`` (create, update, repair, delete, or none: what this task wrote, or in check mode would write) and
    ``busy``: the provisioningState of someone else's operation that check mode did not wait for, else None."""

    def __new__(cls, changed, account, diff, action="none", busy=None):
        self = tuple.__new__(cls, (changed, account, diff))
        self.action = action if changed else "none"
        self.busy = busy
        return self

    @property
    def changed(self):
        return self[0]

    @property
    def account(self):
        return self[1]

    @property
    def diff(self):
        return self[2]


def as_reported(account):
    """The account as the modules return it: ``properties.provisioningState`` is Succeeded when Azure omits it (ARM's
    contract: an absent state means Succeeded), so ``provisioning_state == 'Succeeded'`` holds for healthy accounts.
    Only the result changes; comparisons, plans and diffs use the account as Azure sent it."""
    if not account:
        return account
    result = dict(account)
    properties = dict(account.get("properties") or {})
    properties.setdefault("provisioningState", provisioning_state_of(account) or "Succeeded")
    if properties["provisioningState"] is None:
        properties["provisioningState"] = "Succeeded"
    result["properties"] = properties
    return result


def _checked(account, where):
    problem = account_problem(account) if account is not None else None
    if problem:
        raise invalid_response("%s: %s" % (where, problem))
    return account


def _read(client, path, missing_codes=None):
    return _checked(client.get_or_none(path, missing_codes=missing_codes), "GET %s" % path)


def _conflict_pause(client, attempt):
    client.pause(random.random() * CONFLICT_BACKOFF * (2 ** attempt))


def _first(client, path, listed, missing_codes=None):
    """The account the task starts from: ``listed`` (a fleet plans from list answers) or one GET."""
    if listed is NOT_READ:
        return _read(client, path, missing_codes)
    return _checked(listed, "the list answer for %s" % path)


def _definite(err):
    """A refusal that applied nothing: a 4xx, with no earlier attempt whose answer was lost."""
    return 400 <= err.status < 500 and not getattr(err, "answer_lost", False)


def _busy(err):
    return err.status == 409 and (err.code or "").lower() == BUSY_CODE.lower() and _definite(err)


# -- what one task wrote ---------------------------------------------------------------------------------------------

def shows_write(before, expected, now):
    """True when ``now`` shows any part of the write that was to turn ``before`` into ``expected``.

    Only the fields the write changes count, each compared as the plan compares it: existence (create, delete), the
    SKU, the description, each tag added, changed or removed, and the provisioning state (a repair, or an operation
    this write may have started: running, or ended Failed). What someone else changed alongside does not count.
    """
    if not before or not expected:
        if bool(before) == bool(expected):
            return False
        if expected:  # a create: the account exists, in whatever state
            return bool(now)
        # a delete: gone, going, or another account of that name now (deleted, then created again by someone)
        return not now or (provisioning_state_of(now) or "").lower() == "deleting" or _replaced(before, now)
    if not now:
        return False
    sku_b, sku_e, sku_n = before.get("sku") or {}, expected.get("sku") or {}, now.get("sku") or {}
    if not same_sku_name(sku_e.get("name"), sku_b.get("name")) and same_sku_name(sku_n.get("name"), sku_e.get("name")):
        return True
    if sku_e.get("capacity") != sku_b.get("capacity") and sku_n.get("capacity") == sku_e.get("capacity"):
        return True
    if current_description(expected) != current_description(before) and current_description(now) == current_description(expected):
        return True
    tags_b, tags_e, tags_n = lower_tags(before.get("tags")), lower_tags(expected.get("tags")), lower_tags(now.get("tags"))
    if any(tags_b.get(k) != v and tags_n.get(k) == v for k, v in tags_e.items()):
        return True
    if any(k not in tags_e and k not in tags_n for k in tags_b):
        return True
    state_b, state_n = (provisioning_state_of(before) or "Succeeded").lower(), (provisioning_state_of(now) or "Succeeded").lower()
    return state_n != state_b and (is_running(now) or needs_repair(now) or needs_repair(before))


def _replaced(before, now):
    """True when ``now`` may be another account than ``before`` under the same name (deleted and created again since): its
    createdOn differs; without createdOn on both, its etag differs or cannot be compared."""
    created = [((account.get("properties") or {}).get("createdOn")) for account in (before, now)]
    if all(created):
        return created[0] != created[1]
    return not (before.get("etag") and before.get("etag") == now.get("etag"))


class _Writes(object):
    """The writes one task sent, for ``changed``, the action, the diff's ``before`` and a part-way failure's message.

    Each write is announced (``send``) and then ``done`` (applied), or ``ended`` by an error: a definite refusal
    applied nothing, any other end leaves it doubtful, judged later against the account as read afterwards.
    """

    def __init__(self, client, path):
        self.client = client
        self.path = path
        self.applied = []   # what: the writes that completed
        self.doubtful = []  # (what, before, expected, action): the writes whose answer was lost
        self.before = NOT_READ
        self.action = "none"
        self.sending = None
        self.sent_accepted = False

    def send(self, what, before, expected, action):
        """Right before a write: ``what`` it is, the account it was planned on, the account it should give."""
        self.sending = (what, before, expected, action)
        self.sent_accepted = False
        if self.before is NOT_READ:
            self.before = before

    def accepted(self):
        """The write in flight was answered with a success: whatever ends it now (a failed wait, an unusable answer)
        is not a refusal of the write."""
        self.sent_accepted = True

    def done(self):
        self.applied.append(self.sending[0])
        self.action = self.sending[3]
        self.sending = None

    def ended(self, err):
        """The write in flight ended with ``err`` (None: a DELETE answered 204, there was nothing left to delete)."""
        if self.sending is None:
            return
        if err is None or (isinstance(err, ArmError) and _definite(err) and not self.sent_accepted):
            if not self.applied and not self.doubtful:
                self.before = NOT_READ  # nothing of this task is on the account: the diff starts from the next read
        else:
            self.doubtful.append(self.sending)
        self.sending = None

    def _shown(self, now):
        return [entry for entry in self.doubtful if shows_write(entry[1], entry[2], now)]

    def skipped(self, reason, now):
        """The ``DeleteSkipped`` of a purge whose re-check failed on ``now``, with ``changed`` true when an earlier attempt
        of this task's DELETE lost its answer and ``now`` shows it may have been applied."""
        skipped = DeleteSkipped(reason)
        if self.applied or self._shown(now):
            skipped.changed = True
            skipped.message = "%s; this task's earlier DELETE lost its answer and may have deleted the account that was " \
                              "there before" % reason
        return skipped

    def outcome(self, now, account=None, busy=None):
        """The task's result once ``now`` is the account as it stands (None: gone); ``account`` is what to return."""
        shown = self._shown(now)
        changed = bool(self.applied or shown)
        action = self.action if self.applied else (shown[-1][3] if shown else "none")
        before = self.before if changed and self.before is not NOT_READ else now
        return Outcome(changed, now if account is None else account, diff_view(before, now), action, busy)

    def failed(self, err, now=NOT_READ):
        """``err`` with ``changed`` and, when the task failed part-way, what was applied and what was not.

        ``now`` is the account read afterwards; when a write's answer was lost and it is not given, one GET reads it
        (if that GET fails too, a change cannot be ruled out).
        """
        failing = self.sending
        self.ended(err)
        if self.doubtful and now is NOT_READ:
            try:
                now = _read(self.client, self.path)
            except ArmError:
                err.changed = True
                return err
        shown = self._shown(now) if self.doubtful else []
        err.changed = bool(self.applied or shown)
        if self.applied:
            parts = ["applied: %s" % ", ".join(self.applied)]
            if shown:
                parts.append("may have been applied: %s" % ", ".join(entry[0] for entry in shown))
            refused = [failing[0]] if failing is not None and failing not in self.doubtful else []
            missing = [entry[0] for entry in self.doubtful if entry not in shown] + refused
            if missing:
                parts.append("not applied: %s" % ", ".join(missing))
            err.message = "%s (this task failed part-way; %s)" % (err.message, "; ".join(parts))
        return err


# -- waiting for someone else's operation -------------------------------------------------------------------------------

class _Others(object):
    """Someone else's operation on the account: waited for (GETs only, within ``wait_timeout``) or refused."""

    def __init__(self, client, path, name, wait, wait_timeout):
        self.client = client
        self.path = path
        self.name = name
        self.wait = wait
        self.wait_timeout = wait_timeout
        self.deadline = None  # one deadline for every 409 of the task, from the first

    def refusal(self, current):
        """Why a write cannot be sent now (``wait: false``): someone else's operation is running on the account."""
        return AccountError("account %r is %s (provisioningState): it cannot be changed until that finishes; run again later "
                            "or with wait: true to wait for it" % (self.name, provisioning_state_of(current)))

    def running(self, current):
        """The account once it is no longer Creating / Updating / Deleting (None if it went away)."""
        if not self.wait:
            raise self.refusal(current)
        from ansible_collections.azureml.model_management.plugins.module_utils import arm_wait

        return _checked(arm_wait.settle(self.client, self.path, self.wait_timeout), "GET %s" % self.path)

    def refused(self, err):
        """A write refused with 409 AnotherOperationInProgress: the account once that operation has ended, to plan
        again; or ``err`` raised (with ``wait: false``, or when ``wait_timeout`` is spent)."""
        if not self.wait:
            err.message = "%s (another operation is in progress on account %r; run again later or with wait: true to wait for it)" \
                % (err.message, self.name)
            raise err
        from ansible_collections.azureml.model_management.plugins.module_utils import arm_wait

        if self.deadline is None:
            self.deadline = arm_wait.Deadline(self.client, self.wait_timeout, "waiting for the operation in progress on %s" % self.path)
        try:
            return _checked(arm_wait.settle(self.client, self.path, self.deadline), "GET %s" % self.path)
        except ArmError as timeout:
            if timeout.code != "WaitTimeout":
                raise
            err.message = "%s (another operation was still in progress on account %r after waiting %s seconds: wait_timeout)" \
                % (err.message, self.name, self.wait_timeout)
            raise err


# -- state: present ---------------------------------------------------------------------------------------------------

def ensure_present(client, subscription_id, resource_group, name, desired, check_mode, wait, wait_timeout, listed=NOT_READ):
    """Make the account match ``desired``. Returns an ``Outcome`` (unpacks as ``(changed, account, diff)``).

    A missing resource group fails (404 ResourceGroupNotFound), in check mode too. An impossible change (location,
    missing create options, a Failed account that cannot be repaired) raises AccountError before any write. ``listed``
    is the account as a list answer showed it (None: not in the list), used instead of the first GET; its etag guards
    the write as a GET's would. Not waiting (check mode, or ``wait`` false) for someone else's operation, it plans on
    the account as that operation should leave it (``Outcome.busy``; a Deleting account counts as gone); with ``wait``
    false one that needs a write fails (AccountError), in check mode too."""
    path = account_path(subscription_id, resource_group, name)
    ids = (subscription_id, resource_group, name)
    writes, others = _Writes(client, path), _Others(client, path, name, wait, wait_timeout)
    current = _first(client, path, listed, list(ACCOUNT_MISSING_CODES))
    conflicts = 0
    while True:
        busy, planned_on = None, current
        if is_running(current) and (check_mode or not wait):  # not waiting: plan on the account as that operation leaves it
            busy, planned_on = provisioning_state_of(current), _once_finished(current)
        elif is_running(current):
            try:
                current = planned_on = others.running(current)
            except AzureMLError as err:
                raise writes.failed(err, current)
        the_plan = plan_present(desired, planned_on, name)
        if the_plan.action == "error":
            raise writes.failed(AccountError(the_plan.message), current)
        if the_plan.action == "none":
            return writes.outcome(current, busy=busy)
        if busy is not None and not wait:  # a write is needed, and someone else's operation is not waited for
            raise writes.failed(others.refusal(current), current)
        expected = predicted(the_plan, planned_on, ids)
        if check_mode:
            return Outcome(True, expected, diff_view(current, expected), the_plan.action, busy)
        try:
            account = _apply(client, writes, path, the_plan, current, desired, wait, wait_timeout, expected)
        except ArmError as err:
            if err.status == 412:  # changed since it was planned: read, plan and try again
                writes.ended(err)
                _conflict_pause(client, conflicts)
                conflicts += 1
                current = _read(client, path, list(ACCOUNT_MISSING_CODES))
                if conflicts >= MAX_ROUNDS:
                    raise writes.failed(ArmError(412, "PreconditionFailed", "account %r changed under this task %d times in a row (other "
                                                 "writers); nothing more was written, run the task again" % (name, MAX_ROUNDS)), current)
                continue
            if not _busy(err):
                raise writes.failed(err)
            writes.ended(err)
            try:
                current = others.refused(err)
            except AzureMLError as final:
                raise writes.failed(final)
            continue
        if wait:
            problem = _not_applied(the_plan, desired, account, name)
            if problem is not None:
                raise writes.failed(problem, account)
        writes.done()
        return writes.outcome(account)


def _once_finished(account):
    """The account as a running operation should leave it, for check mode (which does not wait): a Deleting account
    gone, any other with its fields as they are and the operation's state dropped (Succeeded)."""
    if (provisioning_state_of(account) or "").lower() == "deleting":
        return None
    properties = dict(account.get("properties") or {})
    properties.pop("provisioningState", None)
    return dict(account, properties=properties)


def _apply(client, writes, path, the_plan, current, desired, wait, wait_timeout, expected):
    """Send the plan's write(s); return the account as Azure has it afterwards (or the prediction when not waiting).

    ``writes`` hears of each write before it is sent (and of each completed one but the last, which the caller
    completes after checking it)."""
    action = the_plan.action
    if action == "create":
        writes.send("the PUT that creates the account", current, expected, action)
        response = client.request("PUT", path, body=the_plan.body, headers={"If-None-Match": "*"})
        return _finish(client, writes, path, response, wait, wait_timeout, expected)
    etag = current.get("etag")
    guard = {"If-Match": etag} if etag else None
    if action == "repair":
        writes.send("the PUT that repairs the account", current, expected, action)
        response = client.request("PUT", path, body=the_plan.body, headers=guard)
        return _finish(client, writes, path, response, wait, wait_timeout, expected)
    body = the_plan.body
    if etag or "tags" not in body or not desired.get("append_tags", True):
        writes.send("the PATCH of %s" % _fields(body), current, expected, action)
        response = client.request("PATCH", path, body=body, headers=guard)
        return _finish(client, writes, path, response, wait, wait_timeout, expected)
    # No etag to guard a PATCH of the whole tag set: fields by PATCH, tags merged on the server.
    account = current
    rest = dict((key, value) for key, value in body.items() if key != "tags")
    if "sku" in rest or rest.get("properties"):
        writes.send("the PATCH of %s" % _fields(rest), current, dict(expected, tags=current.get("tags")), action)
        response = client.request("PATCH", path, body=rest)
        account = _finish(client, writes, path, response, wait, wait_timeout, expected)
        writes.done()
    merge = tags_to_merge(current.get("tags"), body["tags"])
    writes.send("the Tags API merge of tag%s %s" % ("s" if len(merge) > 1 else "", ", ".join(sorted(merge))), account,
                dict(account, tags=body["tags"]), action)
    merged = client.request("PATCH", tags_path(path), body={"operation": "Merge", "properties": {"tags": merge}})
    writes.accepted()
    tags = (merged.body.get("properties") or {}).get("tags") if isinstance(merged.body.get("properties"), dict) else None
    if not isinstance(tags, dict):
        raise invalid_response("PATCH %s answered without properties.tags" % tags_path(path))
    return _checked(dict(account, tags=tags), "PATCH %s" % tags_path(path))


def _fields(body):
    fields = [key for key in ("sku", "tags") if key in body] + [key for key in ("description",) if key in (body.get("properties") or {})]
    return ", ".join(fields) or "the account"


def _not_applied(the_plan, desired, account, name):
    """A write that was accepted must show in the account Azure returns at the end: the error when it does not."""
    left = plan_present(desired, account, name)
    if left.action == "none":
        return None
    method = "PUT" if the_plan.action in ("create", "repair") else "PATCH"
    still = left.message if left.action == "error" else "%s of %s" % (left.action, _fields(left.body or {}))
    return ArmError(0, "WriteNotApplied", "the %s of account %r was accepted, but the account Azure returned afterwards "
                                          "does not show the change (still to do: %s); nothing more was sent" % (method, name, still))


def _finish(client, writes, path, response, wait, wait_timeout, expected):
    """The account as Azure returned it, after waiting for an asynchronous operation when asked to."""
    writes.accepted()
    if wait:
        body = client.wait(response, wait_timeout, resource_path=path)
    else:
        body = response.body
    # A body-less asynchronous answer (wait=false) has nothing to show: fall back to the prediction.
    return _checked(body, "%s %s" % (getattr(response, "method", None) or "write", path)) if body else expected


# -- state: absent ----------------------------------------------------------------------------------------------------

class DeleteSkipped(AzureMLError):
    """A purge re-checked the account right before deleting it and found it no longer in scope: nothing was sent."""

    default_code = "DeleteSkipped"


def _still(recheck, account, writes):
    """``account``, unless the purge's re-check says it must no longer be deleted (``DeleteSkipped``, which asks the write
    ledger whether an earlier attempt of this task's DELETE may have applied)."""
    reason = recheck(account) if recheck is not None and account is not None else None
    if reason:
        raise writes.skipped(reason, account)
    return account


def _delete_guard(client, path, current, recheck, writes):
    """``(account, headers)`` for the DELETE of a purge or a declared absent (``recheck`` given): ``If-Match`` with the
    etag it was planned from; without one, the account read again right now (and re-checked), and the etag of that
    read, so that a change between the read and the DELETE is not lost. The account module's DELETE is unconditional."""
    if recheck is None:
        return current, None
    if not current.get("etag"):
        current = _still(recheck, _read(client, path), writes)
    return current, ({"If-Match": current["etag"]} if current is not None and current.get("etag") else None)


def ensure_absent(client, subscription_id, resource_group, name, check_mode, wait, wait_timeout, listed=NOT_READ, recheck=None):
    """Delete the account when it exists. Returns an ``Outcome`` (unpacks as ``(changed, {}, diff)``).

    A missing resource group means the account is not there: no failure. A DELETE answered 204 or 404 found nothing
    to delete (someone else deleted the account after the GET): no change, unless an earlier attempt of that DELETE
    lost its answer (then it was probably ours). Check mode does not wait for a running operation (``Outcome.busy``).

    A purge passes ``listed`` (the account as its list answer showed it, instead of the first GET) and
    ``recheck(account)``, the reason the account must no longer be deleted, or None. Then the DELETE is
    conditional: ``If-Match`` with the etag it was planned from, and a 412 re-reads the account and re-checks it;
    without an etag the account is read again right before the DELETE, which then carries the etag of that read. A
    failed re-check raises DeleteSkipped.
    """
    path = account_path(subscription_id, resource_group, name)
    writes, others = _Writes(client, path), _Others(client, path, name, wait, wait_timeout)
    current = _still(recheck, _first(client, path, listed), writes)
    conflicts = 0
    while True:
        if current is None:
            return writes.outcome(None, account={})
        busy = None
        if is_running(current):
            deleting = (provisioning_state_of(current) or "").lower() == "deleting"
            if deleting and not wait:  # someone else's DELETE is under way: not waiting for it, nothing to do
                return Outcome(False, current, diff_view(current, current), busy=provisioning_state_of(current))
            if check_mode and wait:  # check mode does not wait: a Deleting account will be gone, any other deleted
                busy = provisioning_state_of(current)
                if deleting:
                    return Outcome(False, {}, diff_view(None, None), busy=busy)
            else:
                try:
                    current = _still(recheck, others.running(current), writes)
                except AzureMLError as err:
                    raise writes.failed(err, current)
                continue
        if check_mode:
            return Outcome(True, {}, diff_view(current, None), "delete", busy)
        current, guard = _delete_guard(client, path, current, recheck, writes)
        if current is None:
            continue  # someone else deleted it before this task sent anything
        writes.send("the DELETE", current, None, "delete")
        try:
            response = client.request("DELETE", path, headers=guard)
        except ArmError as err:
            if err.status == 412 and guard is not None:  # changed since it was planned: read, re-check, try again
                writes.ended(err)
                _conflict_pause(client, conflicts)
                conflicts += 1
                current = _still(recheck, _read(client, path), writes)
                if conflicts >= MAX_ROUNDS and current is not None:
                    raise writes.failed(ArmError(412, "PreconditionFailed", "account %r changed under this task %d times in a row "
                                                                            "(other writers); it was not deleted" % (name, MAX_ROUNDS)), current)
                continue
            if err.status == 404:  # gone since our GET: our own DELETE whose answer was lost, or someone else's
                writes.ended(err)
                return writes.outcome(None, account={})
            if not _busy(err):
                raise writes.failed(err)
            writes.ended(err)
            try:
                current = _still(recheck, others.refused(err), writes)
            except AzureMLError as final:
                raise writes.failed(final)
            continue
        if response.status == 204 and not getattr(response, "answer_lost", False):
            writes.ended(None)  # nothing was left to delete: someone else's DELETE came first
            return writes.outcome(None, account={})
        writes.accepted()
        if wait:
            try:
                client.wait(response, wait_timeout, resource_path=path, deleting=True)
            except ArmError as err:
                if err.status != 404:  # a 404 while following the DELETE: the account is gone
                    raise writes.failed(err)
        writes.done()
        return writes.outcome(None, account={})


def group_missing(err):
    """True for a 404 ResourceGroupNotFound on the first page of a list: the resource group does not exist.

    The same answer after a page was read (``pages_read``) means the list broke off part-way: an error, since counting
    it as an empty group would plan deletes around accounts that were never seen.
    """
    return err.status == 404 and err.code == RESOURCE_GROUP_MISSING_CODE and not getattr(err, "pages_read", 0)


def get_accounts(client, subscription_id, resource_group=None, name=None, tag_filters=None):
    """The accounts for account_info: one account, a resource group's, or the subscription's, each checked to lie in
    the scope asked for (``account_scope``: an answer about another account fails the task).

    A missing account or resource group gives an empty list.
    """
    if name is not None:
        path = account_path(subscription_id, resource_group, name)
        account = client.get_or_none(path)
        accounts = [_in_scope(account, "GET %s" % path, subscription_id, resource_group, name)] if account is not None else []
    else:
        where = "the list %s" % accounts_path(subscription_id, resource_group)
        try:
            accounts = [_in_scope(item, where, subscription_id, resource_group) for item in client.list_all(accounts_path(subscription_id, resource_group))]
        except ArmError as err:
            if not group_missing(err):
                raise
            accounts = []
    return [a for a in accounts if matches_tag_filters(a, tag_filters)]


def _in_scope(account, where, subscription_id, resource_group=None, name=None):
    problem = listed_account_problem(account, subscription_id, resource_group, name)
    if problem:
        named = " (%s)" % printable(account["id"]) if isinstance(account, dict) and isinstance(account.get("id"), str) else ""
        raise invalid_response("%s answered an account that cannot be trusted%s: %s" % (where, named, problem))
    return account
