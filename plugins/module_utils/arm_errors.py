# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What Resource Manager's answers become: ``ArmError`` (and ``OperationFailed``), headers, values made fit for a message.

Below ``arm`` (the client) and ``arm_wait`` (asynchronous operations), which both raise these: the one place an
answer's error body is read, so that neither imports the other. No I/O.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from ansible_collections.azureml.model_management.plugins.module_utils.errors import AzureMLError

MESSAGE_MAX = 500


# Resource Manager's provisioning states, the one vocabulary of the waits (arm_wait) and of the account's rules
# (account_model): compared in lower case, with the British "cancelled" some services send read as "canceled".
SUCCEEDED, FAILED, CANCELED = "succeeded", "failed", "canceled"
TERMINAL_STATES = (SUCCEEDED, FAILED, CANCELED)


def normalized_state(text):
    """A provisioning state or an operation's status as the vocabulary compares it: lower case, "cancelled" → "canceled"."""
    state = text.lower()
    return CANCELED if state == "cancelled" else state


def provisioning_state(body):
    """``properties.provisioningState`` normalized; None when absent, empty or not a string (Resource Manager's contract:
    a resource without a state is Succeeded)."""
    if not isinstance(body, dict) or not isinstance(body.get("properties"), dict):
        return None
    state = body["properties"].get("provisioningState")
    return normalized_state(state) if isinstance(state, str) and state else None


def is_running(body):
    """True while a resource's provisioningState says an operation runs on it (a state that is not terminal)."""
    return provisioning_state(body) not in (None,) + TERMINAL_STATES


def shorten(text, limit=MESSAGE_MAX):
    """At most ``limit`` characters of ``text`` for a message, whitespace runs folded to one space."""
    text = re.sub(r"\s+", " ", text or "").strip()
    return text if len(text) <= limit else text[:limit] + "..."


def printable(value, limit=200):
    """A link or value as it may appear in a message, without its query; control characters shown escaped."""
    if not isinstance(value, str):
        return shorten(repr(value), limit)
    text = value.split("?", 1)[0]
    if any(ord(ch) < 32 or 127 <= ord(ch) <= 159 for ch in text):
        text = repr(text)
    return shorten(text, limit)


class Headers(Mapping):
    """A read-only, case-insensitive view of response headers (HTTP header names ignore case)."""

    def __init__(self, headers=None):
        self._items = {}
        for key, value in (headers or {}).items():
            self._items[key.lower()] = (key, value)

    def __getitem__(self, key):
        return self._items[key.lower()][1]

    def __iter__(self):
        return (original for original, _value in self._items.values())

    def __len__(self):
        return len(self._items)

    def __repr__(self):
        return "Headers(%r)" % dict(self.items())


def _text_or_none(value):
    return value if isinstance(value, str) and value else None


def _loads(text):
    """Parsed JSON, or None when ``text`` is empty or not JSON (however deeply nested)."""
    if not text or not text.strip():
        return None
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


class ArmError(AzureMLError):
    """An error from Resource Manager (status >= 400), from the transport or a bad answer (status 0), or from waiting.

    ``answer_lost`` is true when the request may have been applied although no definite answer came back: this
    attempt or an earlier one failed in transport after sending, was answered 5xx, or was answered with something
    unusable. A 4xx with ``answer_lost`` false is a definite refusal: nothing was applied.
    """

    def __init__(self, status, code, message, details=None, request_id=None, target=None):
        super(ArmError, self).__init__(message, code=code, status=status, details=details, request_id=request_id, target=target)
        self.answer_lost = False

    def __str__(self):
        return "%s %s: %s" % (self.status, self.code, self.message)

    @classmethod
    def from_http(cls, status, reason, text, headers):
        """Read ARM's ``{"error": {...}}`` and the provider's flat ``{"code", "message"}``; fall back to the reason and text."""
        headers = headers if isinstance(headers, Headers) else Headers(headers)
        request_id = _text_or_none(headers.get("x-ms-request-id"))
        fallback_code = (reason or "").replace(" ", "") or "HTTP%d" % status
        data = _loads(text)
        if isinstance(data, dict):
            error = data.get("error") if isinstance(data.get("error"), dict) else data
            code, message = _text_or_none(error.get("code")), _text_or_none(error.get("message"))
            if code or message:
                details = error.get("details")
                return cls(status, code or fallback_code, shorten(message or reason or ""),
                           details=details if isinstance(details, list) else [],
                           request_id=request_id, target=_text_or_none(error.get("target")))
        message = shorten(text) if data is None else shorten(json.dumps(data))
        return cls(status, fallback_code, message or reason or "HTTP %d" % status, request_id=request_id)


class OperationFailed(ArmError):
    """An asynchronous operation (or the resource it provisions) ended Failed or Canceled.

    ``str()`` names the operation, its state and its own error code, not the status of the request that started it.
    """

    def __init__(self, operation, state, error, request_id=None):
        error = error if isinstance(error, dict) else {}
        code = _text_or_none(error.get("code")) or state
        message = _text_or_none(error.get("message")) or "no error message was given"
        super(OperationFailed, self).__init__(0, code, shorten(message),
                                              details=error.get("details") if isinstance(error.get("details"), list) else [],
                                              request_id=request_id, target=_text_or_none(error.get("target")))
        self.operation = operation
        self.state = state

    def __str__(self):
        return "%s ended %s: %s: %s" % (self.operation, self.state, self.code, self.message)

    def to_dict(self):
        result = super(OperationFailed, self).to_dict()
        result["state"] = self.state
        return result


def invalid_response(message, request_id=None):
    return ArmError(0, "InvalidResponse", message, request_id=request_id)
