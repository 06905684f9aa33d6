# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Applying a fleet plan: only the writes, ``concurrency`` at a time, each through the one-account service.

Every write goes through ``account_service`` with the account as its list showed it (``listed=``), so it is
conditional on what was read: ``If-None-Match: *`` for a create, ``If-Match`` with the listed etag for a change or a
delete, a 412 re-reads that one account and plans again. A purge's DELETE re-checks the account right before it is
sent (``PurgeScope.recheck``): one that left the scope in the meantime is skipped, not deleted. One account's failure
is its own result; the others go on. An account still running someone else's operation is handed to the service,
which waits for it (``wait``) before planning again.

``Outcome`` is what happened to one item: ``changed`` (this run wrote, or may have written), the account afterwards,
its diff, and the error or the reason it was skipped.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from ansible_collections.azureml.model_management.plugins.module_utils.account_service import DeleteSkipped, ensure_absent, ensure_present
from ansible_collections.azureml.model_management.plugins.module_utils.errors import AzureMLError
from ansible_collections.azureml.model_management.plugins.module_utils.fleet_plan import WRITE_ACTIONS


class Outcome(object):
    def __init__(self, changed=False, account=None, diff=None, error=None, skipped=None):
        self.changed = changed
        self.account = account
        self.diff = diff
        self.error = error  # a dict (AzureMLError.to_dict) when the write failed
        self.skipped = skipped  # why a purge was not sent after its re-check


def needs_service(item):
    """A write is planned, or the account is busy with someone else's operation (the plan may change once it ends)."""
    if item.error is not None or item.note is not None:
        return False
    return item.action in WRITE_ACTIONS or item.busy


def _declared_delete_recheck(_account):
    """A declared ``absent`` is explicit: no re-check, but the DELETE is still conditional on the etag it was planned from."""
    return None


def apply_one(client, subscription_id, item, scope, wait, wait_timeout):
    """The ``Outcome`` of one item; never raises for an error of that account."""
    common = dict(client=client, subscription_id=subscription_id, resource_group=item.resource_group, name=item.name,
                  check_mode=False, wait=wait, wait_timeout=wait_timeout, listed=item.current)
    try:
        if item.action == "purge":
            changed, account, diff = ensure_absent(recheck=scope.recheck(item.account_id(subscription_id)), **common)
        elif item.declared_absent:
            changed, account, diff = ensure_absent(recheck=_declared_delete_recheck, **common)
        else:
            changed, account, diff = ensure_present(desired=item.desired, **common)
    except DeleteSkipped as skipped:
        return Outcome(skipped=str(skipped))
    except AzureMLError as err:
        return Outcome(changed=err.changed, error=err.to_dict())
    except Exception as exc:  # pylint: disable=broad-except  # one account's bug must not hide the others' results
        return Outcome(changed=True, error=dict(status=0, code="UnexpectedError", message="%s: %s" % (type(exc).__name__, exc)))
    return Outcome(changed=changed, account=account, diff=diff)


def apply_plan(client, subscription_id, items, scope, concurrency, wait, wait_timeout):
    """{index in ``items``: Outcome} for the items that need the service, ``concurrency`` workers sharing ``client``."""
    work = [index for index, item in enumerate(items) if needs_service(item)]
    if not work:
        return {}
    with ThreadPoolExecutor(max_workers=max(1, min(concurrency, len(work)))) as pool:
        outcomes = pool.map(lambda index: apply_one(client, subscription_id, items[index], scope, wait, wait_timeout), work)
        return dict(zip(work, outcomes))
