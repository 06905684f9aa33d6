# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The unit tests' shared constants and fakes: one definition each, imported by package path.

``from ansible_collections.azureml.model_management.tests.unit.fakes import SUB, FakeSession`` works under plain
pytest (PYTHONPATH names the collections directory) and under ``ansible-test units`` (its collection loader), so no
test module imports another and nothing edits ``sys.path``. tests/unit/conftest.py turns the fakes a test only needs
a fresh instance of into fixtures (``fake_clock``, ``fake_tokens``, ``fake_credential``); module-level helpers and
Hypothesis tests (which take no function-scoped fixtures) build them from the classes here.

Three fakes stand in for the ARM client (``ArmClient``), each for its own kind of test:

* ``FixedAnswerClient``: the same answer to every GET and to every write; records (method, path[, body]). For the
  modules' ``main()``.
* ``ScriptedClient``: answers each call from a queue (errors included) and records headers too. For one account's
  GET → plan → write flow, step by step.
* ``InMemoryArm``: one subscription's accounts in memory, honouring If-Match / If-None-Match, thread-safe. For fleets.

``FakeSession`` with ``FakeResponse`` sits one level lower: under the real ``ArmClient`` (``arm_client`` builds one).
"""

from __future__ import annotations

import copy
import http.client
import itertools
import json
import threading
import time

import requests

from ansible_collections.azureml.model_management.plugins.module_utils.account_model import PROVIDER
from ansible_collections.azureml.model_management.plugins.module_utils.arm import ArmClient, ArmError

# ---------------------------------------------------------------------------------------------------------------------
# constants

SUB = "00000000-0000-0000-0000-000000000001"
OTHER_SUB = "00000000-0000-0000-0000-000000000002"
# Subscription ids with letters, for tests whose point is case: ``SUB.upper() == SUB``, these change when upper-cased.
SUB_WITH_LETTERS = "6f1b3c2e-8a4d-4e5f-9b0a-1c2d3e4f5a6b"
OTHER_SUB_WITH_LETTERS = "0b6e3a1c-2d4f-4e5a-8b9c-0d1e2f3a4b5c"
ENDPOINT = "https://management.example.test"
API = "2017-09-01-preview"


def account_id(name="a1", group="rg", sub=SUB, provider=PROVIDER):
    """The ARM id of an account."""
    return "/subscriptions/%s/resourceGroups/%s/providers/%s/accounts/%s" % (sub, group, provider, name)


def account(name="a1", group="rg", sub=SUB, tags=None, **over):
    """An account as a listing returns it (id, etag, the purge tag unless ``tags`` says otherwise)."""
    body = {"id": account_id(name, group, sub), "name": name, "location": "eastus", "tags": tags if tags is not None else {"managed-by": "ansible"},
            "sku": {"name": "S1", "capacity": 1}, "etag": '"e1"'}
    body.update(over)
    return body


# An account entry of a fleet that no listing has.
NEW = {"name": "new", "location": "eastus", "sku": {"name": "S1", "capacity": 1}, "tags": {"managed-by": "ansible"}}


def arm_error(status, code, message="boom", lost=False):
    """An ArmError as the client raises it; ``lost``: the answer of a write was lost (it may have been applied)."""
    err = ArmError(status, code, message, request_id="req-1")
    err.answer_lost = lost
    return err


# ---------------------------------------------------------------------------------------------------------------------
# time and credentials

class FakeClock(object):
    """A clock that moves only when someone sleeps (thread-safe); ``sleeps`` records every pause.

    Pass ``clock`` (callable) or ``clock.clock`` as the clock and ``clock.sleep`` as the sleep.
    """

    def __init__(self, now=0.0):
        self.now = now
        self.sleeps = []
        self.lock = threading.Lock()

    def __call__(self):
        with self.lock:
            return self.now

    def clock(self):
        return self()

    def sleep(self, seconds):
        with self.lock:
            self.sleeps.append(seconds)
            self.now += seconds


class FakeTokens(object):
    """A TokenProvider: ``secret-token-1``, and a new number on each refresh."""

    def __init__(self):
        self.count = 1
        self.refreshes = 0

    def get_token(self):
        return "secret-token-%d" % self.count

    def refresh(self, rejected=None):
        self.refreshes += 1
        self.count += 1
        return self.get_token()


class AccessToken(object):
    def __init__(self, token, expires_on):
        self.token, self.expires_on = token, expires_on


class FakeCredential(object):
    """An azure-identity credential: ``token-N`` for the N-th credential made in the process, or ``error`` raised."""

    made = 0

    def __init__(self, error=None):
        FakeCredential.made += 1
        self.number = FakeCredential.made
        self.error = error
        self.scopes = []

    def get_token(self, scope):
        self.scopes.append(scope)
        if self.error:
            raise self.error
        return AccessToken("token-%d" % self.number, 10000)


# ---------------------------------------------------------------------------------------------------------------------
# under the real ArmClient: the HTTP session

class FakeResponse(object):
    """A ``requests`` response: ``body`` as JSON, or ``text`` as it is."""

    def __init__(self, status, body=None, headers=None, text=None):
        self.status_code = status
        self.headers = requests.structures.CaseInsensitiveDict(headers or {})
        self.text = text if text is not None else ("" if body is None else json.dumps(body))
        self.content = self.text.encode("utf-8")
        self.reason = http.client.responses.get(status, "")

    def json(self):
        return json.loads(self.text)


class FakeSession(object):
    """Answers with the queued replies (a FakeResponse, or an exception to raise) and records what was sent."""

    def __init__(self, *replies):
        self.replies = list(replies)
        self.sent = []

    def request(self, method, url, data=None, headers=None, timeout=None, verify=None, allow_redirects=True):
        self.sent.append(dict(method=method, url=url, data=data, headers=dict(headers), timeout=timeout, verify=verify))
        reply = self.replies.pop(0)
        if isinstance(reply, Exception):
            raise reply
        return reply


def arm_client(*replies, **kwargs):
    """A real ArmClient on a FakeSession answering ``replies``: (client, session, clock, tokens); no real sleeping."""
    session = FakeSession(*replies)
    fake_time = FakeClock(1000.0)
    tokens = FakeTokens()
    options = dict(sleep=fake_time.sleep, clock=fake_time.clock, random=lambda: 1.0, session=session)
    options.update(kwargs)
    client = ArmClient(ENDPOINT, tokens, API, **options)
    return client, session, fake_time, tokens


def ok(body=None, status=200, headers=None):
    """A FakeResponse with a JSON body (``{}`` unless given)."""
    return FakeResponse(status, body if body is not None else {}, headers)


# ---------------------------------------------------------------------------------------------------------------------
# instead of the ArmClient

class Response(object):
    """What ArmClient.request returns."""

    def __init__(self, status, body=None, headers=None, answer_lost=False, method=None):
        self.status = status
        self.body = body
        self.headers = headers or {}
        self.answer_lost = answer_lost
        self.method = method


class FixedAnswerClient(object):
    """Gives ``current`` to every GET, ``write`` to every write, ``lists[path]`` to every listing.

    Records (method, path) of reads and (method, path, body) of writes; expects no asynchronous answer.
    """

    def __init__(self, current=None, write=None, lists=None):
        self.current = current
        self.write = write
        self.lists = lists or {}
        self.calls = []

    def get_or_none(self, path, missing_codes=None):
        self.calls.append(("GET", path))
        return self.current

    def request(self, method, path_or_url, body=None, headers=None, success=None, objects=None):
        self.calls.append((method, path_or_url, body))
        return self.write

    def list_all(self, path):
        self.calls.append(("LIST", path))
        return self.lists.get(path, [])

    def with_gate(self, gate):
        """The fleet module paces each subscription through a client of its own; here one fake serves them all."""
        return self

    def wait(self, response, timeout, resource_path=None, deleting=False):
        """A synchronous answer: nothing to wait for (as the real client), anything else is not expected here."""
        assert response.status in (200, 201, 204) and not response.headers, "no asynchronous answer expected"
        return None if deleting else response.body


NOTHING_TO_WAIT_FOR = object()


class ScriptedClient(object):
    """Answers from a script; records (method, path, body, headers) of every call, including get_or_none/list_all/wait.

    ``wait`` behaves like the real one for an answer with nothing to wait for (returns its body, records nothing)
    unless a ``wait_result`` is scripted (then it is recorded as a WAIT call).
    """

    def __init__(self, gets=(), writes=(), lists=None, wait_result=NOTHING_TO_WAIT_FOR):
        self.gets = list(gets)          # answers of get_or_none: dict, None (404), or (status, code) to raise
        self.writes = list(writes)      # answers of request: Response or (status, code) to raise
        self.lists = lists or {}        # path -> list or (status, code)
        self.wait_result = wait_result  # account dict, None, or (status, code) to raise
        self.calls = []
        self.pauses = []

    @staticmethod
    def _answer(value):
        if isinstance(value, tuple):
            raise arm_error(value[0], value[1], lost=value[2] if len(value) > 2 else False)
        return copy.deepcopy(value)

    def get_or_none(self, path, missing_codes=None):
        self.calls.append(("GET", path))
        answer = self.gets.pop(0)
        if isinstance(answer, tuple) and answer[0] == 404 and (missing_codes is None or answer[1] in missing_codes):
            return None
        return self._answer(answer)

    def request(self, method, path_or_url, body=None, headers=None, success=None, objects=None):
        if method == "GET":  # the waits' GETs: answered from ``gets`` like get_or_none, a 404 raised as the client does
            self.calls.append(("GET", path_or_url))
            answer = self.gets.pop(0)
            if answer is None:
                raise arm_error(404, "ResourceNotFound")
            return Response(200, self._answer(answer))
        self.calls.append((method, path_or_url, copy.deepcopy(body), headers))
        answer = self._answer(self.writes.pop(0))
        answer.method = method
        return answer

    def list_all(self, path):
        self.calls.append(("LIST", path))
        return self._answer(self.lists[path])

    def wait(self, response, timeout, resource_path=None, deleting=False):
        if self.wait_result is NOTHING_TO_WAIT_FOR:
            return None if deleting else response.body
        self.calls.append(("WAIT", response.status, timeout, resource_path, deleting))
        return self._answer(self.wait_result)

    def pause(self, seconds):
        self.pauses.append(seconds)

    def now(self):
        return sum(self.pauses)

    def methods(self):
        return [c[0] for c in self.calls]


class InMemoryArm(object):
    """One subscription's accounts in memory (thread-safe); records every call; ``failures`` maps (METHOD, name) to errors.

    Writes honour If-Match / If-None-Match against the stored etags (none kept with ``etags=False``); ``delay`` makes
    each call take that long, and ``max_in_flight`` tells how many ran at once.
    """

    def __init__(self, accounts=(), etags=True, delay=0.0, failures=None):
        self.lock = threading.Lock()
        self.etags = etags
        self.delay = delay
        self.failures = dict(failures or {})
        self.counter = itertools.count(100)
        self.store = {}
        self.calls = []
        self.in_flight = self.max_in_flight = 0
        for body in accounts:
            self.put(body)

    def put(self, body):
        body = copy.deepcopy(body)
        body["etag"] = '"e%d"' % next(self.counter) if self.etags else None
        if not self.etags:
            body.pop("etag")
        self.store[body["id"].lower()] = body
        return body

    def _enter(self, call):
        with self.lock:
            self.calls.append(call)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        time.sleep(self.delay)

    def _leave(self):
        with self.lock:
            self.in_flight -= 1

    def _scripted(self, method, path):
        errors = self.failures.get((method, path.rsplit("/", 1)[-1]))
        if errors:
            raise errors.pop(0)

    def get_or_none(self, path, missing_codes=None):
        self._enter(("GET", path))
        try:
            self._scripted("GET", path)
            with self.lock:
                return copy.deepcopy(self.store.get(path.lower()))
        finally:
            self._leave()

    def list_all(self, path):
        self._enter(("LIST", path))
        try:
            with self.lock:
                prefix = path.lower() + "/"
                return [copy.deepcopy(a) for key, a in sorted(self.store.items()) if key.startswith(prefix)]
        finally:
            self._leave()

    def request(self, method, path, body=None, headers=None, success=None, objects=None):
        self._enter((method, path, copy.deepcopy(body), dict(headers or {})))
        try:
            self._scripted(method, path)
            with self.lock:
                return self._write(method, path, body, headers or {})
        finally:
            self._leave()

    def _write(self, method, path, body, headers):
        current = self.store.get(path.lower())
        if headers.get("If-None-Match") == "*" and current is not None:
            raise ArmError(412, "PreconditionFailed", "exists")
        if "If-Match" in headers and (current is None or current.get("etag") != headers["If-Match"]):
            raise ArmError(412, "PreconditionFailed", "etag")
        if method == "DELETE":
            if current is None:
                return Response(204, None, method=method)
            del self.store[path.lower()]
            return Response(200, None, method=method)
        if method == "PUT":
            name = path.rsplit("/", 1)[-1]
            created = dict(body, id=path, name=name, tags=body.get("tags") or {})
            return Response(201, self.put(created), method=method)
        patched = copy.deepcopy(current)
        patched.update({k: v for k, v in body.items() if k != "properties"})
        patched["properties"] = dict(current.get("properties") or {}, **(body.get("properties") or {}))
        return Response(200, self.put(patched), method=method)

    def wait(self, response, timeout, resource_path=None, deleting=False):
        return None if deleting else response.body

    def pause(self, seconds):
        pass

    def now(self):
        return 0.0

    def writes(self):
        return [(c[0], c[1].rsplit("/", 1)[-1], c[3]) for c in self.calls if c[0] not in ("GET", "LIST")]
