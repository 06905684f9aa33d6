# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Clouds: known names, custom clouds from /metadata/endpoints (retried like any Resource Manager call), the metadata
cache and the OpenID discovery adapter. No network."""

from __future__ import annotations

import pytest
import requests

from ansible_collections.azureml.model_management.plugins.module_utils import cloud as clouds
from ansible_collections.azureml.model_management.plugins.module_utils.cloud import CloudEndpoints
from ansible_collections.azureml.model_management.plugins.module_utils.errors import AuthError
from ansible_collections.azureml.model_management.plugins.module_utils.retry import RetryPolicy
from ansible_collections.azureml.model_management.plugins.module_utils.token_fetch import discovery_adapter

STACK = "https://management.local.azurestack.external"

# ---------------------------------------------------------------------------------------------------------------------
# clouds


@pytest.mark.parametrize("name, resource_manager, authority, scope", [
    (None, "https://management.azure.com", "https://login.microsoftonline.com", "https://management.core.windows.net/.default"),
    ("AzureCloud", "https://management.azure.com", "https://login.microsoftonline.com", "https://management.core.windows.net/.default"),
    ("azurepubliccloud", "https://management.azure.com", "https://login.microsoftonline.com", "https://management.core.windows.net/.default"),
    ("AZURECHINACLOUD", "https://management.chinacloudapi.cn", "https://login.chinacloudapi.cn", "https://management.core.chinacloudapi.cn/.default"),
    (" AzureUSGovernment ", "https://management.usgovcloudapi.net", "https://login.microsoftonline.us",
     "https://management.core.usgovcloudapi.net/.default"),
])
def test_known_clouds(name, resource_manager, authority, scope):
    cloud = clouds.resolve_cloud(name, session=object())  # a session that would fail if used
    assert (cloud.resource_manager, cloud.authority, cloud.scope, cloud.custom) == (resource_manager, authority, scope, False)


class MetadataResponse(object):
    def __init__(self, status, body=None, headers=None):
        self.status_code = status
        self.body = body
        self.headers = headers or {}

    def json(self):
        if isinstance(self.body, Exception):
            raise self.body
        return self.body


class MetadataSession(object):
    """Answers GETs with ``reply``, or with each of ``replies`` in turn (the last one repeats)."""

    def __init__(self, reply=None, replies=None):
        self.replies = list(replies or [reply])
        self.calls = []

    def get(self, url, **kwargs):
        self.calls.append((url, kwargs))
        reply = self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]
        if isinstance(reply, Exception):
            raise reply
        return reply


def test_custom_cloud_from_metadata():
    metadata = {"galleryEndpoint": "x", "authentication": {"loginEndpoint": "https://login.stack.test/", "audiences": ["https://management.stack.test/abc"]}}
    session = MetadataSession(MetadataResponse(200, metadata))
    cloud = clouds.resolve_cloud(STACK + "/", verify=False, timeout=9, session=session)
    assert cloud == CloudEndpoints(STACK, STACK, "https://login.stack.test", "https://management.stack.test/abc", True)
    assert cloud.scope == "https://management.stack.test/abc/.default"
    url, kwargs = session.calls[0]
    assert url == STACK + "/metadata/endpoints?api-version=2015-01-01"
    assert kwargs["verify"] is False and kwargs["timeout"] == 9 and "Authorization" not in kwargs["headers"]


@pytest.mark.parametrize("reply, fragment", [
    (MetadataResponse(404, {}), "HTTP 404"),
    (MetadataResponse(200, ValueError("not json")), "authentication.loginEndpoint"),
    (MetadataResponse(200, {"authentication": {"loginEndpoint": "https://login"}}), "authentication.audiences"),
    (MetadataResponse(200, {"authentication": {"loginEndpoint": "https://login", "audiences": []}}), "authentication.audiences"),
    (MetadataResponse(200, {"authentication": {"loginEndpoint": "http://login", "audiences": ["a"]}}), "https"),
    (MetadataResponse(200, ["not", "a", "dict"]), "authentication.loginEndpoint"),
    (requests.exceptions.ConnectionError("refused"), "ConnectionError"),
    (requests.exceptions.SSLError("certificate verify failed"), "REQUESTS_CA_BUNDLE"),
])
def test_bad_cloud_metadata(reply, fragment):
    with pytest.raises(AuthError) as info:
        clouds.resolve_cloud(STACK, session=MetadataSession(reply), sleep=lambda seconds: None)
    message = str(info.value)
    assert message.startswith("cloud_environment %r: cannot read the cloud metadata from %s/metadata/endpoints?api-version=2015-01-01" % (STACK, STACK))
    assert fragment in message


@pytest.mark.parametrize("name", ["AzureGermanCloud", "http://management.local", "management.azure.com"])
def test_unknown_cloud_name(name):
    with pytest.raises(AuthError) as info:
        clouds.resolve_cloud(name, session=object())
    assert "cloud_environment must be AzureCloud, AzureChinaCloud, AzureUSGovernment or the https:// URL" in str(info.value)


# ---------------------------------------------------------------------------------------------------------------------
# /metadata/endpoints is retried like any Resource Manager call (issue 6, defect 8)

GOOD_METADATA = {"authentication": {"loginEndpoint": "https://login.stack.test/", "audiences": ["https://management.stack.test/"]}}


class Pauses(object):
    """sleep() and clock() for the retry loop: records each pause and advances time by it."""

    def __init__(self):
        self.now = 0.0
        self.slept = []

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds

    def clock(self):
        return self.now


def resolve_with(session, pauses, random=lambda: 0.5, cache=None):
    return clouds.resolve_cloud(STACK, session=session, sleep=pauses.sleep, clock=pauses.clock, random=random, cache=cache)


@pytest.mark.parametrize("first", [
    MetadataResponse(500, {"error": {"code": "InternalServerError"}}),
    MetadataResponse(502), MetadataResponse(503), MetadataResponse(504), MetadataResponse(429),
    requests.exceptions.ConnectionError("Connection aborted: RemoteDisconnected"),
    requests.exceptions.ReadTimeout("read timed out"),
])
def test_one_failed_metadata_request_is_retried_with_jitter(first):
    session, pauses = MetadataSession(replies=[first, MetadataResponse(200, GOOD_METADATA)]), Pauses()
    cloud = resolve_with(session, pauses, random=lambda: 0.25)
    assert cloud.authority == "https://login.stack.test" and len(session.calls) == 2
    assert pauses.slept == [0.25]  # full jitter: random() * min(cap, base * 2**0)


def test_metadata_retry_honours_retry_after():
    throttled = MetadataResponse(429, headers={"Retry-After": "7"})
    session, pauses = MetadataSession(replies=[throttled, throttled, MetadataResponse(200, GOOD_METADATA)]), Pauses()
    resolve_with(session, pauses)
    assert pauses.slept == [7.0, 7.0] and len(session.calls) == 3


def test_metadata_retries_are_bounded_by_count():
    session, pauses = MetadataSession(MetadataResponse(503)), Pauses()
    with pytest.raises(AuthError) as info:
        resolve_with(session, pauses, random=lambda: 0.0)
    assert len(session.calls) == RetryPolicy().max_retries + 1 and info.value.code == "CloudMetadataUnavailable"
    assert str(info.value).endswith(": HTTP 503")


def test_metadata_retries_are_bounded_by_time():
    session, pauses = MetadataSession(MetadataResponse(503, headers={"Retry-After": "50"})), Pauses()
    with pytest.raises(AuthError):
        resolve_with(session, pauses)
    assert pauses.slept == [50.0, 50.0] and len(session.calls) == 3  # a third pause would pass the 120 s budget


@pytest.mark.parametrize("reply", [MetadataResponse(404), MetadataResponse(401), requests.exceptions.SSLError("bad certificate")])
def test_metadata_errors_that_a_retry_cannot_fix_are_not_retried(reply):
    session, pauses = MetadataSession(reply), Pauses()
    with pytest.raises(AuthError):
        resolve_with(session, pauses)
    assert len(session.calls) == 1 and pauses.slept == []


# ---------------------------------------------------------------------------------------------------------------------
# the metadata cache


def test_metadata_cache_keeps_documents_private_and_expires_them(tmp_path):
    now = [1000.0]
    cache = clouds.MetadataCache(str(tmp_path), max_age=60, clock=lambda: now[0])
    assert cache.get("https://a/x") is None
    cache.put("https://a/x", {"k": 1})
    (stored,) = list(tmp_path.iterdir())
    assert stored.stat().st_mode & 0o777 == 0o600
    assert cache.get("https://a/x") == {"k": 1} and cache.get("https://a/y") is None
    now[0] += 59
    assert cache.get("https://a/x") == {"k": 1}
    now[0] += 1
    assert cache.get("https://a/x") is None


def test_metadata_cache_ignores_a_damaged_file(tmp_path):
    cache = clouds.MetadataCache(str(tmp_path))
    cache.put("https://a/x", {"k": 1})
    (stored,) = list(tmp_path.iterdir())
    stored.write_text("{not json")
    assert cache.get("https://a/x") is None


def test_resolve_cloud_reads_metadata_once_while_the_cache_is_fresh(tmp_path):
    now = [0.0]
    cache = clouds.MetadataCache(str(tmp_path), max_age=100, clock=lambda: now[0])
    session, pauses = MetadataSession(MetadataResponse(200, GOOD_METADATA)), Pauses()
    first = resolve_with(session, pauses, cache=cache)
    now[0] = 99
    assert resolve_with(session, pauses, cache=cache) == first and len(session.calls) == 1
    now[0] = 100  # expired: fetched again
    assert resolve_with(session, pauses, cache=cache) == first and len(session.calls) == 2


def test_discovery_documents_are_answered_from_the_cache(tmp_path):
    """A warm cache answers msal's OpenID discovery without the network (192.0.2.1 is unroutable by design)."""
    url = "https://192.0.2.1/tenant/v2.0/.well-known/openid-configuration"
    cache = clouds.MetadataCache(str(tmp_path))
    cache.put(url, {"token_endpoint": "https://192.0.2.1/tenant/oauth2/v2.0/token"})
    session = requests.Session()
    session.mount("https://", discovery_adapter(cache))
    response = session.get(url, timeout=0.01)
    assert response.status_code == 200 and response.json()["token_endpoint"].endswith("/token")
    with pytest.raises(requests.exceptions.RequestException):  # anything else still goes to the network
        session.get("https://192.0.2.1/tenant/oauth2/v2.0/token", timeout=0.01)


@pytest.mark.parametrize("name", [STACK + "\n/x", STACK + "\u2028/x", "https://a\x00b"])
def test_a_cloud_url_with_a_line_break_inside_is_refused(name):
    with pytest.raises(AuthError) as info:
        clouds.resolve_cloud(name, session=object())
    assert info.value.code == "InvalidCloud" and "line breaks" in str(info.value)
