"""The /_emulator/ control API: journal, faults, config, reset, health."""

import time

import pytest
import requests

from emu_support import NS


def test_health(emu):
    resp = emu.control("GET", "health")
    assert resp.status_code == 200 and resp.json()["status"] == "ok"


def test_journal_contents(emu):
    emu.control("DELETE", "requests")
    emu.put_account("j1", body={"location": "eastus", "sku": {"name": "S1", "capacity": 1}, "tags": {"a": "b"}},
                    headers={"x-ms-client-request-id": "cid-1", "If-None-Match": "*", "User-Agent": "conformance/1.0"})
    emu.arm("PATCH", emu.account_path("j1"), data="not json", headers={"Content-Type": "text/plain"})
    emu.arm("GET", emu.account_path("j1"), token=False)
    entries = emu.journal()
    assert [e["seq"] for e in entries] == sorted(e["seq"] for e in entries)
    put, patch, get = entries[-3:]
    assert put["method"] == "PUT" and put["kind"] == "arm" and put["status"] == 201
    assert put["path"] == emu.account_path("j1")
    assert put["query"] == {"api-version": "2017-09-01-preview"}
    assert put["headers"]["Authorization"] == "REDACTED"
    assert put["headers"]["x-ms-client-request-id"] == "cid-1"
    assert put["headers"]["If-None-Match"] == "*"
    assert put["headers"]["User-Agent"] == "conformance/1.0"
    assert put["body"] == {"location": "eastus", "sku": {"name": "S1", "capacity": 1}, "tags": {"a": "b"}}
    assert put["time"].endswith("Z")
    assert patch["body"] == "not json" and patch["status"] == 415, "a text/plain body is refused (UnsupportedMediaType)"
    assert get["status"] == 401 and "Authorization" not in get["headers"]
    assert "fault" not in put
    arm_only = emu.journal(kind="arm", since=put["seq"])
    assert [e["seq"] for e in arm_only] == [patch["seq"], get["seq"]]
    emu.get_token()
    token_calls = [e for e in emu.journal(kind="identity") if e["method"] == "POST"]
    assert token_calls and token_calls[-1]["body"]["client_secret"] == "REDACTED"
    assert emu.control("DELETE", "requests").status_code == 204
    assert emu.journal() == []
    emu.control("GET", "health")
    assert emu.journal() == [], "control requests are not journaled"


def test_fault_429_with_retry_after_and_count(emu):
    emu.put_account("f1")
    resp = emu.control("POST", "faults", json={"method": "GET", "path": "/accounts/f1$", "count": 2, "status": 429,
                                               "headers": {"Retry-After": "1"},
                                               "body": {"error": {"code": "TooManyRequests", "message": "slow down"}}})
    assert resp.status_code == 201
    fault_id = resp.json()["id"]
    for _attempt in range(2):
        hit = emu.arm("GET", emu.account_path("F1"))
        assert hit.status_code == 429
        assert hit.headers["Retry-After"] == "1"
        assert hit.json()["error"]["code"] == "TooManyRequests"
        assert hit.headers["x-ms-request-id"]
    assert emu.arm("PATCH", emu.account_path("f1"), json={}).status_code == 200, "other methods are not matched"
    assert emu.arm("GET", emu.account_path("f1")).status_code == 200, "count exhausted"
    listed = emu.control("GET", "faults").json()["faults"]
    assert [(f["id"], f["remaining"], f["count"]) for f in listed] == [(fault_id, 0, 2)]
    faulted = [e for e in emu.journal() if e.get("fault")]
    assert [e["status"] for e in faulted] == [429, 429]


def test_fault_delay_only_then_normal_answer(emu):
    emu.control("POST", "faults", json={"path": "operations", "delay": 0.5})
    started = time.monotonic()
    resp = emu.arm("GET", "/providers/%s/operations" % NS)
    assert resp.status_code == 200 and resp.json()["value"]
    assert time.monotonic() - started >= 0.5


def test_fault_drop(emu):
    emu.control("POST", "faults", json={"method": "*", "path": "accounts/dropme", "drop": True})
    with pytest.raises(requests.exceptions.ConnectionError):
        emu.arm("GET", emu.account_path("dropme"))
    assert emu.arm("GET", emu.account_path("dropme")).status_code == 404
    dropped = [e for e in emu.journal() if e.get("fault")]
    assert len(dropped) == 1 and dropped[0]["status"] == 0


def test_fault_on_identity_endpoint(emu):
    emu.control("POST", "faults", json={"method": "POST", "path": "/oauth2/v2.0/token", "status": 503, "body": "busy"})
    resp = emu.http.post("%s/%s/oauth2/v2.0/token" % (emu.base, emu.env["AZURE_TENANT"]), data={"grant_type": "client_credentials"})
    assert resp.status_code == 503 and resp.text == "busy"
    assert emu.login()


@pytest.mark.parametrize("spec", [{"path": "x"}, {"path": "(", "status": 500}, {"status": 99}, {"status": 500, "count": 0},
                                  {"status": 500, "bogus": 1}, {"status": 500, "headers": {"a": 1}}, [1]])
def test_fault_validation(emu, spec):
    resp = emu.control("POST", "faults", json=spec)
    assert resp.status_code == 400 and resp.json()["error"]["code"] == "BadRequest"


def test_clear_faults(emu):
    emu.control("POST", "faults", json={"status": 500})
    assert emu.control("DELETE", "faults").status_code == 204
    assert emu.control("GET", "faults").json() == {"faults": []}
    assert emu.arm("GET", emu.account_path("x")).status_code == 404


def test_config_get_patch_and_validation(emu):
    cfg = emu.control("GET", "config").json()
    assert cfg == {"page_size": 100, "empty_pages": False, "async": False, "async_polls": 2, "async_seconds": None,
                   "async_outcome": "Succeeded", "async_error": cfg["async_error"], "retry_after": 1, "token_lifetime": 3600,
                   "account_locations": cfg["account_locations"], "etags": True, "throttling": False,
                   "throttling_reads": {"size": 250, "rate": 25}, "throttling_writes": {"size": 200, "rate": 10},
                   "throttling_deletes": {"size": 200, "rate": 10}, "throttling_global_factor": 15}
    resp = emu.control("PATCH", "config", json={"page_size": 7, "async": True})
    assert resp.status_code == 200 and resp.json()["page_size"] == 7 and resp.json()["async"] is True
    for bad in ({"nope": 1}, {"page_size": 0}, {"async": "yes"}, {"async_outcome": "Done"}, {"retry_after": -1},
                {"async_error": {"code": 1}}, {"async_seconds": "x"}, {"token_lifetime": 0}, {"etags": "no"}):
        resp = emu.control("PATCH", "config", json=bad)
        assert resp.status_code == 400, bad
    assert emu.control("GET", "config").json()["page_size"] == 7, "a rejected PATCH changes nothing"
    emu.control("POST", "reset")
    assert emu.control("GET", "config").json()["page_size"] == 100


def test_reset_restores_seeded_groups(emu):
    emu.put_account("r1")
    emu.arm("PUT", "/subscriptions/%s/resourcegroups/extra-rg" % emu.sub, api="2021-04-01", json={"location": "westus"})
    emu.arm("DELETE", "/subscriptions/%s/resourcegroups/demo-rg" % emu.sub, api="2021-04-01")
    emu.control("POST", "faults", json={"status": 500, "path": "nothing-matches-this"})
    assert emu.control("POST", "reset").status_code == 200
    emu.login()
    names = [g["name"] for g in emu.arm("GET", "/subscriptions/%s/resourcegroups" % emu.sub, api="2021-04-01").json()["value"]]
    assert sorted(names) == ["demo-rg", "other-rg"]
    assert emu.arm("GET", "/subscriptions/%s/providers/%s/accounts" % (emu.sub, NS)).json() == {"value": []}
    assert emu.control("GET", "faults").json() == {"faults": []}
    assert "DELETE" not in [e["method"] for e in emu.journal()], "the journal was cleared"


def test_unknown_control_endpoint(emu):
    assert emu.control("GET", "nothing").status_code == 404
    assert emu.control("PUT", "config").status_code == 405


def test_fault_skip_lets_the_first_matching_requests_pass(emu):
    """``skip: 2`` on a list's path: pages 1 and 2 are answered, page 3 gets the fault (every page has the same path)."""
    for index in range(5):
        emu.put_account("skip%d" % index)
    emu.control("PATCH", "config", json={"page_size": 2})
    path = "/subscriptions/%s/resourceGroups/demo-rg/providers/%s/accounts" % (emu.sub, NS)
    fault = emu.control("POST", "faults", json={"method": "GET", "path": "/accounts$", "skip": 2, "status": 404,
                                                "body": {"error": {"code": "ResourceGroupNotFound", "message": "gone"}}})
    assert fault.status_code == 201 and fault.json()["skip"] == 2
    first = emu.arm("GET", path)
    second = emu.arm("GET", first.json()["nextLink"])
    third = emu.arm("GET", second.json()["nextLink"])
    assert (first.status_code, second.status_code, third.status_code) == (200, 200, 404)
    assert third.json()["error"]["code"] == "ResourceGroupNotFound"
    assert emu.control("POST", "faults", json={"status": 500, "skip": -1}).status_code == 400
