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
from collections import namedtuple

from ansible_collections.azureml.model_management.plugins.module_utils.arm import ArmError, invalid_response, printable
from ansible_collections.azureml.model_management.plugins.module_utils.arm_errors import is_running
from ansible_collections.azureml.model_management.plugins.module_utils.account_scope import listed_account_problem
from ansible_collections.azureml.model_management.plugins.module_utils.errors import AzureMLError
from ansible_collections.azureml.model_management.plugins.module_utils.account_model import (
    ACCOUNT_MISSING_CODES,
    FIELDS,
    RESOURCE_GROUP_MISSING_CODE,
    AccountError,
    account_path,
    account_problem,
    accounts_path,
    diff_view,
    needs_repair,
    plan_present,
    predicted,
    provisioning_state_of,
    written_units,
)
from ansible_collections.azureml.model_management.plugins.module_utils.tagging import matches_tag_filters, tags_path, tags_to_merge

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

    Only the fields the write changes count, each compared as the plan compares it (``Field.shows``): existence
    (create, delete), each managed field (each tag added, changed or removed), and the provisioning state (a repair,
    or an operation this write may have started: running, or ended Failed). What someone else changed alongside does
    not count.
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
    if any(field.shows(field.read(before), field.read(expected), field.read(now)) for field in FIELDS.mutable):
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


# -- how a task runs ---------------------------------------------------------------------------------------------------

# Where the account is travels as an ``account_model.AccountId``; how the task runs, as one of these.
RunOptions = namedtuple("RunOptions", ["check_mode", "wait", "wait_timeout"])


# -- waiting for someone else's operation (and for this task's own) ----------------------------------------------------

class _Settle(object):
    """``wait: true``, a real run: someone else's operation is waited for (GETs only, within ``wait_timeout``) before
    planning, and this task's own asynchronous writes to their end."""

    waits = True

    def __init__(self, client, path, name, wait_timeout):
        self.client = client
        self.path = path
        self.name = name
        self.wait_timeout = wait_timeout
        self.deadline = None  # one deadline for every 409 of the task, from the first

    def running(self, current):
        """``(account, None)``: the account once it is no longer Creating / Updating / Deleting (None if it went away)."""
        from ansible_collections.azureml.model_management.plugins.module_utils import arm_wait

        return _checked(arm_wait.settle(self.client, self.path, self.wait_timeout), "GET %s" % self.path), None

    def may_write(self, current):
        """Nothing to refuse: the operation was waited for."""

    def refused(self, err):
        """A write refused with 409 AnotherOperationInProgress: the account once that operation has ended, to plan
        again; or ``err`` raised when ``wait_timeout`` is spent."""
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

    def answer(self, response, deleting=False):
        """The body of this task's write once its operation has ended."""
        return self.client.wait(response, self.wait_timeout, resource_path=self.path, deleting=deleting)


class _NoWait(object):
    """``wait: false``: nothing is waited for. A running operation is planned around (the account as it will leave it):
    when no write is needed the task is done; a needed write is refused, as is a write refused with 409."""

    waits = False
    predicts = False  # the result shows the account as it is now, not as the running operation will leave it

    def __init__(self, name):
        self.name = name

    def running(self, current):
        """``(account, state)``: the account as its operation should leave it, and that operation's state."""
        return _once_finished(current), provisioning_state_of(current)

    def may_write(self, current):
        raise AccountError("account %r is %s (provisioningState): it cannot be changed until that finishes; run again later "
                           "or with wait: true to wait for it" % (self.name, provisioning_state_of(current)))

    def refused(self, err):
        err.message = "%s (another operation is in progress on account %r; run again later or with wait: true to wait for it)" \
            % (err.message, self.name)
        raise err

    def answer(self, response, deleting=False):
        return response.body


class _CheckMode(_NoWait):
    """Check mode (kubernetes.core's ``DummyWaiter``): never waits and sends nothing; it plans on the account as a
    running operation should leave it and predicts the write a real run would send once that operation has ended."""

    predicts = True

    def may_write(self, current):
        """A real run would wait for the operation, then write."""


def _once_finished(account):
    """The account as a running operation should leave it, for a task that does not wait: a Deleting account gone, any
    other with its fields as they are and the operation's state dropped (Succeeded)."""
    if (provisioning_state_of(account) or "").lower() == "deleting":
        return None
    properties = dict(account.get("properties") or {})
    properties.pop("provisioningState", None)
    return dict(account, properties=properties)


def waiter_for(client, account_id, options):
    """What the task does about running operations: ``wait: false`` never waits (``_NoWait``, in check mode too), check
    mode never waits either (``_CheckMode``), a real run with ``wait: true`` does (``_Settle``)."""
    if not options.wait:
        return _NoWait(account_id.name)
    if options.check_mode:
        return _CheckMode(account_id.name)
    return _Settle(client, account_path(*account_id), account_id.name, options.wait_timeout)


# -- the rounds of a conditional write ---------------------------------------------------------------------------------

class _ConditionalWrite(object):
    """The one driver of a task's rounds on one account; ``_Present`` and ``_Absent`` say what a round is.

    A round: ``plan_round(current)`` returns the Outcome when nothing (more) is to be sent, else ``send()`` sends the
    write and ``finish(answer)`` gives the Outcome. After a refused write the driver decides: a 412 on a conditional
    write (``conditional()``: the account changed since it was read) reads it again (``reread()``) and plans again, at
    most MAX_ROUNDS times after a jittered pause (then ``gives_up(current)`` says what was not done); a 409
    AnotherOperationInProgress waits for that operation through the waiter (``after_others`` takes the account it
    leaves) and plans again; any other error fails the task saying what it wrote (``_Writes.failed``).
    """

    def __init__(self, client, account_id, options):
        self.client = client
        self.account_id = account_id
        self.options = options
        self.path = account_path(*account_id)
        self.writes = _Writes(client, self.path)
        self.waiter = waiter_for(client, account_id, options)

    def run(self, current):
        conflicts = 0
        while True:
            done = self.plan_round(current)
            if done is not None:
                return done
            try:
                answer = self.send()
            except ArmError as err:
                current, conflicts = self.recover(err, conflicts)
                continue
            return self.finish(answer)

    def recover(self, err, conflicts):
        """``(account, conflicts)`` to plan the next round on after ``err`` refused the write, or the task's error raised."""
        if err.status == 412 and self.conditional():
            self.writes.ended(err)
            _conflict_pause(self.client, conflicts)
            current = self.reread()
            gave_up = self.gives_up(current) if conflicts + 1 >= MAX_ROUNDS else None
            if gave_up:
                raise self.writes.failed(ArmError(412, "PreconditionFailed", "account %r changed under this task %d times in a row "
                                                  "(other writers); %s" % (self.account_id.name, MAX_ROUNDS, gave_up)), current)
            return current, conflicts + 1
        if not _busy(err):
            raise self.writes.failed(err)
        self.writes.ended(err)
        try:
            return self.after_others(self.waiter.refused(err)), conflicts
        except AzureMLError as final:
            raise self.writes.failed(final)

    def plan_round(self, current):
        raise NotImplementedError

    def send(self):
        raise NotImplementedError

    def finish(self, answer):
        raise NotImplementedError

    def conditional(self):
        raise NotImplementedError

    def reread(self):
        raise NotImplementedError

    def gives_up(self, current):
        raise NotImplementedError

    def after_others(self, account):
        raise NotImplementedError

    def running(self, current):
        """``(account to plan on, busy state or None)`` for an account running someone else's operation."""
        try:
            return self.waiter.running(current)
        except AzureMLError as err:
            raise self.writes.failed(err, current)

    def may_write(self, current):
        """A write is needed on an account whose operation was not waited for: the waiter may refuse it."""
        try:
            self.waiter.may_write(current)
        except AzureMLError as err:
            raise self.writes.failed(err, current)


# -- state: present ---------------------------------------------------------------------------------------------------

class _Present(_ConditionalWrite):
    """The rounds of ``ensure_present``: plan on the account (a Failed one is repaired), then one write (or a PATCH and
    a Tags API merge without an etag)."""

    def __init__(self, client, account_id, desired, options):
        super(_Present, self).__init__(client, account_id, options)
        self.desired = desired
        self.current = self.plan = self.expected = None

    def conditional(self):
        return True  # every write of a present task is conditional, or merges on the server

    def reread(self):
        return _read(self.client, self.path, list(ACCOUNT_MISSING_CODES))

    def gives_up(self, current):
        return "nothing more was written, run the task again"

    def after_others(self, account):
        return account

    def plan_round(self, current):
        planned_on, busy = current, None
        if is_running(current):
            planned_on, busy = self.running(current)
            if busy is None:  # waited for it
                current = planned_on
        self.current = current
        the_plan = plan_present(self.desired, planned_on, self.account_id.name)
        if the_plan.action == "error":
            raise self.writes.failed(AccountError(the_plan.message), current)
        if the_plan.action == "none":
            return self.writes.outcome(current, busy=busy)
        if busy is not None:
            self.may_write(current)
        self.plan, self.expected = the_plan, predicted(the_plan, planned_on, self.account_id)
        if self.options.check_mode:
            return Outcome(True, self.expected, diff_view(current, self.expected), the_plan.action, busy)
        return None

    def send(self):
        """Send the plan's write(s); the account as Azure has it afterwards (or the prediction when not waiting).

        ``writes`` hears of each write before it is sent (and of each completed one but the last, which ``finish``
        completes after checking it)."""
        action, current, expected = self.plan.action, self.current, self.expected
        if action == "create":
            return self._write("PUT", "the PUT that creates the account", self.plan.body, {"If-None-Match": "*"})
        guard = {"If-Match": current["etag"]} if current.get("etag") else None
        if action == "repair":
            return self._write("PUT", "the PUT that repairs the account", self.plan.body, guard)
        body = self.plan.body
        if guard or "tags" not in body or not self.desired.get("append_tags", True):
            return self._write("PATCH", "the PATCH of %s" % _fields(body), body, guard)
        # No etag to guard a PATCH of the whole tag set: fields by PATCH, tags merged on the server.
        account, rest = current, dict((key, value) for key, value in body.items() if key != "tags")
        if written_units(rest):
            account = self._write("PATCH", "the PATCH of %s" % _fields(rest), rest, None, dict(expected, tags=current.get("tags")))
            self.writes.done()
        return self._merge_tags(account, body["tags"])

    def _write(self, method, what, body, headers, expected=None):
        self.writes.send(what, self.current, self.expected if expected is None else expected, self.plan.action)
        response = self.client.request(method, self.path, body=body, headers=headers)
        self.writes.accepted()
        answer = self.waiter.answer(response)
        # A body-less asynchronous answer (wait=false) has nothing to show: fall back to the prediction.
        return _checked(answer, "%s %s" % (getattr(response, "method", None) or "write", self.path)) if answer else self.expected

    def _merge_tags(self, account, tags):
        merge = tags_to_merge(self.current.get("tags"), tags)
        self.writes.send("the Tags API merge of tag%s %s" % ("s" if len(merge) > 1 else "", ", ".join(sorted(merge))), account,
                         dict(account, tags=tags), self.plan.action)
        merged = self.client.request("PATCH", tags_path(self.path), body={"operation": "Merge", "properties": {"tags": merge}})
        self.writes.accepted()
        properties = merged.body.get("properties")
        answered = properties.get("tags") if isinstance(properties, dict) else None
        if not isinstance(answered, dict):
            raise invalid_response("PATCH %s answered without properties.tags" % tags_path(self.path))
        return _checked(dict(account, tags=answered), "PATCH %s" % tags_path(self.path))

    def finish(self, answer):
        """``answer``: the account as Azure has it after the write (or the prediction when not waiting)."""
        if self.waiter.waits:
            problem = _not_applied(self.plan, self.desired, answer, self.account_id.name)
            if problem is not None:
                raise self.writes.failed(problem, answer)
        self.writes.done()
        return self.writes.outcome(answer)


def ensure_present(client, account_id, desired, options, listed=NOT_READ):
    """Make the account ``account_id`` (an ``account_model.AccountId``) match ``desired``, as ``options`` (the
    ``RunOptions``) say. Returns an ``Outcome`` (unpacks as ``(changed, account, diff)``).

    A missing resource group fails (404 ResourceGroupNotFound), in check mode too. An impossible change (location,
    missing create options, a Failed account that cannot be repaired) raises AccountError before any write. ``listed``
    is the account as a list answer showed it (None: not in the list), used instead of the first GET; its etag guards
    the write as a GET's would. Not waiting (check mode, or ``wait`` false) for someone else's operation, it plans on
    the account as that operation should leave it (``Outcome.busy``; a Deleting account counts as gone); with ``wait``
    false one that needs a write fails (AccountError), in check mode too."""
    task = _Present(client, account_id, desired, options)
    return task.run(_first(client, task.path, listed, list(ACCOUNT_MISSING_CODES)))


def _fields(body):
    return ", ".join(written_units(body)) or "the account"


def _not_applied(the_plan, desired, account, name):
    """A write that was accepted must show in the account Azure returns at the end: the error when it does not."""
    left = plan_present(desired, account, name)
    if left.action == "none":
        return None
    method = "PUT" if the_plan.action in ("create", "repair") else "PATCH"
    still = left.message if left.action == "error" else "%s of %s" % (left.action, _fields(left.body or {}))
    return ArmError(0, "WriteNotApplied", "the %s of account %r was accepted, but the account Azure returned afterwards "
                                          "does not show the change (still to do: %s); nothing more was sent" % (method, name, still))


# -- state: absent ----------------------------------------------------------------------------------------------------

class DeleteSkipped(AzureMLError):
    """A purge re-checked the account right before deleting it and found it no longer in scope: nothing was sent."""

    default_code = "DeleteSkipped"


class _Absent(_ConditionalWrite):
    """The rounds of ``ensure_absent``: one DELETE, conditional for a purge or a declared absent (``recheck`` given)."""

    def __init__(self, client, account_id, options, recheck):
        super(_Absent, self).__init__(client, account_id, options)
        self.recheck = recheck
        self.current = self.guard = None

    def still(self, account):
        """``account``, unless the purge's re-check says it must no longer be deleted (``DeleteSkipped``, which asks the
        write ledger whether an earlier attempt of this task's DELETE may have applied)."""
        reason = self.recheck(account) if self.recheck is not None and account is not None else None
        if reason:
            raise self.writes.skipped(reason, account)
        return account

    def conditional(self):
        return self.guard is not None

    def reread(self):
        return self.still(_read(self.client, self.path))

    def gives_up(self, current):
        return "it was not deleted" if current is not None else None

    def after_others(self, account):
        return self.still(account)

    def plan_round(self, current):
        if current is None:
            return self.writes.outcome(None, account={})
        busy = None
        if is_running(current):
            planned_on, busy = self.running(current)
            if busy is None:  # waited for it: plan again on the account as it is now
                return self.plan_round(self.still(planned_on))
            if planned_on is None:  # someone else's DELETE is under way: nothing to do (check mode: it will be gone)
                seen = None if self.waiter.predicts else current
                return Outcome(False, seen or {}, diff_view(seen, seen), busy=busy)
            self.may_write(current)
        if self.options.check_mode:
            return Outcome(True, {}, diff_view(current, None), "delete", busy)
        self.current, self.guard = self._guarded(current)
        return self.plan_round(None) if self.current is None else None  # None: someone else deleted it meanwhile

    def _guarded(self, current):
        """``(account, headers)`` for the DELETE of a purge or a declared absent (``recheck`` given): ``If-Match`` with the
        etag it was planned from; without one, the account read again right now (and re-checked), and the etag of that
        read, so that a change between the read and the DELETE is not lost. The account module's DELETE is unconditional."""
        if self.recheck is None:
            return current, None
        if not current.get("etag"):
            current = self.still(_read(self.client, self.path))
        return current, ({"If-Match": current["etag"]} if current is not None and current.get("etag") else None)

    def send(self):
        self.writes.send("the DELETE", self.current, None, "delete")
        try:
            return self.client.request("DELETE", self.path, headers=self.guard)
        except ArmError as err:
            if err.status != 404:
                raise
            self.writes.ended(err)  # gone since it was read: this task's DELETE whose answer was lost, or someone else's
            return None

    def finish(self, answer):
        """``answer``: the DELETE's response (None: the account was gone when the DELETE reached it)."""
        if answer is None:
            return self.writes.outcome(None, account={})
        if answer.status == 204 and not getattr(answer, "answer_lost", False):
            self.writes.ended(None)  # nothing was left to delete: someone else's DELETE came first
            return self.writes.outcome(None, account={})
        self.writes.accepted()
        try:
            self.waiter.answer(answer, deleting=True)
        except ArmError as err:
            if err.status != 404:  # a 404 while following the DELETE: the account is gone
                raise self.writes.failed(err)
        self.writes.done()
        return self.writes.outcome(None, account={})


def ensure_absent(client, account_id, options, listed=NOT_READ, recheck=None):
    """Delete the account ``account_id`` when it exists (``options``: the ``RunOptions``). Returns an ``Outcome``
    (unpacks as ``(changed, {}, diff)``).

    A missing resource group means the account is not there: no failure. A DELETE answered 204 or 404 found nothing
    to delete (someone else deleted the account after the GET): no change, unless an earlier attempt of that DELETE
    lost its answer (then it was probably ours). Check mode does not wait for a running operation (``Outcome.busy``).

    A purge passes ``listed`` (the account as its list answer showed it, instead of the first GET) and
    ``recheck(account)``, the reason the account must no longer be deleted, or None. Then the DELETE is
    conditional: ``If-Match`` with the etag it was planned from, and a 412 re-reads the account and re-checks it;
    without an etag the account is read again right before the DELETE, which then carries the etag of that read. A
    failed re-check raises DeleteSkipped.
    """
    task = _Absent(client, account_id, options, recheck)
    return task.run(task.still(_first(client, task.path, listed)))


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
