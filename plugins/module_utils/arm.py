# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Azure Resource Manager over plain HTTP (``requests``): links, headers, retries, errors, answers, paging.

Everything a module needs from Resource Manager goes through ``ArmClient`` so that retries, token refresh,
error shapes and the checks on answers are handled in one place. ``sleep``, ``clock`` and ``random`` are
injectable so the unit tests run instantly and deterministically. Asynchronous operations are followed by
``arm_wait`` (imported only when a write answers asynchronously). The errors and the reading of error bodies are in
``arm_errors``, below both.

Every answer is untrusted input: a status outside the ones Resource Manager documents for the method, a body
that is not the JSON it must be, or a link that leads anywhere but the Resource Manager endpoint is an
``ArmError``, never a success and never a traceback. Bearer tokens live only in the request headers: no
exception, message or result ever carries one.
"""

from __future__ import annotations

import copy
import json
import platform
import re
import time
import traceback
import uuid
from urllib.parse import parse_qsl, quote, urlsplit

try:
    import requests
    from urllib3.exceptions import NewConnectionError
    from urllib3.util import parse_url
except ImportError:
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
else:
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None

from ansible.module_utils.ansible_release import __version__ as ANSIBLE_CORE_VERSION

from ansible_collections.azureml.model_management.plugins.module_utils.arm_errors import (
    ArmError,
    Headers,
    _loads,
    _text_or_none,
    invalid_response,
    printable,
    shorten,
)
from ansible_collections.azureml.model_management.plugins.module_utils.retry import RETRY_STATUSES, RetryPolicy
from ansible_collections.azureml.model_management.plugins.module_utils.text import header_value_problem
from ansible_collections.azureml.model_management.plugins.module_utils.version import COLLECTION_VERSION

DEFAULT_PORTS = {"https": 443, "http": 80}
MAX_PAGES = 100000
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1", "[::1]")

# The statuses Resource Manager documents as success for each method (RPC: PUT 200/201, PATCH 200/202,
# DELETE 200/202/204, GET 200), and those whose body must be a JSON object (the resource or the status).
SUCCESS_STATUSES = {
    "GET": (200,),
    "PUT": (200, 201),
    "PATCH": (200, 202),
    "DELETE": (200, 202, 204),
}
OBJECT_STATUSES = {
    "GET": (200,),
    "PUT": (200, 201),
    "PATCH": (200,),
    "DELETE": (),
}


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


class ArmResponse(object):
    """A successful answer: status, case-insensitive headers, parsed JSON body (None when empty).

    ``answer_lost`` is true when an earlier attempt of the same request may have been applied without its answer
    reaching us (a transport failure after sending, a 5xx): a DELETE answered 204 may then be our own doing.
    """

    def __init__(self, status, headers=None, body=None, method=None, url=None):
        self.status = status
        self.headers = headers if isinstance(headers, Headers) else Headers(headers)
        self.body = body
        self.method = method
        self.url = url
        self.answer_lost = False

    def __repr__(self):
        return "ArmResponse(%s %s -> %s)" % (self.method, self.url, self.status)


def _lost(error):
    error.answer_lost = True
    return error


def _never_sent(exc):
    """True when a transport failure certainly happened before the request left (no connection was made)."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(reason, NewConnectionError)


# -- links --------------------------------------------------------------------------------------------------------------

def _origin_of(url):
    """(scheme, host, port) as urllib3 (the transport of requests) parses ``url``."""
    parsed = parse_url(url)
    scheme = (parsed.scheme or "").lower()
    return scheme, (parsed.host or "").lower().strip("[]"), parsed.port or DEFAULT_PORTS.get(scheme)


def prepared_url(url):
    """The URL exactly as ``requests`` will send it (``requests.Request(...).prepare()``), or an ArmError."""
    try:
        return requests.Request("GET", url).prepare().url
    except (requests.exceptions.RequestException, ValueError, UnicodeError) as exc:
        raise invalid_response("the link %s is not a valid URL: %s" % (printable(url), shorten(str(exc), 200))) from None


def link_problem(link, endpoint):
    """Why ``link`` (an absolute URL from an answer) must not be followed: ``(code, reason)``, or None.

    ``InvalidResponse`` when it is no usable http(s) URL at all (``x.y:a``: requests leaves such a URL unprepared and
    urllib3 cannot parse it); ``ForeignHost`` when it is one but not exactly the endpoint's scheme, host and port, or
    carries userinfo, backslashes, whitespace or control characters; checked on the URL as the transport will send it.
    """
    if "\\" in link or any(ord(ch) <= 32 or 127 <= ord(ch) <= 159 for ch in link):
        return "ForeignHost", "it contains a backslash, whitespace or control characters"
    if link.startswith("//"):
        return "ForeignHost", "it is scheme-relative"
    if link.split(":", 1)[0].lower() not in ("http", "https") or "://" not in link:
        return "InvalidResponse", "it is not an http(s) URL"
    if "@" in re.split(r"[/?#]", link.split("//", 1)[-1], maxsplit=1)[0]:
        return "ForeignHost", "it carries userinfo (user@host)"
    try:
        sent = prepared_url(link)
        parsed = parse_url(sent)
        origin = _origin_of(sent)
    except (ArmError, ValueError) as exc:  # urllib3's LocationParseError is a ValueError
        return "InvalidResponse", "it is not a valid URL (%s)" % shorten(getattr(exc, "message", None) or str(exc), 200)
    if parsed.auth:
        return "ForeignHost", "it carries userinfo (user@host)"
    if origin != _origin_of(endpoint):
        return "ForeignHost", "it is not on the Resource Manager endpoint %s" % endpoint
    if origin[0] != "https" and origin[1] not in LOOPBACK_HOSTS:
        return "ForeignHost", "it is not https"
    return None


def _has_api_version(url):
    return any(key.lower() == "api-version" for key, _value in parse_qsl(urlsplit(url).query, keep_blank_values=True))


# -- the client -----------------------------------------------------------------------------------------------------------

class ArmClient(object):
    """One Resource Manager endpoint, one token provider, one ``requests`` session (connections are reused).

    ``retry`` is the ``RetryPolicy`` (built from ``sleep``, ``clock``, ``random`` and the retry limits when not
    given). ``gate``, when set, is shared by every client of a fleet run (``fleet_gate.PacingGate``):
    ``before_send(method)`` blocks until a request may go (pacing to Resource Manager's buckets, or a pause everyone
    observes), ``answered(method, headers)`` shows it the remaining-tokens headers of each answer, and a 429 is
    ``throttled(method, seconds, admission)``: every worker pauses, and the request is sent again without counting
    against its retry limit for as long as the run's time budget allows.
    """

    def __init__(self, endpoint, token_provider, api_version, timeout=30, verify=True, user_agent=None,
                 sleep=time.sleep, clock=time.monotonic, retry_budget=120, max_retries=6,
                 backoff_base=1.0, backoff_cap=30.0, random=None, session=None, retry=None, gate=None):
        self.endpoint = endpoint.rstrip("/")
        self.token_provider = token_provider
        self.api_version = api_version
        self.timeout = timeout
        # True lets requests use REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE from the environment by itself.
        self.verify = verify
        self.user_agent = user_agent or default_user_agent()
        if retry is None:
            extra = {} if random is None else dict(random=random)
            retry = RetryPolicy(max_retries=max_retries, budget=retry_budget, backoff_base=backoff_base,
                                backoff_cap=backoff_cap, sleep=sleep, clock=clock, **extra)
        self.retry = retry
        self.gate = gate
        self._session = session if session is not None else requests.Session()

    def with_gate(self, gate):
        """This client (endpoint, token, connections, retry policy) paced by ``gate``: a fleet run gives each
        subscription its own, as Resource Manager keeps a bucket per subscription and principal."""
        twin = copy.copy(self)
        twin.gate = gate
        return twin

    # -- URLs ---------------------------------------------------------------------------------------------------

    def url_for(self, path_or_url, source=None):
        """The URL to send, with ``api-version``: a path is joined to the endpoint; a link must pass ``link_problem``.

        ``source`` names where a link came from (``the Azure-AsyncOperation header of PUT ...``), for the message.
        """
        named = "%s %s" % (source, printable(path_or_url)) if source else "the link %s" % printable(path_or_url)
        if not isinstance(path_or_url, str) or not path_or_url:
            raise invalid_response("%s is not a link (a non-empty string)" % (source or "expected a link; the value"))
        try:
            parts = urlsplit(path_or_url)
        except ValueError as exc:
            raise invalid_response("%s is not a usable link: %s" % (named, shorten(str(exc), 200))) from None
        if parts.scheme or parts.netloc or path_or_url.startswith("//"):
            problem = link_problem(path_or_url, self.endpoint)
            if problem and problem[0] == "InvalidResponse":
                raise invalid_response("%s is not a usable link: %s" % (named, problem[1]))
            if problem:
                raise ArmError(0, "ForeignHost", "refusing to follow %s: %s" % (named, problem[1]))
            url = path_or_url
        else:
            url = self.endpoint + "/" + path_or_url.lstrip("/")
        if not _has_api_version(url):
            url += ("&" if "?" in url else "?") + "api-version=" + quote(self.api_version, safe="")
        sent = prepared_url(url)
        if _origin_of(sent) != _origin_of(self.endpoint):  # a path cannot change the host; checked all the same
            raise ArmError(0, "ForeignHost", "refusing to send to %s: not the Resource Manager endpoint" % printable(sent))
        return sent

    # -- one request --------------------------------------------------------------------------------------------

    def _headers(self, extra, has_body, request_id):
        """The headers of one attempt; an InvalidResponse, before anything is sent, for a value that cannot be sent (the
        token comes from the identity endpoint, an If-Match etag from an answer: both are untrusted)."""
        headers = {
            "Accept": "application/json",
            "User-Agent": self.user_agent,
            "x-ms-client-request-id": request_id,
        }
        if has_body:
            headers["Content-Type"] = "application/json"
        headers.update(extra or {})
        for name, value in headers.items():
            problem = header_value_problem(value) if isinstance(value, str) else "it is not text"
            if problem:
                raise invalid_response("the value of the %s header cannot be sent (%s): %s; nothing was sent"
                                       % (name, problem, printable(value, 80)))
        token = self.token_provider.get_token()
        problem = header_value_problem(token) if isinstance(token, str) else "it is not text"
        if problem:  # never the token itself in a message
            raise invalid_response("the access token from the identity endpoint cannot be sent in an Authorization header (%s); "
                                   "nothing was sent" % problem)
        headers["Authorization"] = "Bearer " + token
        return headers

    def _send(self, method, url, data, headers):
        where = "%s %s" % (method, printable(url))
        try:
            return self._session.request(method, url, data=data, headers=headers, timeout=self.timeout,
                                         verify=self.verify, allow_redirects=False)
        except requests.exceptions.SSLError as exc:
            raise ArmError(0, "SSLError", "TLS failure on %s (check validate_certs or REQUESTS_CA_BUNDLE): %s"
                           % (where, shorten(str(exc)))) from None
        except requests.exceptions.ContentDecodingError as exc:
            raise _lost(invalid_response("%s: the answer's body could not be decoded (Content-Encoding): %s"
                                         % (where, shorten(str(exc), 200)))) from None
        except (requests.exceptions.ConnectionError, requests.exceptions.Timeout, requests.exceptions.ChunkedEncodingError) as exc:
            error = ArmError(0, type(exc).__name__, "%s failed: %s" % (where, shorten(str(exc))))
            error.answer_lost = not _never_sent(exc)
            return error
        except requests.exceptions.RequestException as exc:
            raise ArmError(0, type(exc).__name__, "%s failed: %s" % (where, shorten(str(exc)))) from None
        except (IOError, OSError) as exc:  # e.g. REQUESTS_CA_BUNDLE naming a file that does not exist
            raise ArmError(0, "TransportSetupError", "%s could not be sent: %s (check REQUESTS_CA_BUNDLE and validate_certs)"
                           % (where, shorten(str(exc), 300))) from None

    def request(self, method, path_or_url, body=None, headers=None, success=None, objects=None):
        """Send one request (retries, one token refresh on 401); return a checked ``ArmResponse`` or raise ``ArmError``.

        ``success`` overrides the statuses that count as success (default: ``SUCCESS_STATUSES`` of the method),
        ``objects`` those whose body must be a JSON object (default: ``OBJECT_STATUSES`` of the method). Both the
        answer and the error carry ``answer_lost``: whether some attempt may have been applied without a definite answer.
        """
        url = self.url_for(path_or_url)
        data = json.dumps(body) if body is not None else None
        request_id = str(uuid.uuid4())
        attempts = self.retry.start()
        refreshed = False
        lost = False
        while True:
            admission = self._admitted(method, attempts)
            sent = self._headers(headers, data is not None, request_id)
            response = self._send(method, url, data, sent)
            if self.gate is not None and not isinstance(response, ArmError) and response.status_code not in (401, 429):
                self.gate.answered(method, Headers(response.headers), admission)  # its remaining-tokens headers pace the run
            if isinstance(response, ArmError):
                error, hint_headers = response, None
            elif self.gate is not None and response.status_code == 429:
                error = self._throttled(method, admission, attempts, response)
                if error is None:
                    continue
                error.answer_lost = lost
                raise error
            elif response.status_code == 401 and not refreshed:
                refreshed = True
                self.token_provider.refresh(rejected=sent["Authorization"][len("Bearer "):])
                continue
            elif response.status_code < 400:
                try:
                    answer = self._checked(method, url, response, success, objects)
                except ArmError as err:
                    raise _lost(err) from None  # an answer that cannot be read says nothing about what was applied
                answer.answer_lost = lost
                return answer
            else:
                error = ArmError.from_http(response.status_code, response.reason, _text(response), Headers(response.headers))
                error.answer_lost = error.status >= 500  # a 5xx may come after the provider applied the request
                hint_headers = Headers(response.headers)
            lost = lost or error.answer_lost
            error.answer_lost = lost
            if error.status not in RETRY_STATUSES and error.status != 0:
                raise error
            delay = attempts.next_delay(hint_headers)
            if delay is None:
                if attempts.asked_too_long:
                    error.message = "%s (%s)" % (error.message, attempts.gave_up)
                raise error
            self.retry.sleep(delay)

    def _admitted(self, method, attempts):
        """With a gate: wait until it lets this request go (that wait is not counted against the retry budget)."""
        if self.gate is None:
            return None
        admission = self.gate.before_send(method)
        attempts.discount(admission.waited)
        return admission

    def _throttled(self, method, admission, attempts, response):
        """A 429 under a gate means "later": every worker pauses (the gate) and None says to send it again. Only when
        the pause would outlast the run's time budget is it the error to raise, saying so."""
        headers = Headers(response.headers)
        if self.gate.throttled(method, attempts.later(headers), admission):
            return None
        error = ArmError.from_http(response.status_code, response.reason, _text(response), headers)
        error.message = "%s (%s)" % (error.message, self.gate.spent())
        return error

    def _checked(self, method, url, response, success, objects):
        """An ``ArmResponse`` for a documented success status with a body of the right shape; else InvalidResponse."""
        headers = Headers(response.headers)
        request_id = _text_or_none(headers.get("x-ms-request-id"))
        where = "%s %s" % (method, printable(url))
        status = response.status_code
        allowed = success or SUCCESS_STATUSES.get(method, (200,))
        if status not in allowed:
            extra = " (redirects are not followed)" if 300 <= status < 400 else ""
            raise invalid_response("%s answered %s, which is not a success status for %s (expected %s)%s"
                                   % (where, status, method, ", ".join(str(s) for s in allowed), extra), request_id)
        text = _text(response)
        body = _loads(text)
        if text.strip() and body is None and status != 204:
            content_type = headers.get("Content-Type") or "no Content-Type"
            raise invalid_response("%s answered %s with a body that is not JSON (%s): %s"
                                   % (where, status, shorten(content_type, 80), shorten(text, 120)), request_id)
        if status in (OBJECT_STATUSES.get(method, (200,)) if objects is None else objects) and not isinstance(body, dict):
            raise invalid_response("%s answered %s without the JSON object it must carry (got %s)"
                                   % (where, status, _kind(body)), request_id)
        return ArmResponse(status, headers, body if status != 204 else None, method, url)

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
        """Every item of a list, following each ``nextLink`` (pages may be empty); bad pages and links are errors.

        An error answered for a page carries ``pages_read``: how many pages of the list were read before it."""
        items = []
        seen = set()
        url = path
        while url:
            if url in seen or len(seen) >= MAX_PAGES:
                raise ArmError(0, "PagingLoop", "the list's nextLink %s was already followed (a paging loop)" % printable(url))
            seen.add(url)
            try:
                page = self.request("GET", url).body
            except ArmError as err:
                err.pages_read = len(seen) - 1  # a 404 after a page was read is not "the list does not exist"
                if err.pages_read:
                    err.message = "%s (on page %d of the list, after %d page%s read)" % (
                        err.message, len(seen), err.pages_read, " was" if err.pages_read == 1 else "s were")
                raise
            values = page.get("value", [])
            if values is None:
                values = []
            if not isinstance(values, list) or not all(isinstance(item, dict) for item in values):
                raise invalid_response("a page of %s has a 'value' that is not a list of objects (got %s)" % (printable(path), _kind(values)))
            items.extend(values)
            url = page.get("nextLink")
            if url in (None, ""):
                break
            if not isinstance(url, str):
                raise invalid_response("a page of %s has a nextLink that is not a string (got %s)" % (printable(path), _kind(url)))
            url = self.url_for(url, source="the nextLink of a page of %s" % printable(path))
        return items

    # -- asynchronous operations --------------------------------------------------------------------------------

    def wait(self, response, timeout, resource_path=None, deleting=False):
        """Follow the asynchronous pattern of ``response`` to its end; see ``arm_wait.wait``."""
        from ansible_collections.azureml.model_management.plugins.module_utils import arm_wait

        return arm_wait.wait(self, response, timeout, resource_path=resource_path, deleting=deleting)

    def pause(self, seconds):
        self.retry.sleep(seconds)

    def now(self):
        return self.retry.clock()


def _text(response):
    try:
        return response.text or ""
    except (ValueError, LookupError, TypeError):
        return ""


def _kind(value):
    """A short name of a JSON value's type, for messages (never the value itself)."""
    if value is None:
        return "nothing"
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", int: "a number", float: "a number"}.get(type(value), type(value).__name__)
