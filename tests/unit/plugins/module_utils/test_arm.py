# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ArmClient against a fake session: errors, retries, token refresh, headers, paging, async waits. No network, no real sleeping."""

from __future__ import annotations

import json
import re
import traceback
import uuid

import pytest
import requests

from ansible_collections.azureml.model_management.plugins.module_utils import arm
from ansible_collections.azureml.model_management.plugins.module_utils import arm_errors
from ansible_collections.azureml.model_management.plugins.module_utils.arm import ArmClient, ArmError, ArmResponse, Headers
from ansible_collections.azureml.model_management.plugins.module_utils.fleet_gate import Admission
from ansible_collections.azureml.model_management.plugins.module_utils.retry import retry_after_seconds
from ansible_collections.azureml.model_management.plugins.module_utils.version import COLLECTION_VERSION
from ansible_collections.azureml.model_management.tests.unit.fakes import API, ENDPOINT, SUB, FakeResponse, FakeSession, FakeTokens, arm_client, ok

SUB_PATH = "/subscriptions/" + SUB
PATH = SUB_PATH + "/resourceGroups/rg/providers/Microsoft.MachineLearningModelManagement/accounts/mma"


def no_token_anywhere(err, tokens=("secret-token",)):
    text = "\n".join([str(err), repr(err), json.dumps(err.to_dict())] + traceback.format_exception(type(err), err, err.__traceback__))
    return not any(token in text for token in tokens)


# ---------------------------------------------------------------------------------------------------------------------
# error parsing

ERRORS = [
    ("arm wrapped", 404, {"error": {"code": "ResourceGroupNotFound", "message": "Resource group 'rg' could not be found.", "target": "rg"}}, None,
     ("ResourceGroupNotFound", "Resource group 'rg' could not be found.", [], "rg")),
    ("provider flat", 400, {"code": "BadRequest", "message": "bad sku", "details": [{"code": "InvalidSku", "message": "S9"}]}, None,
     ("BadRequest", "bad sku", [{"code": "InvalidSku", "message": "S9"}], None)),
    ("wrapped with details", 409, {"error": {"code": "Conflict", "message": "busy", "details": [{"code": "X", "message": "y"}]}}, None,
     ("Conflict", "busy", [{"code": "X", "message": "y"}], None)),
    ("code only", 403, {"error": {"code": "AuthorizationFailed"}}, None, ("AuthorizationFailed", "Forbidden", [], None)),
    ("json without code", 400, {"unexpected": True}, None, ("BadRequest", '{"unexpected": true}', [], None)),
    ("html body", 502, None, "<html><body>Bad gateway</body></html>", ("BadGateway", "<html><body>Bad gateway</body></html>", [], None)),
    ("empty body", 404, None, "", ("NotFound", "Not Found", [], None)),
    ("unknown status, empty", 499, None, "", ("HTTP499", "HTTP 499", [], None)),
]


@pytest.mark.parametrize("status, body, text, expected", [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS])
def test_error_parsing(status, body, text, expected):
    reply = FakeResponse(status, body, {"x-ms-request-id": "req-42"}, text=text)
    client, _session, _time, _tokens = arm_client(reply, max_retries=0)
    with pytest.raises(ArmError) as info:
        client.request("GET", PATH)
    err = info.value
    assert (err.code, err.message, err.details, err.target) == expected
    assert err.status == status and err.request_id == "req-42"
    assert str(err) == "%s %s: %s" % (status, err.code, err.message)
    assert set(err.to_dict()) >= {"status", "code", "message", "details", "request_id"}


def test_non_json_message_is_cut_to_500_characters():
    client, _session, _time, _tokens = arm_client(FakeResponse(400, text="x" * 2000))
    with pytest.raises(ArmError) as info:
        client.request("GET", PATH)
    assert info.value.message == "x" * 500 + "..."


# ---------------------------------------------------------------------------------------------------------------------
# retries


def test_429_retry_after_seconds():
    client, session, fake_time, _tokens = arm_client(FakeResponse(429, {"error": {"code": "TooManyRequests"}}, {"Retry-After": "7"}), ok({"a": 1}))
    assert client.request("GET", PATH).body == {"a": 1}
    assert fake_time.sleeps == [7.0] and len(session.sent) == 2


def test_429_retry_after_http_date_is_measured_from_the_response_date():
    headers = {"Retry-After": "Wed, 21 Oct 2015 07:28:10 GMT", "Date": "Wed, 21 Oct 2015 07:28:00 GMT"}
    client, _session, fake_time, _tokens = arm_client(FakeResponse(429, None, headers), ok())
    client.request("GET", PATH)
    assert fake_time.sleeps == [10.0]


def test_503_then_success_uses_full_jitter():
    client, _session, fake_time, _tokens = arm_client(FakeResponse(503), ok(), random=lambda: 0.25)
    assert client.request("GET", PATH).status == 200
    assert fake_time.sleeps == [0.25]


def test_backoff_doubles_up_to_the_cap():
    replies = [FakeResponse(500)] * 6 + [ok()]
    client, _session, fake_time, _tokens = arm_client(*replies, backoff_cap=10.0)
    client.request("GET", PATH)
    assert fake_time.sleeps == [1.0, 2.0, 4.0, 8.0, 10.0, 10.0]


def test_gives_up_after_max_retries_with_the_last_error():
    replies = [FakeResponse(503, {"error": {"code": "ServiceUnavailable", "message": "try %d" % i}}) for i in range(7)]
    client, session, fake_time, _tokens = arm_client(*replies)
    with pytest.raises(ArmError) as info:
        client.request("GET", PATH)
    assert info.value.message == "try 6"
    assert len(session.sent) == 7 and len(fake_time.sleeps) == 6


def test_gives_up_when_the_next_wait_would_exceed_the_budget():
    still = FakeResponse(429, {"error": {"code": "TooManyRequests", "message": "still"}}, {"Retry-After": "30"})
    replies = [FakeResponse(429, None, {"Retry-After": "100"}), still, ok()]
    client, session, fake_time, _tokens = arm_client(*replies, retry_budget=120)
    with pytest.raises(ArmError) as info:
        client.request("GET", PATH)
    assert info.value.status == 429 and info.value.message.startswith("still (not retried: the server asked to wait 30 seconds")
    assert fake_time.sleeps == [100.0] and len(session.sent) == 2


def test_retry_after_beyond_the_budget_is_not_waited_for():
    client, session, fake_time, _tokens = arm_client(FakeResponse(503, None, {"Retry-After": "3600"}), ok())
    with pytest.raises(ArmError):
        client.request("GET", PATH)
    assert fake_time.sleeps == [] and len(session.sent) == 1


@pytest.mark.parametrize("failure", [requests.exceptions.ConnectionError("refused"), requests.exceptions.ReadTimeout("slow")])
def test_transport_failure_then_success(failure):
    client, session, fake_time, _tokens = arm_client(failure, ok({"a": 1}))
    assert client.request("GET", PATH).body == {"a": 1}
    assert len(session.sent) == 2 and fake_time.sleeps == [1.0]


def test_transport_failure_exhausted_is_status_0():
    client, _session, _time, _tokens = arm_client(*[requests.exceptions.ConnectionError("Connection refused")] * 7)
    with pytest.raises(ArmError) as info:
        client.request("PUT", PATH, body={"a": 1})
    err = info.value
    assert (err.status, err.code) == (0, "ConnectionError")
    assert err.message.startswith("PUT %s%s failed: Connection refused" % (ENDPOINT, PATH))
    assert no_token_anywhere(err)


def test_tls_failure_is_not_retried_and_says_how_to_fix_it():
    client, session, _time, _tokens = arm_client(requests.exceptions.SSLError("certificate verify failed"), ok())
    with pytest.raises(ArmError) as info:
        client.request("GET", PATH)
    assert info.value.code == "SSLError" and "REQUESTS_CA_BUNDLE" in info.value.message
    assert len(session.sent) == 1


@pytest.mark.parametrize("status", [400, 403, 404, 409, 412])
def test_client_errors_are_not_retried(status):
    client, session, fake_time, _tokens = arm_client(FakeResponse(status, {"error": {"code": "Nope", "message": "no"}}), ok())
    with pytest.raises(ArmError) as info:
        client.request("PUT", PATH, body={})
    assert info.value.status == status
    assert len(session.sent) == 1 and fake_time.sleeps == []


def test_retries_keep_the_client_request_id():
    client, session, _time, _tokens = arm_client(FakeResponse(503), ok())
    client.request("GET", PATH)
    assert session.sent[0]["headers"]["x-ms-client-request-id"] == session.sent[1]["headers"]["x-ms-client-request-id"]


# ---------------------------------------------------------------------------------------------------------------------
# 401: one token refresh


def test_401_refreshes_the_token_once_then_succeeds():
    client, session, fake_time, tokens = arm_client(FakeResponse(401, {"error": {"code": "ExpiredAuthenticationToken"}}), ok())
    assert client.request("GET", PATH).status == 200
    assert tokens.refreshes == 1 and fake_time.sleeps == []
    assert [s["headers"]["Authorization"] for s in session.sent] == ["Bearer secret-token-1", "Bearer secret-token-2"]


def test_second_401_raises():
    client, session, _time, tokens = arm_client(*[FakeResponse(401, {"error": {"code": "InvalidAuthenticationToken", "message": "bad"}})] * 3)
    with pytest.raises(ArmError) as info:
        client.request("GET", PATH)
    assert (info.value.status, info.value.code) == (401, "InvalidAuthenticationToken")
    assert tokens.refreshes == 1 and len(session.sent) == 2
    assert no_token_anywhere(info.value)


# ---------------------------------------------------------------------------------------------------------------------
# headers and URLs


def test_headers_on_every_request():
    client, session, _time, _tokens = arm_client(ok(), ok(status=201))
    client.request("GET", PATH)
    client.request("PUT", PATH, body={"location": "eastus2"}, headers={"If-None-Match": "*"})
    get, put = session.sent
    user_agent = "azureml.model_management/%s ansible-core/[^ ]+ python/[^ ]+ requests/%s" % (re.escape(COLLECTION_VERSION), re.escape(requests.__version__))
    for sent in (get, put):
        assert sent["headers"]["Authorization"] == "Bearer secret-token-1"
        assert sent["headers"]["Accept"] == "application/json"
        assert re.match("^%s$" % user_agent, sent["headers"]["User-Agent"])
        assert str(uuid.UUID(sent["headers"]["x-ms-client-request-id"])) == sent["headers"]["x-ms-client-request-id"]
        assert sent["timeout"] == 30 and sent["verify"] is True
    assert get["headers"]["x-ms-client-request-id"] != put["headers"]["x-ms-client-request-id"]
    assert "Content-Type" not in get["headers"] and get["data"] is None
    assert put["headers"]["Content-Type"] == "application/json" and put["headers"]["If-None-Match"] == "*"
    assert json.loads(put["data"]) == {"location": "eastus2"}


URLS = [
    ("relative", PATH, ENDPOINT + PATH + "?api-version=" + API),
    ("relative without slash", PATH.lstrip("/"), ENDPOINT + PATH + "?api-version=" + API),
    ("query kept", PATH + "?$skiptoken=abc", ENDPOINT + PATH + "?$skiptoken=abc&api-version=" + API),
    ("api-version present", PATH + "?api-version=2015-01-01", ENDPOINT + PATH + "?api-version=2015-01-01"),
    ("api-version any case", ENDPOINT + PATH + "?API-Version=x", ENDPOINT + PATH + "?API-Version=x"),
    ("absolute on endpoint", ENDPOINT + PATH, ENDPOINT + PATH + "?api-version=" + API),
    ("default port and host case", "https://MANAGEMENT.example.test:443" + PATH, "https://management.example.test:443" + PATH + "?api-version=" + API),
]


@pytest.mark.parametrize("given, sent", [u[1:] for u in URLS], ids=[u[0] for u in URLS])
def test_urls(given, sent):
    client, session, _time, _tokens = arm_client(ok())
    client.request("GET", given)
    assert session.sent[0]["url"] == sent


@pytest.mark.parametrize("url", [
    "https://evil.example.test" + PATH,
    "http://management.example.test" + PATH,
    "https://management.example.test:8443" + PATH,
    "https://management.example.test.evil.test" + PATH,
])
def test_foreign_hosts_are_refused_before_sending(url):
    client, session, _time, _tokens = arm_client(ok())
    with pytest.raises(ArmError) as info:
        client.request("GET", url)
    assert info.value.code == "ForeignHost" and session.sent == []
    assert no_token_anywhere(info.value)


def test_timeout_and_verify_are_passed():
    client, session, _time, _tokens = arm_client(ok(), timeout=7, verify=False)
    client.request("GET", PATH)
    assert session.sent[0]["timeout"] == 7 and session.sent[0]["verify"] is False


class RecordingAdapter(requests.adapters.BaseAdapter):
    """A transport for a real requests.Session: shows what requests itself decided (e.g. the CA bundle)."""

    def __init__(self):
        super(RecordingAdapter, self).__init__()
        self.verify = []

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        self.verify.append(verify)
        response = requests.Response()
        response.status_code, response._content, response.request, response.url = 200, b'{"ok": true}', request, request.url
        return response

    def close(self):
        pass


@pytest.mark.parametrize("verify, expected", [(True, "/tmp/private-ca.pem"), (False, False)])
def test_real_session_honours_requests_ca_bundle(monkeypatch, fake_tokens, verify, expected):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/tmp/private-ca.pem")
    client = ArmClient(ENDPOINT, fake_tokens, API, verify=verify)
    adapter = RecordingAdapter()
    client._session.mount("https://", adapter)
    assert client.request("GET", PATH).body == {"ok": True}
    client.request("GET", PATH)
    assert adapter.verify == [expected, expected]


# ---------------------------------------------------------------------------------------------------------------------
# get_or_none and paging


def test_get_or_none():
    not_found = {"error": {"code": "ResourceNotFound", "message": "gone"}}
    rg_missing = {"error": {"code": "ResourceGroupNotFound", "message": "no rg"}}
    client, _session, _time, _tokens = arm_client(ok({"name": "mma"}), FakeResponse(404, not_found), FakeResponse(404, not_found),
                                                  FakeResponse(404, rg_missing), FakeResponse(500, text="x", headers={"Retry-After": "999"}))
    assert client.get_or_none(PATH) == {"name": "mma"}
    assert client.get_or_none(PATH) is None
    assert client.get_or_none(PATH, missing_codes=["resourcenotfound"]) is None
    with pytest.raises(ArmError) as info:
        client.get_or_none(PATH, missing_codes=["ResourceNotFound"])
    assert info.value.code == "ResourceGroupNotFound"
    with pytest.raises(ArmError):
        client.get_or_none(PATH)


def test_list_all_follows_next_links_across_empty_pages():
    page2 = ENDPOINT + SUB_PATH + "/providers/x?api-version=%s&$skiptoken=2" % API
    page3 = ENDPOINT + SUB_PATH + "/providers/x?api-version=%s&$skiptoken=3" % API
    client, session, _time, _tokens = arm_client(ok({"value": [{"n": 1}, {"n": 2}], "nextLink": page2}), ok({"value": [], "nextLink": page3}),
                                                 ok({"value": [{"n": 3}], "nextLink": None}))
    assert client.list_all(SUB_PATH + "/providers/x") == [{"n": 1}, {"n": 2}, {"n": 3}]
    assert [s["url"] for s in session.sent] == [ENDPOINT + SUB_PATH + "/providers/x?api-version=" + API, page2, page3]


def test_list_all_refuses_a_foreign_next_link_without_sending_the_token():
    client, session, _time, _tokens = arm_client(ok({"value": [{"n": 1}], "nextLink": "https://attacker.test/steal?api-version=1"}), ok())
    with pytest.raises(ArmError) as info:
        client.list_all(SUB_PATH + "/providers/x")
    assert info.value.code == "ForeignHost" and len(session.sent) == 1


def test_list_all_stops_a_next_link_loop():
    loop = ENDPOINT + "/x?api-version=1&page=2"
    client, _session, _time, _tokens = arm_client(ok({"value": [], "nextLink": loop}), ok({"value": [], "nextLink": loop}))
    with pytest.raises(ArmError) as info:
        client.list_all("/x")
    assert info.value.code == "PagingLoop"


# ---------------------------------------------------------------------------------------------------------------------
# wait(): the three async patterns

OPERATION = ENDPOINT + "/providers/Microsoft.MachineLearningModelManagement/locations/eastus2/operationStatuses/op1?api-version=" + API
LOCATION = ENDPOINT + "/providers/Microsoft.MachineLearningModelManagement/locations/eastus2/operationResults/op1?api-version=" + API


def response(status, headers=None, body=None, method="PUT"):
    return ArmResponse(status, headers, body, method, ENDPOINT + PATH + "?api-version=" + API)


def test_wait_async_operation_then_final_get():
    client, session, fake_time, _tokens = arm_client(ok({"status": "InProgress"}, headers={"Retry-After": "3"}), ok({"status": "Succeeded"}),
                                                     ok({"name": "mma", "properties": {"provisioningState": "Succeeded"}}))
    first = response(201, {"Azure-AsyncOperation": OPERATION, "Retry-After": "2"}, {"properties": {"provisioningState": "Creating"}})
    final = client.wait(first, 600, resource_path=PATH)
    assert final["name"] == "mma"
    assert [s["url"] for s in session.sent] == [OPERATION, OPERATION, ENDPOINT + PATH + "?api-version=" + API]
    assert fake_time.sleeps == [2.0, 3.0]


def test_wait_async_operation_delete_returns_none_and_polls_every_5_seconds_by_default():
    client, session, fake_time, _tokens = arm_client(ok({"status": "InProgress"}), ok({"status": "succeeded"}))
    assert client.wait(response(202, {"Azure-AsyncOperation": OPERATION}, method="DELETE"), 600, resource_path=PATH, deleting=True) is None
    assert fake_time.sleeps == [5.0, 5.0] and len(session.sent) == 2


@pytest.mark.parametrize("operation, code, message", [
    ({"status": "Failed", "error": {"code": "QuotaExceeded", "message": "no capacity"}}, "QuotaExceeded", "no capacity"),
    ({"status": "Canceled"}, "Canceled", "no error message was given"),
])
def test_wait_async_operation_failed_or_canceled_reports_the_operation_not_the_first_status(operation, code, message):
    client, session, _time, _tokens = arm_client(ok(operation, headers={"x-ms-request-id": "req-9"}), ok())
    with pytest.raises(arm_errors.OperationFailed) as info:
        client.wait(response(201, {"Azure-AsyncOperation": OPERATION}), 600, resource_path=PATH)
    err = info.value
    assert (err.code, err.message, err.request_id, err.state) == (code, message, "req-9", operation["status"])
    assert str(err) == "PUT %s ended %s: %s: %s" % (PATH, operation["status"], code, message)
    assert "201" not in str(err) and err.to_dict()["state"] == operation["status"]
    assert len(session.sent) == 1


def test_wait_location_until_not_202():
    client, session, fake_time, _tokens = arm_client(FakeResponse(202, None, {"Retry-After": "1"}), FakeResponse(204))
    assert client.wait(response(202, {"Location": LOCATION, "Retry-After": "4"}, method="DELETE"), 600, resource_path=PATH, deleting=True) is None
    assert fake_time.sleeps == [4.0, 1.0] and [s["url"] for s in session.sent] == [LOCATION, LOCATION]


def test_wait_location_then_final_get():
    client, session, _time, _tokens = arm_client(FakeResponse(200, {}), ok({"name": "mma"}))
    assert client.wait(response(202, {"Location": LOCATION}), 600, resource_path=PATH) == {"name": "mma"}
    assert len(session.sent) == 2


def test_wait_location_error_raises_the_error():
    client, _session, _time, _tokens = arm_client(FakeResponse(400, {"error": {"code": "BadThing", "message": "nope"}}))
    with pytest.raises(ArmError) as info:
        client.wait(response(202, {"Location": LOCATION}, method="DELETE"), 600, resource_path=PATH, deleting=True)
    assert info.value.code == "BadThing"


def test_wait_provisioning_state_polls_the_resource_soon_then_every_5_seconds():
    client, session, fake_time, _tokens = arm_client(ok({"properties": {"provisioningState": "Updating"}}),
                                                     ok({"properties": {"provisioningState": "Updating"}}),
                                                     ok({"name": "mma", "properties": {"provisioningState": "Succeeded"}}))
    final = client.wait(response(201, {}, {"properties": {"provisioningState": "Creating"}}), 600, resource_path=PATH)
    assert final["name"] == "mma" and fake_time.sleeps == [1.0, 2.0, 4.0] and len(session.sent) == 3


def test_wait_202_without_headers_polls_the_resource_until_it_is_gone():
    client, session, _time, _tokens = arm_client(ok({"name": "mma"}), FakeResponse(404, {"error": {"code": "ResourceNotFound"}}))
    assert client.wait(response(202, {}, None, method="DELETE"), 600, resource_path=PATH, deleting=True) is None
    assert [s["method"] for s in session.sent] == ["GET", "GET"]


def test_wait_202_without_headers_for_a_delete_that_never_happens_times_out():
    client, _session, _time, _tokens = arm_client(*[ok({"name": "mma"})] * 200)
    with pytest.raises(ArmError) as info:
        client.wait(response(202, {}, None, method="DELETE"), 60, resource_path=PATH, deleting=True)
    assert info.value.code == "WaitTimeout"


def test_wait_provisioning_state_failed():
    client, _session, _time, _tokens = arm_client(ok({"properties": {"provisioningState": "Failed",
                                                                     "error": {"code": "NoCapacity", "message": "none left"}}}))
    with pytest.raises(arm_errors.OperationFailed) as info:
        client.wait(response(201, {}, {"properties": {"provisioningState": "Creating"}}), 600, resource_path=PATH)
    assert (info.value.state, info.value.code, info.value.message) == ("Failed", "NoCapacity", "none left")


def test_wait_final_get_of_a_failed_resource_fails():
    client, _session, _time, _tokens = arm_client(ok({"status": "Succeeded"}), ok({"properties": {"provisioningState": "Canceled"}}))
    with pytest.raises(arm_errors.OperationFailed) as info:
        client.wait(response(201, {"Azure-AsyncOperation": OPERATION}), 600, resource_path=PATH)
    assert info.value.state == "Canceled"


def test_wait_timeout_names_the_operation():
    client, session, fake_time, _tokens = arm_client(*[ok({"status": "InProgress"}, headers={"Retry-After": "30"})] * 10)
    with pytest.raises(ArmError) as info:
        client.wait(response(201, {"Azure-AsyncOperation": OPERATION, "Retry-After": "30"}), 70, resource_path=PATH)
    err = info.value
    assert err.code == "WaitTimeout"
    assert err.message == "PUT %s did not finish within 70 seconds (last state: InProgress)" % PATH
    assert fake_time.sleeps == [30.0, 30.0, 10.0] and len(session.sent) == 3


@pytest.mark.parametrize("header", ["Azure-AsyncOperation", "Location"])
@pytest.mark.parametrize("link", [
    "https://elsewhere.test/op?api-version=1",
    "https://management.example.test:444\\@management.example.test/op",
    "https://user@management.example.test/op",
    "//management.example.test/op",
    "http://management.example.test/op",
    "https://management.example.test/op\tx",
])
def test_wait_refuses_a_bad_operation_link_before_sending(header, link):
    client, session, fake_time, _tokens = arm_client(ok())
    with pytest.raises(ArmError) as info:
        client.wait(response(202, {header: link}), 600, resource_path=PATH)
    assert info.value.code == "ForeignHost" and session.sent == [] and fake_time.sleeps == []


def test_wait_operation_status_without_a_status_string_is_an_invalid_response():
    client, _session, _time, _tokens = arm_client(ok({"status": 3}))
    with pytest.raises(ArmError) as info:
        client.wait(response(201, {"Azure-AsyncOperation": OPERATION}), 600, resource_path=PATH)
    assert info.value.code == "InvalidResponse"


def test_wait_with_nothing_to_wait_for_returns_the_body():
    client, session, _time, _tokens = arm_client()
    done = response(200, {}, {"properties": {"provisioningState": "Succeeded"}})
    assert client.wait(done, 600, resource_path=PATH) == done.body and session.sent == []


# ---------------------------------------------------------------------------------------------------------------------
# small pieces


def test_headers_are_case_insensitive():
    headers = Headers({"Retry-After": "3", "x-ms-request-id": "r"})
    assert headers["retry-after"] == "3" and headers.get("X-MS-REQUEST-ID") == "r" and "RETRY-AFTER" in headers
    assert dict(headers) == {"Retry-After": "3", "x-ms-request-id": "r"}


@pytest.mark.parametrize("headers, expected", [
    ({}, None),
    ({"Retry-After": "12"}, 12.0),
    ({"Retry-After": "-3"}, None),
    ({"Retry-After": "0"}, 0.0),
    ({"Retry-After": "soon"}, None),
    ({"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT", "Date": "Wed, 21 Oct 2015 07:29:00 GMT"}, 0.0),
])
def test_retry_after_seconds(headers, expected):
    assert retry_after_seconds(Headers(headers)) == expected


def test_no_token_in_any_error():
    scenarios = [
        [FakeResponse(401, {"error": {"code": "A"}})] * 2,
        [FakeResponse(403, {"error": {"code": "AuthorizationFailed", "message": "no access"}})],
        [FakeResponse(500, text="<html>oops</html>", headers={"Retry-After": "999"})],
        [requests.exceptions.ConnectionError("boom")] * 7,
        [requests.exceptions.SSLError("bad cert")],
    ]
    for replies in scenarios:
        client, _session, _time, _tokens = arm_client(*replies)
        with pytest.raises(ArmError) as info:
            client.request("GET", PATH)
        assert no_token_anywhere(info.value), str(info.value)


# ---------------------------------------------------------------------------------------------------------------------
# hostile answers (issue 6): links, statuses, bodies

ARM_PORT_URL = "https://management.example.test"
SMUGGLED_LINKS = [
    ("backslash userinfo", "https://evil.example.test:8443\\@management.example.test" + PATH),
    ("userinfo", "https://user@management.example.test" + PATH),
    ("userinfo with password", "https://u:p@management.example.test" + PATH),
    ("scheme-relative", "//management.example.test" + PATH),
    ("plain http", "http://management.example.test" + PATH),
    ("tab inside", "https://management.example.test" + PATH + "\t/x"),
    ("newline inside", "https://management.example.test\n" + PATH),
    ("other port", "https://management.example.test:8443" + PATH),
    ("not a url", "https://[::1"),
]


@pytest.mark.parametrize("link", [x[1] for x in SMUGGLED_LINKS], ids=[x[0] for x in SMUGGLED_LINKS])
def test_list_all_refuses_a_smuggled_next_link_and_never_returns_a_partial_list(link):
    client, session, _time, _tokens = arm_client(ok({"value": [{"n": 1}], "nextLink": link}), ok({"value": [{"n": 2}]}))
    with pytest.raises(ArmError) as info:
        client.list_all(SUB_PATH + "/providers/x")
    assert info.value.code in ("ForeignHost", "InvalidResponse") and len(session.sent) == 1
    assert no_token_anywhere(info.value)


def test_the_checked_url_is_the_url_sent():
    """The host check and the transport read the same, prepared URL: what is checked is byte for byte what is sent."""
    client, session, _time, _tokens = arm_client(ok({"value": [], "nextLink": ENDPOINT + PATH + "/caf\u00e9?a=b|c"}), ok({"value": []}))
    client.list_all(SUB_PATH + "/providers/x")
    sent = session.sent[1]["url"]
    assert sent == requests.Request("GET", sent).prepare().url
    assert arm.parse_url(sent).host == "management.example.test" and arm.parse_url(sent).auth is None


@pytest.mark.parametrize("method, status", [
    ("PUT", 307), ("PUT", 302), ("PUT", 202), ("PUT", 204), ("PUT", 203), ("PATCH", 201), ("PATCH", 204),
    ("DELETE", 201), ("DELETE", 307), ("GET", 201), ("GET", 204), ("GET", 304),
])
def test_only_documented_success_statuses_count(method, status):
    client, _session, _time, _tokens = arm_client(FakeResponse(status, {"name": "x"}, {"Location": ENDPOINT + "/elsewhere"}))
    with pytest.raises(ArmError) as info:
        client.request(method, PATH, body={} if method in ("PUT", "PATCH") else None)
    assert (info.value.status, info.value.code) == (0, "InvalidResponse")
    assert str(status) in info.value.message


@pytest.mark.parametrize("method, status", [("PUT", 200), ("PUT", 201), ("PATCH", 200), ("GET", 200)])
@pytest.mark.parametrize("text", ["<html><body>Welcome</body></html>", "", "[1, 2]", '"text"', "null", "{broken"])
def test_a_success_without_a_json_object_is_an_invalid_response(method, status, text):
    client, _session, _time, _tokens = arm_client(FakeResponse(status, None, {"Content-Type": "text/html"}, text=text))
    with pytest.raises(ArmError) as info:
        client.request(method, PATH)
    assert info.value.code == "InvalidResponse" and "%s %s" % (method, ENDPOINT) in info.value.message


@pytest.mark.parametrize("method, status", [("DELETE", 200), ("DELETE", 204), ("DELETE", 202), ("PATCH", 202)])
def test_empty_bodies_are_fine_where_arm_sends_none(method, status):
    client, _session, _time, _tokens = arm_client(FakeResponse(status, None, text=""))
    assert client.request(method, PATH).status == status


def test_a_non_json_body_on_a_delete_is_an_invalid_response():
    client, _session, _time, _tokens = arm_client(FakeResponse(200, None, text="<html>ok</html>"))
    with pytest.raises(ArmError) as info:
        client.request("DELETE", PATH)
    assert info.value.code == "InvalidResponse"


@pytest.mark.parametrize("page, what", [
    ({"value": "accounts"}, "'value' that is not a list"),
    ({"value": {"a": 1}}, "'value' that is not a list"),
    ({"value": ["a", "b"]}, "'value' that is not a list of objects"),
    ({"value": [], "nextLink": 42}, "nextLink that is not a string"),
    ({"value": [], "nextLink": ["x"]}, "nextLink that is not a string"),
])
def test_malformed_pages_are_invalid_responses(page, what):
    client, _session, _time, _tokens = arm_client(ok(page))
    with pytest.raises(ArmError) as info:
        client.list_all(SUB_PATH + "/providers/x")
    assert info.value.code == "InvalidResponse" and what in info.value.message


def test_a_list_where_the_page_object_belongs_is_an_invalid_response():
    client, _session, _time, _tokens = arm_client(FakeResponse(200, [{"name": "a"}]))
    with pytest.raises(ArmError) as info:
        client.list_all(SUB_PATH + "/providers/x")
    assert info.value.code == "InvalidResponse"


def test_a_broken_gzip_body_is_an_invalid_response_not_a_traceback():
    broken = requests.exceptions.ContentDecodingError("Received response with content-encoding: gzip, but failed to decode it.")
    client, session, _time, _tokens = arm_client(broken)
    with pytest.raises(ArmError) as info:
        client.request("GET", PATH)
    assert info.value.code == "InvalidResponse" and "Content-Encoding" in info.value.message and len(session.sent) == 1


def test_a_missing_ca_bundle_is_a_clear_error():
    client, _session, _time, _tokens = arm_client(OSError("Could not find a suitable TLS CA certificate bundle, invalid path: /nope/ca.pem"))
    with pytest.raises(ArmError) as info:
        client.request("GET", PATH)
    assert info.value.code == "TransportSetupError" and "/nope/ca.pem" in info.value.message and "REQUESTS_CA_BUNDLE" in info.value.message


def test_a_missing_ca_bundle_with_a_real_session(monkeypatch, tmp_path, fake_tokens):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tmp_path / "missing.pem"))
    client = ArmClient(ENDPOINT, fake_tokens, API, session=requests.Session(), sleep=lambda s: None)
    with pytest.raises(ArmError) as info:
        client.request("GET", PATH)
    assert info.value.code == "TransportSetupError" and "missing.pem" in info.value.message


@pytest.mark.parametrize("value, expected", [("nan", None), ("inf", None), ("1e400", None), ("-inf", None), ("99999999", 3600.0),
                                             ("9" * 400, 3600.0)])
def test_retry_after_that_is_not_finite_or_absurd(value, expected):
    assert retry_after_seconds(Headers({"Retry-After": value})) == expected


def test_api_version_is_url_encoded_in_the_query():
    client, session, _time, _tokens = arm_client(ok())
    client.api_version = "2017-09-01-preview&x=y"
    client.request("GET", PATH)
    assert session.sent[0]["url"].endswith("?api-version=2017-09-01-preview%26x%3Dy")


@pytest.mark.parametrize("hint, pause", [("0", 1.0), ("-5", 5.0), ("0.01", 5.0)])  # 0: soon, at least 1 s; invalid: no hint
def test_a_retry_after_of_zero_does_not_make_a_busy_polling_loop(hint, pause):
    client, _session, fake_time, _tokens = arm_client(ok({"status": "InProgress"}, headers={"Retry-After": hint}), ok({"status": "Succeeded"}))
    client.wait(response(202, {"Azure-AsyncOperation": OPERATION, "Retry-After": hint}, method="DELETE"), 600, resource_path=PATH, deleting=True)
    assert fake_time.sleeps == [pause, pause]


# ---------------------------------------------------------------------------------------------------------------------
# the fleet gate: one pause for every worker after a 429


class RecordingGate(object):
    """Lets everything through after ``waits`` seconds each; says yes to a pause while ``allow`` pauses are left."""

    def __init__(self, waits=0.0, allow=100, fake_time=None):
        self.events = []
        self.waits = waits
        self.fake_time = fake_time
        self.allow = allow
        self.budget = 30

    def before_send(self, method):
        self.events.append(("send", method))
        if self.fake_time is not None:
            self.fake_time.now += self.waits
        return Admission(len(self.events), self.waits, len(self.events))

    def answered(self, method, headers, admission):
        self.events.append(("answered", method, headers.get("x-ms-ratelimit-remaining-subscription-reads"), admission.ordinal))

    def throttled(self, method, seconds, admission):
        self.events.append(("throttled", method, seconds, admission.sent_at))
        self.allow -= 1
        return self.allow >= 0

    def spent(self):
        return "the budget is spent"


def test_gate_sees_every_send_and_answer_and_takes_the_429_pause_instead_of_the_worker():
    gate = RecordingGate()
    client, _session, fake_time, _tokens = arm_client(FakeResponse(429, {}, {"Retry-After": "3"}), FakeResponse(503, {}, {"Retry-After": "2"}),
                                                      ok({"id": "x"}, headers={"x-ms-ratelimit-remaining-subscription-reads": "7"}), gate=gate)
    assert client.request("GET", PATH).body == {"id": "x"}
    assert gate.events == [("send", "GET"), ("throttled", "GET", 3.0, 1), ("send", "GET"), ("answered", "GET", None, 3),
                           ("send", "GET"), ("answered", "GET", "7", 5)]
    assert fake_time.sleeps == [2.0]  # a 5xx is this worker's own retry; the 429 pause belongs to the gate


def test_under_a_gate_429s_are_not_attempts_the_gate_decides_when_they_fail():
    """Seven 429s in a row exhaust the retries of a lone request (6), not those of a fleet request: it is sent again."""
    throttled = [FakeResponse(429, {"error": {"code": "SubscriptionRequestsThrottled", "message": "slow"}}, {"Retry-After": "1"})] * 12
    client, session, fake_time, _tokens = arm_client(*(throttled + [ok({"id": "x"})]), gate=RecordingGate())
    assert client.request("PUT", PATH, body={}).body == {"id": "x"} and len(session.sent) == 13
    assert fake_time.sleeps == []

    client, session, _time, _tokens = arm_client(*throttled, gate=RecordingGate(allow=2))
    with pytest.raises(ArmError) as info:
        client.request("PUT", PATH, body={})
    assert len(session.sent) == 3 and info.value.status == 429
    assert str(info.value) == "429 SubscriptionRequestsThrottled: slow (the budget is spent)"


def test_under_a_gate_a_429_without_retry_after_backs_off_by_how_often_it_was_throttled():
    gate = RecordingGate()
    client, _session, _time, _tokens = arm_client(*([FakeResponse(429, {})] * 3 + [ok()]), gate=gate, random=lambda: 1.0)
    client.request("GET", PATH)
    assert [event[2] for event in gate.events if event[0] == "throttled"] == [1.0, 2.0, 4.0]


def test_time_waiting_at_the_gate_does_not_count_against_the_retry_budget():
    """A request that waited 100 s at the gate (pacing, others' pauses) still has its whole budget for a 503."""
    gate = RecordingGate(waits=100.0)
    client, session, fake_time, _tokens = arm_client(FakeResponse(503, {}, {"Retry-After": "5"}), ok(), gate=gate, retry_budget=10)
    gate.fake_time = fake_time  # the clock moves while the gate holds a request
    client.request("GET", PATH)
    assert len(session.sent) == 2 and fake_time.sleeps == [5.0]


def test_a_rejected_token_is_named_when_refreshing():
    seen = []

    class Tokens(FakeTokens):
        def refresh(self, rejected=None):
            seen.append(rejected)
            return super(Tokens, self).refresh(rejected)

    client = ArmClient(ENDPOINT, Tokens(), API, session=FakeSession(FakeResponse(401, {}), ok()), sleep=lambda s: None)
    client.request("GET", PATH)
    assert seen == ["secret-token-1"]


# ---------------------------------------------------------------------------------------------------------------------
# issue 15.1: a link that does not parse is an InvalidResponse naming where it came from, never a traceback

UNUSABLE_LINKS = ["x.y:a", "mailto:someone@example.test", "https://", "https://[::1", "https://management.example.test:99999/x",
                  "a:b:c", "x.y:a/b?c=d"]


@pytest.mark.parametrize("link", UNUSABLE_LINKS)
def test_an_unusable_next_link_is_an_invalid_response_naming_next_link(link):
    client, session, _time, _tokens = arm_client(ok({"value": [{"n": 1}], "nextLink": link}))
    with pytest.raises(ArmError) as info:
        client.list_all(SUB_PATH + "/providers/x")
    assert info.value.code == "InvalidResponse" and "nextLink" in info.value.message, str(info.value)
    assert len(session.sent) == 1


@pytest.mark.parametrize("header, status", [("Azure-AsyncOperation", 201), ("Location", 202)])
@pytest.mark.parametrize("link", UNUSABLE_LINKS)
def test_an_unusable_polling_link_is_an_invalid_response_naming_the_header(header, status, link):
    client, session, fake_time, _tokens = arm_client(ok())
    with pytest.raises(ArmError) as info:
        client.wait(response(status, {header: link}, {"properties": {"provisioningState": "Creating"}}), 600, resource_path=PATH)
    assert info.value.code == "InvalidResponse" and header in info.value.message, str(info.value)
    assert session.sent == [] and fake_time.sleeps == []


# ---------------------------------------------------------------------------------------------------------------------
# issue 15.4: Retry-After -1, 0 or malformed on a 429/5xx is no hint; one beyond the budget fails at once, saying so


@pytest.mark.parametrize("hint", ["-1", "0", "soon", "1.5"])
def test_a_throttled_request_with_a_useless_retry_after_backs_off_with_jitter(hint):
    throttled = FakeResponse(429, {"error": {"code": "TooManyRequests", "message": "slow down"}}, {"Retry-After": hint})
    client, session, fake_time, _tokens = arm_client(throttled, throttled, throttled, ok(), random=lambda: 0.5)
    assert client.request("GET", PATH).status == 200
    assert fake_time.sleeps == [0.5, 1.0, 2.0] and len(session.sent) == 4


@pytest.mark.parametrize("status", [429, 503])
def test_a_retry_after_beyond_the_budget_fails_at_once_saying_what_the_server_asked(status):
    client, session, fake_time, _tokens = arm_client(FakeResponse(status, {"error": {"code": "Busy", "message": "later"}}, {"Retry-After": "9999"}), ok())
    with pytest.raises(ArmError) as info:
        client.request("GET", PATH)
    err = info.value
    assert err.status == status and err.code == "Busy" and str(err).startswith("%d Busy: later" % status)
    assert "9999" in err.message and "Retry-After" in err.message and "120" in err.message
    assert fake_time.sleeps == [] and len(session.sent) == 1


# ---------------------------------------------------------------------------------------------------------------------
# issue 15.6: the client says when an answer was lost (the request may have been applied without a definite answer)


@pytest.mark.parametrize("replies, lost", [
    ([FakeResponse(412, {"error": {"code": "PreconditionFailed"}})], False),
    ([requests.exceptions.ReadTimeout("slow"), FakeResponse(412, {"error": {"code": "PreconditionFailed"}})], True),
    ([requests.exceptions.ConnectionError("reset"), FakeResponse(412, {"error": {"code": "PreconditionFailed"}})], True),
    ([FakeResponse(500, {}), FakeResponse(409, {"error": {"code": "Conflict"}})], True),
    ([FakeResponse(429, {}, {"Retry-After": "1"}), FakeResponse(409, {"error": {"code": "Conflict"}})], False),
    ([FakeResponse(401, {}), FakeResponse(400, {"error": {"code": "Bad"}})], False),
    ([requests.exceptions.ConnectTimeout("never connected"), FakeResponse(412, {"error": {"code": "PreconditionFailed"}})], False),
    ([requests.exceptions.ReadTimeout("slow")] * 7, True),
    ([FakeResponse(502, {})] * 7, True),
    ([FakeResponse(429, {})] * 7, False),
])
def test_an_error_says_whether_an_answer_was_lost(replies, lost):
    client, _session, _time, _tokens = arm_client(*replies)
    with pytest.raises(ArmError) as info:
        client.request("PUT", PATH, body={})
    assert info.value.answer_lost is lost


@pytest.mark.parametrize("replies, lost", [
    ([FakeResponse(204)], False),
    ([requests.exceptions.ReadTimeout("slow"), FakeResponse(204)], True),
    ([FakeResponse(504, {}), FakeResponse(204)], True),
    ([FakeResponse(429, {}), FakeResponse(204)], False),
])
def test_a_success_says_whether_an_earlier_answer_was_lost(replies, lost):
    client, _session, _time, _tokens = arm_client(*replies)
    assert client.request("DELETE", PATH).answer_lost is lost


# ---------------------------------------------------------------------------------------------------------------------
# issue 17.3: one GET loop (arm_wait.watch) with a predicate; the behaviours of the two loops it replaced


def test_settle_returns_a_failed_account_for_the_caller_to_repair():
    from ansible_collections.azureml.model_management.plugins.module_utils import arm_wait

    client, session, fake_time, _tokens = arm_client(ok({"properties": {"provisioningState": "Updating"}}),
                                                     ok({"properties": {"provisioningState": "Failed"}}))
    assert arm_wait.settle(client, PATH, 600) == {"properties": {"provisioningState": "Failed"}}
    assert fake_time.sleeps == [1.0, 2.0] and len(session.sent) == 2


def test_settle_returns_none_once_the_resource_is_gone():
    from ansible_collections.azureml.model_management.plugins.module_utils import arm_wait

    client, _session, _time, _tokens = arm_client(ok({"properties": {"provisioningState": "Deleting"}}),
                                                  FakeResponse(404, {"error": {"code": "ResourceNotFound", "message": "gone"}}))
    assert arm_wait.settle(client, PATH, 600) is None


def test_waiting_for_provisioning_ends_with_the_servers_404_when_the_resource_is_gone():
    client, _session, _time, _tokens = arm_client(FakeResponse(404, {"error": {"code": "ResourceNotFound", "message": "not there"}}))
    with pytest.raises(ArmError) as info:
        client.wait(response(202, {}, None), 600, resource_path=PATH)
    assert str(info.value) == "404 ResourceNotFound: not there"


def test_waits_sharing_one_deadline_stop_at_it():
    from ansible_collections.azureml.model_management.plugins.module_utils import arm_wait

    client, _session, fake_time, _tokens = arm_client(*[ok({"properties": {"provisioningState": "Updating"}})] * 20,
                                                      ok({"properties": {}}))
    deadline = arm_wait.Deadline(client, 10, "waiting for x")
    with pytest.raises(ArmError) as info:
        arm_wait.settle(client, PATH, deadline)
    assert info.value.code == "WaitTimeout" and sum(fake_time.sleeps) == 10
    with pytest.raises(ArmError):
        arm_wait.settle(client, PATH, deadline)  # the same deadline: no more time


def test_with_gate_shares_the_connections_and_token_but_not_the_gate():
    """One client per subscription of a fleet run: each paced by its own gate (Resource Manager's buckets are per
    subscription), all over the same session and token."""
    first, second = RecordingGate(), RecordingGate()
    client, session, _time, tokens = arm_client(ok({"a": 1}), ok({"b": 2}), gate=first)
    twin = client.with_gate(second)
    assert twin.request("GET", PATH).body == {"a": 1} and client.request("GET", PATH).body == {"b": 2}
    assert [event[0] for event in first.events] == ["send", "answered"] and [event[0] for event in second.events] == ["send", "answered"]
    assert twin.token_provider is tokens and len(session.sent) == 2 and client.gate is first


# ---------------------------------------------------------------------------------------------------------------------
# issue 20.6: header values that cannot be sent (http.client writes header values as Latin-1)


class EuroTokens(FakeTokens):
    def get_token(self):
        return "secret-token-\u20ac"


def test_a_token_that_cannot_go_into_a_header_is_an_invalid_response_naming_the_identity_endpoint():
    client, session, _time, _tokens = arm_client(ok())
    client.token_provider = EuroTokens()
    with pytest.raises(ArmError) as info:
        client.request("PUT", PATH, body={})
    err = info.value
    assert err.code == "InvalidResponse" and "access token" in err.message and "identity endpoint" in err.message, err.message
    assert session.sent == [] and err.answer_lost is False and err.changed is False
    assert no_token_anywhere(err)


@pytest.mark.parametrize("value", ['"e\u20ac"', '"e1"\r\nX-Injected: 1', "W/\x00"], ids=["euro", "line break", "nul"])
def test_a_header_value_that_cannot_be_sent_is_refused_before_anything_is_sent(value):
    client, session, _time, _tokens = arm_client(ok())
    with pytest.raises(ArmError) as info:
        client.request("DELETE", PATH, headers={"If-Match": value})
    assert info.value.code == "InvalidResponse" and "If-Match" in info.value.message and session.sent == []
