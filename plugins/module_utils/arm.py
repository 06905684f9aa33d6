# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Azure Resource Manager over plain HTTP (``requests``): headers, retries, errors, paging, async polling.

Everything a module needs from Resource Manager goes through ``ArmClient`` so that retries, token refresh
and error shapes are handled in one place. ``sleep``, ``clock`` and ``random`` are injectable so the
unit tests run instantly and deterministically.

Bearer tokens live only in the request headers: no exception, message or result ever carries one.
"""

from __future__ import annotations

import json
import platform
import random as _random
import re
import time
import traceback
import uuid
from collections.abc import Mapping
from email.utils import parsedate_to_datetime
from urllib.parse import parse_qsl, urlsplit

try:
    import requests
except ImportError:
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
else:
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None

from ansible.module_utils.ansible_release import __version__ as ANSIBLE_CORE_VERSION

from ansible_collections.azureml.model_management.plugins.module_utils.version import COLLECTION_VERSION

RETRY_STATUSES = frozenset((429, 500, 502, 503, 504))
TERMINAL_STATES = ("succeeded", "failed", "canceled")
DEFAULT_POLL_SECONDS = 5
MESSAGE_MAX = 500
DEFAULT_PORTS = {"https": 443, "http": 80}


def default_user_agent():
    """``azureml.model_management/<v> ansible-core/<v> python/<v> requests/<v>``: what support needs to know."""
    parts = [
        "azureml.model_management/%s" % COLLECTION_VERSION,
        "ansible-core/%s" % ANSIBLE_CORE_VERSION,
        "python/%s" % platform.python_version(),
    ]
    if HAS_REQUESTS:
        parts.append("requests/%s" % requests.__version__)
    return " ".join(parts)


def shorten(text, limit=MESSAGE_MAX):
    """At most ``limit`` characters of ``text`` for a message, whitespace runs folded to one space."""
    text = re.sub(r"\s+", " ", text or "").strip()
    return text if len(text) <= limit else text[:limit] + "..."


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


class ArmResponse(object):
    """A successful (< 400) answer: status, case-insensitive headers, parsed JSON body (None when empty or not JSON)."""

    def __init__(self, status, headers=None, body=None, method=None, url=None):
        self.status = status
        self.headers = headers if isinstance(headers, Headers) else Headers(headers)
        self.body = body
        self.method = method
        self.url = url

    def __repr__(self):
        return "ArmResponse(%s %s -> %s)" % (self.method, self.url, self.status)


class ArmError(Exception):
    """An error from Resource Manager (status >= 400), from the transport (status 0), or from waiting."""

    def __init__(self, status, code, message, details=None, request_id=None, target=None):
        super(ArmError, self).__init__(status, code, message)
        self.status = status
        self.code = code
        self.message = message
        self.details = list(details or [])
        self.request_id = request_id
        self.target = target

    def __str__(self):
        return "%s %s: %s" % (self.status, self.code, self.message)

    def to_dict(self):
        return dict(status=self.status, code=self.code, message=self.message, details=self.details,
                    request_id=self.request_id, target=self.target)

    @classmethod
    def from_http(cls, status, reason, text, headers):
        """Read ARM's ``{"error": {...}}`` and the provider's flat ``{"code", "message"}``; fall back to the reason and text."""
        headers = headers if isinstance(headers, Headers) else Headers(headers)
        request_id = headers.get("x-ms-request-id")
        fallback_code = (reason or "").replace(" ", "") or "HTTP%d" % status
        try:
            data = json.loads(text) if text and text.strip() else None
        except ValueError:
            data = None
        if isinstance(data, dict):
            error = data.get("error") if isinstance(data.get("error"), dict) else data
            code, message = error.get("code"), error.get("message")
            if code or message:
                details = error.get("details")
                return cls(status, code or fallback_code, message or reason or "",
                           details=details if isinstance(details, list) else [],
                           request_id=request_id, target=error.get("target"))
        message = shorten(text) if data is None else shorten(json.dumps(data))
        return cls(status, fallback_code, message or reason or "HTTP %d" % status, request_id=request_id)


def retry_after_seconds(headers, default=None):
    """``Retry-After`` as seconds (a number or an HTTP-date, measured from the response's ``Date``); else ``default``."""
    value = headers.get("Retry-After") if headers else None
    if value is None:
        return default
    value = str(value).strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
        reference = parsedate_to_datetime(headers["Date"]) if headers.get("Date") else None
    except (TypeError, ValueError, IndexError):
        return default
    now = reference.timestamp() if reference is not None else time.time()
    return max(0.0, when.timestamp() - now)


def _origin(url):
    parts = urlsplit(url)
    scheme = (parts.scheme or "").lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    return scheme, (parts.hostname or "").lower(), port or DEFAULT_PORTS.get(scheme)


def _has_api_version(url):
    return any(key.lower() == "api-version" for key, _value in parse_qsl(urlsplit(url).query, keep_blank_values=True))


def _without_query(url):
    return url.split("?", 1)[0]


class ArmClient(object):
    """One Resource Manager endpoint, one token provider, one ``requests`` session (connections are reused)."""

    def __init__(self, endpoint, token_provider, api_version, timeout=30, verify=True, user_agent=None,
                 sleep=time.sleep, clock=time.monotonic, retry_budget=120, max_retries=6,
                 backoff_base=1.0, backoff_cap=30.0, random=_random.random, session=None):
        self.endpoint = endpoint.rstrip("/")
        self.token_provider = token_provider
        self.api_version = api_version
        self.timeout = timeout
        # True lets requests use REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE from the environment by itself.
        self.verify = verify
        self.user_agent = user_agent or default_user_agent()
        self.retry_budget = retry_budget
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self._sleep = sleep
        self._clock = clock
        self._random = random
        self._session = session if session is not None else requests.Session()

    # -- URLs ---------------------------------------------------------------------------------------------------

    def url_for(self, path_or_url):
        """Absolute URL with ``api-version``; absolute URLs must be on the endpoint (scheme, host, port)."""
        parts = urlsplit(path_or_url)
        if parts.scheme or parts.netloc:
            if _origin(path_or_url) != _origin(self.endpoint):
                raise ArmError(0, "ForeignHost", "refusing to follow %s: it is not on the Resource Manager endpoint %s"
                               % (_without_query(path_or_url), self.endpoint))
            url = path_or_url
        else:
            url = self.endpoint + "/" + path_or_url.lstrip("/")
        if not _has_api_version(url):
            url += ("&" if "?" in url else "?") + "api-version=" + self.api_version
        return url

    # -- one request --------------------------------------------------------------------------------------------

    def _headers(self, extra, has_body, request_id):
        headers = {
            "Accept": "application/json",
            "User-Agent": self.user_agent,
            "x-ms-client-request-id": request_id,
        }
        if has_body:
            headers["Content-Type"] = "application/json"
        headers.update(extra or {})
        headers["Authorization"] = "Bearer " + self.token_provider.get_token()
        return headers

    def _backoff(self, attempt, headers):
        """Retry-After when the server says so; else exponential backoff with full jitter."""
        hinted = retry_after_seconds(headers)
        if hinted is not None:
            return hinted
        return self._random() * min(self.backoff_cap, self.backoff_base * (2 ** attempt))

    def _send(self, method, url, data, headers):
        try:
            return self._session.request(method, url, data=data, headers=headers, timeout=self.timeout,
                                         verify=self.verify, allow_redirects=False)
        except requests.exceptions.SSLError as exc:
            raise ArmError(0, "SSLError", "TLS failure talking to %s (check validate_certs or REQUESTS_CA_BUNDLE): %s"
                           % (_without_query(url), shorten(str(exc)))) from None
        except (requests.exceptions.ConnectionError, requests.exceptions.Timeout, requests.exceptions.ChunkedEncodingError) as exc:
            return ArmError(0, type(exc).__name__, "%s %s failed: %s" % (method, _without_query(url), shorten(str(exc))))

    def request(self, method, path_or_url, body=None, headers=None):
        """Send one request (with retries and one token refresh on 401); return ``ArmResponse`` or raise ``ArmError``."""
        url = self.url_for(path_or_url)
        data = json.dumps(body) if body is not None else None
        request_id = str(uuid.uuid4())
        started = self._clock()
        attempt = 0
        refreshed = False
        while True:
            response = self._send(method, url, data, self._headers(headers, data is not None, request_id))
            if isinstance(response, ArmError):
                error, hint_headers = response, None
            elif response.status_code == 401 and not refreshed:
                refreshed = True
                self.token_provider.refresh()
                continue
            elif response.status_code < 400:
                return ArmResponse(response.status_code, Headers(response.headers), self._json(response), method, url)
            else:
                error = ArmError.from_http(response.status_code, response.reason, response.text, Headers(response.headers))
                if error.status not in RETRY_STATUSES:
                    raise error
                hint_headers = Headers(response.headers)
            delay = self._backoff(attempt, hint_headers)
            if attempt >= self.max_retries or (self._clock() - started) + delay > self.retry_budget:
                raise error
            self._sleep(delay)
            attempt += 1

    @staticmethod
    def _json(response):
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            return None

    # -- helpers built on request -------------------------------------------------------------------------------

    def get_or_none(self, path, missing_codes=None):
        """The resource body, or None on 404 (any 404, or only those whose code is in ``missing_codes``)."""
        try:
            return self.request("GET", path).body
        except ArmError as err:
            if err.status != 404:
                raise
            if missing_codes is not None and (err.code or "").lower() not in [c.lower() for c in missing_codes]:
                raise
            return None

    def list_all(self, path):
        """Every item of a list, following each ``nextLink`` (pages may be empty); foreign hosts are refused."""
        items = []
        seen = set()
        url = path
        while url:
            if url in seen:
                raise ArmError(0, "PagingLoop", "nextLink %s was already followed" % _without_query(url))
            seen.add(url)
            body = self.request("GET", url).body or {}
            items.extend(body.get("value") or [])
            url = body.get("nextLink")
        return items

    # -- asynchronous operations --------------------------------------------------------------------------------

    def wait(self, response, timeout, final_get_path=None):
        """Follow ARM's async patterns to the end.

        ``Azure-AsyncOperation``: poll its ``status``; ``Location`` with 202: poll until not 202; a non-terminal
        ``provisioningState`` without headers: poll the resource. Returns the GET of ``final_get_path`` when given
        (after a PUT), else None (after a DELETE); a response with nothing to wait for is returned as it is.
        """
        deadline = self._clock() + timeout
        operation = "%s %s" % (response.method or "operation", _without_query(response.url or final_get_path or ""))
        async_url = response.headers.get("Azure-AsyncOperation")
        location = response.headers.get("Location")
        if async_url:
            self.url_for(async_url)  # refuse a foreign host before sleeping
            self._poll_operation(response, async_url, deadline, timeout, operation)
        elif location and response.status == 202:
            self.url_for(location)
            self._poll_location(response, location, deadline, timeout, operation)
        elif _provisioning_state(response.body) not in (None,) + TERMINAL_STATES:
            target = final_get_path or (response.body or {}).get("id")
            return self._poll_resource(response, target, deadline, timeout, operation)
        else:
            return response
        return self.request("GET", final_get_path) if final_get_path else None

    def _pause(self, last, deadline, timeout, operation, state):
        remaining = deadline - self._clock()
        if remaining <= 0:
            raise ArmError(0, "WaitTimeout", "%s did not finish within %s seconds (last state: %s)" % (operation, timeout, state))
        self._sleep(min(retry_after_seconds(last.headers, DEFAULT_POLL_SECONDS), remaining))

    def _poll_operation(self, original, url, deadline, timeout, operation):
        last, state = original, "InProgress"
        while True:
            self._pause(last, deadline, timeout, operation, state)
            last = self.request("GET", url)
            body = last.body if isinstance(last.body, dict) else {}
            state = str(body.get("status") or "InProgress")
            if state.lower() == "succeeded":
                return
            if state.lower() in ("failed", "canceled", "cancelled"):
                raise _operation_error(original.status, state, body.get("error"), operation, last)

    def _poll_location(self, original, url, deadline, timeout, operation):
        last = original
        while last.status == 202:
            self._pause(last, deadline, timeout, operation, "Accepted (202)")
            last = self.request("GET", url)

    def _poll_resource(self, original, path, deadline, timeout, operation):
        if not path:
            raise ArmError(0, "WaitImpossible", "%s is still provisioning and there is no resource to poll" % operation)
        last = original
        while True:
            state = _provisioning_state(last.body)
            if state in (None, "succeeded"):
                return last
            if state in ("failed", "canceled"):
                error = (last.body.get("properties") or {}).get("error")
                raise _operation_error(original.status, last.body["properties"]["provisioningState"], error, operation, last)
            self._pause(last, deadline, timeout, operation, last.body["properties"]["provisioningState"])
            last = self.request("GET", path)


def _provisioning_state(body):
    if not isinstance(body, dict) or not isinstance(body.get("properties"), dict):
        return None
    state = str(body["properties"].get("provisioningState") or "").lower()
    return {"": None, "cancelled": "canceled"}.get(state, state)


def _operation_error(status, state, error, operation, last):
    error = error if isinstance(error, dict) else {}
    return ArmError(status, error.get("code") or state, error.get("message") or "%s ended in state %s" % (operation, state),
                    details=error.get("details") if isinstance(error.get("details"), list) else [],
                    request_id=last.headers.get("x-ms-request-id"), target=error.get("target"))
