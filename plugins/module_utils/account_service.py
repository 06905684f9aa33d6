# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One change to one Model Management Account: GET, then at most one write.

Request sequences (asserted by the integration tests):

=====================  ==========================  ==============
transition             real run                    check mode
=====================  ==========================  ==============
present, unchanged     GET                         GET
absent -> present      GET, PUT (If-None-Match:*)  GET
present, changed       GET, PATCH                  GET
present -> absent      GET, DELETE                 GET
absent, absent         GET                         GET
=====================  ==========================  ==============

Plus the polling requests of ``client.wait`` when a write answers asynchronously and ``wait`` is true,
and one race: a PUT answered 412 (someone created the account after our GET) is followed by a GET
and, when the new account differs from the task, a PATCH (GET, PUT, GET, PATCH).

The client is an ``arm.ArmClient`` (or anything with ``get_or_none``, ``request`` and ``wait``).
"""

from __future__ import annotations

from ansible_collections.azureml.model_management.plugins.module_utils.arm import ArmError
from ansible_collections.azureml.model_management.plugins.module_utils.account_model import (
    ACCOUNT_MISSING_CODES,
    RESOURCE_GROUP_MISSING_CODE,
    AccountError,
    account_path,
    accounts_path,
    diff_output,
    is_running,
    matches_tag_filters,
    plan,
    predicted_after,
)

ASYNC_HEADERS = ("Azure-AsyncOperation", "Location")


def _header(response, name):
    headers = getattr(response, "headers", None) or {}
    value = headers.get(name)
    if value is None and isinstance(headers, dict):
        for key, candidate in headers.items():
            if key.lower() == name.lower():
                return candidate
    return value


def is_async(response):
    """True when a write answered with ARM's asynchronous pattern."""
    if response.status in (201, 202) and any(_header(response, h) for h in ASYNC_HEADERS):
        return True
    return is_running(response.body if isinstance(response.body, dict) else None)


def _finish(client, response, path, wait, wait_timeout, final_get):
    """The account as Azure returned it, after waiting for an asynchronous operation when asked to."""
    body = response.body if isinstance(response.body, dict) else {}
    if not wait or not is_async(response):
        return body
    final = client.wait(response, wait_timeout, final_get_path=path if final_get else None)
    if final is not None and isinstance(final.body, dict):
        return final.body
    return body


def _raise_for_plan(the_plan):
    if the_plan.action == "error":
        raise AccountError(the_plan.message)


def ensure_present(client, subscription_id, resource_group, name, desired, check_mode, wait, wait_timeout):
    """Make the account match ``desired``. Returns ``(changed, account, diff)``.

    A missing resource group fails (404 ResourceGroupNotFound), in check mode too.
    An impossible change (location, missing create options) raises AccountError before any write.
    """
    path = account_path(subscription_id, resource_group, name)
    current = client.get_or_none(path, missing_codes=list(ACCOUNT_MISSING_CODES))
    ids = (subscription_id, resource_group, name)
    return _converge(client, path, ids, desired, current, check_mode, wait, wait_timeout, retry_on_conflict=True)


def _converge(client, path, ids, desired, current, check_mode, wait, wait_timeout, retry_on_conflict):
    the_plan = plan(desired, current, "present", ids[2])
    _raise_for_plan(the_plan)
    if the_plan.action == "none":
        return False, current, diff_output(current, current)
    predicted = predicted_after(the_plan, current, *ids)
    if check_mode:
        return True, predicted, diff_output(current, predicted)
    if the_plan.action == "create":
        try:
            response = client.request("PUT", path, body=the_plan.body, headers={"If-None-Match": "*"})
        except ArmError as err:
            if err.status != 412 or not retry_on_conflict:
                raise
            # Created by someone else between our GET and our PUT: GET it again and continue as an update.
            current = client.get_or_none(path, missing_codes=list(ACCOUNT_MISSING_CODES))
            if current is None:
                raise
            return _converge(client, path, ids, desired, current, check_mode, wait, wait_timeout, retry_on_conflict=False)
    else:
        response = client.request("PATCH", path, body=the_plan.body)
    # A body-less asynchronous answer (wait=false) has nothing to show: fall back to the prediction.
    account = _finish(client, response, path, wait, wait_timeout, final_get=True) or predicted
    return True, account, diff_output(current, account)


def ensure_absent(client, subscription_id, resource_group, name, check_mode, wait, wait_timeout):
    """Delete the account when it exists. Returns ``(changed, {}, diff)``.

    A missing resource group means the account is not there: no failure.
    """
    path = account_path(subscription_id, resource_group, name)
    current = client.get_or_none(path)
    if current is None:
        return False, {}, diff_output(None, None)
    if check_mode:
        return True, {}, diff_output(current, None)
    try:
        response = client.request("DELETE", path)
    except ArmError as err:
        if err.status != 404:
            raise
        return False, {}, diff_output(None, None)  # deleted by someone else since our GET
    if response.status == 204:
        return False, {}, diff_output(None, None)  # "did not exist": deleted by someone else since our GET
    if wait and is_async(response):
        client.wait(response, wait_timeout)
    return True, {}, diff_output(current, None)


def get_accounts(client, subscription_id, resource_group=None, name=None, tag_filters=None):
    """The accounts for account_info: one account, a resource group's, or the subscription's.

    A missing account or resource group gives an empty list.
    """
    if name is not None:
        account = client.get_or_none(account_path(subscription_id, resource_group, name))
        accounts = [account] if account is not None else []
    else:
        try:
            accounts = client.list_all(accounts_path(subscription_id, resource_group))
        except ArmError as err:
            if err.status == 404 and err.code == RESOURCE_GROUP_MISSING_CODE:
                accounts = []
            else:
                raise
    return [a for a in accounts if matches_tag_filters(a, tag_filters)]
