"""Async mode: Azure-AsyncOperation for PUT, Location for DELETE, polls vs seconds, Failed and Canceled."""

import time

import pytest

from emu_support import NS


@pytest.fixture
def async_emu(emu):
    assert emu.control("PATCH", "config", json={"async": True, "retry_after": 0}).status_code == 200
    return emu


def poll(emu, url):
    resp = emu.arm("GET", url, api=None)
    assert resp.status_code in (200, 202), resp.text
    return resp


def test_async_create_then_succeeds_after_polls(async_emu):
    emu = async_emu
    resp = emu.put_account("a1", body={"location": "East US", "sku": {"name": "S1", "capacity": 1}})
    assert resp.status_code == 201
    assert resp.json()["properties"]["provisioningState"] == "Creating"
    assert resp.headers["Retry-After"] == "0"
    url = resp.headers["Azure-AsyncOperation"]
    assert url.startswith("%s/subscriptions/%s/providers/%s/locations/eastus/operationStatuses/" % (emu.base, emu.sub, NS))
    assert url.endswith("?api-version=2017-09-01-preview")
    assert emu.arm("GET", emu.account_path("a1")).json()["properties"]["provisioningState"] == "Creating"
    statuses = [poll(emu, url).json()["status"] for _poll in range(3)]
    assert statuses == ["InProgress", "InProgress", "Succeeded"]
    final = poll(emu, url).json()
    assert final["status"] == "Succeeded" and "error" not in final and final["endTime"] and final["startTime"]
    assert final["name"] in url
    assert emu.arm("GET", emu.account_path("a1")).json()["properties"]["provisioningState"] == "Succeeded"
    assert [e["kind"] for e in emu.journal() if "operationStatuses" in e["path"]] == ["async"] * 4


def test_async_replace_is_updating_and_patch_is_sync(async_emu):
    emu = async_emu
    emu.control("PATCH", "config", json={"async_polls": 0})
    url = emu.put_account("a2").headers["Azure-AsyncOperation"]
    assert poll(emu, url).json()["status"] == "Succeeded"
    resp = emu.put_account("a2")
    assert resp.status_code == 200 and resp.json()["properties"]["provisioningState"] == "Updating"
    assert poll(emu, resp.headers["Azure-AsyncOperation"]).json()["status"] == "Succeeded"
    patched = emu.arm("PATCH", emu.account_path("a2"), json={"tags": {"x": "y"}})
    assert patched.status_code == 200 and "Azure-AsyncOperation" not in patched.headers
    assert patched.json()["properties"]["provisioningState"] == "Succeeded"


def test_async_delete_location_polling(async_emu):
    emu = async_emu
    emu.control("PATCH", "config", json={"async_polls": 0})
    poll(emu, emu.put_account("d1").headers["Azure-AsyncOperation"])
    emu.control("PATCH", "config", json={"async_polls": 1, "retry_after": 2})
    resp = emu.arm("DELETE", emu.account_path("d1"))
    assert resp.status_code == 202 and resp.content == b""
    assert resp.headers["Retry-After"] == "2"
    location = resp.headers["Location"]
    assert "/locations/eastus/operationResults/" in location and location.startswith(emu.base)
    assert emu.arm("GET", emu.account_path("d1")).json()["properties"]["provisioningState"] == "Deleting"
    first = poll(emu, location)
    assert first.status_code == 202 and first.headers["Location"] == location and first.headers["Retry-After"] == "2"
    second = poll(emu, location)
    assert second.status_code == 200 and second.content == b""
    assert emu.arm("GET", emu.account_path("d1")).status_code == 404


def test_async_seconds(async_emu):
    emu = async_emu
    emu.control("PATCH", "config", json={"async_seconds": 0.6, "async_polls": 0})
    url = emu.put_account("t1").headers["Azure-AsyncOperation"]
    assert poll(emu, url).json()["status"] == "InProgress"
    time.sleep(0.7)
    assert emu.arm("GET", emu.account_path("t1")).json()["properties"]["provisioningState"] == "Succeeded"
    assert poll(emu, url).json()["status"] == "Succeeded"


@pytest.mark.parametrize("outcome", ["Failed", "Canceled"])
def test_async_failure_outcomes(async_emu, outcome):
    emu = async_emu
    error = {"code": "QuotaExceeded", "message": "No capacity left in eastus."}
    emu.control("PATCH", "config", json={"async_outcome": outcome, "async_error": error, "async_polls": 0})
    url = emu.put_account("f1").headers["Azure-AsyncOperation"]
    status = poll(emu, url).json()
    assert status["status"] == outcome
    assert status["error"] == error
    assert emu.arm("GET", emu.account_path("f1")).json()["properties"]["provisioningState"] == outcome
    resp = emu.arm("DELETE", emu.account_path("f1"))
    assert resp.status_code == 202
    result = emu.arm("GET", resp.headers["Location"], api=None)
    assert result.status_code == 400
    assert result.json() == {"error": error}
    assert emu.arm("GET", emu.account_path("f1")).status_code == 200, "a failed delete leaves the account"


def test_conflict_while_in_progress(async_emu):
    emu = async_emu
    emu.put_account("c1")
    resp = emu.put_account("c1")
    assert resp.status_code == 409 and resp.json()["code"] == "AnotherOperationInProgress"


def test_unknown_operation(async_emu):
    emu = async_emu
    url = "/subscriptions/%s/providers/%s/locations/eastus/operationStatuses/00000000-0000-0000-0000-000000000000" % (emu.sub, NS)
    resp = emu.arm("GET", url)
    assert resp.status_code == 404 and resp.json()["code"] == "OperationNotFound"


def test_sync_mode_has_no_provisioning_state(emu):
    resp = emu.put_account("s1")
    assert "Azure-AsyncOperation" not in resp.headers
    assert "provisioningState" not in resp.json()["properties"]
    assert emu.arm("DELETE", emu.account_path("s1")).status_code == 200
