# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Following Resource Manager's asynchronous patterns to their end (imported only when a write is asynchronous).

- ``Azure-AsyncOperation``: poll the operation's ``status`` until Succeeded, Failed or Canceled.
- ``Location`` with 202: poll until the answer is no longer 202.
- 202 with neither header, or a body whose ``provisioningState`` is not terminal: poll the resource itself
  (after a DELETE, until it answers 404).

Every wait on the resource itself is one GET loop, ``watch``, with a predicate (as kubernetes.core's ``Waiter``):
``provisioned`` after a PUT or PATCH, ``gone`` after a DELETE, ``idle`` before a change (``settle``: someone
else's operation must end first). Every link is checked by ``ArmClient.url_for`` before anything is sent to it. A Failed or Canceled end raises
``OperationFailed`` with the operation's own error code and state.
"""

from __future__ import annotations

from ansible_collections.azureml.model_management.plugins.module_utils.arm_errors import (
    CANCELED,
    FAILED,
    SUCCEEDED,
    ArmError,
    OperationFailed,
    invalid_response,
    is_running,
    normalized_state,
    printable,
    provisioning_state,
)
from ansible_collections.azureml.model_management.plugins.module_utils.retry import retry_after_seconds

DEFAULT_POLL_SECONDS = 5
MIN_POLL_SECONDS = 1  # a Retry-After of 0 must not turn a wait into a busy loop against Resource Manager
RESOURCE_POLL_SECONDS = (1, 2, 4, 5)  # no hint from the service: poll soon, then every 5 s


def _raw_state(body):
    return str(body["properties"]["provisioningState"])


def poll_delay(headers, default):
    """Seconds before the next poll: the service's Retry-After (at least ``MIN_POLL_SECONDS``), else ``default``."""
    hinted = retry_after_seconds(headers, None)
    return default if hinted is None else max(hinted, MIN_POLL_SECONDS)


def _header(response, name):
    value = response.headers.get(name)
    return value if value not in (None, "") else None


class Deadline(object):
    """The deadline of a wait (several waits may share one: a task waiting out other operations) and the pause before each poll."""

    def __init__(self, client, timeout, operation):
        self.client = client
        self.timeout = timeout
        self.operation = operation
        self.deadline = client.now() + timeout

    def pause(self, seconds, state):
        remaining = self.deadline - self.client.now()
        if remaining <= 0:
            raise ArmError(0, "WaitTimeout", "%s did not finish within %s seconds (last state: %s)" % (self.operation, self.timeout, state))
        self.client.pause(min(seconds, remaining))


def wait(client, response, timeout, resource_path=None, deleting=False):
    """The resource's final body after a PUT or PATCH (a GET of ``resource_path``); None after a DELETE.

    A response with nothing to wait for gives its own body (None after a DELETE).
    """
    operation = "%s %s" % (response.method or "operation", printable(resource_path or response.url or ""))
    clock = Deadline(client, timeout, operation)
    async_url = _header(response, "Azure-AsyncOperation")
    location = _header(response, "Location")
    if async_url:
        client.url_for(async_url, source="the Azure-AsyncOperation header of %s" % operation)  # refuse a bad link before waiting
        _poll_operation(client, response, async_url, clock)
    elif location and response.status == 202:
        client.url_for(location, source="the Location header of %s" % operation)
        _poll_location(client, response, location, clock)
    elif response.status == 202 or (not deleting and is_running(response.body)):
        return watch(client, resource_path, clock, (gone if deleting else provisioned)(clock.operation), first=response)
    else:
        return None if deleting else _settled_body(client, response.body, resource_path, clock)
    if deleting:
        return None
    return _settled_body(client, client.request("GET", resource_path).body, resource_path, clock)


def _settled_body(client, body, resource_path, clock):
    """``body`` when its provisioningState is terminal and not failed; polls on when it is still running."""
    if provisioned(clock.operation)(body):
        return body
    return watch(client, resource_path, clock, provisioned(clock.operation))


def _poll_operation(client, original, url, clock):
    last, state = original, "InProgress"
    while True:
        clock.pause(poll_delay(last.headers, DEFAULT_POLL_SECONDS), state)
        last = client.request("GET", url)
        status = last.body.get("status")
        if not isinstance(status, str) or not status:
            raise invalid_response("the operation status of %s has no 'status' string (got %r)" % (clock.operation, type(status).__name__))
        state = status
        if normalized_state(state) == SUCCEEDED:
            return
        if normalized_state(state) in (FAILED, CANCELED):
            raise OperationFailed(clock.operation, state, last.body.get("error"), request_id=last.headers.get("x-ms-request-id"))


def _poll_location(client, original, url, clock):
    last = original
    while last.status == 202:
        clock.pause(poll_delay(last.headers, DEFAULT_POLL_SECONDS), "Accepted (202)")
        last = client.request("GET", url, success=(200, 201, 202, 204), objects=())


# -- the one GET loop and its predicates (as kubernetes.core's Waiter) ---------------------------------------------------

def provisioned(operation):
    """Done when the resource's provisioningState is Succeeded (or absent); Failed or Canceled raise ``OperationFailed``."""
    def done(body):
        if body is None:
            return False
        state = provisioning_state(body)
        if state in (FAILED, CANCELED):
            raise OperationFailed(operation, _raw_state(body), body["properties"].get("error"))
        return state in (None, SUCCEEDED)
    return done


def gone(operation):
    """Done once the resource answers 404 (after a DELETE); a Failed or Canceled state raises ``OperationFailed``."""
    def done(body):
        if body is None:
            return True
        if provisioning_state(body) in (FAILED, CANCELED):
            raise OperationFailed(operation, _raw_state(body), body["properties"].get("error"))
        return False
    return done


def idle(body):
    """Done when the resource is gone or in any terminal state, Failed included (the caller decides: repair)."""
    return body is None or not is_running(body)


def watch(client, resource_path, clock, until, first=None):
    """GET ``resource_path`` until ``until(body)`` is true; return that body.

    A 404 ends the wait: with None when ``until(None)`` accepts absence (waiting for a DELETE or for an operation
    to end), else with the 404 itself (the resource waited for is gone and cannot come back by waiting).

    Pauses: the last answer's Retry-After (at least ``MIN_POLL_SECONDS``), else 1, 2, 4, then every 5 s, all within
    ``clock`` (a ``Deadline`` or a timeout in seconds). ``first`` is the answer that started the wait (its Retry-After
    sets the first pause). ``until`` may raise to end the wait with an error (a Failed provisioning).
    """
    if not isinstance(clock, Deadline):
        clock = Deadline(client, clock, "waiting for %s" % printable(resource_path or ""))
    if not resource_path:
        raise ArmError(0, "WaitImpossible", "%s is still running and there is no resource to poll" % clock.operation)
    last, polls = first, 0
    state = "Accepted (202)" if first is not None and first.status == 202 else "running"
    while True:
        default = RESOURCE_POLL_SECONDS[min(polls, len(RESOURCE_POLL_SECONDS) - 1)]
        clock.pause(poll_delay(last.headers, default) if last is not None else default, state)
        polls += 1
        try:
            last = client.request("GET", resource_path)
        except ArmError as err:
            if err.status != 404 or not until(None):
                raise
            return None
        if until(last.body):
            return last.body
        state = _raw_state(last.body) if provisioning_state(last.body) else "Succeeded"


def settle(client, resource_path, timeout):
    """Wait (GETs only) until an existing resource is no longer in a running state; its body, or None once gone.

    Unlike a wait after a write, a Failed or Canceled end is returned, not raised: the caller decides (repair).
    """
    clock = timeout if isinstance(timeout, Deadline) else \
        Deadline(client, timeout, "waiting for %s to finish its current operation" % printable(resource_path))
    return watch(client, resource_path, clock, idle)
