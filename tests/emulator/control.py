"""Test aids that are not Azure: the request journal, fault injection and the /_emulator/ control API.

Journal and faults live in memory (they are per-run test aids, cleared by reset and lost on restart);
control requests themselves are never journaled and never faulted.
"""

import base64
import binascii
import datetime
import json
import re
import threading

from . import provider, throttling
from .replies import Reply, iso, utc_now

JOURNAL_LIMIT = 20000
JOURNAL_HEADERS = ("User-Agent", "Content-Type", "If-Match", "If-None-Match", "x-ms-client-request-id",
                   "x-ms-correlation-request-id", "Authorization", "X-IDENTITY-HEADER")
REDACTED_HEADERS = ("authorization", "x-identity-header")
REDACTED_FIELDS = ("client_secret", "client_assertion", "password")


def _bad(message):
    return Reply(400, {"error": {"code": "BadRequest", "message": message}})


class Journal:
    """Every non-control request, in arrival order, with secrets redacted (the newest JOURNAL_LIMIT)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._entries = []
        self._seq = 0

    def add(self, entry):
        with self._lock:
            self._seq += 1
            self._entries.append(dict({"seq": self._seq}, **entry))
            if len(self._entries) > JOURNAL_LIMIT:
                del self._entries[: len(self._entries) - JOURNAL_LIMIT]

    def list(self, kind=None, since=0):
        """The entries, each with its `time` (kept as epoch seconds: formatting is left to the rare reader) in ISO 8601."""
        with self._lock:
            found = [e for e in self._entries if e["seq"] > since and (kind is None or e["kind"] == kind)]
        return [dict(e, time=iso(datetime.datetime.fromtimestamp(e["time"], datetime.timezone.utc))) for e in found]

    def clear(self):
        with self._lock:
            self._entries = []


JOURNAL_FIELDS = tuple((name, name.lower() in REDACTED_HEADERS) for name in JOURNAL_HEADERS)  # (name, redacted)


def journal_headers(headers):
    out = {}
    for name, redacted in JOURNAL_FIELDS:
        value = headers.get(name)
        if value is not None:
            out[name] = "REDACTED" if redacted else value
    return out


def journal_body(raw, form=None):
    """The identity form with secrets redacted, else parsed JSON, else raw text, else None."""
    if form is not None:
        return {k: ("REDACTED" if k in REDACTED_FIELDS else v) for k, v in form.items()}
    if not raw:
        return None
    text = raw.decode("utf-8", "replace")
    try:
        return json.loads(text)
    except ValueError:
        return text


class Faults:
    """Injected answers: the next `count` requests matching method + path regex get the fault."""

    FIELDS = ("method", "path", "count", "status", "headers", "body", "body_json", "body_base64", "delay", "drop", "after", "skip")

    def __init__(self):
        self._lock = threading.Lock()
        self._faults = []
        self._next_id = 0

    @staticmethod
    def _check(spec):
        """Return an error message for an invalid fault spec, or None."""
        if not isinstance(spec, dict):
            return "The fault must be a JSON object."
        unknown = sorted(set(spec) - set(Faults.FIELDS))
        if unknown:
            return "Unknown fault field(s): %s. Known: %s." % (", ".join(unknown), ", ".join(Faults.FIELDS))
        count, status, delay, skip = spec.get("count", 1), spec.get("status"), spec.get("delay", 0), spec.get("skip", 0)
        headers = spec.get("headers") or {}
        problems = [
            (not isinstance(spec.get("method", "*"), str) or not spec.get("method", "*"), "'method' must be an HTTP method or '*'."),
            (not isinstance(spec.get("path", ""), str), "'path' must be a regular expression string."),
            (isinstance(count, bool) or not isinstance(count, int) or count < 1, "'count' must be an integer >= 1."),
            (isinstance(skip, bool) or not isinstance(skip, int) or skip < 0, "'skip' must be an integer >= 0."),
            (status is not None and (isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599),
             "'status' must be an HTTP status code (100-599)."),
            (not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()),
             "'headers' must be an object of string values."),
            (isinstance(delay, bool) or not isinstance(delay, (int, float)) or delay < 0, "'delay' must be a number of seconds >= 0."),
            (not isinstance(spec.get("drop", False), bool), "'drop' must be true or false."),
            (not isinstance(spec.get("after", False), bool), "'after' must be true or false."),
            (not isinstance(spec.get("body_json", False), bool), "'body_json' must be true or false."),
            (spec.get("body_base64") is not None and not _is_base64(spec["body_base64"]), "'body_base64' must be base64 text."),
            ("body_base64" in spec and ("body" in spec or spec.get("body_json")),
             "Give the answer's body either as 'body' or as 'body_base64', not both."),
            (status is None and not delay and not spec.get("drop"), "A fault needs at least one of 'status', 'delay' or 'drop'."),
        ]
        for failed, message in problems:
            if failed:
                return message
        return None

    def add(self, spec):
        """Validate and register a fault; return (fault, None) or (None, error message)."""
        problem = self._check(spec)
        if problem:
            return None, problem
        try:
            regex = re.compile(spec.get("path", ""), re.IGNORECASE)
        except re.error as exc:
            return None, "'path' is not a valid regular expression: %s" % exc
        with self._lock:
            self._next_id += 1
            count = spec.get("count", 1)
            fault = {"id": self._next_id, "method": spec.get("method", "*").upper(), "path": spec.get("path", ""), "count": count,
                     "remaining": count, "status": spec.get("status"), "headers": dict(spec.get("headers") or {}),
                     "body": spec.get("body"), "body_json": spec.get("body_json", False),
                     "body_base64": spec.get("body_base64"), "delay": spec.get("delay", 0), "drop": spec.get("drop", False),
                     "after": spec.get("after", False), "skip": spec.get("skip", 0), "_skip_left": spec.get("skip", 0),
                     "_regex": regex}
            self._faults.append(fault)
        return self.public(fault), None

    @staticmethod
    def public(fault):
        return {k: v for k, v in fault.items() if not k.startswith("_")}

    def take(self, method, path):
        """Consume one use of the first fault matching this request, or return None. A fault with ``skip`` lets that
        many matching requests pass it by first (page 3 of a list: ``skip: 2``)."""
        with self._lock:
            for fault in self._faults:
                if fault["remaining"] > 0 and fault["method"] in ("*", method.upper()) and fault["_regex"].search(path):
                    if fault["_skip_left"] > 0:
                        fault["_skip_left"] -= 1
                        continue
                    fault["remaining"] -= 1
                    return self.public(fault)
        return None

    def list(self):
        with self._lock:
            return [self.public(f) for f in self._faults]

    def clear(self):
        with self._lock:
            self._faults = []


def _is_base64(value):
    try:
        base64.b64decode(value, validate=True)
    except (TypeError, ValueError, binascii.Error):
        return False
    return True


def fault_reply(fault):
    """The injected answer: the body as raw bytes, and a Content-Type unless the fault's headers give one.

    `body_base64`: exactly those bytes (application/octet-stream). `body` with `body_json: true`, or an object, array,
    number or boolean: JSON (application/json). A string: that text as is (text/plain). null or absent: no body.
    """
    headers = dict(fault["headers"])
    if fault["body_base64"] is not None:
        data, media = base64.b64decode(fault["body_base64"]), "application/octet-stream"
    elif fault["body"] is None and not fault["body_json"]:
        data, media = None, None
    elif isinstance(fault["body"], str) and not fault["body_json"]:
        data, media = fault["body"].encode("utf-8"), "text/plain; charset=utf-8"
    else:
        data, media = json.dumps(fault["body"]).encode("utf-8"), "application/json; charset=utf-8"
    if media and not any(name.lower() == "content-type" for name in headers):
        headers["Content-Type"] = media
    return Reply(fault["status"], data, headers)


STATE_FIELDS = ("id", "subscription", "resource_group", "name", "state", "settle_to", "after_gets", "after_seconds")
ACCOUNT_ID = re.compile(r"^/subscriptions/([^/]+)/resourceGroups/([^/]+)/providers/%s/accounts/([^/]+)/?$"
                        % re.escape(provider.NAMESPACE), re.IGNORECASE)


def _state_request(spec, default_sub):
    """Validate a provisioning-state request; return ((sub, rg, name), options) or (None, error message)."""
    if not isinstance(spec, dict):
        return None, "The body must be a JSON object."
    unknown = sorted(set(spec) - set(STATE_FIELDS))
    if unknown:
        return None, "Unknown field(s): %s. Known: %s." % (", ".join(unknown), ", ".join(STATE_FIELDS))
    if isinstance(spec.get("id"), str):
        found = ACCOUNT_ID.match(spec["id"])
        account = found.groups() if found else None
    elif all(isinstance(spec.get(k), str) and spec[k] for k in ("resource_group", "name")) and "id" not in spec:
        account = (spec.get("subscription") or default_sub, spec["resource_group"], spec["name"])
    else:
        account = None
    gets, seconds, settle_to = spec.get("after_gets"), spec.get("after_seconds"), spec.get("settle_to")
    running = spec.get("state") in provider.STATE_ACTIONS
    problems = [
        (account is None, "Name the account by 'id' (its resource id) or by 'resource_group' and 'name' "
                          "(and optionally 'subscription')."),
        (spec.get("state") not in provider.STATES, "'state' must be one of %s." % ", ".join(provider.STATES)),
        (gets is not None and (isinstance(gets, bool) or not isinstance(gets, int) or gets < 0),
         "'after_gets' must be an integer >= 0."),
        (seconds is not None and (isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0),
         "'after_seconds' must be a number >= 0."),
        (gets is not None and seconds is not None, "Give at most one of 'after_gets' and 'after_seconds'."),
        (settle_to is not None and settle_to not in ("Succeeded", "Failed", "Canceled"),
         "'settle_to' must be Succeeded, Failed or Canceled."),
        (not running and (settle_to is not None or gets is not None or seconds is not None),
         "'settle_to', 'after_gets' and 'after_seconds' apply only to Creating, Updating and Deleting."),
        (settle_to is not None and gets is None and seconds is None, "'settle_to' needs 'after_gets' or 'after_seconds'."),
    ]
    for failed, message in problems:
        if failed:
            return None, message
    return account, {"state": spec["state"], "settle_to": settle_to, "after_gets": gets, "after_seconds": seconds}


class ControlApi:
    """Handlers for /_emulator/* (no auth, not journaled, never faulted)."""

    def __init__(self, emulator):
        self.emu = emulator

    def handle(self, method, path, args, raw):
        route = path.rstrip("/").lower()
        table = {
            "/_emulator/health": {"GET": self.health},
            "/_emulator/requests": {"GET": self.get_requests, "DELETE": self.clear_requests},
            "/_emulator/faults": {"GET": self.get_faults, "POST": self.add_fault, "DELETE": self.clear_faults},
            "/_emulator/config": {"GET": self.get_config, "PATCH": self.patch_config},
            "/_emulator/reset": {"POST": self.reset},
            "/_emulator/tokens/expire": {"POST": self.expire_tokens},
            "/_emulator/provisioning-state": {"POST": self.set_provisioning_state},
            "/_emulator/throttling": {"GET": self.get_throttling},
            "/_emulator/throttling/clock": {"POST": self.control_clock},
        }
        methods = table.get(route)
        if methods is None:
            return Reply(404, {"error": {"code": "NotFound", "message": "Unknown control endpoint '%s'." % path}})
        handler = methods.get(method)
        if handler is None:
            return Reply(405, {"error": {"code": "MethodNotAllowed", "message": "Use %s." % ", ".join(sorted(methods))}},
                         headers={"Allow": ", ".join(sorted(methods))})
        return handler(args, raw)

    @staticmethod
    def _json(raw, empty=None):
        if not raw or not raw.strip():
            return empty, None
        try:
            return json.loads(raw), None
        except ValueError as exc:
            return None, "The body is not valid JSON: %s" % exc

    def health(self, _args, _raw):
        return Reply(200, {"status": "ok", "time": iso(utc_now()), "base_url": self.emu.base})

    def get_requests(self, args, _raw):
        try:
            since = int(args.get("since", "0"))
        except ValueError:
            return _bad("'since' must be an integer sequence number.")
        return Reply(200, {"requests": self.emu.journal.list(kind=args.get("kind"), since=since)})

    def clear_requests(self, _args, _raw):
        self.emu.journal.clear()
        return Reply(204)

    def get_faults(self, _args, _raw):
        return Reply(200, {"faults": self.emu.faults.list()})

    def add_fault(self, _args, raw):
        spec, err = self._json(raw)
        if err:
            return _bad(err)
        fault, err = self.emu.faults.add(spec)
        if err:
            return _bad(err)
        return Reply(201, fault)

    def clear_faults(self, _args, _raw):
        self.emu.faults.clear()
        return Reply(204)

    def get_config(self, _args, _raw):
        return Reply(200, self.emu.config.snapshot())

    def patch_config(self, _args, raw):
        changes, err = self._json(raw)
        if err:
            return _bad(err)
        if not isinstance(changes, dict):
            return _bad("The body must be a JSON object of configuration keys.")
        try:
            after = self.emu.config.update(changes)
        except ValueError as exc:
            return _bad(str(exc))
        if set(changes) & set(throttling.CONFIG_KEYS):
            self.emu.throttle.clear_buckets()  # new sizes or rates: every bucket starts full
        return Reply(200, after)

    def reset(self, _args, raw):
        options, err = self._json(raw, empty={})
        if err:
            return _bad(err)
        if not isinstance(options, dict) or set(options) - {"keep_tokens"} or not isinstance(options.get("keep_tokens", False), bool):
            return _bad('The body must be empty or {"keep_tokens": true|false}.')
        keep = options.get("keep_tokens", False)
        self.emu.reset(keep_tokens=keep)
        return Reply(200, {"status": "reset", "keep_tokens": keep})

    def expire_tokens(self, _args, _raw):
        return Reply(200, {"expired": self.emu.identity.expire_all()})

    def get_throttling(self, _args, _raw):
        return Reply(200, self.emu.throttle.state())

    def control_clock(self, _args, raw):
        """The throttling clock: {"freeze": true|false, "advance": seconds >= 0} (both optional, at least one)."""
        spec, err = self._json(raw)
        if err:
            return _bad(err)
        if not isinstance(spec, dict) or not spec or set(spec) - {"freeze", "advance"}:
            return _bad('The body must be {"freeze": true|false, "advance": seconds >= 0} (at least one of them).')
        freeze, advance = spec.get("freeze"), spec.get("advance", 0)
        if freeze is not None and not isinstance(freeze, bool):
            return _bad("'freeze' must be true or false.")
        if isinstance(advance, bool) or not isinstance(advance, (int, float)) or not 0 <= advance < float("inf"):
            return _bad("'advance' must be a number of seconds >= 0.")
        return Reply(200, self.emu.throttle.clock.control(freeze=freeze, advance=float(advance)))

    def set_provisioning_state(self, _args, raw):
        spec, err = self._json(raw)
        if err:
            return _bad(err)
        account, options = _state_request(spec, self.emu.default_subscription)
        if account is None:
            return _bad(options)
        done = provider.set_provisioning_state(self.emu, account, **options)
        if done is None:
            return Reply(404, {"error": {"code": "NotFound", "message": "No account '%s' in resource group '%s' of "
                                         "subscription '%s'." % (account[2], account[1], account[0])}})
        doc, operation = done
        return Reply(200, {"account": doc, "operation": operation})
