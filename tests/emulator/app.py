"""The WSGI application: classifies each request (control, metadata, identity, ARM, async), applies
injected faults, adds the headers every Azure response carries, journals the request and logs one line.

This runs for every request: keep it cheap (tests/tools/load.py measures it against the bare server).
"""

import json
import logging
import re
import socket
import time
from urllib.parse import parse_qsl

from . import arm, errors
from .cloud import cloud_metadata
from .config import Config
from .control import ControlApi, Faults, Journal, fault_reply, journal_body, journal_headers
from .identity import Identity
from .provider import TimedOperations
from .replies import JsonText, Reply, request_id
from .store import Store
from .throttling import Throttle
from .wsgi_io import IncomingRequest, respond

LOG = logging.getLogger("emulator")
JSON_TYPE = "application/json; charset=utf-8"
OPENID_V2 = re.compile(r"^/(?P<tenant>[^/]+)/v2\.0/\.well-known/openid-configuration/?$", re.IGNORECASE)
OPENID_V1 = re.compile(r"^/(?P<tenant>[^/]+)/\.well-known/openid-configuration/?$", re.IGNORECASE)
TOKEN_V2 = re.compile(r"^/(?P<tenant>[^/]+)/oauth2/v2\.0/token/?$", re.IGNORECASE)
MSI = re.compile(r"^/msi/token/?$", re.IGNORECASE)
METADATA = re.compile(r"^/metadata/endpoints/?$", re.IGNORECASE)
IDENTITY_SLASHES = 5  # the most '/' a path of the five above can have (the token and v2 OpenID paths, with a trailing '/')


class Emulator:
    """All state of one running emulator, and the WSGI entry point."""

    def __init__(self, secrets, db_path=None, resource_groups=("demo-rg",), subscriptions=(), **config):
        self.secrets = secrets
        self.store = Store(db_path)
        self.config = Config(**config)
        self.identity = Identity(secrets, self.store, self.config)
        self.journal = Journal()
        self.faults = Faults()
        self.throttle = Throttle(self.config)
        self.timed_operations = TimedOperations()
        self.control = ControlApi(self)
        self.base = None
        self.default_subscription = secrets["subscription_id"].lower()
        self.seed_groups = list(dict.fromkeys(resource_groups))
        self.subscriptions = list(dict.fromkeys([self.default_subscription] + [s.lower() for s in subscriptions]))
        self.known_subscriptions = frozenset()  # the subscriptions table's ids, read again after every change of it
        self._seed(initial=True)

    def set_base(self, base):
        self.base = base
        self.identity.base = base

    # ---- state ----------------------------------------------------------------------------------
    def _seed(self, initial=False):
        with self.store.write() as conn:
            known = self._seed_rows(conn, initial)
        self.known_subscriptions = known

    def _seed_rows(self, conn, initial=False):
        """Insert the subscriptions and groups of the command line; return the subscription ids the table then holds."""
        for index, sub in enumerate(self.subscriptions):
            name = "Emulated Subscription" if index == 0 else "Emulated Subscription %d" % index
            conn.execute("INSERT OR IGNORE INTO subscriptions (id, display_name) VALUES (?, ?)", (sub, name))
        for name in self.seed_groups:
            row = conn.execute("SELECT seq FROM resource_groups WHERE sub = ? AND key = ?",
                               (self.default_subscription, name.lower())).fetchone()
            if row is None:
                conn.execute("INSERT INTO resource_groups (sub, key, name, location, tags) VALUES (?,?,?,?,?)",
                             (self.default_subscription, name.lower(), name, "eastus", "{}"))
            elif not initial:
                conn.execute("UPDATE resource_groups SET name = ?, location = 'eastus', tags = '{}' WHERE seq = ?",
                             (name, row["seq"]))
        return frozenset(row["id"] for row in conn.execute("SELECT id FROM subscriptions"))

    def reset(self, keep_tokens=False):
        """Empty the state and seed it again, in one transaction: no request sees it half done (nor a subscription
        that `known_subscriptions` still holds while the table is empty)."""
        with self.store.write() as conn:
            conn.execute("DELETE FROM accounts")
            conn.execute("DELETE FROM operations")
            conn.execute("DELETE FROM resource_groups")
            conn.execute("DELETE FROM subscriptions")
            if not keep_tokens:
                conn.execute("DELETE FROM tokens")
            known = self._seed_rows(conn)
        self.known_subscriptions = known  # replaced whole: readers need no lock
        if not keep_tokens:
            self.identity.cache.forget()
        self.config.reset()
        self.journal.clear()
        self.faults.clear()
        self.throttle.reset()

    def close(self):
        self.store.close()

    # ---- WSGI -----------------------------------------------------------------------------------
    def __call__(self, environ, start_response):
        started = time.monotonic()
        request = IncomingRequest(environ)
        method, raw_path, raw = request.method, request.raw_path, request.body
        if raw_path.lower().startswith("/_emulator/"):
            reply = self.control.handle(method, raw_path, request.args, raw)
            return self._finish(request, reply, start_response, started, "control")

        args = {}
        for key, value in request.query:
            args.setdefault(key.lower(), value)
        kind, dispatch, form = self._classify(request, args)
        entry = {"time": time.time(), "method": method, "path": request.path, "query": dict(request.args),
                 "headers": journal_headers(request.headers), "body": journal_body(raw, form), "kind": kind}
        fault = self.faults.take(method, request.path)
        if fault is not None and not fault["after"]:  # the fault instead of the request: nothing is applied
            if fault["delay"]:
                time.sleep(fault["delay"])
            if fault["drop"]:
                return self._drop(environ, entry, fault, method, raw_path)
            if fault["status"] is not None:
                entry["fault"] = True
                return self._finish(request, fault_reply(fault), start_response, started, kind, entry)
        reply = self._dispatch(dispatch, method, raw_path)
        if fault is not None and fault["after"]:  # the request was applied; its answer is late, lost or replaced
            entry.update(fault=True, dispatched_status=reply.status)
            if fault["delay"]:
                time.sleep(fault["delay"])
            if fault["drop"]:
                return self._drop(environ, entry, fault, method, raw_path)
            if fault["status"] is not None:
                reply = fault_reply(fault)
        return self._finish(request, reply, start_response, started, kind, entry)

    @staticmethod
    def _dispatch(dispatch, method, raw_path):
        try:
            return dispatch()
        except errors.ApiError as exc:
            return Reply(exc.status, exc.body(), exc.headers)
        except Exception:  # pylint: disable=broad-except
            LOG.exception("unhandled error on %s %s", method, raw_path)
            return Reply(500, {"error": {"code": "InternalServerError", "message": "The emulator failed; see its log."}})

    def _drop(self, environ, entry, fault, method, raw_path):
        """Close the connection without any answer (the client sees a connection reset / remote disconnect)."""
        entry.update(status=0, fault=True)
        self.journal.add(entry)
        LOG.info("%s %s -> connection dropped (fault %s)", method, raw_path, fault["id"])
        sock = environ.get("emulator.socket")  # set by run.py's server gateway
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        return []

    def _classify(self, request, args):
        """Return (kind, zero-argument handler, identity form or None)."""
        method, raw_path, raw = request.method, request.raw_path, request.body
        if raw_path.count("/") > IDENTITY_SLASHES:  # deeper than any identity or metadata path: Resource Manager's
            return self._classify_arm(request, args)
        if METADATA.match(raw_path):
            return "metadata", lambda: self._metadata(method, args), None
        if MSI.match(raw_path):
            return "identity", lambda: self._only(method, ("GET",)) or self.identity.msi_token(
                args, request.headers.get("X-IDENTITY-HEADER")), None
        found = OPENID_V2.match(raw_path) or OPENID_V1.match(raw_path)
        if found:
            v2 = OPENID_V2.match(raw_path) is not None
            return "identity", lambda: self._only(method, ("GET",)) or self.identity.openid_configuration(
                found.group("tenant"), v2=v2), None
        found = TOKEN_V2.match(raw_path)
        if found:
            form = dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True)) if raw else {}
            return "identity", lambda: self._only(method, ("POST",)) or self.identity.token(found.group("tenant"), form), form
        return self._classify_arm(request, args)

    def _classify_arm(self, request, args):
        method, raw_path, raw = request.method, request.raw_path, request.body
        versions = [v for k, v in request.query if k.lower() == "api-version"]
        if len(versions) > 1:  # ASP.NET, under Resource Manager, reads a repeated query parameter as one joined value
            args = dict(args, **{"api-version": ",".join(versions)})
        kind = arm.classify(raw_path)
        return kind, lambda: arm.handle(self, method, raw_path, args, request.headers, raw), None

    @staticmethod
    def _only(method, allowed):
        if method not in allowed:
            return Reply(405, {"error": "invalid_request", "error_description": "The endpoint only accepts %s requests."
                               % " or ".join(allowed)}, {"Allow": ", ".join(allowed)})
        return None

    def _metadata(self, method, args):
        if method != "GET":
            raise errors.arm(405, "MethodNotAllowed", "The requested resource does not support http method '%s'." % method,
                             headers={"Allow": "GET"})
        if not args.get("api-version"):
            raise errors.arm(400, "MissingApiVersionParameter",
                             "The api-version query parameter (?api-version=) is required for all requests.")
        return Reply(200, cloud_metadata(self.base + "/", self.identity.audience, args["api-version"]))

    def _finish(self, request, reply, start_response, started, kind, entry=None):
        headers = dict(reply.headers)
        headers["x-ms-request-id"] = request_id()
        headers["x-ms-correlation-request-id"] = request.headers.get("x-ms-correlation-request-id") or request_id()
        client_id = request.headers.get("x-ms-client-request-id")
        if client_id:
            headers["x-ms-client-request-id"] = client_id
        if reply.body is None or reply.status == 204 or request.method == "HEAD":
            data = b""
        elif isinstance(reply.body, bytes):  # an injected answer, already encoded (control.fault_reply)
            data = reply.body
        elif isinstance(reply.body, (dict, list, JsonText)):
            data = (reply.body if isinstance(reply.body, JsonText) else json.dumps(reply.body)).encode("utf-8")
            headers["Content-Type"] = JSON_TYPE
        else:
            data = str(reply.body).encode("utf-8")
        if data and "content-type" not in {name.lower() for name in headers}:
            headers["Content-Type"] = "text/plain; charset=utf-8"
        if entry is not None:
            entry["status"] = reply.status
            self.journal.add(entry)
        LOG.info("%s %s -> %d (%s, %.1f ms)", request.method, request.raw_path, reply.status, kind,
                 (time.monotonic() - started) * 1000)
        return respond(start_response, reply.status, headers, data)
