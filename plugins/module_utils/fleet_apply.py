# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Applying a fleet plan: only the writes, ``concurrency`` at a time, each through the one-account service.

Every write goes through ``account_service`` with the account as its list showed it (``listed=``), so it is
conditional on what was read: ``If-None-Match: *`` for a create, ``If-Match`` with the listed etag for a change or a
delete, a 412 re-reads that one account and plans it again. A purge's DELETE re-checks the account right before it is
sent (``PurgeScope.recheck``): one that left the scope in the meantime is skipped, not deleted. One account's failure
is its own result; the others go on. An account still running someone else's operation is handed to the service,
which waits for it (``wait``) before planning again.

Check mode goes through the same service calls with ``check_mode=True``: they send nothing when given the listed
account, never wait, and predict exactly what the ``account`` module's check mode predicts (a Deleting account counts
as gone). ``Applied`` is what happened to one item: ``changed`` (this run wrote, may have written, or in check mode
would write), what it wrote (``action``), its diff, and the error or the reason a purge was skipped.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from ansible_collections.azureml.model_management.plugins.module_utils.account_service import DeleteSkipped, RunOptions, ensure_absent, ensure_present
from ansible_collections.azureml.model_management.plugins.module_utils.errors import AzureMLError
from ansible_collections.azureml.model_management.plugins.module_utils.fleet_plan import WRITE_ACTIONS


class Applied(object):
    def __init__(self, changed=False, action="none", diff=None, error=None, skipped=None, busy=None):
        self.changed = changed
        self.action = action  # what was (or in check mode would be) written: create, update, repair, delete, purge, none
        self.diff = diff
        self.error = error  # a dict (AzureMLError.to_dict) when the account failed
        self.skipped = skipped  # why a purge was not sent after its re-check
        self.busy = busy  # the provisioningState of someone else's operation that check mode did not wait for


def needs_service(item):
    """A write is planned, or the account is busy with someone else's operation (the plan may change once it ends)."""
    if item.error is not None or item.note is not None or item.withheld:
        return False
    return item.action in WRITE_ACTIONS or item.busy


def _declared_delete_recheck(_account):
    """A declared ``absent`` is explicit: no re-check, but the DELETE is still conditional on the etag it was planned from."""
    return None


def apply_one(client, subscription_id, item, scope, check_mode, wait, wait_timeout):
    """The ``Applied`` of one item; never raises for an error of that account. Check mode never waits."""
    account_id, options = item.account_id(subscription_id), RunOptions(check_mode, wait, wait_timeout)
    try:
        if item.action == "purge":
            outcome = ensure_absent(client, account_id, options, listed=item.current, recheck=scope.recheck(account_id))
        elif item.declared_absent:
            outcome = ensure_absent(client, account_id, options, listed=item.current, recheck=_declared_delete_recheck)
        else:
            outcome = ensure_present(client, account_id, item.desired, options, listed=item.current)
    except DeleteSkipped as skipped:  # changed when an earlier attempt of its DELETE may have applied
        return Applied(changed=skipped.changed, action=item.action, skipped=str(skipped))
    except AzureMLError as err:
        return Applied(changed=err.changed, action=item.action, error=err.to_dict())
    except Exception as exc:  # pylint: disable=broad-except  # one account's bug must not hide the others' results
        return Applied(changed=True, action=item.action,
                       error=dict(status=0, code="UnexpectedError", message="%s: %s" % (type(exc).__name__, exc)))
    action = outcome.action if outcome.changed else item.action
    if item.action == "purge" and action == "delete":
        action = "purge"
    return Applied(changed=outcome.changed, action=action, diff=outcome.diff, busy=outcome.busy)


def work_of(items):
    """The indexes of the items that go to the service: what a run has to do."""
    return [index for index, item in enumerate(items) if needs_service(item)]


def apply_plan(client, subscription_id, items, scope, concurrency, check_mode, wait, wait_timeout, on_done=None):
    """{index in ``items``: Applied} for the items that need the service, ``concurrency`` workers sharing ``client``
    (one in check mode, which sends nothing). ``on_done(applied)`` is called as each one ends, from its worker (the
    run's progress)."""
    work = work_of(items)
    if not work:
        return {}

    def one(index):
        applied = apply_one(client, subscription_id, items[index], scope, check_mode, wait, wait_timeout)
        if on_done is not None:
            on_done(applied)
        return applied

    workers = 1 if check_mode else max(1, min(concurrency, len(work)))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return dict(zip(work, pool.map(one, work)))
